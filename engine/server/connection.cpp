#include "engine/server/connection.h"

#include <sys/socket.h>
#include <sys/sendfile.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "engine/http/serializer.h"
#include "engine/server/server.h"
#include "engine/server/worker.h"

namespace sluice::server {

using namespace std::chrono_literals;
using net::Clock;
using observe::Event;
using observe::EventKind;

namespace {
constexpr uint64_t kLingerMaxBytes = 16 * 1024 * 1024;
}  // namespace

Connection::Connection(Worker& worker, net::Fd fd, net::SocketAddress peer, net::SocketAddress local, uint64_t id)
    : worker_(worker),
      fd_(std::move(fd)),
      peer_(peer),
      local_(local),
      id_(id),
      parser_(http::Parser::Kind::kRequest, *this, worker.config().parse) {}

Connection::~Connection() {
  if (timer_) worker_.loop().cancel(timer_);
  if (exchange_) abortExchange(Error{ErrorCode::kCancelled, "server stopped"});
}

void Connection::start() {
  auto& stats = worker_.server().stats();
  stats.connectionsAccepted.fetch_add(1, std::memory_order_relaxed);
  if (worker_.config().emitEvents) {
    Event ev{.kind = EventKind::kConnectionOpened, .connectionId = id_};
    ev.detail = peer_.toString();
    worker_.server().events().push(std::move(ev));
  }
  acceptedAt_ = lastActive_ = worker_.loop().now();
  interest_ = EPOLLIN;
  registered_ = worker_.loop().add(fd_.get(), interest_, this).has_value();
  if (!registered_) {
    closeNow(false, "epoll registration failed");
    return;
  }
  setDeadline(worker_.config().headerTimeout);
  kick();  // arms the header timer: a peer that sends nothing is closed too
}

// ---------------------------------------------------------------- input path

bool Connection::wantRead() const {
  if (peerClosed_) return false;
  if (bufEnd_ - bufStart_ >= buf_.size() && !buf_.empty()) return false;
  switch (phase_) {
    case Phase::kHead:
      return outBytes_ < worker_.config().outputHighWaterBytes;
    case Phase::kBody:
      return exchange_ && !exchange_->bodyPaused_;
    case Phase::kDrain:
    case Phase::kLinger:
      return true;
    default:
      return false;
  }
}

void Connection::ensureBuffer() {
  if (buf_.empty()) buf_.resize(std::max(worker_.config().readBufferBytes, worker_.config().parse.maxHeadBytes + 1024));
}

void Connection::readLoop() {
  for (int i = 0; i < 16 && phase_ != Phase::kClosed && wantRead(); ++i) {
    bool own = bufEnd_ > bufStart_;
    char* dst;
    size_t cap;
    if (own) {
      if (bufStart_ > 0) {
        std::memmove(buf_.data(), buf_.data() + bufStart_, bufEnd_ - bufStart_);
        bufEnd_ -= bufStart_;
        bufStart_ = 0;
      }
      dst = buf_.data() + bufEnd_;
      cap = buf_.size() - bufEnd_;
    } else {
      dst = worker_.scratch();
      // Bytes read into the scratch that the handler does not take are kept in our
      // own buffer, so we read no more than that bound, unless the handler said it
      // never pauses (bulk reads).
      const bool bulk = phase_ == Phase::kBody && exchange_ && exchange_->bulkReads_;
      cap = bulk ? worker_.scratchSize() : worker_.config().readBufferBytes;
    }
    ssize_t n = ::read(fd_.get(), dst, cap);
    if (n == 0) {
      onPeerClosed();
      return;
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN) closeNow(false, errno == ECONNRESET ? "peer reset" : "read error");
      return;
    }
    worker_.server().stats().bytesIn.fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed);
    if (phase_ == Phase::kBody || phase_ == Phase::kDrain) setDeadline(worker_.config().bodyIdleTimeout);
    if (own) {
      bufEnd_ += static_cast<size_t>(n);
      feeding_ = {};
    } else {
      feeding_ = std::string_view(dst, static_cast<size_t>(n));
    }
    processInput();
    if (static_cast<size_t>(n) < cap) return;
  }
}

