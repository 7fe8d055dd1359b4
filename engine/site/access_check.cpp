// checkAccess and addCorsHeaders (declared in site_options.h) and their parts.
#include "engine/site/access_check.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

#include "engine/site/json_response.h"

namespace sluice::site {

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

// RFC 9112 §3.2 / RFC 3986 §3.2: Host = uri-host [ ":" port ]. No userinfo, no
// spaces, no lists; an IP literal in brackets; a port of digits only.
bool validHostValue(std::string_view v) {
  v = http::trimOws(v);
  static const auto kRegName = [] {
    std::array<bool, 256> t{};
    for (int c = 0; c < 256; ++c) t[static_cast<size_t>(c)] = std::isalnum(c) != 0;
    for (char c : std::string_view("-._~!$&'()*+,;=%")) t[static_cast<unsigned char>(c)] = true;
    return t;
  }();
  auto regNameChar = [](unsigned char c) { return kRegName[c]; };
  std::string_view port;
  if (v.starts_with('[')) {
    size_t close = v.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    for (unsigned char c : v.substr(1, close - 1))
      if (!std::isxdigit(c) && c != ':' && c != '.' && c != 'v' && c != 'V') return false;
    std::string_view rest = v.substr(close + 1);
    if (!rest.empty() && rest[0] != ':') return false;
    port = rest.empty() ? rest : rest.substr(1);
  } else {
    size_t colon = v.find(':');
    std::string_view host = v.substr(0, colon);
    for (unsigned char c : host)
      if (!regNameChar(c)) return false;
    port = colon == std::string_view::npos ? std::string_view() : v.substr(colon + 1);
  }
  if (port.size() > 5) return false;
  for (unsigned char c : port)
    if (!std::isdigit(c)) return false;
  return true;
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

bool hostAllowed(std::string_view hostHeader, const RouteOptions& options, const net::SocketAddress& local) {
  std::string host = hostOnly(hostHeader);
  if (host == "localhost" || host.ends_with(".localhost") || host == "127.0.0.1" || host == "::1") return true;
  if (!isWildcardAddress(options.boundHost) && host == hostOnly(options.boundHost)) return true;
  // Formatting the local address costs a printf: only for names not matched above.
  if (std::string localHost = local.host(); !localHost.empty() && host == hostOnly(localHost)) return true;
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
  // Absolute-form (RFC 9112 §3.2.2): its authority is the host. It must pass the
  // same checks as Host, and so must a Host sent with it (stricter than the RFC's
  // "ignore Host", never weaker).
  if (!req.target.starts_with('/') && req.target.find("://") != std::string::npos) {
    std::string a(req.authority());
    if (a.empty() || !validHostValue(a)) {
      respondJsonError(ex, 400, "the request target '" + req.target + "' has no valid host (RFC 9112 section 3.2.2)", options);
      return false;
    }
    if (!hostAllowed(a, options, ex.local())) {
      respondJsonError(ex, 403, "host '" + a + "' is not one of this server's names (a DNS-rebinding defence); "
                       "start the server with --allow-host " + hostOnly(a) + " to allow it", options);
      return false;
    }
  }
  if (const std::string* host = req.headers.find("Host")) {
    if (!validHostValue(*host)) {
      respondJsonError(ex, 400, "the Host header '" + *host + "' is not a valid host[:port] (RFC 9112 section 3.2)", options);
      return false;
    }
    if (!hostAllowed(*host, options, ex.local())) {
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
