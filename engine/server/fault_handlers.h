#pragma once
/** /fault/... and /drip: broken and slow servers, on purpose, for testing clients and pools. */
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "engine/server/router.h"

namespace sluice::server {

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

/** Runs fn once the connection has handed all queued output to the kernel (at most ~5 s). */
void whenFlushed(Exchange& ex, std::function<void()> fn);

}  // namespace sluice::server