void Connection::processInput() {
  while (phase_ != Phase::kClosed) {
    bool own = bufEnd_ > bufStart_;
    std::string_view data = own ? buffered() : feeding_;
    if (data.empty() && !parser_.resumePending()) break;
    if (phase_ == Phase::kLinger) {
      // Lingering close: discard what the peer still sends so our response is not reset.
      drained_ += data.size();
      own ? (bufStart_ = bufEnd_ = 0, void()) : (feeding_ = {}, void());
      if (drained_ > kLingerMaxBytes) closeNow(false, "lingering close limit");
      break;
    }
    bool canParse = phase_ == Phase::kHead ? !exchange_ : phase_ == Phase::kDrain ||
                    (phase_ == Phase::kBody && exchange_ && !exchange_->bodyPaused_);
    if (!canParse) break;
    if (phase_ == Phase::kHead && !parser_.inMessage() && !exchange_) headStart_ = worker_.loop().now();
    auto feed = parser_.execute(data);
    if (own) {
      bufStart_ += feed.consumed;
      if (bufStart_ == bufEnd_) bufStart_ = bufEnd_ = 0;
    } else {
      feeding_.remove_prefix(feed.consumed);
    }
    if (feed.state == http::Parser::State::kError) {
      failRequest(parser_.error().status, parser_.error().message);
      break;
    }
    if (headPending_) {
      headPending_ = false;
      dispatchHead();
    }
    if (messageDone_) {
      messageDone_ = false;
      if (exchange_ && worker_.config().mode == BodyMode::kBuffered && phase_ == Phase::kBody) {
        dispatchBuffered();
      } else if (exchange_ && phase_ == Phase::kBody) {
        phase_ = Phase::kAwaitResponse;
        if (auto* h = exchange_->handler(); h && !exchange_->aborted_ && !exchange_->responseEnded_) h->onBodyEnd(*exchange_);
      }
      finishExchangeIfDone();
    }
    if (feed.state == http::Parser::State::kOk) break;
  }
  if (!feeding_.empty() && phase_ != Phase::kClosed) {
    // Keep the unparsed rest (a partial head, or body held back by a paused handler).
    ensureBuffer();
    if (bufEnd_ + feeding_.size() > buf_.size()) buf_.resize(bufEnd_ + feeding_.size());  // bulk reads only
    std::memcpy(buf_.data() + bufEnd_, feeding_.data(), feeding_.size());
    bufEnd_ += feeding_.size();
  }
  feeding_ = {};
  const bool oversized = buf_.size() > std::max(worker_.config().readBufferBytes, worker_.config().parse.maxHeadBytes + 1024);
  if (bufEnd_ == bufStart_ && !buf_.empty() && ((phase_ == Phase::kHead && !exchange_) || oversized)) {
    std::string().swap(buf_);  // idle connections hold no read buffer; bulk overflow is given back
    bufStart_ = bufEnd_ = 0;
  }
}

http::ParserListener::Action Connection::onHeadComplete() {
  headPending_ = true;
  return Action::kPause;
}

http::ParserListener::Action Connection::onBody(std::string_view data) {
  const ServerConfig& cfg = worker_.config();
  if (phase_ == Phase::kDrain) {
    drained_ += data.size();
    worker_.server().stats().drainedBytes.fetch_add(data.size(), std::memory_order_relaxed);
    if (drained_ > cfg.drainMaxBytes) {
      worker_.server().stats().drainCloses.fetch_add(1, std::memory_order_relaxed);
      keepAlive_ = false;
      closeAfterFlush_ = true;
      phase_ = Phase::kLinger;
      return Action::kPause;
    }
    return Action::kContinue;
  }
  if (!exchange_ || phase_ != Phase::kBody) return Action::kPause;
  Exchange& ex = *exchange_;
  ex.bodyBytes_ += data.size();
  uint64_t maxBody = cfg.maxBodyBytes;
  if (cfg.mode == BodyMode::kBuffered && (maxBody == 0 || maxBody > (1ull << 30))) maxBody = 1ull << 30;
  if (maxBody && ex.bodyBytes_ > maxBody) {
    failRequest(413, "request body larger than the limit of " + std::to_string(maxBody) + " bytes");
    return Action::kPause;
  }
  if (cfg.mode == BodyMode::kBuffered) {
    ex.bufferedBody_.append(data);
    return Action::kContinue;
  }
  if (ex.responseEnded_ || ex.aborted_ || !ex.handler()) return Action::kContinue;  // switching to drain
  ex.handler()->onBody(ex, data);
  if (phase_ != Phase::kBody || !exchange_) return Action::kPause;
  return ex.bodyPaused_ ? Action::kPause : Action::kContinue;
}

