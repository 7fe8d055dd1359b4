// Connection's input path: reads, parsing, dispatch to the handler, and the end of an exchange.
#include <algorithm>
#include <cerrno>
#include <cstring>

#include "engine/http/serializer.h"
#include "engine/server/connection.h"
#include "engine/server/server.h"
#include "engine/server/worker.h"

namespace sluice::server {

using net::Clock;
using observe::Event;
using observe::EventKind;

namespace {
constexpr uint64_t kLingerMaxBytes = 16 * 1024 * 1024;
}  // namespace

bool Connection::wantRead() const {
  if (peerClosed_) return false;
  if (bufEnd_ - bufStart_ >= buf_.size() && !buf_.empty()) return false;
  switch (state_) {
    case State::kReadHead:
      return outBytes_ < config().outputBufferBytes;
    case State::kReadBody:
      return exchange_ && !exchange_->bodyPaused();
    case State::kDrain:
    case State::kClosing:
    case State::kLinger:
      return true;
    default:
      return false;
  }
}

bool Connection::canParse() const {
  switch (state_) {
    case State::kReadHead:
      return !exchange_;
    case State::kReadBody:
      return exchange_ && !exchange_->bodyPaused();
    case State::kDrain:
      return true;
    default:
      return false;
  }
}

size_t Connection::readBufferBound() const { return std::max(config().readBufferBytes, config().parse.maxHeadBytes + 1024); }

void Connection::ensureBuffer() {
  if (buf_.empty()) buf_.resize(readBufferBound());
}

void Connection::readLoop() {
  for (int i = 0; i < 16 && state_ != State::kClosed && wantRead(); ++i) {
    // A discarded Content-Length body bypasses user space; each splice is one of the turn's reads.
    if (spliceWanted()) {
      const SpliceStep step = spliceBody();
      if (step == SpliceStep::kStop) return;
      continue;
    }
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
      const bool bulk = state_ == State::kReadBody && exchange_ && exchange_->bulkReads();
      cap = bulk ? worker_.scratchSize() : config().readBufferBytes;
    }
    IoResult r = transport_->read(dst, cap);
    if (r.kind == IoResult::Kind::kEof) return onPeerClosed();
    if (r.kind == IoResult::Kind::kWouldBlock) return;
    if (r.kind == IoResult::Kind::kError)
      return closeNow(false, !transport_->failure().empty() ? transport_->failure().c_str()  // TLS: worded, logged
                             : r.error == ECONNRESET     ? "peer reset"
                                                         : "read error");
    const size_t n = r.bytes;
    worker_.server().stats().bytesIn.fetch_add(n, std::memory_order_relaxed);
    if (state_ == State::kReadBody || state_ == State::kDrain) setDeadline(config().bodyIdleTimeout);
    if (own) {
      bufEnd_ += n;
      feeding_ = {};
    } else {
      feeding_ = std::string_view(dst, n);
    }
    processInput();
    if (n < cap && !transport_->pending()) return;
  }
}

void Connection::processInput() {
  while (state_ != State::kClosed) {
    const bool own = bufEnd_ > bufStart_;
    std::string_view data = own ? buffered() : feeding_;
    if (data.empty() && !parser_.resumePending()) break;
    if (state_ == State::kClosing || state_ == State::kLinger) {
      // Lingering close: discard what the peer still sends so our response is not reset.
      drained_ += data.size();
      own ? (bufStart_ = bufEnd_ = 0, void()) : (feeding_ = {}, void());
      if (drained_ > kLingerMaxBytes) closeNow(false, "lingering close limit");
      break;
    }
    if (!canParse() || !parseStep(data, own)) break;
  }
  keepUnparsed();
}

// Feeds the parser once; false when parsing must stop for now.
bool Connection::parseStep(std::string_view data, bool own) {
  if (state_ == State::kReadHead && !parser_.inMessage()) headStart_ = loop().now();
  auto feed = parser_.execute(data);
  if (own) {
    bufStart_ += feed.consumed;
    if (bufStart_ == bufEnd_) bufStart_ = bufEnd_ = 0;
  } else {
    feeding_.remove_prefix(feed.consumed);
  }
  if (feed.state == http::Parser::State::kError) {
    failRequest(parser_.error().status, parser_.error().message);
    return false;
  }
  onParseSignal(std::exchange(signal_, ParseSignal::kNone));
  return feed.state != http::Parser::State::kOk;
}

