#pragma once
/** Test endpoints for exercising clients: well-behaved ones (sink, echo, bytes, status, delay) and faults. */
#include "engine/server/router.h"

namespace sluice::endpoints {

// Endpoints are handlers on the server core; these are the names every endpoint unit uses.
using server::Exchange;
using server::HandlerFactory;
using server::makeErrorHandler;
using server::RequestHandler;
using server::Router;

/** Options for the test endpoints. */
struct EndpointOptions {
  bool allowOpenRedirect = false;  ///< /redirect-to may send clients to any origin, not only this server
};

/**
 * /sink, /echo, /bytes/<n>[?encoding=gzip|deflate|br], /status/<code>, /delay/<ms>, and the
 * stream (/sse, /ndjson) and redirect (/redirect/<n>, /redirect-to, /redirect-loop/<k>) endpoints.
 */
void addBuiltinRoutes(Router& router, const EndpointOptions& options = {});
/**
 * Adds:
 *  - /fault/reset[?after=n]          RST (SO_LINGER 0) at once, or after n body bytes of a longer response
 *  - /fault/close-after/<n>          declares more, sends n body bytes, then FIN
 *  - /fault/stall/<ms>[?bytes=n]     sends the head and half the body, stalls ms, then the rest
 *  - /fault/connection-close         answers with Connection: close and closes
 *  - /fault/idle-close/<ms>          answers (keep-alive), then closes once idle for ms
 *  - /fault/bad-length               Content-Length: 100 with an 11-byte body, then FIN
 *  - /drip?bytes=n&interval=ms[&chunk=k]  n bytes, k at a time, ms apart
 */
void addFaultRoutes(Router& router);

}  // namespace sluice::endpoints
