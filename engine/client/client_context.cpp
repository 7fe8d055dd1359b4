#include "engine/client/client_context.h"

#include "engine/net/event_loop.h"

namespace sluice::client {

ClientContext::ClientContext(ClientConfig config, net::EventLoop* loop)
    : config_(std::move(config)), limits_(config_.pool), publishedLimits_(config_.pool), events_(config_.eventCapacity), loop_(loop) {}

bool ClientContext::post(std::function<void()> fn) {
  std::lock_guard lock(loopMutex_);
  if (!loop_) return false;
  // Already on the loop thread: run after the current batch, without the eventfd round trip.
  if (loop_->inLoopThread()) loop_->defer(std::move(fn));
  else loop_->post(std::move(fn));
  return true;
}

void ClientContext::detachLoop() {
  std::lock_guard lock(loopMutex_);
  loop_ = nullptr;
}

void ClientContext::event(observe::EventKind kind, uint64_t connId, uint64_t reqId, int code, std::string text,
                          std::string detail, uint64_t bytesIn, uint64_t bytesOut, uint64_t durationUs) {
  observe::Event& ev = turnEvents_.emplace_back();
  ev.kind = kind;
  ev.timeNs = observe::monotonicNs();
  ev.connectionId = connId;
  ev.requestId = reqId;
  ev.code = code;
  ev.text = std::move(text);
  ev.detail = std::move(detail);
  ev.bytesIn = bytesIn;
  ev.bytesOut = bytesOut;
  ev.durationUs = durationUs;
  if (flushScheduled_) return;
  // One push per loop turn instead of one per event. Without a loop (the client is
  // going away) the event goes in at once.
  std::lock_guard lock(loopMutex_);
  if (!loop_) return flushEvents();
  flushScheduled_ = true;
  loop_->defer([w = weak_from_this()] {
    if (auto self = w.lock()) self->flushEvents();
  });
}

void ClientContext::flushEvents() {
  flushScheduled_ = false;
  events_.push(turnEvents_);
}

void ClientContext::warningNow(uint64_t connId, uint64_t reqId, std::string what, std::string detail) {
  observe::Event ev;
  ev.kind = observe::EventKind::kClientWarning;
  ev.connectionId = connId;
  ev.requestId = reqId;
  ev.text = std::move(what);
  ev.detail = std::move(detail);
  events_.push(std::move(ev));
}

void ClientContext::connState(uint64_t connId, uint64_t reqId, ConnState s, std::string reason) {
  event(observe::EventKind::kClientConnState, connId, reqId, static_cast<int>(s), connStateName(s), std::move(reason));
}

void ClientContext::warning(uint64_t connId, uint64_t reqId, std::string what, std::string detail) {
  event(observe::EventKind::kClientWarning, connId, reqId, 0, std::move(what), std::move(detail));
}

ClientStats ClientContext::stats() const {
  ClientStats s;
  auto ld = [](const std::atomic<uint64_t>& a) { return a.load(std::memory_order_relaxed); };
  s.requests = ld(requests);
  s.failures = ld(failures);
  s.connectionsOpened = ld(connectionsOpened);
  s.connectsFailed = ld(connectsFailed);
  s.reused = ld(reused);
  s.retries = ld(retries);
  s.doubleReleases = ld(doubleReleases);
  s.leaks = ld(leaks);
  s.heldStreams = ld(heldStreams);
  s.heldTooLong = ld(heldTooLong);
  s.drainedBytes = ld(drainedBytes);
  s.drainsKept = ld(drainsKept);
  s.savedConnectUs = ld(savedConnectUs);
  s.savedTlsUs = ld(savedTlsUs);
  s.drainUs = ld(drainUs);
  s.neverPooledTwice = ld(pooledTwiceRefused);
  for (size_t i = 0; i < s.closes.size(); ++i) s.closes[i] = ld(closes[i]);
  return s;
}

const char* connStateName(ConnState s) {
  switch (s) {
    case ConnState::kConnecting: return "connecting";
    case ConnState::kWriting: return "writing request";
    case ConnState::kAwaitingHead: return "awaiting head";
    case ConnState::kStreaming: return "streaming (held)";
    case ConnState::kDraining: return "draining";
    case ConnState::kIdle: return "idle";
    case ConnState::kClosed: return "closed";
  }
  return "?";
}

const char* closeReasonName(CloseReason r) {
  switch (r) {
    case CloseReason::kNone: return "none";
    case CloseReason::kPeerClosed: return "closed by peer";
    case CloseReason::kPeerReset: return "reset by peer";
    case CloseReason::kConnectionClose: return "Connection: close";
    case CloseReason::kIdleTimeout: return "idle timeout";
    case CloseReason::kMaxAge: return "max age";
    case CloseReason::kPoolFull: return "idle pool full";
    case CloseReason::kNotDrained: return "body not drained";
    case CloseReason::kFramingError: return "framing error";
    case CloseReason::kIoError: return "I/O error";
    case CloseReason::kTimeout: return "timeout";
    case CloseReason::kLeaked: return "leaked";
    case CloseReason::kAborted: return "aborted";
    case CloseReason::kFlushed: return "flushed";
    case CloseReason::kConnectFailed: return "connect failed";
    case CloseReason::kCount: break;
  }
  return "?";
}

}  // namespace sluice::client
