#include "engine/client/request.h"

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