void Connection::keepUnparsed() {
  if (!feeding_.empty() && state_ != State::kClosed) {
    // Keep the unparsed rest (a partial head, or body held back by a paused handler).
    ensureBuffer();
    if (bufEnd_ + feeding_.size() > buf_.size()) buf_.resize(bufEnd_ + feeding_.size());  // bulk reads only
    std::memcpy(buf_.data() + bufEnd_, feeding_.data(), feeding_.size());
    bufEnd_ += feeding_.size();
  }
  feeding_ = {};
  const bool oversized = buf_.size() > readBufferBound();
  if (bufEnd_ == bufStart_ && !buf_.empty() && ((state_ == State::kReadHead && !exchange_) || oversized)) {
    std::string().swap(buf_);  // idle connections hold no read buffer; bulk overflow is given back
    bufStart_ = bufEnd_ = 0;
  }
}

void Connection::onParseSignal(ParseSignal signal) {
  if (signal == ParseSignal::kHeadComplete) return dispatchHead();
  if (signal != ParseSignal::kMessageComplete) return;
  if (exchange_ && config().mode == BodyMode::kBuffered && state_ == State::kReadBody) {
    dispatchBuffered();
  } else if (exchange_ && state_ == State::kReadBody) {
    transition(State::kAwaitResponse);
    auto* h = exchange_->handler();
    if (h && !exchange_->aborted() && !exchange_->responseEnded()) h->onBodyEnd(*exchange_);
  }
  finishExchangeIfDone();
}

http::ParserListener::Action Connection::onHeadComplete() {
  signal_ = ParseSignal::kHeadComplete;
  return Action::kPause;
}

http::ParserListener::Action Connection::onBody(std::string_view data) {
  const ServerConfig& cfg = config();
  if (state_ == State::kDrain) {
    drained_ += data.size();
    worker_.server().stats().drainedBytes.fetch_add(data.size(), std::memory_order_relaxed);
    if (drained_ > cfg.drainMaxBytes) {
      worker_.server().stats().drainCloses.fetch_add(1, std::memory_order_relaxed);
      disableKeepAlive();
      transition(State::kClosing);
      return Action::kPause;
    }
    return Action::kContinue;
  }
  if (!exchange_ || state_ != State::kReadBody) return Action::kPause;
  Exchange& ex = *exchange_;
  const uint64_t total = ex.noteBodyBytes(data.size());
  uint64_t maxBody = cfg.maxBodyBytes;
  if (cfg.mode == BodyMode::kBuffered && (maxBody == 0 || maxBody > (1ull << 30))) maxBody = 1ull << 30;
  if (maxBody && total > maxBody) {
    failRequest(413, "request body larger than the limit of " + std::to_string(maxBody) + " bytes");
    return Action::kPause;
  }
  if (cfg.mode == BodyMode::kBuffered) {
    ex.appendBuffered(data, worker_.server().stats().bodyBytesHeld);
    return Action::kContinue;
  }
  if (ex.responseEnded() || ex.aborted() || !ex.handler()) return Action::kContinue;  // switching to drain
  ex.handler()->onBody(ex, data);
  if (state_ != State::kReadBody || !exchange_) return Action::kPause;
  return ex.bodyPaused() ? Action::kPause : Action::kContinue;
}

http::ParserListener::Action Connection::onMessageComplete() {
  signal_ = ParseSignal::kMessageComplete;
  if (exchange_) exchange_->markBodyComplete();
  return Action::kPause;
}

