// PLACEHOLDER owned by the upload-server work (issue 3): replaced by the real
// upload, files, drip and fault routes and the access checks.
#include "engine/server/routes.h"

namespace sluice::server {

void addSurfaceRoutes(Router&, const RouteOptions&) {}
bool checkAccess(Exchange&, const RouteOptions&) { return true; }
void addCorsHeaders(http::Headers&, const RouteOptions&) {}

}  // namespace sluice::server
