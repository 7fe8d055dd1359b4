#pragma once
/**
 * Redirect test endpoints:
 *  - /redirect/N[?status=S]         a chain of N hops: /redirect/N -> /redirect/N-1 -> ... -> /redirect/0,
 *                                   which reads the body and answers {"method", "body_bytes", "content_type"}
 *  - /redirect-to?url=U[&status=S]  one redirect to U; only to this server's own origin (a path, or
 *                                   http://<the Host it was asked as>/...) unless open redirects are allowed
 *  - /redirect-loop/K[?at=I]        a cycle of K hops that never ends (loop detection)
 * S is 301, 302, 303, 307 or 308 (302 by default).
 */
#include "engine/endpoints/endpoints.h"

namespace sluice::endpoints {

void addRedirectRoutes(Router& router, const EndpointOptions& options);

}  // namespace sluice::endpoints