void Connection::dispatchHead() {
  const ServerConfig& cfg = config();
  Server& server = worker_.server();
  server.stats().requests.fetch_add(1, std::memory_order_relaxed);
  server.stats().inFlight.fetch_add(1, std::memory_order_relaxed);
  exchangeOutMark_ = queuedTotal_;
  exchange_ = std::make_unique<Exchange>(*this, server.nextRequestId(), std::move(parser_.request()));
  Exchange& ex = *exchange_;
  const http::RequestHead& req = ex.request();
  if (reuse_ != Reuse::kServerStopping) reuse_ = req.framing.keepAlive ? Reuse::kKeepAlive : Reuse::kLastRequest;
  transition(State::kReadBody);
  continue_ = Continue::kNotSent;
  drained_ = 0;
  spliceRefused_ = false;
  setDeadline(cfg.bodyIdleTimeout);
  if (cfg.emitEvents) {
    Event ev{.kind = EventKind::kRequestStarted, .connectionId = id_, .requestId = ex.id()};
    ev.text = req.method + " " + req.target;
    ev.detail = peer_.toString();
    ev.bytesIn = req.framing.contentLength.value_or(0);
    server.events().push(std::move(ev));
    lastProgressEvent_ = loop().now();
  }
  if (refuseHead()) return;
  ex.setHandler(server.router().route(req));
  if (cfg.mode == BodyMode::kBuffered) return;  // the handler runs once the whole body is in
  if (!server.router().admit(ex)) {
    ex.setHandler(nullptr);
    return;
  }
  if (auto* h = ex.handler()) h->onHead(ex);
}

// Answers what no handler may see: an unknown expectation, a declared body over the limit.
bool Connection::refuseHead() {
  const http::RequestHead& req = exchange_->request();
  if (const std::string* expect = req.headers.find("Expect"); expect && !req.expectContinue) {
    failRequest(417, "unsupported expectation: " + *expect);
    return true;
  }
  const uint64_t maxBody = config().maxBodyBytes;
  if (maxBody && req.framing.contentLength && *req.framing.contentLength > maxBody) {
    failRequest(413, "request body of " + std::to_string(*req.framing.contentLength) +
                         " bytes is larger than the limit of " + std::to_string(maxBody) + " bytes");
    return true;
  }
  return false;
}

void Connection::dispatchBuffered() {
  Exchange& ex = *exchange_;
  transition(State::kAwaitResponse);
  if (!worker_.server().router().admit(ex)) {
    ex.setHandler(nullptr);
    return;
  }
  if (auto* h = ex.handler()) {
    h->onHead(ex);
    if (exchange_ && !ex.aborted() && !ex.responseEnded() && !ex.bufferedBody().empty()) h->onBody(ex, ex.bufferedBody());
    if (exchange_ && !ex.aborted() && !ex.responseEnded()) h->onBodyEnd(ex);
  }
  ex.releaseBuffered();
}

void Connection::finishExchangeIfDone() {
  if (!exchange_ || !exchange_->responseEnded()) return;
  Exchange& ex = *exchange_;
  if (!ex.bodyComplete()) {
    if (state_ != State::kReadBody) return;
    const ServerConfig& cfg = config();
    uint64_t remaining = ex.bodyLength() ? *ex.bodyLength() - std::min(*ex.bodyLength(), ex.bodyBytesRead()) : 0;
    if (!keepAlive() || remaining > cfg.drainMaxBytes) {
      disableKeepAlive();
      transition(State::kClosing);
      if (remaining > cfg.drainMaxBytes) worker_.server().stats().drainCloses.fetch_add(1, std::memory_order_relaxed);
      endExchange();
      return;
    }
    transition(State::kDrain);
    return;
  }
  endExchange();
  if (state_ == State::kClosing || state_ == State::kLinger || state_ == State::kClosed) return;
  if (!keepAlive()) {
    // Requests pipelined after a closing one are not processed (RFC 9112 §9.6).
    transition(State::kClosing);
    return;
  }
  transition(State::kReadHead);
  if (pump_ != PumpState::kIdle) pump_ = PumpState::kRerun;  // a pipelined request may already be waiting
}

