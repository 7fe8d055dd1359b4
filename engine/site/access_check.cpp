// checkAccess and addCorsHeaders (declared in site_options.h) and their parts.
#include "engine/site/access_check.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

#include <openssl/crypto.h>

#include "engine/codec/sha256.h"
#include "engine/http/url.h"
#include "engine/site/json_response.h"

namespace sluice::site {

namespace {
// A configured name (--allow-host, the bound host) as parseAuthority spells
// hosts: lower case, no brackets, no port, no trailing dot. "*" and ".suffix"
// entries pass through lower-cased.
std::string configuredHost(std::string_view entry) {
  auto a = http::parseAuthority(entry);
  std::string host = a ? a->host : std::string(entry);
  std::transform(host.begin(), host.end(), host.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (host.size() > 1 && host.ends_with('.')) host.pop_back();
  return host;
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

bool hostAllowed(std::string_view host, const RouteOptions& options, const net::SocketAddress& local) {
  if (host.size() > 1 && host.ends_with('.')) host.remove_suffix(1);  // "localhost." is "localhost"
  if (host == "localhost" || host.ends_with(".localhost") || host == "127.0.0.1" || host == "::1") return true;
  if (!isWildcardAddress(options.boundHost) && host == configuredHost(options.boundHost)) return true;
  // Formatting the local address costs a printf: only for names not matched above.
  if (std::string localHost = local.host(); !localHost.empty() && host == localHost) return true;
  for (const auto& allowed : options.allowHosts) {
    if (allowed == "*") return true;
    std::string a = configuredHost(allowed);
    if (host == a) return true;
    if (a.starts_with('.') && (host.ends_with(a) || host == a.substr(1))) return true;
  }
  return false;
}

bool bearerMatches(std::string_view authorization, std::string_view token) {
  authorization = http::trimOws(authorization);
  if (authorization.size() < 7 || !http::iequals(authorization.substr(0, 7), "Bearer ")) return false;
  std::string_view given = http::trimOws(authorization.substr(7));
  if (token.empty()) return false;
  // Compare fixed-size digests with OpenSSL's constant-time compare: the time
  // taken depends neither on where the first wrong byte is nor on the token's length.
  auto want = codec::Sha256::of(token);
  auto got = codec::Sha256::of(given);
  return CRYPTO_memcmp(want.data(), got.data(), want.size()) == 0;
}

bool isWriteRequest(const http::RequestHead& head) {
  std::string_view path = head.path();
  bool uploadPath = path == "/upload" || path.starts_with("/upload/");
  return uploadPath && head.method != "GET" && head.method != "HEAD";
}

namespace {
// Every request on a connection, and most connections, send the same Host:
// parse each distinct value once per thread, not once per request.
const Result<http::Authority>& parsedHost(std::string_view value) {
  thread_local std::string lastValue;
  thread_local Result<http::Authority> lastResult = fail(ErrorCode::kInvalidArgument, "no Host parsed yet");
  if (lastValue != value || lastValue.empty()) {
    lastResult = http::parseAuthority(value);
    lastValue.assign(value);
  }
  return lastResult;
}

bool refuseHost(Exchange& ex, const std::string& what, const std::string& host, const RouteOptions& options) {
  respondJsonError(ex, 403, what + " is not one of this server's names (a DNS-rebinding defence); "
                   "start the server with --allow-host " + http::formatAuthority(host, std::nullopt) + " to allow it", options);
  return false;
}
}  // namespace

bool checkAccess(Exchange& ex, const RouteOptions& options) {
  const http::RequestHead& req = ex.request();
  // Absolute-form (RFC 9112 §3.2.2): its authority is the host. It must pass the
  // same checks as Host, and so must a Host sent with it (stricter than the RFC's
  // "ignore Host", never weaker).
  if (!req.target.starts_with('/') && req.target.find("://") != std::string::npos) {
    auto url = http::parseUrl(req.target);
    if (!url || url->userinfo) {
      std::string why = url ? "it carries user information" : url.error().message;
      respondJsonError(ex, 400, "the request target has no valid host (RFC 9112 section 3.2.2): " + why, options);
      return false;
    }
    if (!hostAllowed(url->host, options, ex.local())) return refuseHost(ex, "host '" + url->host + "'", url->host, options);
  }
  if (const std::string* value = req.headers.find("Host")) {
    const Result<http::Authority>& host = parsedHost(http::trimOws(*value));
    if (!host) {
      respondJsonError(ex, 400, "the Host header is not a valid host[:port] (RFC 9112 section 3.2): " + host.error().message, options);
      return false;
    }
    if (!hostAllowed(host->host, options, ex.local())) return refuseHost(ex, "Host '" + *value + "'", host->host, options);
  }
  if (!options.corsOrigin.empty() && isPreflight(req)) {
    respondPreflight(ex, options);
    return false;
  }
  bool write = isWriteRequest(req);
  if (!options.token.empty() && req.headers.count("Authorization") > 1) {
    // Which line would count is the kind of disagreement a smuggler uses (nginx answers 400 too).
    respondJsonError(ex, 400, "the request has more than one Authorization header; send exactly one", options);
    return false;
  }
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
  headers.set("Access-Control-Expose-Headers", "ETag, Content-Range, Repr-Digest, Upload-Offset, Location, Digest-Checked, Digest-Ignored");
}

}  // namespace sluice::site
