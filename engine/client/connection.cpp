#include "engine/client/connection.h"

#include <cerrno>
#include <cstring>

#include "engine/client/pool.h"
#include "engine/client/stream_core.h"
#include "engine/tls/tls_error.h"

namespace sluice::client {

using namespace std::chrono;
using observe::EventKind;

uint64_t PendingRequest::sinceStartUs(net::Clock::time_point now) const {
  return static_cast<uint64_t>(duration_cast<microseconds>(now - start).count());
}


Connection::Connection(ConnectionPool& pool, HostPool& host, uint64_t id)
    : pool_(pool), host_(host), ctx_(pool.ctx()), loop_(pool.loop()), id_(id),
      created_(net::Clock::now()), listener_(std::make_unique<Listener>(*this)),
      parser_(std::make_unique<http::Parser>(http::Parser::Kind::kResponse, *listener_)) {
  idleSince_ = created_;
}

Connection::~Connection() = default;

uint64_t Connection::reqId() const { return req_ ? req_->id : 0; }

void Connection::setState(ConnState s, std::string reason) {
  state_ = s;
  ctx_.connState(id_, reqId(), s, std::move(reason));
}

void Connection::open(std::shared_ptr<PendingRequest> req) {
  req_ = std::move(req);
  reusedForCurrent_ = false;
  armDeadline();
  setState(ConnState::kConnecting, host_.key);
  auto addr = Resolver::numeric(host_.url.host, host_.url.port);
  if (addr) {
    onResolved(std::move(addr));
    return;
  }
  // Names go to the resolver thread; the answer comes back through the mailbox.
  auto ctx = pool_.ctxPtr();
  pool_.resolver().resolve(host_.url.host, host_.url.port, [ctx, w = weak()](Result<net::SocketAddress> r) {
    ctx->post([w, r = std::move(r)]() mutable {
      if (auto self = w.lock()) self->onResolved(std::move(r));
    });
  });
}

void Connection::onResolved(Result<net::SocketAddress> addr) {
  if (state_ == ConnState::kClosed) return;
  if (req_) req_->timings.dnsUs = req_->sinceStartUs(net::Clock::now());
  if (!addr) return failAttempt(addr.error(), CloseReason::kConnectFailed, false);
  transport_ = makeTransport(host_.url.scheme, host_.tlsCtx, host_.url.host, host_.url.port);
  connectStart_ = net::Clock::now();
  if (!transport_) return failAttempt(Error::make(ErrorCode::kInvalidArgument, "unsupported scheme " + host_.url.scheme), CloseReason::kConnectFailed, false);
  if (auto st = transport_->connect(*addr); !st)
    return failAttempt(Error::make(ErrorCode::kConnect, "cannot connect to " + host_.url.authority() + ": " + st.error().message), CloseReason::kConnectFailed, false);
  connectIssued_ = true;
  interest_ = EPOLLOUT;
  if (auto st = loop_.add(transport_->fd(), interest_, this); !st) return failAttempt(st.error(), CloseReason::kIoError, false);
  registered_ = true;
  // The request that made this connection sets the limit (Request::connectTimeout), else the client.
  auto limit = req_ && req_->request.connectTimeout.count() > 0 ? req_->request.connectTimeout : ctx_.config().connectTimeout;
  connectTimer_ = loop_.runAfter(limit, [w = weak(), limit] {
    if (auto self = w.lock()) {
      self->connectTimer_ = 0;
      self->failAttempt(Error::make(ErrorCode::kTimeout, "connect to " + self->host_.url.authority() + " timed out after " +
                                                            std::to_string(limit.count()) + " ms"),
                        CloseReason::kConnectFailed, false);
    }
  });
}

void Connection::onConnected() {
  loop_.cancel(connectTimer_);
  connectTimer_ = 0;
  int err = transport_->finishConnect();
  if (err != 0) {
    Error e = Error::system("connect", err);
    e.message = "cannot connect to " + host_.url.authority() + ": " + std::strerror(err) + "; is the server running?";
    e.code = ErrorCode::kConnect;
    return failAttempt(std::move(e), CloseReason::kConnectFailed, false);
  }
  // The fact "a connection was opened" is decided here, once, when TCP connected (a TLS
  // handshake may still fail; it closes as such): a refused or timed-out connect is
  // counted by close() as a failed connect instead.
  connectIssued_ = false;
  ctx_.connectionsOpened.fetch_add(1, std::memory_order_relaxed);
  auto now = net::Clock::now();
  connectCostUs_ = static_cast<uint64_t>(duration_cast<microseconds>(now - connectStart_).count());
  if (req_) req_->timings.connectUs = req_->sinceStartUs(now);
  if (transport_->needsHandshake()) return startHandshake();
  beginRequest();
}

void Connection::startHandshake() {
  handshaking_ = true;
  tlsStart_ = net::Clock::now();
  setState(ConnState::kConnecting, "TLS handshake with " + host_.url.authority());
  auto timeout = ctx_.config().tlsHandshakeTimeout;
  tlsTimer_ = loop_.runAfter(timeout, [w = weak(), timeout] {
    if (auto self = w.lock()) {
      self->tlsTimer_ = 0;
      self->failAttempt(tls::handshakeTimeout(self->host_.url.authority(), timeout.count()), CloseReason::kConnectFailed, false);
    }
  });
  driveHandshake();
}

void Connection::driveHandshake() {
  HandshakeStep step = transport_->handshake();
  if (step == HandshakeStep::kFailed) return failAttempt(transport_->handshakeError(), CloseReason::kConnectFailed, false);
  if (step == HandshakeStep::kWantRead || step == HandshakeStep::kWantWrite) {
    uint32_t want = step == HandshakeStep::kWantRead ? EPOLLIN : EPOLLOUT;
    if (want != interest_) interest_ = want, (void)loop_.modify(transport_->fd(), want, this);
    return;
  }
  handshaking_ = false;
  loop_.cancel(tlsTimer_);
  tlsTimer_ = 0;
  auto now = net::Clock::now();
  tlsCostUs_ = static_cast<uint64_t>(duration_cast<microseconds>(now - tlsStart_).count());
  if (req_) {
    req_->timings.tlsUs = req_->sinceStartUs(now);
    req_->verdict.tls = transport_->tlsResumed() ? ReuseVerdict::Tls::kResumed : ReuseVerdict::Tls::kFull;
  }
  beginRequest();
}

std::string Connection::reopenCostText() const {
  std::string s = msText(connectCostUs_) + " connect";
  if (tlsCostUs_) s += " + " + msText(tlsCostUs_) + " TLS handshake";
  return s;
}

void Connection::start(std::shared_ptr<PendingRequest> req, bool reused) {
  loop_.cancel(idleTimer_);
  idleTimer_ = 0;
  req_ = std::move(req);
  reusedForCurrent_ = reused;
  armDeadline();
  if (state_ != ConnState::kClosed) beginRequest();
}

bool Connection::idleAlive(bool probeSocket) { return transport_ && !eof_ && transport_->idleAlive(probeSocket); }

void Connection::becomeIdle() {
  idleSince_ = loop_.refreshNow();
  req_.reset();
  setState(ConnState::kIdle);
  readPaused_ = false;
  updateInterest();
  auto timeout = ctx_.limits().idleTimeout;
  if (timeout.count() > 0)
    idleTimer_ = loop_.runAfter(timeout, [w = weak()] {
      if (auto self = w.lock()) {
        self->idleTimer_ = 0;
        self->pool_.noteLoss(self->host_, NewConnReason::kIdleExpired);
        self->close(CloseReason::kIdleTimeout, "idle for longer than idleTimeout");
      }
    });
}

void Connection::onIo(uint32_t events) {
  auto self = shared_from_this();  // a handler may close and drop us mid-call
  if (state_ == ConnState::kClosed) return;
  if (state_ == ConnState::kConnecting) {
    if (handshaking_) driveHandshake();
    else if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) onConnected();
    return;
  }
  if (state_ == ConnState::kIdle) {
    // Anything on an idle connection (FIN, RST, an unsolicited 408) means it is done.
    pool_.noteLoss(host_, NewConnReason::kPeerClosedIdle);
    close(CloseReason::kPeerClosed, idleAlive() ? "error on idle connection" : "peer closed (or wrote on) the idle connection");
    return;
  }
  if ((events & EPOLLOUT) && outOff_ < out_.size()) flushWrites();
  if (state_ == ConnState::kClosed) return;
  if (events & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP)) onReadable();
}