http::ParserListener::Action Connection::onMessageComplete() {
  messageDone_ = true;
  if (exchange_) exchange_->bodyComplete_ = true;
  return Action::kPause;
}

void Connection::dispatchHead() {
  const ServerConfig& cfg = worker_.config();
  Server& server = worker_.server();
  server.stats().requests.fetch_add(1, std::memory_order_relaxed);
  server.stats().inFlight.fetch_add(1, std::memory_order_relaxed);
  exchange_ = std::make_unique<Exchange>(*this, server.nextRequestId(), std::move(parser_.request()));
  Exchange& ex = *exchange_;
  const http::RequestHead& req = ex.request();
  keepAlive_ = req.framing.keepAlive && !stopping_;
  phase_ = Phase::kBody;
  sentContinue_ = false;
  drained_ = 0;
  setDeadline(cfg.bodyIdleTimeout);
  if (cfg.emitEvents) {
    Event ev{.kind = EventKind::kRequestStarted, .connectionId = id_, .requestId = ex.id()};
    ev.text = req.method + " " + req.target;
    ev.detail = peer_.toString();
    ev.bytesIn = req.framing.contentLength.value_or(0);
    server.events().push(std::move(ev));
    lastProgressEvent_ = worker_.loop().now();
  }
  if (const std::string* expect = req.headers.find("Expect"); expect && !req.expectContinue) {
    failRequest(417, "unsupported expectation: " + *expect);
    return;
  }
  uint64_t maxBody = cfg.maxBodyBytes;
  if (maxBody && req.framing.contentLength && *req.framing.contentLength > maxBody) {
    failRequest(413, "request body of " + std::to_string(*req.framing.contentLength) + " bytes is larger than the limit of " +
                         std::to_string(maxBody) + " bytes");
    return;
  }
  ex.setHandler(server.router().route(req));
  if (cfg.mode == BodyMode::kBuffered) return;  // the handler runs once the whole body is in
  if (!server.router().admit(ex)) {
    ex.setHandler(nullptr);
    return;
  }
  if (auto* h = ex.handler()) h->onHead(ex);
}

void Connection::dispatchBuffered() {
  Exchange& ex = *exchange_;
  phase_ = Phase::kAwaitResponse;
  if (!worker_.server().router().admit(ex)) {
    ex.setHandler(nullptr);
    return;
  }
  if (auto* h = ex.handler()) {
    h->onHead(ex);
    if (exchange_ && !ex.aborted_ && !ex.responseEnded_ && !ex.bufferedBody_.empty()) h->onBody(ex, ex.bufferedBody_);
    if (exchange_ && !ex.aborted_ && !ex.responseEnded_) h->onBodyEnd(ex);
  }
  std::string().swap(ex.bufferedBody_);
}

// ---------------------------------------------------------------- state changes

void Connection::kick() {
  if (inPump_) {
    again_ = true;
    return;
  }
  inPump_ = true;
  writeBudget_ = kWriteBudgetPerTurn;
  do {
    again_ = false;
    processInput();
    settle();
  } while (again_ && phase_ != Phase::kClosed);
  inPump_ = false;
}

