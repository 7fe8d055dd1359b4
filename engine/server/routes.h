#pragma once
/** The workbench's route table: built-in test endpoints, upload, files and faults. */
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "engine/server/router.h"

namespace sluice::server {

/** Options for the local stream server's surface (sluice-cli serve, the GUI). */
struct RouteOptions {
  std::filesystem::path uploadDir = "sluice-uploads";  ///< created if missing
  uint64_t maxBodyBytes = 0;          ///< 0: no limit
  std::string token;                  ///< if set, uploads need Authorization: Bearer <token>
  bool tokenAll = false;              ///< ... and downloads too
  std::vector<std::string> allowHosts;///< extra Host values beyond localhost, 127.0.0.1, ::1, the bound address
  std::string corsOrigin;             ///< empty: no CORS headers
  std::string proxyUpstream;          ///< "http://host:port": every request is forwarded there (reverse proxy)
  std::string boundHost;              ///< the listen address host, for the Host allow-list
  uint16_t boundPort = 0;
};

/** Sink, echo, bytes, status and delay (built-in test endpoints). */
void addBuiltinRoutes(Router& router);
/** Upload (PUT/POST/PATCH), file listing and download, drip and faults. */
void addSurfaceRoutes(Router& router, const RouteOptions& options);
/**
 * Checks a request before its handler runs: the Host allow-list (DNS-rebinding
 * defence), the token, writes from non-loopback peers. Responds and returns
 * false when refused.
 */
bool checkAccess(Exchange& ex, const RouteOptions& options);
/** Adds CORS headers when options.corsOrigin is set. */
void addCorsHeaders(http::Headers& headers, const RouteOptions& options);

/** The full table used by sluice-cli serve and the GUI. */
std::shared_ptr<Router> makeDefaultRouter(const RouteOptions& options);

}  // namespace sluice::server