void Connection::endExchange() {
  Exchange* ex = exchange_.release();
  Server& server = worker_.server();
  server.stats().inFlight.fetch_sub(1, std::memory_order_relaxed);
  ++requestsServed_;
  ex->finish();
  if (config().emitEvents) {
    const http::RequestHead& req = ex->request();
    Event ev{.kind = EventKind::kRequestFinished, .connectionId = id_, .requestId = ex->id(), .code = ex->responseStatus(),
             .bytesIn = ex->bodyBytesRead(), .bytesOut = ex->bytesWritten()};
    ev.text = req.method + " " + req.target + (req.http10() ? " HTTP/1.0" : " HTTP/1.1");
    ev.detail = peer_.toString();
    finishing_.push_back({std::move(ev), exchangeOutMark_, queuedTotal_, ex->started()});
    // failRequest aborts the exchange, then answers with its status: that answer is the outcome.
    const bool errorAnswer = ex->aborted() && !ex->responseStarted() && ex->responseStatus() >= 400 && ex->responseStatus() != 499;
    if (ex->aborted() && !errorAnswer) emitFinishedAborted(ex->abortReason().c_str());
    else emitFinishedSent();
  }
  // The handler may still be on the stack (it called end()): delete after this batch.
  loop().defer([ex] { delete ex; });
}

void Connection::emitFinishedSent() {
  while (!finishing_.empty() && finishing_.front().endMark <= sentTotal_) {
    Finishing& f = finishing_.front();
    f.ev.durationUs = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(loop().clock().now() - f.started).count());
    worker_.server().events().push(std::move(f.ev));
    finishing_.pop_front();
  }
}

void Connection::emitFinishedAborted(const char* reason) {
  emitFinishedSent();
  for (Finishing& f : finishing_) {
    f.ev.outcome = observe::RequestOutcome::kAborted;
    f.ev.reason = reason;
    // What reached the socket of this response: head, framing and body bytes.
    f.ev.bytesOut = std::min(sentTotal_, f.endMark) - std::min(sentTotal_, f.startMark);
    f.ev.durationUs = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(loop().clock().now() - f.started).count());
    worker_.server().events().push(std::move(f.ev));
  }
  finishing_.clear();
}

void Connection::abortExchange(const Error& why) {
  if (!exchange_) return;
  exchange_->abort(why);
  endExchange();
}

void Connection::failRequest(int status, const std::string& message) {
  Server& server = worker_.server();
  if (status >= 400 && status < 500) server.stats().badRequests.fetch_add(1, std::memory_order_relaxed);
  if (status == 408) server.stats().timeouts.fetch_add(1, std::memory_order_relaxed);
  disableKeepAlive();
  // A response already queued but not one byte of it sent is taken back (an /echo
  // that met bad chunk framing after its first chunk still answers 400).
  bool canRespond = !exchange_ || !exchange_->responseStarted() || retractResponse();
  if (exchange_) {
    if (canRespond) exchange_->setErrorStatus(status);
    abortExchange(Error{status == 408 ? ErrorCode::kTimeout : ErrorCode::kLimit, message});
  }
  if (!canRespond) {
    closeNow(false, "error after the response started");
    return;
  }
  if (config().emitEvents) {
    Event ev{.kind = EventKind::kServerNotice, .connectionId = id_, .code = status};
    ev.text = message;
    ev.detail = peer_.toString();
    server.events().push(std::move(ev));
  }
  std::string body = errorJson(status, message);
  http::Headers h;
  h.add("Server", config().serverName);
  h.add("Date", std::string(http::httpDate()));
  h.add("Content-Type", "application/json");
  h.add("Content-Length", std::to_string(body.size()));
  h.add("Connection", "close");
  for (const auto& extra : defaultResponseHeaders()) h.add(extra.name, extra.value);
  std::string out;
  http::appendResponseHead(out, 1, status, {}, h);
  out += body;
  queue(std::move(out));
  transition(State::kClosing);
  drained_ = 0;
}

void Connection::emitProgress() {
  auto now = loop().now();
  if (now - lastProgressEvent_ < std::chrono::milliseconds(100)) return;
  lastProgressEvent_ = now;
  Event ev{.kind = EventKind::kRequestProgress, .connectionId = id_, .requestId = exchange_->id(),
           .code = exchange_->responseStatus(), .bytesIn = exchange_->bodyBytesRead(), .bytesOut = exchange_->bytesWritten()};
  ev.durationUs = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(now - exchange_->started()).count());
  worker_.server().events().push(std::move(ev));
}

}  // namespace sluice::server