void Connection::onIo(uint32_t events) {
  if (phase_ == Phase::kClosed) return;
  inPump_ = true;
  writeBudget_ = kWriteBudgetPerTurn;
  if (events & EPOLLERR) {
    closeNow(false, "socket error");
  } else {
    if (events & EPOLLOUT) flush();
    if (events & (EPOLLIN | EPOLLHUP | EPOLLRDHUP)) {
      if (phase_ != Phase::kClosed && wantRead()) readLoop();
      // A hang-up we are not reading for (a paused body) would be reported forever: close.
      else if ((events & EPOLLHUP) && phase_ != Phase::kClosed) closeNow(false, "peer hung up");
    }
  }
  do {
    again_ = false;
    processInput();
    settle();
  } while (again_ && phase_ != Phase::kClosed);
  inPump_ = false;
}

void Connection::finishExchangeIfDone() {
  if (!exchange_ || !exchange_->responseEnded_) return;
  Exchange& ex = *exchange_;
  if (!ex.bodyComplete_) {
    if (phase_ != Phase::kBody) return;
    const ServerConfig& cfg = worker_.config();
    uint64_t remaining = ex.bodyLength() ? *ex.bodyLength() - std::min(*ex.bodyLength(), ex.bodyBytes_) : 0;
    if (!keepAlive_ || remaining > cfg.drainMaxBytes) {
      keepAlive_ = false;
      closeAfterFlush_ = true;
      phase_ = Phase::kLinger;
      if (remaining > cfg.drainMaxBytes) worker_.server().stats().drainCloses.fetch_add(1, std::memory_order_relaxed);
      endExchange();
      return;
    }
    phase_ = Phase::kDrain;
    drainDeadline_ = worker_.loop().now() + cfg.drainMaxTime;
    return;
  }
  endExchange();
  if (phase_ == Phase::kLinger || phase_ == Phase::kClosed) return;
  if (!keepAlive_ || stopping_) {
    // Requests pipelined after a closing one are not processed (RFC 9112 §9.6).
    closeAfterFlush_ = true;
    phase_ = Phase::kLinger;
    return;
  }
  phase_ = Phase::kHead;
  again_ = true;  // a pipelined request may already be waiting in the buffer
}

void Connection::endExchange() {
  Exchange* ex = exchange_.release();
  Server& server = worker_.server();
  server.stats().inFlight.fetch_sub(1, std::memory_order_relaxed);
  ++requestsServed_;
  for (auto t : ex->timers_) worker_.loop().cancel(t);
  ex->timers_.clear();
  if (worker_.config().emitEvents) {
    Event ev{.kind = EventKind::kRequestFinished, .connectionId = id_, .requestId = ex->id(), .code = ex->status_,
             .bytesIn = ex->bodyBytes_, .bytesOut = ex->bytesOut_};
    ev.durationUs = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - ex->started_).count());
    ev.text = ex->head_.method + " " + ex->head_.target + (ex->head_.http10() ? " HTTP/1.0" : " HTTP/1.1");
    ev.detail = peer_.toString();
    server.events().push(std::move(ev));
  }
  // The handler may still be on the stack (it called end()): delete after this batch.
  worker_.loop().defer([ex] { delete ex; });
}

void Connection::abortExchange(const Error& why) {
  if (!exchange_) return;
  Exchange& ex = *exchange_;
  if (!ex.aborted_) {
    ex.aborted_ = true;
    for (auto t : ex.timers_) worker_.loop().cancel(t);
    ex.timers_.clear();
    if (auto* h = ex.handler()) h->onAbort(ex, why);
  }
  if (ex.status_ == 0) ex.status_ = 499;  // like nginx: the client went away before a response
  endExchange();
}

