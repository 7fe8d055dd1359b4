#include "engine/client/request.h"

#include <charconv>

#include "engine/client/response.h"

namespace sluice::client {

Result<Url> Url::parse(std::string_view text) {
  Url url;
  auto sep = text.find("://");
  if (sep == std::string_view::npos)
    return fail(ErrorCode::kInvalidArgument, "bad URL '" + std::string(text) + "': expected http://host[:port]/path");
  url.scheme = std::string(text.substr(0, sep));
  for (char& c : url.scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (url.scheme != "http" && url.scheme != "https")
    return fail(ErrorCode::kInvalidArgument, "unsupported scheme '" + url.scheme + "' in '" + std::string(text) + "': use http:// or https://");
  url.port = url.defaultPort();
  std::string_view rest = text.substr(sep + 3);
  auto slash = rest.find_first_of("/?#");
  std::string_view auth = rest.substr(0, slash);
  std::string_view target = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  if (auto hash = target.find('#'); hash != std::string_view::npos) target = target.substr(0, hash);
  if (auth.find('@') != std::string_view::npos)
    return fail(ErrorCode::kInvalidArgument, "user info in URLs is not supported; send an Authorization header instead");
  std::string_view host = auth, port;
  if (!auth.empty() && auth.front() == '[') {
    auto close = auth.find(']');
    if (close == std::string_view::npos) return fail(ErrorCode::kInvalidArgument, "bad IPv6 host in '" + std::string(text) + "'");
    host = auth.substr(1, close - 1);
    if (close + 1 < auth.size()) {
      if (auth[close + 1] != ':') return fail(ErrorCode::kInvalidArgument, "bad URL '" + std::string(text) + "'");
      port = auth.substr(close + 2);
    }
  } else if (auto colon = auth.rfind(':'); colon != std::string_view::npos) {
    host = auth.substr(0, colon);
    port = auth.substr(colon + 1);
  }
  if (host.empty()) return fail(ErrorCode::kInvalidArgument, "missing host in URL '" + std::string(text) + "'");
  url.host = std::string(host);
  if (!port.empty()) {
    unsigned p = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc{} || ptr != port.data() + port.size() || p == 0 || p > 65535)
      return fail(ErrorCode::kInvalidArgument, "bad port '" + std::string(port) + "' in URL '" + std::string(text) + "'");
    url.port = static_cast<uint16_t>(p);
  }
  url.target = target.empty() ? "/" : std::string(target);
  if (url.target.front() == '?') url.target.insert(0, "/");
  return url;
}

std::string Url::authority() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != defaultPort()) h += ":" + std::to_string(port);
  return h;
}

std::string Url::poolKey() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return scheme + "://" + h + ":" + std::to_string(port);
}

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

namespace {
bool idempotentMethod(std::string_view m) {
  return m == "GET" || m == "HEAD" || m == "OPTIONS" || m == "TRACE" || m == "PUT" || m == "DELETE";
}
}  // namespace

bool Request::replayable() const { return notReplayableReason().empty(); }

std::string Request::notReplayableReason() const {
  if (!idempotentMethod(method) && !headers.has("Idempotency-Key"))
    return method + " is not idempotent (add an Idempotency-Key header if it is safe to repeat)";
  if (body.kind == RequestBody::Kind::kFile) return "the body is a streamed file upload, which is not replayed";
  if (body.kind == RequestBody::Kind::kPull) return "the body is a streamed upload from a pull source, which cannot be replayed";
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
  std::string s;
  if (reused) s = "reused connection #" + std::to_string(connectionId) + ", idle for " + std::to_string(idleMs) + " ms";
  else s = "new connection #" + std::to_string(connectionId) + ": " + newConnReasonText(reason);
  if (reused && (savedConnectUs || savedTlsUs)) {
    s += ": saved " + msText(savedConnectUs) + " connect";
    if (savedTlsUs) s += " + " + msText(savedTlsUs) + " TLS handshake";
  }
  if (!reused && tls == Tls::kFull) s += "; full TLS handshake";
  if (!reused && tls == Tls::kResumed) s += "; TLS session resumed";
  if (retried) s += " (retried)";
  return s;
}

}  // namespace sluice::client
