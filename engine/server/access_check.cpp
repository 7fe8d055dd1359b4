// checkAccess and addCorsHeaders (declared in routes.h) and their parts.
#include "engine/server/access_check.h"

#include <algorithm>
#include <string>

#include "engine/server/json_response.h"

namespace sluice::server {

namespace {
std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// "Example.com:8080" -> "example.com"; "[::1]:80" -> "::1"; "localhost." -> "localhost".
std::string hostOnly(std::string_view value) {
  value = http::trimOws(value);
  if (value.starts_with('[')) {
    size_t close = value.find(']');
    return lower(value.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1));
  }
  size_t colon = value.find(':');
  if (colon != std::string_view::npos && value.find(':', colon + 1) == std::string_view::npos) value = value.substr(0, colon);
  if (value.ends_with('.')) value.remove_suffix(1);
  return lower(value);
}

bool isWildcardAddress(std::string_view h) { return h.empty() || h == "0.0.0.0" || h == "::" || h == "[::]"; }

bool isPreflight(const http::RequestHead& head) {
  return head.method == "OPTIONS" && head.headers.has("Origin") && head.headers.has("Access-Control-Request-Method");
}

void respondPreflight(Exchange& ex, const RouteOptions& options) {
  http::Headers h;
  addCorsHeaders(h, options);
  h.add("Access-Control-Allow-Methods", "GET, HEAD, PUT, POST, PATCH, DELETE, OPTIONS");
  h.add("Access-Control-Allow-Headers",
        "Authorization, Content-Type, Content-Range, X-Update-Range, Repr-Digest, Content-Digest, Range, If-None-Match");
  h.add("Access-Control-Max-Age", "600");
  ex.respond(204, std::move(h), {});
}
}  // namespace

bool hostAllowed(std::string_view hostHeader, const RouteOptions& options, std::string_view localHost) {
  std::string host = hostOnly(hostHeader);
  if (host == "localhost" || host.ends_with(".localhost") || host == "127.0.0.1" || host == "::1") return true;
  if (!isWildcardAddress(options.boundHost) && host == hostOnly(options.boundHost)) return true;
  if (!localHost.empty() && host == hostOnly(localHost)) return true;
  for (const auto& allowed : options.allowHosts) {
    if (allowed == "*") return true;
    std::string a = hostOnly(allowed);
    if (host == a) return true;
    if (a.starts_with('.') && (host.ends_with(a) || host == a.substr(1))) return true;
  }
  return false;
}

bool bearerMatches(std::string_view authorization, std::string_view token) {
  authorization = http::trimOws(authorization);
  if (authorization.size() < 7 || !http::iequals(authorization.substr(0, 7), "Bearer ")) return false;
  std::string_view given = http::trimOws(authorization.substr(7));
  // Constant time over the expected token's length: no early exit on the first wrong byte.
  unsigned diff = given.size() == token.size() ? 0u : 1u;
  for (size_t i = 0; i < token.size(); ++i)
    diff |= static_cast<unsigned char>(token[i]) ^ static_cast<unsigned char>(i < given.size() ? given[i] : 0);
  return diff == 0 && !token.empty();
}

bool isWriteRequest(const http::RequestHead& head) {
  std::string_view path = head.path();
  bool uploadPath = path == "/upload" || path.starts_with("/upload/");
  return uploadPath && head.method != "GET" && head.method != "HEAD";
}

bool checkAccess(Exchange& ex, const RouteOptions& options) {
  const http::RequestHead& req = ex.request();
  if (const std::string* host = req.headers.find("Host")) {
    if (!hostAllowed(*host, options, ex.local().host())) {
      respondJsonError(ex, 403, "Host '" + *host + "' is not one of this server's names (a DNS-rebinding defence); "
                       "start the server with --allow-host " + hostOnly(*host) + " to allow it", options);
      return false;
    }
  }
  if (!options.corsOrigin.empty() && isPreflight(req)) {
    respondPreflight(ex, options);
    return false;
  }
  bool write = isWriteRequest(req);
  bool needToken = !options.token.empty() && (write || options.tokenAll);
  if (needToken && !bearerMatches(req.headers.get("Authorization"), options.token)) {
    http::Headers h;
    h.add("WWW-Authenticate", "Bearer realm=\"sluice\"");
    respondJsonError(ex, 401, req.headers.has("Authorization") ? "the token is wrong" :
                     "this server needs a token: send Authorization: Bearer <token> (curl -H 'Authorization: Bearer ...')",
                     options, std::move(h));
    return false;
  }
  if (write && options.token.empty() && !ex.peer().isLoopback()) {
    respondJsonError(ex, 403, "uploads from other machines are refused unless the server runs with --token", options);
    return false;
  }
  return true;
}

void addCorsHeaders(http::Headers& headers, const RouteOptions& options) {
  if (options.corsOrigin.empty()) return;
  headers.set("Access-Control-Allow-Origin", options.corsOrigin);
  if (options.corsOrigin != "*") headers.set("Vary", "Origin");
  headers.set("Access-Control-Expose-Headers", "ETag, Content-Range, Repr-Digest, Upload-Offset, Location");
}

}  // namespace sluice::server