void Connection::failRequest(int status, const std::string& message) {
  Server& server = worker_.server();
  if (status >= 400 && status < 500) server.stats().badRequests.fetch_add(1, std::memory_order_relaxed);
  if (status == 408) server.stats().timeouts.fetch_add(1, std::memory_order_relaxed);
  keepAlive_ = false;
  bool canRespond = !exchange_ || !exchange_->responseStarted_;
  if (exchange_) {
    if (canRespond) exchange_->status_ = status;
    abortExchange(Error{status == 408 ? ErrorCode::kTimeout : ErrorCode::kLimit, message});
  }
  if (!canRespond) {
    closeNow(false, "error after the response started");
    return;
  }
  if (worker_.config().emitEvents) {
    Event ev{.kind = EventKind::kServerNotice, .connectionId = id_, .code = status};
    ev.text = message;
    ev.detail = peer_.toString();
    server.events().push(std::move(ev));
  }
  std::string body = errorJson(status, message);
  http::Headers h;
  h.add("Server", worker_.config().serverName);
  h.add("Date", std::string(http::httpDate()));
  h.add("Content-Type", "application/json");
  h.add("Content-Length", std::to_string(body.size()));
  h.add("Connection", "close");
  for (const auto& extra : server.router().responseHeaders()) h.add(extra.name, extra.value);
  std::string out;
  http::appendResponseHead(out, 1, status, {}, h);
  out += body;
  queue(std::move(out));
  closeAfterFlush_ = true;
  phase_ = Phase::kLinger;
  drained_ = 0;
}

void Connection::emitProgress() {
  auto now = worker_.loop().now();
  if (now - lastProgressEvent_ < std::chrono::milliseconds(100)) return;
  lastProgressEvent_ = now;
  Event ev{.kind = EventKind::kRequestProgress, .connectionId = id_, .requestId = exchange_->id(),
           .code = exchange_->status_, .bytesIn = exchange_->bodyBytes_, .bytesOut = exchange_->bytesOut_};
  ev.durationUs = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(now - exchange_->started_).count());
  worker_.server().events().push(std::move(ev));
}

void Connection::settle() {
  if (phase_ == Phase::kClosed) return;
  // In-flight progress for observers, at most ten times a second per request.
  if (exchange_ && worker_.config().emitEvents) emitProgress();
  finishExchangeIfDone();
  if (phase_ == Phase::kBody && exchange_ && exchange_->request().expectContinue && !sentContinue_ &&
      !exchange_->responseStarted_ && !exchange_->bodyPaused_ && !exchange_->bodyComplete_) {
    sentContinue_ = true;
    queue("HTTP/1.1 100 Continue\r\n\r\n");
  }
  flush();
  if (phase_ == Phase::kClosed) return;
  if (closeAfterFlush_ && out_.empty()) {
    if (peerClosed_) {
      closeNow(false, keepAlive_ ? "peer closed" : "connection: close");
      return;
    }
    beginLinger();
  }
  updateInterest();
  // Deadlines for the phase we are in.
  const ServerConfig& cfg = worker_.config();
  auto now = worker_.loop().now();
  if (phase_ == Phase::kHead && !exchange_) {
    if (parser_.inMessage()) {
      deadline_ = headStart_ + cfg.headerTimeout;
    } else if (requestsServed_ == 0) {
      deadline_ = acceptedAt_ + cfg.headerTimeout;
    } else {
      auto idle = idleCloseAfter_.count() > 0 ? std::min(idleCloseAfter_, cfg.keepAliveTimeout) : cfg.keepAliveTimeout;
      deadline_ = lastActive_ + idle;
    }
  } else if (phase_ == Phase::kDrain) {
    deadline_ = drainDeadline_;
  } else if (phase_ == Phase::kLinger) {
    deadline_ = lingerDeadline_ != Clock::time_point{} ? lingerDeadline_ : now + cfg.lingerTime;
  } else if (phase_ == Phase::kAwaitResponse || (exchange_ && exchange_->bodyPaused_)) {
    // The handler holds the pace: only a peer that stops reading our output times out.
    deadline_ = out_.empty() ? Clock::time_point::max() : lastActive_ + cfg.writeTimeout;
  } else if (phase_ == Phase::kBody) {
    deadline_ = lastActive_ + cfg.bodyIdleTimeout;
  }
  if (deadline_ != Clock::time_point::max() && (!timer_ || deadline_ < timerAt_)) {
    if (timer_) worker_.loop().cancel(timer_);
    timerAt_ = deadline_;
    Worker* w = &worker_;
    uint64_t id = id_;
    timer_ = worker_.loop().runAt(deadline_, [w, id] { w->onConnectionTimer(id); });
  }
}

void Connection::setDeadline(std::chrono::milliseconds fromNow) {
  lastActive_ = worker_.loop().now();
  deadline_ = lastActive_ + fromNow;
}