void Connection::updateInterest() {
  if (!registered_ || state_ == ConnState::kClosed || handshaking_) return;
  // TLS: decrypted bytes inside OpenSSL never wake epoll; read them from the loop.
  if (!readPaused_ && !eof_ && !pendingKick_ && state_ != ConnState::kIdle && transport_->pending()) {
    pendingKick_ = true;
    loop_.defer([w = weak()] {
      if (auto self = w.lock()) {
        self->pendingKick_ = false;
        self->onReadable();
      }
    });
  }
  uint32_t want = 0;
  if (state_ == ConnState::kConnecting) want = EPOLLOUT;
  else {
    if (!readPaused_ && !eof_) want |= EPOLLIN | EPOLLRDHUP;
    if (outOff_ < out_.size()) want |= EPOLLOUT;
  }
  if (want != interest_) {
    interest_ = want;
    (void)loop_.modify(transport_->fd(), want, this);
  }
}

void Connection::resumeReading() {
  if (state_ == ConnState::kClosed || !readPaused_) return;
  readPaused_ = false;
  lastBodyAt_ = loop_.refreshNow();  // the body idle clock restarts when we read again
  auto self = shared_from_this();
  parseBuffered();
  updateInterest();
}

void Connection::cancelTimers() {
  for (auto* t : {&connectTimer_, &headTimer_, &idleTimer_, &drainTimer_, &heldTimer_, &continueTimer_, &tlsTimer_,
                  &deadlineTimer_, &bodyIdleTimer_}) {
    if (*t) loop_.cancel(*t);
    *t = 0;
  }
}

