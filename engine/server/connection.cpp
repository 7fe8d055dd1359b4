#include "engine/server/connection.h"

#include <algorithm>

#include "engine/server/server.h"
#include "engine/server/tls_transport.h"
#include "engine/server/worker.h"

namespace sluice::server {

using net::Clock;
using observe::Event;
using observe::EventKind;

Connection::Connection(Worker& worker, net::Fd fd, net::SocketAddress peer, net::SocketAddress local, uint64_t id)
    : worker_(worker),
      transport_(makeServerTransport(std::move(fd), worker.config().tls, worker.loop().uring())),
      peer_(peer),
      local_(local),
      id_(id),
      parser_(http::Parser::Kind::kRequest, *this, worker.config().parse) {}

Connection::~Connection() {
  if (timer_) loop().cancel(timer_);
  if (exchange_) abortExchange(Error{ErrorCode::kCancelled, "server stopped"});
}

net::EventLoop& Connection::loop() { return worker_.loop(); }
const ServerConfig& Connection::config() const { return worker_.config(); }
const http::Headers& Connection::defaultResponseHeaders() const { return worker_.server().router().responseHeaders(); }

void Connection::start() {
  auto& stats = worker_.server().stats();
  stats.connectionsAccepted.fetch_add(1, std::memory_order_relaxed);
  if (config().emitEvents) {
    Event ev{.kind = EventKind::kConnectionOpened, .connectionId = id_};
    ev.detail = peer_.toString();
    worker_.server().events().push(std::move(ev));
  }
  acceptedAt_ = lastActive_ = loop().now();
  if (auto st = loop().add(transport_->fd(), EPOLLIN, this); !st) {
    closeNow(false, "epoll registration failed");
    return;
  }
  interest_ = EPOLLIN;
  setDeadline(config().headerTimeout);
  kick();  // arms the header timer: a peer that sends nothing is closed too
}

// ---------------------------------------------------------------- the state machine

void Connection::transition(State next) {
  if (state_ == State::kClosed) return;  // closed is final
  state_ = next;
  switch (next) {
    case State::kDrain:
      drainDeadline_ = loop().now() + config().drainMaxTime;
      break;
    case State::kLinger:
      if (lingerDeadline_ != Clock::time_point{}) break;
      transport_->shutdownWrite();
      lingerDeadline_ = loop().now() + config().lingerTime;
      deadline_ = lingerDeadline_;
      break;
    default:
      break;
  }
}

void Connection::disableKeepAlive() {
  if (reuse_ == Reuse::kKeepAlive) reuse_ = Reuse::kLastRequest;
}

// The one pump: run the first step (I/O, a timeout), then parse and settle until
// nothing asks for another round. A kick while it runs only asks for that round.
template <typename Step>
void Connection::pump(Step&& first) {
  if (state_ == State::kClosed) return;
  if (pump_ != PumpState::kIdle) {
    first();
    pump_ = PumpState::kRerun;
    return;
  }
  pump_ = PumpState::kRunning;
  writeBudget_ = config().connectionWriteBudgetBytes;
  first();
  while (state_ != State::kClosed) {
    pump_ = PumpState::kRunning;
    processInput();
    settle();
    if (pump_ != PumpState::kRerun) break;
  }
  pump_ = PumpState::kIdle;
}

void Connection::kick() {
  pump([] {});
}

void Connection::onIo(uint32_t events) {
  pump([this, events] { handleIo(events); });
}

void Connection::serveWrite() {
  queuedWrite_ = false;
  pump([this] { flush(); });  // settle() then restores EPOLLOUT interest if the socket filled up
}

void Connection::handleIo(uint32_t events) {
  if (events & EPOLLERR) {
    closeNow(false, "socket error");
    return;
  }
  if (events & EPOLLOUT) {
    blocked_ = false;
    // A writable socket takes its place in the worker's write round, which runs after
    // this turn's accepts and reads: with a thousand writable sockets, epoll's order
    // alone left a normal request's read waiting for seconds.
    queueForWriteRound();
  }
  if (!(events & (EPOLLIN | EPOLLHUP | EPOLLRDHUP)) || state_ == State::kClosed) return;
  if (wantRead()) readLoop();
  // A hang-up we are not reading for (a paused body) would be reported forever: close.
  else if (events & EPOLLHUP) closeNow(false, "peer hung up");
}

void Connection::settle() {
  if (state_ == State::kClosed) return;
  // In-flight progress for observers, at most ten times a second per request.
  if (exchange_ && config().emitEvents) emitProgress();
  finishExchangeIfDone();
  if (state_ == State::kReadBody && exchange_ && exchange_->request().expectContinue && continue_ == Continue::kNotSent &&
      !exchange_->responseStarted() && !exchange_->bodyPaused() && !exchange_->bodyComplete()) {
    continue_ = Continue::kSent;
    queue("HTTP/1.1 100 Continue\r\n\r\n");
  }
  flush();
  if (state_ == State::kClosed) return;
  if (state_ == State::kClosing && out_.empty()) {
    if (peerClosed_) {
      closeNow(false, keepAlive() ? "peer closed" : "connection: close");
      return;
    }
    transition(State::kLinger);
  }
  updateInterest();
  armDeadline();
}

void Connection::armDeadline() {
  const ServerConfig& cfg = config();
  auto now = loop().now();
  switch (state_) {
    case State::kReadHead:
      if (parser_.inMessage()) {
        deadline_ = headStart_ + cfg.headerTimeout;
      } else if (requestsServed_ == 0) {
        deadline_ = acceptedAt_ + cfg.headerTimeout;
      } else {
        auto idle = idleCloseAfter_.count() > 0 ? std::min(idleCloseAfter_, cfg.keepAliveTimeout) : cfg.keepAliveTimeout;
        deadline_ = lastActive_ + idle;
      }
      break;
    case State::kDrain:
      deadline_ = drainDeadline_;
      break;
    case State::kClosing:
      deadline_ = now + cfg.lingerTime;
      break;
    case State::kLinger:
      deadline_ = lingerDeadline_;
      break;
    case State::kAwaitResponse:
    case State::kReadBody:
      // While the handler holds the pace, only a peer that stops reading our output times out.
      if (state_ == State::kAwaitResponse || (exchange_ && exchange_->bodyPaused()))
        deadline_ = out_.empty() ? Clock::time_point::max() : lastActive_ + cfg.writeTimeout;
      else
        deadline_ = lastActive_ + cfg.bodyIdleTimeout;
      break;
    case State::kClosed:
      return;
  }
  if (deadline_ != Clock::time_point::max() && (!timer_ || deadline_ < timerAt_)) {
    if (timer_) loop().cancel(timer_);
    timerAt_ = deadline_;
    Worker* w = &worker_;
    uint64_t id = id_;
    timer_ = loop().runAt(deadline_, [w, id] { w->onConnectionTimer(id); });
  }
}

void Connection::setDeadline(std::chrono::milliseconds fromNow) {
  lastActive_ = loop().now();
  deadline_ = lastActive_ + fromNow;
}

void Connection::onTimer() {
  timer_ = 0;
  if (state_ == State::kClosed) return;
  if (loop().refreshNow() < deadline_) {
    kick();
    return;
  }
  pump([this] { onTimeout(); });
}

void Connection::onTimeout() {
  const ServerConfig& cfg = config();
  auto& stats = worker_.server().stats();
  switch (state_) {
    case State::kReadHead:
      if (!parser_.inMessage() && requestsServed_ > 0) {
        closeNow(false, idleCloseAfter_.count() > 0 ? "idle-close fault" : "keep-alive idle timeout");
        return;
      }
      stats.timeouts.fetch_add(1, std::memory_order_relaxed);
      if (!parser_.inMessage()) return closeNow(false, "no request within the header timeout");
      failRequest(408, "request head not complete within " + std::to_string(cfg.headerTimeout.count()) + " ms");
      return;
    case State::kReadBody:
      if (exchange_ && !exchange_->bodyPaused() && out_.empty()) {
        failRequest(408, "no request body bytes for " + std::to_string(cfg.bodyIdleTimeout.count()) + " ms");
        return;
      }
      closeNow(false, "write timeout");
      return;
    case State::kDrain:
      stats.drainCloses.fetch_add(1, std::memory_order_relaxed);
      closeNow(false, "unread body not drained within the bound");
      return;
    case State::kClosing:
    case State::kLinger:
      closeNow(false, "lingering close done");
      return;
    default:
      closeNow(false, "write timeout");
      return;
  }
}

void Connection::onPeerClosed() {
  peerClosed_ = true;
  switch (state_) {
    case State::kReadHead:
      if (parser_.inMessage()) closeNow(false, "peer closed inside the request head");
      else if (out_.empty()) closeNow(false, "peer closed");
      else transition(State::kClosing);
      return;
    case State::kReadBody:
      if (exchange_ && !exchange_->bodyComplete()) {
        abortExchange(Error{ErrorCode::kClosed, "client closed the connection before the body was complete"});
        closeNow(false, "peer closed mid-body");
      }
      return;
    case State::kAwaitResponse:
      disableKeepAlive();  // half-closed: finish the response, then close
      return;
    default:
      closeNow(false, state_ == State::kDrain ? "peer closed while draining" : "closed after error");
      return;
  }
}

void Connection::shutdown(bool force) {
  reuse_ = Reuse::kServerStopping;
  if (force || (!exchange_ && !parser_.inMessage())) {
    closeNow(false, "server stopping");
    return;
  }
  kick();
}

void Connection::closeNow(bool reset, const char* reason) {
  if (state_ == State::kClosed) return;
  if (exchange_) abortExchange(Error{ErrorCode::kClosed, reason});
  if (!finishing_.empty()) emitFinishedAborted(reason);
  transition(State::kClosed);
  if (timer_) loop().cancel(timer_);
  timer_ = 0;
  // DEL fails only for a descriptor epoll no longer holds; closing it below removes it anyway.
  if (interest_) (void)loop().remove(transport_->fd());
  interest_.reset();
  transport_->close(reset);
  out_.clear();
  outBytes_ = 0;
  worker_.server().stats().connectionsOpen.fetch_sub(1, std::memory_order_relaxed);
  emitClosed(reason);
  worker_.release(id_);
}

void Connection::emitClosed(const char* reason) {
  if (!config().emitEvents) return;
  Event ev{.kind = EventKind::kConnectionClosed, .connectionId = id_, .code = static_cast<int>(requestsServed_)};
  ev.text = reason;
  ev.detail = peer_.toString();
  worker_.server().events().push(std::move(ev));
}

}  // namespace sluice::server
