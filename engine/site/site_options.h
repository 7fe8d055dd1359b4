#pragma once
/** What a local stream server serves: its options, the upload and files surface, and who may use it. */
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "engine/server/router.h"
#include "engine/tls/tls_settings.h"

namespace sluice::site {

// The site is built on the server core; these are the names every site unit uses.
using server::Exchange;
using server::HandlerFactory;
using server::makeErrorHandler;
using server::RequestHandler;
using server::Router;

/** Options for the local stream server's surface (sluice-cli serve, the GUI). */
struct RouteOptions {
  std::filesystem::path uploadDir = "sluice-uploads";  ///< created if missing
  uint64_t maxBodyBytes = 0;          ///< 0: no limit
  std::string token;                  ///< if set, uploads need Authorization: Bearer <token>
  bool tokenAll = false;              ///< ... and downloads too
  std::vector<std::string> allowHosts;///< extra Host values beyond localhost, 127.0.0.1, ::1, the bound address
  std::string corsOrigin;             ///< empty: no CORS headers
  std::string proxyUpstream;          ///< "http://host:port": every request is forwarded there (reverse proxy)
  tls::ClientSettings proxyTls;       ///< trust for an https:// upstream (--proxy-cacert, --proxy-insecure)
  std::string boundHost;              ///< the listen address host, for the Host allow-list
  uint16_t boundPort = 0;
  bool allowOpenRedirect = false;     ///< /redirect-to may point anywhere, not only at this server
};

/** Upload (PUT/POST/PATCH), file listing and download. */
void addSurfaceRoutes(Router& router, const RouteOptions& options);
/**
 * Checks a request before its handler runs: the Host allow-list (DNS-rebinding
 * defence), the token, writes from non-loopback peers. Responds and returns
 * false when refused.
 */
bool checkAccess(Exchange& ex, const RouteOptions& options);
/** Adds CORS headers when options.corsOrigin is set. */
void addCorsHeaders(http::Headers& headers, const RouteOptions& options);

}  // namespace sluice::site
