#include "engine/endpoints/fault_handlers.h"

#include <string>

#include "engine/endpoints/drip_handler.h"
#include "engine/util/units.h"

namespace sluice::endpoints {

namespace {
using namespace std::chrono_literals;

constexpr uint64_t kMaxFaultBytes = 64ull << 20;
constexpr uint64_t kMaxFaultMs = 10 * 60 * 1000;
// A peer that never reads would hold a flush waiter until the write timeout: act anyway after this.
constexpr auto kFlushWaitMax = 5s;

std::string filler(uint64_t n) { return std::string(static_cast<size_t>(n), 'x'); }

http::Headers textHeaders() {
  http::Headers h;
  h.add("Content-Type", "text/plain; charset=utf-8");
  h.add("Cache-Control", "no-store");
  return h;
}

/** RST now, or after n bytes of a response that promised more. */
class ResetFault final : public RequestHandler {
 public:
  explicit ResetFault(std::optional<uint64_t> after) : after_(after) {}
  void onHead(Exchange& ex) override {
    if (!after_) return ex.abortConnection(true);
    ex.startResponse(200, textHeaders(), *after_ + 65536);
    ex.write(filler(*after_));
    // Let the bytes leave the kernel before the RST, which would discard them.
    whenFlushed(ex, [&ex] { ex.runAfter(20ms, [&ex] { ex.abortConnection(true); }); });
  }

 private:
  std::optional<uint64_t> after_;
};

/** Declares 2n (at least n+1) bytes, sends n, then closes with FIN. */
class CloseAfterFault final : public RequestHandler {
 public:
  explicit CloseAfterFault(uint64_t n) : n_(n) {}
  void onHead(Exchange& ex) override {
    ex.startResponse(200, textHeaders(), std::max(n_ * 2, n_ + 1));
    ex.write(filler(n_));
    whenFlushed(ex, [&ex] { ex.abortConnection(false); });
  }

 private:
  uint64_t n_;
};

/** Head and the first half now, the rest after ms. */
class StallFault final : public RequestHandler {
 public:
  StallFault(uint64_t ms, uint64_t bytes) : ms_(ms), bytes_(bytes) {}
  void onHead(Exchange& ex) override {
    ex.startResponse(200, textHeaders(), bytes_);
    ex.write(filler(bytes_ / 2));
    ex.runAfter(std::chrono::milliseconds(ms_), [&ex, rest = bytes_ - bytes_ / 2] {
      ex.write(filler(rest));
      ex.end();
    });
  }

 private:
  uint64_t ms_;
  uint64_t bytes_;
};

class ConnectionCloseFault final : public RequestHandler {
 public:
  void onHead(Exchange& ex) override {
    ex.closeAfterResponse();
    ex.respond(200, textHeaders(), "this connection closes after this response\n");
  }
};

class IdleCloseFault final : public RequestHandler {
 public:
  explicit IdleCloseFault(uint64_t ms) : ms_(ms) {}
  void onHead(Exchange& ex) override {
    ex.closeWhenIdleFor(std::chrono::milliseconds(ms_));
    ex.respond(200, textHeaders(), "this connection closes after " + std::to_string(ms_) + " ms idle\n");
  }

 private:
  uint64_t ms_;
};

/** A Content-Length larger than the body, then FIN: the client must see a truncated body. */
class BadLengthFault final : public RequestHandler {
 public:
  void onHead(Exchange& ex) override {
    ex.writeRaw("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\nConnection: close\r\n\r\nshort body\n");
    whenFlushed(ex, [&ex] { ex.abortConnection(false); });
  }
};

std::string_view tail(const http::RequestHead& head, std::string_view prefix) { return head.path().substr(prefix.size()); }

std::optional<uint64_t> numberIn(std::string_view text, uint64_t max) {
  uint64_t v = 0;
  if (!parseUint(text, v) || v > max) return std::nullopt;
  return v;
}

using Factory = std::unique_ptr<RequestHandler> (*)(const http::RequestHead&);

std::unique_ptr<RequestHandler> makeReset(const http::RequestHead& head) {
  auto after = head.queryParam("after");
  if (!after) return std::make_unique<ResetFault>(std::nullopt);
  auto n = numberIn(*after, kMaxFaultBytes);
  if (!n) return makeErrorHandler(400, "use /fault/reset?after=<n> with n up to 64 MiB");
  return std::make_unique<ResetFault>(*n);
}

std::unique_ptr<RequestHandler> makeCloseAfter(const http::RequestHead& head) {
  auto n = numberIn(tail(head, "/fault/close-after/"), kMaxFaultBytes);
  if (!n) return makeErrorHandler(400, "use /fault/close-after/<n> with n up to 64 MiB");
  return std::make_unique<CloseAfterFault>(*n);
}

std::unique_ptr<RequestHandler> makeStall(const http::RequestHead& head) {
  auto ms = numberIn(tail(head, "/fault/stall/"), kMaxFaultMs);
  auto bytes = numberIn(head.queryParam("bytes").value_or("16"), kMaxFaultBytes);
  if (!ms || !bytes) return makeErrorHandler(400, "use /fault/stall/<ms>[?bytes=n] with ms up to 600000");
  return std::make_unique<StallFault>(*ms, *bytes);
}

std::unique_ptr<RequestHandler> makeIdleClose(const http::RequestHead& head) {
  auto ms = numberIn(tail(head, "/fault/idle-close/"), kMaxFaultMs);
  if (!ms || *ms == 0) return makeErrorHandler(400, "use /fault/idle-close/<ms> with ms from 1 to 600000");
  return std::make_unique<IdleCloseFault>(*ms);
}
}  // namespace

void whenFlushed(Exchange& ex, std::function<void()> fn) {
  auto once = std::make_shared<std::function<void()>>(std::move(fn));
  auto fire = [once] {
    if (*once) std::exchange(*once, nullptr)();
  };
  ex.runAfter(kFlushWaitMax, fire);
  ex.whenFlushed(fire);
}

void addFaultRoutes(Router& router) {
  using M = Router::Match;
  router.add("", "/fault/reset", M::kExact, makeReset);
  router.add("", "/fault/close-after/", M::kPrefix, makeCloseAfter);
  router.add("", "/fault/stall/", M::kPrefix, makeStall);
  router.add("", "/fault/connection-close", M::kExact,
             [](const http::RequestHead&) { return std::make_unique<ConnectionCloseFault>(); });
  router.add("", "/fault/idle-close/", M::kPrefix, makeIdleClose);
  router.add("", "/fault/bad-length", M::kExact, [](const http::RequestHead&) { return std::make_unique<BadLengthFault>(); });
  router.add("GET", "/drip", M::kExact, makeDripHandler);
}

}  // namespace sluice::endpoints
