#include "engine/proxy/proxy_handler.h"

#include <atomic>

#include "engine/server/exchange.h"

namespace sluice::proxy {

namespace {

constexpr uint64_t kMaxQueued = 512 * 1024;  // upstream bytes posted to the server loop, not yet written

// Hop-by-hop fields (RFC 9110 §7.6.1) and the ones we frame ourselves.
bool hopByHop(std::string_view name) {
  for (std::string_view h : {"Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization", "TE",
                             "Trailer", "Transfer-Encoding", "Upgrade", "Content-Length", "Host", "Expect"})
    if (http::iequals(name, h)) return true;
  return false;
}

/** What the two loops share about one proxied exchange. */
struct Shared {
  net::EventLoop* loop = nullptr;  // the server connection's loop
  Exchange* ex = nullptr;          // valid while alive (server loop only)
  bool alive = true;               // server loop only
  std::unique_ptr<client::Exchange> upstream;  // set on the server loop once the head arrived
  uint64_t requestId = 0;
  std::atomic<uint64_t> queued{0};
  std::atomic<bool> sinkPaused{false};
  std::atomic<bool> downstreamFull{false};

  // Server loop: let the upstream flow again when the downstream has room.
  void maybeResume() {
    if (alive && upstream && queued.load() < kMaxQueued / 2 && !downstreamFull.load() && sinkPaused.exchange(false))
      upstream->body.resume();
  }
};

class ProxyHandler final : public RequestHandler {
 public:
  explicit ProxyHandler(std::shared_ptr<ProxyUpstream> up) : up_(std::move(up)), s_(std::make_shared<Shared>()) {}
  ~ProxyHandler() override { detach(); }

  void onHead(Exchange& ex) override {
    s_->loop = &ex.loop();
    s_->ex = &ex;
    if (ex.bodyLength() && *ex.bodyLength() > up_->maxRequestBody())
      return ex.respondError(413, "the proxy reads request bodies whole, up to " + std::to_string(up_->maxRequestBody()) + " bytes");
    ex.setBulkReads();
  }
  void onBody(Exchange& ex, std::string_view chunk) override {
    if (body_.size() + chunk.size() > up_->maxRequestBody()) {
      ex.respondError(413, "the proxy reads request bodies whole, up to " + std::to_string(up_->maxRequestBody()) + " bytes");
      ex.closeAfterResponse();
      return;
    }
    body_.append(chunk);
  }
  void onBodyEnd(Exchange& ex) override { forward(ex); }
  void onWritable(Exchange&) override {
    s_->downstreamFull = false;
    s_->maybeResume();
  }
  void onAbort(Exchange&, const Error&) override { detach(); }

 private:
  void detach() {
    if (!s_->alive) return;
    s_->alive = false;
    if (s_->upstream) {
      s_->upstream->body.abort();  // the upstream body is not wanted any more
      s_->upstream.reset();
    } else if (s_->requestId) {
      up_->client().cancel(s_->requestId);
    }
  }

  void forward(Exchange& ex) {
    const http::RequestHead& in = ex.request();
    auto req = client::Request::get(up_->base() + in.target);
    if (!req) return ex.respondError(502, "bad upstream URL: " + req.error().message);
    req->tls = up_->tls();
    req->method = in.method;
    for (const auto& h : in.headers)
      if (!hopByHop(h.name)) req->headers.add(h.name, h.value);
    req->headers.add("X-Forwarded-For", ex.peer().host());
    req->headers.add("Via", "1.1 sluice");
    if (!body_.empty() || in.framing.contentLength) req->body = client::RequestBody::fromBytes(std::move(body_));
    std::shared_ptr<Shared> s = s_;
    s->requestId = up_->client().send(std::move(*req), [s](Result<client::Exchange> r) { onUpstreamHead(s, std::move(r)); });
  }

  // Client loop: hand the head over to the server loop.
  static void onUpstreamHead(const std::shared_ptr<Shared>& s, Result<client::Exchange> r) {
    auto holder = std::make_shared<Result<client::Exchange>>(std::move(r));
    s->loop->post([s, holder] { startDownstream(s, std::move(*holder)); });
  }

  // Server loop: answer with the upstream's head, then stream its body.
  static void startDownstream(const std::shared_ptr<Shared>& s, Result<client::Exchange> r) {
    if (!s->alive) {
      if (r) r->body.abort();
      return;
    }
    Exchange& ex = *s->ex;
    if (!r) return ex.respondError(r.error().code == ErrorCode::kTimeout ? 504 : 502, "upstream: " + r.error().message);
    s->upstream = std::make_unique<client::Exchange>(std::move(*r));
    const client::Response& resp = s->upstream->response;
    http::Headers headers;
    for (const auto& h : resp.headers)
      if (!hopByHop(h.name) && !http::iequals(h.name, "Date") && !http::iequals(h.name, "Server")) headers.add(h.name, h.value);
    headers.add("Via", "1.1 sluice");
    std::optional<uint64_t> length = s->upstream->body.contentLength();
    ex.startResponse(resp.status, std::move(headers), length);
    s->upstream->body.forward(
        [s](std::string_view data) {  // client loop
          auto copy = std::make_shared<std::string>(data);
          uint64_t queued = s->queued.fetch_add(data.size()) + data.size();
          bool pause = queued > kMaxQueued || s->downstreamFull.load();
          if (pause) s->sinkPaused = true;
          s->loop->post([s, copy] {
            s->queued.fetch_sub(copy->size());
            if (!s->alive) return;
            if (!s->ex->write(*copy)) s->downstreamFull = true;
            s->maybeResume();
          });
          return pause ? client::BodyStream::Action::kPause : client::BodyStream::Action::kContinue;
        },
        [s](Status st) {  // client loop: the upstream connection was released by forward()
          s->loop->post([s, ok = st.has_value()] {
            // The stream's callbacks hold s: dropping the stream here breaks that cycle.
            s->upstream.reset();
            if (!s->alive) return;
            // A truncated upstream body cannot be framed downstream: close instead of ending.
            if (ok) s->ex->end();
            else s->ex->abortConnection(false);
          });
        });
  }

  std::shared_ptr<ProxyUpstream> up_;
  std::shared_ptr<Shared> s_;
  std::string body_;
};

}  // namespace

Result<std::shared_ptr<ProxyUpstream>> ProxyUpstream::create(std::string base, uint64_t maxRequestBody) {
  while (!base.empty() && base.back() == '/') base.pop_back();
  auto probe = client::Request::get(base + "/");
  if (!probe) return fail(ErrorCode::kInvalidArgument, "bad upstream '" + base + "': " + probe.error().message);
  return std::make_shared<ProxyUpstream>(std::move(base), maxRequestBody);
}

ProxyUpstream::ProxyUpstream(std::string base, uint64_t maxRequestBody)
    : base_(std::move(base)), maxRequestBody_(maxRequestBody) {}

void addProxyRoutes(Router& router, std::shared_ptr<ProxyUpstream> upstream) {
  router.add("", "/", Router::Match::kPrefix,
             [upstream](const http::RequestHead&) { return std::make_unique<ProxyHandler>(upstream); });
}

}  // namespace sluice::proxy