void Connection::failAttempt(Error err, CloseReason reason, bool retryable) {
  auto self = shared_from_this();
  auto req = std::move(req_);
  bool reused = reusedForCurrent_;
  bool noByte = reqBytesIn_ == 0;
  close(reason, err.message);
  if (req && !req->done) pool_.attemptFailed(std::move(req), std::move(err), reused && retryable, noByte);
}

bool Connection::cancelRequest(uint64_t requestId) {
  if (!req_ || req_->id != requestId || headDelivered_ || state_ == ConnState::kClosed) return false;
  // Half-written or awaiting its head: the connection's framing is unknown, so it closes.
  failAttempt(Error::make(ErrorCode::kCancelled, "request cancelled before its response head arrived"), CloseReason::kAborted,
              false);
  return true;
}

void Connection::close(CloseReason reason, std::string detail) {
  if (state_ == ConnState::kClosed) return;
  auto self = shared_from_this();
  cancelTimers();
  if (registered_) loop_.remove(transport_->fd());
  registered_ = false;
  if (transport_) transport_->close();
  if (std::exchange(connectIssued_, false)) ctx_.connectsFailed.fetch_add(1, std::memory_order_relaxed);
  ctx_.closes[static_cast<size_t>(reason)].fetch_add(1, std::memory_order_relaxed);
  std::string why = closeReasonName(reason);
  if (!detail.empty()) why += ": " + detail;
  state_ = ConnState::kClosed;
  ctx_.event(EventKind::kClientConnState, id_, reqId(), static_cast<int>(ConnState::kClosed), "closed", why, bytesIn_, bytesOut_);
  if (core_) {
    core_->finish(sluice::unexpected(Error::make(reason == CloseReason::kPeerClosed || reason == CloseReason::kPeerReset
                                                     ? ErrorCode::kClosed
                                                     : ErrorCode::kProtocol,
                                              "connection #" + std::to_string(id_) + " closed: " + why)),
                  req_ ? req_->sinceStartUs(net::Clock::now()) : 0);
    core_->detach();
    core_.reset();
  }
  if (req_ && !req_->done) {
    auto req = std::move(req_);
    pool_.deliver(*req, sluice::unexpected(Error::make(ErrorCode::kClosed, "connection #" + std::to_string(id_) + " closed before the response head: " + why)));
  }
  req_.reset();
  pool_.onClosed(*this);
}

void Connection::onReleased(bool close, bool leaked) {
  if (state_ == ConnState::kClosed || released_) return;
  released_ = true;
  auto self = shared_from_this();
  for (auto* t : {&heldTimer_, &deadlineTimer_, &bodyIdleTimer_}) {  // the reader is done with it
    if (*t) loop_.cancel(*t);
    *t = 0;
  }
  if (leaked) return this->close(CloseReason::kLeaked, "body stream dropped unreleased");
  if (close) return this->close(CloseReason::kAborted, "stream aborted");
  if (messageDone_) return finishExchange();
  startDrain();
}

uint64_t Connection::countDrain() {
  auto us = static_cast<uint64_t>(duration_cast<microseconds>(net::Clock::now() - drainStart_).count());
  ctx_.drainedBytes.fetch_add(drainBytes_, std::memory_order_relaxed);
  ctx_.drainUs.fetch_add(us, std::memory_order_relaxed);
  return us;
}

