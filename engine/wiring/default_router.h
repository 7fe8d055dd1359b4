#pragma once
/**
 * The wiring unit: the one place that knows every server-side layer (site,
 * endpoints, proxy) and assembles the route table that sluice-cli serve and
 * the GUI's embedded servers use. The server core itself never sees them.
 */
#include <memory>

#include "engine/server/router.h"
#include "engine/site/site_options.h"

namespace sluice::wiring {

/** The full table: endpoints and site, or everything forwarded when options.proxyUpstream is set. */
std::shared_ptr<server::Router> makeDefaultRouter(const site::RouteOptions& options);

}  // namespace sluice::wiring
