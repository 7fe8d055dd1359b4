#include "engine/wiring/default_router.h"

#include "engine/endpoints/endpoints.h"
#include "engine/proxy/proxy_handler.h"

namespace sluice::wiring {

using server::Router;

std::shared_ptr<Router> makeDefaultRouter(const site::RouteOptions& options) {
  auto router = std::make_shared<Router>();
  if (!options.proxyUpstream.empty()) {
    // A reverse proxy forwards everything; a bad upstream answers 502 with the reason.
    if (auto up = proxy::ProxyUpstream::create(options.proxyUpstream, options.maxBodyBytes ? options.maxBodyBytes : 8 * 1024 * 1024)) {
      (*up)->setTls(options.proxyTls);
      proxy::addProxyRoutes(*router, *up);
    }
    else
      router->add("", "/", Router::Match::kPrefix, [msg = up.error().message](const http::RequestHead&) {
        return server::makeErrorHandler(502, msg);
      });
  } else {
    endpoints::addBuiltinRoutes(*router, {.allowOpenRedirect = options.allowOpenRedirect});
    endpoints::addFaultRoutes(*router);
    site::addSurfaceRoutes(*router, options);
  }
  router->setGuard([options](server::Exchange& ex) { return site::checkAccess(ex, options); });
  http::Headers common;
  site::addCorsHeaders(common, options);
  router->setResponseHeaders(std::move(common));
  return router;
}

}  // namespace sluice::wiring