void Connection::startDrain() {
  if (!reusable_ || eof_) {
    pool_.noteLoss(host_, NewConnReason::kPreviousNotDrained);
    return close(CloseReason::kNotDrained, "released before the end of a body that cannot be drained (" +
                                               (notReusableWhy_.empty() ? std::string("not reusable") : notReusableWhy_) +
                                               "); cost: the next request opens a new connection (" + reopenCostText() + ")");
  }
  drainStart_ = net::Clock::now();
  setState(ConnState::kDraining, "released early; draining up to " + std::to_string(ctx_.config().drain.maxBytes) + " bytes or " +
                                     std::to_string(ctx_.config().drain.maxTime.count()) + " ms");
  drainBytes_ = 0;
  drainTimer_ = loop_.runAfter(ctx_.config().drain.maxTime, [w = weak()] {
    if (auto self = w.lock()) {
      self->drainTimer_ = 0;
      self->countDrain();
      self->pool_.noteLoss(self->host_, NewConnReason::kPreviousNotDrained);
      self->close(CloseReason::kNotDrained, "body did not end within the drain time (" + std::to_string(self->drainBytes_) +
                                                " bytes drained); cost: the next request opens a new connection (" +
                                                self->reopenCostText() + ")");
    }
  });
  readPaused_ = false;
  parseBuffered();
  updateInterest();
}

// The total deadline (curl --max-time) counts from send(), so a retry keeps the time left.
void Connection::armDeadline() {
  auto total = req_->request.totalTimeout.count() > 0 ? req_->request.totalTimeout : ctx_.config().totalTimeout;
  if (total.count() <= 0) return;
  auto left = duration_cast<milliseconds>(req_->start + total - loop_.refreshNow());
  deadlineTimer_ = loop_.runAfter(std::max(left, milliseconds(0)), [w = weak(), total] {
    if (auto s = w.lock()) {
      s->deadlineTimer_ = 0;
      s->expire(Error::make(ErrorCode::kTimeout, "the request did not complete within its total time limit of " +
                                                     std::to_string(total.count()) + " ms (--max-time)"));
    }
  });
}

// No body byte for bodyIdleTimeout fails the stream. Time the reader spends not reading
// (we stopped reading for it) is not the server's silence, so it does not count.
void Connection::armBodyIdle(milliseconds wait) {
  bodyIdleTimer_ = loop_.runAfter(wait, [w = weak()] {
    auto s = w.lock();
    if (!s) return;
    s->bodyIdleTimer_ = 0;
    if (s->state_ != ConnState::kStreaming || s->messageDone_) return;
    auto idle = s->bodyIdleLimit();
    auto now = s->loop_.refreshNow();
    if (s->readPaused_) s->lastBodyAt_ = now;
    auto quiet = duration_cast<milliseconds>(now - s->lastBodyAt_);
    if (quiet < idle) return s->armBodyIdle(idle - quiet);
    s->expire(Error::make(ErrorCode::kTimeout, "no response body byte for " + std::to_string(idle.count()) +
                                                   " ms on connection #" + std::to_string(s->id_) + " (body idle timeout)"));
  });
}

std::chrono::milliseconds Connection::bodyIdleLimit() const {
  if (req_ && req_->request.bodyIdleTimeout.count() > 0) return req_->request.bodyIdleTimeout;
  return ctx_.config().bodyIdleTimeout;
}

void Connection::expire(Error err) {
  if (state_ == ConnState::kClosed || messageDone_) return;
  if (!headDelivered_) return failAttempt(std::move(err), CloseReason::kTimeout, false);
  if (core_) core_->finish(sluice::unexpected(err), req_ ? req_->sinceStartUs(net::Clock::now()) : 0);
  close(CloseReason::kTimeout, err.message);
}

ConnSnapshot Connection::snapshot(net::Clock::time_point now) const {
  ConnSnapshot s;
  s.id = id_;
  s.state = state_;
  s.ageMs = static_cast<uint64_t>(duration_cast<milliseconds>(now - created_).count());
  if (state_ == ConnState::kIdle) s.idleMs = static_cast<uint64_t>(duration_cast<milliseconds>(now - idleSince_).count());
  s.requestsServed = requestsServed_;
  s.bytesIn = bytesIn_;
  s.bytesOut = bytesOut_;
  s.currentRequestId = req_ ? req_->id : 0;
  s.heldBodyBytes = core_ ? core_->bytesRead() : 0;
  return s;
}

}  // namespace sluice::client