void Connection::onTimer() {
  timer_ = 0;
  if (phase_ == Phase::kClosed) return;
  auto now = Clock::now();
  if (now < deadline_) {
    settle();
    return;
  }
  Server& server = worker_.server();
  switch (phase_) {
    case Phase::kHead:
      if (parser_.inMessage() || requestsServed_ == 0) {
        server.stats().timeouts.fetch_add(1, std::memory_order_relaxed);
        if (!parser_.inMessage()) {
          closeNow(false, "no request within the header timeout");
          return;
        }
        inPump_ = true;
        failRequest(408, "request head not complete within " + std::to_string(worker_.config().headerTimeout.count()) + " ms");
        settle();
        inPump_ = false;
      } else {
        closeNow(false, idleCloseAfter_.count() > 0 ? "idle-close fault" : "keep-alive idle timeout");
      }
      return;
    case Phase::kBody:
      if (exchange_ && !exchange_->bodyPaused_ && out_.empty()) {
        inPump_ = true;
        failRequest(408, "no request body bytes for " + std::to_string(worker_.config().bodyIdleTimeout.count()) + " ms");
        settle();
        inPump_ = false;
        return;
      }
      closeNow(false, "write timeout");
      return;
    case Phase::kDrain:
      server.stats().drainCloses.fetch_add(1, std::memory_order_relaxed);
      closeNow(false, "unread body not drained within the bound");
      return;
    case Phase::kLinger:
      closeNow(false, "lingering close done");
      return;
    default:
      closeNow(false, "write timeout");
      return;
  }
}

void Connection::onPeerClosed() {
  peerClosed_ = true;
  switch (phase_) {
    case Phase::kHead:
      if (parser_.inMessage()) closeNow(false, "peer closed inside the request head");
      else if (out_.empty()) closeNow(false, "peer closed");
      else closeAfterFlush_ = true;
      return;
    case Phase::kBody:
      if (exchange_ && !exchange_->bodyComplete_) {
        abortExchange(Error{ErrorCode::kClosed, "client closed the connection before the body was complete"});
        closeNow(false, "peer closed mid-body");
      }
      return;
    case Phase::kAwaitResponse:
      keepAlive_ = false;  // half-closed: finish the response, then close
      return;
    default:
      closeNow(false, phase_ == Phase::kLinger ? "closed after error" : "peer closed while draining");
      return;
  }
}

void Connection::beginLinger() {
  if (phase_ != Phase::kLinger) phase_ = Phase::kLinger;
  if (lingerDeadline_ != Clock::time_point{}) return;
  ::shutdown(fd_.get(), SHUT_WR);
  lingerDeadline_ = worker_.loop().now() + worker_.config().lingerTime;
  deadline_ = lingerDeadline_;
}

void Connection::shutdown(bool force) {
  stopping_ = true;
  keepAlive_ = false;
  if (force || (!exchange_ && !parser_.inMessage())) {
    closeNow(false, "server stopping");
    return;
  }
  kick();
}

void Connection::closeNow(bool reset, const char* reason) {
  if (phase_ == Phase::kClosed) return;
  if (exchange_) abortExchange(Error{ErrorCode::kClosed, reason});
  phase_ = Phase::kClosed;
  if (timer_) worker_.loop().cancel(timer_);
  timer_ = 0;
  if (registered_) worker_.loop().remove(fd_.get());
  if (reset) net::setLingerReset(fd_.get());
  fd_.reset();
  out_.clear();
  outBytes_ = 0;
  worker_.server().stats().connectionsOpen.fetch_sub(1, std::memory_order_relaxed);
  emitClosed(reason);
  worker_.release(id_);
}

void Connection::emitClosed(const char* reason) {
  if (!worker_.config().emitEvents) return;
  Event ev{.kind = EventKind::kConnectionClosed, .connectionId = id_, .code = static_cast<int>(requestsServed_)};
  ev.text = reason;
  ev.detail = peer_.toString();
  worker_.server().events().push(std::move(ev));
}

}  // namespace sluice::server
