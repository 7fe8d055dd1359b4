#include "engine/client/request.h"

#include <cctype>
#include <charconv>
#include <cstdio>

#include "engine/client/response.h"

namespace sluice::client {

Result<Url> Url::parse(std::string_view text) {
  auto parsed = http::parseUrl(text);
  if (!parsed) return sluice::unexpected(parsed.error());
  if (parsed->userinfo)
    return fail(ErrorCode::kInvalidArgument, "user info in URLs is not supported; send an Authorization header instead");
  Url url;
  static_cast<http::Url&>(url) = std::move(*parsed);
  return url;
}

std::string Url::poolKey() const { return scheme + "://" + http::formatAuthority(host, port); }

RequestBody RequestBody::fromBytes(std::string data) {
  RequestBody b;
  b.kind = Kind::kBytes;
  b.bytes = std::move(data);
  return b;
}

RequestBody RequestBody::fromFile(std::string path) {
  RequestBody b;
  b.kind = Kind::kFile;
  b.filePath = std::move(path);
  return b;
}

RequestBody RequestBody::fromPull(PullSource source) {
  RequestBody b;
  b.kind = Kind::kPull;
  b.pull = std::move(source);
  return b;
}

Result<Request> Request::get(std::string_view url) {
  auto u = Url::parse(url);
  if (!u) return sluice::unexpected(u.error());
  Request r;
  r.url = std::move(*u);
  return r;
}

bool idempotentMethod(std::string_view m) {
  return m == "GET" || m == "HEAD" || m == "OPTIONS" || m == "TRACE" || m == "PUT" || m == "DELETE";
}

bool Request::replayable() const { return notReplayableReason().empty(); }

std::string Request::notReplayableReason() const {
  if (!idempotentMethod(method) && !headers.has("Idempotency-Key"))
    return method + " is not idempotent (add an Idempotency-Key header if it is safe to repeat)";
  if (body.kind == RequestBody::Kind::kFile) return "the body is a streamed file upload, which is not replayed";
  if (body.kind == RequestBody::Kind::kPull) return "the body is a streamed upload from a pull source, which cannot be replayed";
  return {};
}

namespace {
bool isTchar(unsigned char c) {
  if (std::isalnum(c) && c < 0x80) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool isToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!isTchar(static_cast<unsigned char>(c))) return false;
  return true;
}

/** Shown in an error: control bytes as \xNN, so the message itself stays one clean line. */
std::string visible(std::string_view s) {
  std::string out;
  for (unsigned char c : s.substr(0, 200)) {
    if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    } else out += static_cast<char>(c);
  }
  if (s.size() > 200) out += "...";
  return out;
}

/** The first byte that may not stand in a URL part as given: CTL, space, DEL or non-ASCII. */
std::optional<size_t> badUrlByte(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c <= 0x20 || c >= 0x7f) return i;
  }
  return std::nullopt;
}

std::string byteName(unsigned char c) {
  if (c == ' ') return "a space";
  if (c == '\r') return "a CR";
  if (c == '\n') return "an LF";
  char buf[32];
  std::snprintf(buf, sizeof buf, c >= 0x80 ? "the non-ASCII byte 0x%02X" : "the control byte 0x%02X", c);
  return buf;
}
}  // namespace

Status checkWireSafe(const Request& r) {
  if (!isToken(r.method))
    return fail(ErrorCode::kInvalidArgument, "the method '" + visible(r.method) +
                                                 "' is not a valid HTTP token (RFC 9110: letters, digits and !#$%&'*+-.^_`|~ only)");
  if (auto at = badUrlByte(r.url.host))
    return fail(ErrorCode::kInvalidArgument, "the URL host '" + visible(r.url.host) + "' contains " +
                                                 byteName(static_cast<unsigned char>(r.url.host[*at])));
  if (auto at = badUrlByte(r.url.target))
    return fail(ErrorCode::kInvalidArgument, "the URL path '" + visible(r.url.target) + "' contains " +
                                                 byteName(static_cast<unsigned char>(r.url.target[*at])) +
                                                 " at offset " + std::to_string(*at) + "; percent-encode it (a space is %20)");
  if (r.url.target.empty() || (r.url.target.front() != '/' && !(r.url.target == "*" && r.method == "OPTIONS")))
    return fail(ErrorCode::kInvalidArgument, "the request target '" + visible(r.url.target) + "' does not start with '/'");
  for (const auto& [name, value] : r.headers) {
    if (!isToken(name))
      return fail(ErrorCode::kInvalidArgument, "the header name '" + visible(name) +
                                                   "' is not a valid HTTP token (no spaces, colons or control characters)");
    for (unsigned char c : value)
      if ((c < 0x20 && c != '\t') || c == 0x7f)
        return fail(ErrorCode::kInvalidArgument, "the value of header '" + name + "' contains " + byteName(c) + ": '" +
                                                     visible(value) + "'; a header value is one line");
  }
  return {};
}

const char* newConnReasonText(NewConnReason r) {
  switch (r) {
    case NewConnReason::kPoolEmpty: return "pool empty";
    case NewConnReason::kAllBusy: return "all connections busy";
    case NewConnReason::kIdleExpired: return "idle timeout expired";
    case NewConnReason::kPeerClosedIdle: return "peer closed while idle";
    case NewConnReason::kPreviousNotDrained: return "previous body not drained";
    case NewConnReason::kConnectionClose: return "Connection: close";
    case NewConnReason::kMaxAge: return "max age reached";
    case NewConnReason::kReuseDisabled: return "reuse disabled";
  }
  return "?";
}

std::string msText(uint64_t us) {
  uint64_t tenths = (us + 50) / 100;  // locale-free: the GUI sets a locale with decimal commas
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " ms";
}

std::string ReuseVerdict::text() const {
  // Built in one string (this runs for every response head, on the loop thread).
  std::string s;
  s.reserve(96);
  auto number = [&s](uint64_t v) {
    char buf[24];
    s.append(buf, static_cast<size_t>(std::to_chars(buf, buf + sizeof buf, v).ptr - buf));
  };
  if (reused) {
    s += "reused connection #", number(connectionId), s += ", idle for ", number(idleMs), s += " ms";
  } else {
    s += "new connection #", number(connectionId), s += ": ", s += newConnReasonText(reason);
  }
  if (reused && (savedConnectUs || savedTlsUs)) {
    s += ": saved ", s += msText(savedConnectUs), s += " connect";
    if (savedTlsUs) s += " + ", s += msText(savedTlsUs), s += " TLS handshake";
  }
  if (!reused && tls == Tls::kFull) s += "; full TLS handshake";
  if (!reused && tls == Tls::kResumed) s += "; TLS session resumed";
  if (retried) s += " (retried)";
  return s;
}

}  // namespace sluice::client
