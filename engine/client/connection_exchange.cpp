// Connection: one request/response exchange (writing the request, parsing the response).
#include <atomic>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "engine/client/connection.h"
#include "engine/client/pool.h"
#include "engine/client/stream_core.h"
#include "engine/http/serializer.h"

namespace sluice::client {

using namespace std::chrono;
using observe::EventKind;
using Action = http::ParserListener::Action;


void Connection::markNotReusable(CloseReason reason, std::optional<NewConnReason> loss, std::string why) {
  if (!reusable_) return;
  reusable_ = false;
  notReusableReason_ = reason;
  notReusableLoss_ = loss;
  notReusableWhy_ = std::move(why);
}

void Connection::beginRequest() {
  reqBytesIn_ = 0;
  headDelivered_ = messageDone_ = is1xx_ = released_ = written_ = false;
  reusable_ = true;
  notReusableReason_ = CloseReason::kNone;
  notReusableLoss_.reset();
  notReusableWhy_.clear();
  drainBytes_ = 0;
  writeErrno_ = 0;
  out_.clear();
  outOff_ = 0;
  parser_->setExpectNoBody(req_->request.method == "HEAD");
  if (req_->request.noReturnToPool) markNotReusable(CloseReason::kAborted, NewConnReason::kReuseDisabled, "noReturnToPool");
  if (auto st = buildHead(); !st) return failAttempt(st.error(), CloseReason::kAborted, false);
  setState(ConnState::kWriting, "writing request " + std::to_string(requestsServed_ + 1));
  flushWrites();
}

namespace {
/** The user's Transfer-Encoding, if any: chunked must be the last coding (RFC 9112 6.1). */
Result<bool> userChunked(const http::Headers& h) {
  if (!h.has("Transfer-Encoding")) return false;
  std::string joined;
  for (const auto& f : h)
    if (http::iequals(f.name, "Transfer-Encoding")) joined += (joined.empty() ? "" : ",") + f.value;
  std::string_view v = http::trimOws(joined);
  auto comma = v.rfind(',');
  std::string_view last = http::trimOws(comma == std::string_view::npos ? v : v.substr(comma + 1));
  if (!http::iequals(last, "chunked"))
    return fail(ErrorCode::kInvalidArgument, "Transfer-Encoding '" + joined +
                                                 "' does not end in chunked, so the body cannot be framed; remove the header");
  return true;
}
}  // namespace

Status Connection::frameBody(http::Headers& h) {
  const Request& r = req_->request;
  auto chunked = userChunked(h);
  if (!chunked) return sluice::unexpected(chunked.error());
  // Never both: a user's Transfer-Encoding: chunked wins and Content-Length goes (RFC 9112 6.3).
  bodyChunked_ = *chunked || r.body.kind == RequestBody::Kind::kPull;
  if (bodyChunked_) h.remove("Content-Length");
  switch (r.body.kind) {
    case RequestBody::Kind::kNone:
      if (auto cl = h.find("Content-Length"); cl && *cl != "0")
        return fail(ErrorCode::kInvalidArgument, "a Content-Length: " + *cl + " header was set but the request has no body");
      if (!bodyChunked_ && (r.method == "POST" || r.method == "PUT" || r.method == "PATCH") && !h.has("Content-Length"))
        h.set("Content-Length", "0");
      bodyPending_ = bodyChunked_;  // just the last chunk
      return {};
    case RequestBody::Kind::kBytes:
      bodySize_ = r.body.bytes.size();
      break;
    case RequestBody::Kind::kFile: {
      file_.reset(::open(r.body.filePath.c_str(), O_RDONLY | O_CLOEXEC));
      struct stat st{};
      if (!file_.valid() || ::fstat(file_.get(), &st) != 0) {
        Error e = Error::system("open " + r.body.filePath, errno);
        e.message = "cannot read the upload file '" + r.body.filePath + "': " + std::strerror(errno);
        return sluice::unexpected(e);
      }
      fileLeft_ = static_cast<uint64_t>(st.st_size);
      bodySize_ = fileLeft_;
      bodyPending_ = fileLeft_ > 0 || bodyChunked_;
      break;
    }
    case RequestBody::Kind::kPull:
      bodyPending_ = true;
      break;
  }
  if (bodyChunked_) h.set("Transfer-Encoding", "chunked");
  else h.set("Content-Length", std::to_string(bodySize_.value_or(0)));
  return {};
}

Status Connection::serializeHead() {
  const Request& r = req_->request;
  http::Headers h = r.headers;
  if (!h.has("Host")) h.add("Host", r.url.authority());
  if (!h.has("User-Agent") && !ctx_.config().userAgent.empty()) h.add("User-Agent", ctx_.config().userAgent);
  if (auto st = frameBody(h); !st) return st;
  const uint64_t threshold = ctx_.config().expectContinueBytes;
  // As curl: above the threshold, or of unknown size (a streamed, chunked body), which may be larger.
  const bool unknownSize = !bodySize_ && r.body.kind == RequestBody::Kind::kPull;
  bool expect = r.expectContinue.value_or(threshold > 0 && (unknownSize || (bodySize_ && *bodySize_ > threshold)));
  if (expect && r.body.kind != RequestBody::Kind::kNone) {
    h.set("Expect", "100-continue");
    waitingContinue_ = true;
  }
  if (http::hasToken(h.get("Connection"), "close"))
    markNotReusable(CloseReason::kConnectionClose, NewConnReason::kConnectionClose, "the request said Connection: close");
  http::appendRequestHead(out_, r.method, r.url.target, h);
  return {};
}

void Connection::usePreparedHead(const PreparedHead& p) {
  out_ = p.head;
  bodyChunked_ = p.chunked;
  bodySize_ = p.bodySize;
  bodyPending_ = bodyChunked_ && req_->request.body.kind == RequestBody::Kind::kNone;  // just the last chunk
  waitingContinue_ = p.expectContinue;
  if (p.connectionClose)
    markNotReusable(CloseReason::kConnectionClose, NewConnReason::kConnectionClose, "the request said Connection: close");
}

Status Connection::buildHead() {
  const Request& r = req_->request;
  bodyPending_ = bodyChunked_ = waitingContinue_ = bodyCutShort_ = false;
  bodySize_.reset();
  // A file is re-opened and measured for every send, so only none and bytes bodies keep their head.
  PreparedHead* prepared = r.preparedHead && (r.body.kind == RequestBody::Kind::kNone || r.body.kind == RequestBody::Kind::kBytes)
                               ? r.preparedHead.get() : nullptr;
  if (prepared && prepared->builtBy == &ctx_) {
    usePreparedHead(*prepared);
  } else {
    if (auto st = serializeHead(); !st) return st;
    if (prepared)
      *prepared = PreparedHead{&ctx_, out_, bodyChunked_, bodySize_, waitingContinue_,
                               http::hasToken(r.headers.get("Connection"), "close")};
  }
  sentHead_ = out_;
  headLeft_ = out_.size();
  if (auto& p = r.uploadProgress) {
    p->sent.store(0, std::memory_order_relaxed);
    p->total.store(bodyChunked_ ? 0 : bodySize_.value_or(0), std::memory_order_relaxed);
    p->done.store(false, std::memory_order_relaxed);
  }
  if (r.body.kind == RequestBody::Kind::kBytes && !waitingContinue_) appendBytesBody();
  return {};
}

void Connection::appendBytesBody() {
  const std::string& bytes = req_->request.body.bytes;
  if (!bodyChunked_) {
    out_ += bytes;
    return;
  }
  if (!bytes.empty()) http::appendChunk(out_, bytes);
  http::appendLastChunk(out_);
  bodyPending_ = false;
}

void Connection::flushWrites() {
  auto self = shared_from_this();
  for (;;) {
    while (outOff_ < out_.size()) {
      IoResult r = transport_->write(out_.data() + outOff_, out_.size() - outOff_);
      if (r.n > 0) {
        outOff_ += static_cast<size_t>(r.n);
        bytesOut_ += static_cast<uint64_t>(r.n);
        noteWritten(static_cast<uint64_t>(r.n));
        continue;
      }
      if (r.wouldBlock()) return updateInterest();
      if (headDelivered_) {  // the server answered early and stopped reading: stop sending
        out_.clear(), outOff_ = 0, bodyPending_ = false;
        markNotReusable(CloseReason::kIoError, std::nullopt, "request body not fully sent");
        return updateInterest();
      }
      if (r.err == EPIPE || r.err == ECONNRESET) return onWriteRefused(r.err);
      return failAttempt(writeError(r.err), reasonForErrno(r.err), true);
    }
    out_.clear();
    outOff_ = 0;
    if (waitingContinue_ || !bodyPending_) break;
    if (!produceBody()) return;
  }
  if (waitingContinue_ && !continueTimer_ && !written_) {
    continueTimer_ = loop_.runAfter(req_->request.continueTimeout, [w = weak()] {
      if (auto s = w.lock()) {
        s->continueTimer_ = 0;
        if (s->waitingContinue_) s->sendBodyNow();
      }
    });
  }
  if (!waitingContinue_ && !written_ && req_) requestWritten();
  updateInterest();
}

void Connection::noteWritten(uint64_t n) {
  uint64_t head = std::min(headLeft_, n);
  headLeft_ -= head;
  if (n > head && req_->request.uploadProgress) req_->request.uploadProgress->sent.fetch_add(n - head, std::memory_order_relaxed);
}

Error Connection::writeError(int err) const {
  Error e = Error::system("send", err);
  e.message = "sending the request on connection #" + std::to_string(id_) + " failed: " + std::strerror(err);
  return e;
}

// The server may have answered and closed before reading the whole body (an early
// 413): stop writing and read what it sent, as curl does. The write error stands only
// when no response comes; the head timer bounds the wait.
void Connection::onWriteRefused(int err) {
  writeErrno_ = err;
  out_.clear(), outOff_ = 0;
  bodyPending_ = waitingContinue_ = false;
  bodyCutShort_ = true;
  file_.reset();
  if (continueTimer_) loop_.cancel(continueTimer_);
  continueTimer_ = 0;
  markNotReusable(CloseReason::kIoError, std::nullopt, "request body not fully sent");
  if (!written_) requestWritten();
  updateInterest();
  onReadable();
}

/** The error for a request whose connection ended with no response byte. */
Error Connection::noResponseError(Error plain) const {
  if (writeErrno_ == 0) return plain;
  Error e = writeError(writeErrno_);
  e.message += "; the server closed the connection without sending a response";
  return e;
}

bool Connection::produceBody() {
  const RequestBody& body = req_->request.body;
  constexpr size_t kPiece = 256 * 1024;
  if (body.kind == RequestBody::Kind::kNone || (body.kind == RequestBody::Kind::kFile && fileLeft_ == 0)) {
    http::appendLastChunk(out_);  // a chunked request whose body is empty or fully sent
    bodyPending_ = false, file_.reset();
    return true;
  }
  if (body.kind == RequestBody::Kind::kFile) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(fileLeft_, kPiece));
    out_.resize(n);
    ssize_t r = ::read(file_.get(), out_.data(), n);
    if (r <= 0) {
      failAttempt(Error::make(ErrorCode::kSystem, "reading the upload file failed: " +
                                                     std::string(r < 0 ? std::strerror(errno) : "file shrank while sending")),
                  CloseReason::kAborted, false);
      return false;
    }
    out_.resize(static_cast<size_t>(r));
    fileLeft_ -= static_cast<uint64_t>(r);
    if (bodyChunked_) {
      std::string piece = std::move(out_);
      out_.clear();
      http::appendChunk(out_, piece);  // the last chunk follows on the next call
    } else if (fileLeft_ == 0) {
      bodyPending_ = false, file_.reset();
    }
    return true;
  }
  static thread_local std::string piece(64 * 1024, '\0');
  auto n = body.pull ? body.pull(std::span<char>(piece.data(), piece.size())) : Result<size_t>(size_t{0});
  if (!n) {
    failAttempt(Error::make(n.error().code, "the upload source failed: " + n.error().message), CloseReason::kAborted, false);
    return false;
  }
  if (*n == 0) {
    http::appendLastChunk(out_);
    bodyPending_ = false;
  } else {
    http::appendChunk(out_, std::string_view(piece.data(), *n));
  }
  return true;
}

void Connection::sendBodyNow() {
  if (!waitingContinue_ || state_ == ConnState::kClosed) return;
  waitingContinue_ = false;
  if (continueTimer_) loop_.cancel(continueTimer_);
  continueTimer_ = 0;
  if (req_->request.body.kind == RequestBody::Kind::kBytes) appendBytesBody();
  flushWrites();
}

void Connection::armHeadTimer() {
  auto timeout = req_->request.headTimeout.count() > 0 ? req_->request.headTimeout : ctx_.config().headTimeout;
  headTimer_ = loop_.runAfter(timeout, [w = weak(), timeout] {
    if (auto s = w.lock()) {
      s->headTimer_ = 0;
      s->failAttempt(Error::make(ErrorCode::kTimeout, "no response head within " + std::to_string(timeout.count()) +
                                                          " ms on connection #" + std::to_string(s->id_)),
                     CloseReason::kTimeout, false);
    }
  });
}

void Connection::requestWritten() {
  written_ = true;
  if (auto& p = req_->request.uploadProgress) p->done.store(true, std::memory_order_release);
  req_->timings.writtenUs = req_->sinceStartUs(net::Clock::now());
  if (headDelivered_) return;
  setState(ConnState::kAwaitingHead);
  armHeadTimer();
}

void Connection::onReadable() {
  if (readPaused_ || eof_ || state_ == ConnState::kClosed) return;
  if (!rbuf_ || rbuf_.use_count() > 1) {  // still shared with body chunks: take a fresh one
    rcap_ = ctx_.config().readChunkBytes;
    rbuf_ = std::make_shared_for_overwrite<char[]>(rcap_);
  } else {
    // use_count() is a relaxed load; the reader dropped its chunk with a release
    // decrement. This fence orders its last copy out of the buffer before our recv().
    std::atomic_thread_fence(std::memory_order_acquire);
  }
  chargedBuffer_ = false;
  IoResult r = transport_->read(rbuf_.get(), rcap_);
  if (r.n == 0) return onEof();
  if (r.n < 0) {
    if (r.wouldBlock()) return;
    Error e = Error::system("recv", r.err);
    e.message = "connection #" + std::to_string(id_) + " failed: " + std::strerror(r.err);
    if (!headDelivered_ && reqBytesIn_ == 0) return failAttempt(noResponseError(std::move(e)), reasonForErrno(r.err), true);
    if (!headDelivered_) return failAttempt(std::move(e), reasonForErrno(r.err), false);
    return close(reasonForErrno(r.err), e.message);
  }
  if (req_ && (reqBytesIn_ == 0 || req_->request.reportChunks)) readAt_ = net::Clock::now();
  if (reqBytesIn_ == 0 && req_) req_->timings.firstByteUs = req_->sinceStartUs(readAt_);
  if (bodyIdleTimer_) lastBodyAt_ = loop_.refreshNow();
  bytesIn_ += static_cast<uint64_t>(r.n);
  reqBytesIn_ += static_cast<uint64_t>(r.n);
  rbegin_ = 0;
  rend_ = static_cast<size_t>(r.n);
  if (messageDone_) {  // bytes after a complete response, before its release
    rbegin_ = rend_;
    eof_ = true;
    markNotReusable(CloseReason::kFramingError, std::nullopt, "data after the end of the response");
    return updateInterest();
  }
  parseBuffered();
  updateInterest();
}

void Connection::onEof() {
  eof_ = true;
  if (!headDelivered_) {
    if (reqBytesIn_ == 0)
      return failAttempt(noResponseError(Error::make(ErrorCode::kClosed, "the server closed connection #" + std::to_string(id_) +
                                                                             " before sending any response byte")),
                         CloseReason::kPeerClosed, true);
    return failAttempt(Error::make(ErrorCode::kParse, "the server closed connection #" + std::to_string(id_) +
                                                          " in the middle of the response head"),
                       CloseReason::kPeerClosed, false);
  }
  if (messageDone_) {
    markNotReusable(CloseReason::kPeerClosed, NewConnReason::kPeerClosedIdle, "peer closed after the response");
    return updateInterest();
  }
  if (parser_->finish() == http::Parser::State::kOk && messageDone_) return onMessageDone();
  std::string why = "the body was truncated: the server closed the connection after " +
                    std::to_string(parser_->bodyBytes()) + " body bytes";
  if (auto cl = parser_->response().framing.contentLength) why += " of " + std::to_string(*cl);
  else if (parser_->response().framing.chunked) why += " (inside the chunked body)";
  close(CloseReason::kPeerClosed, why);
}

CloseReason Connection::reasonForErrno(int err) {
  if (err == ECONNRESET) return CloseReason::kPeerReset;
  if (err == EPIPE) return CloseReason::kPeerClosed;  // writing after the peer's FIN
  if (err == ETIMEDOUT) return CloseReason::kTimeout;
  return CloseReason::kIoError;
}

void Connection::parseBuffered() {
  // A pause at the last body byte leaves the message end owed: run the parser on no input for it.
  while ((rbegin_ < rend_ || parser_->resumePending()) && state_ != ConnState::kClosed && !readPaused_ && !messageDone_) {
    auto feed = parser_->execute(std::string_view(rbuf_.get() + rbegin_, rend_ - rbegin_));
    rbegin_ += feed.consumed;
    if (state_ == ConnState::kClosed) return;
    if (feed.state == http::Parser::State::kError) return onFramingError();
    if (messageDone_) return onMessageDone();
  }
}

void Connection::onFramingError() {
  std::string msg = "malformed response on connection #" + std::to_string(id_) + ": " + parser_->error().message;
  if (!headDelivered_) return failAttempt(Error::make(ErrorCode::kParse, msg), CloseReason::kFramingError, false);
  if (core_) core_->finish(sluice::unexpected(Error::make(ErrorCode::kParse, msg)), req_->sinceStartUs(net::Clock::now()));
  close(CloseReason::kFramingError, msg);
}

Action Connection::Listener::onHeadComplete() {
  const auto& resp = c_.parser_->response();
  if (resp.status >= 100 && resp.status < 200 && resp.status != 101) {
    c_.is1xx_ = true;
    if (resp.status == 100 && c_.waitingContinue_)
      c_.loop_.defer([w = c_.weak()] {
        if (auto s = w.lock()) s->sendBodyNow();
      });
    return Action::kContinue;
  }
  c_.onHead();
  return Action::kContinue;
}

Action Connection::Listener::onBody(std::string_view data) {
  // An empty span (llhttp resuming on no input) is no data; to a reader it would read as the end.
  if (c_.is1xx_ || data.empty()) return Action::kContinue;
  if (c_.state_ == ConnState::kDraining) {
    c_.drainBytes_ += data.size();
    if (c_.drainBytes_ > c_.ctx_.config().drain.maxBytes) {
      c_.countDrain();
      c_.pool_.noteLoss(c_.host_, NewConnReason::kPreviousNotDrained);
      c_.close(CloseReason::kNotDrained, "rest of the body larger than the drain bound (" + std::to_string(c_.drainBytes_) +
                                             " bytes drained); cost: the next request opens a new connection (" + c_.reopenCostText() + ")");
      return Action::kPause;
    }
    return Action::kContinue;
  }
  if (!c_.core_ || c_.released_) return Action::kContinue;
  size_t charge = c_.chargedBuffer_ ? 0 : c_.rcap_;
  c_.chargedBuffer_ = true;
  if (!c_.core_->offer(c_.rbuf_, data, charge)) {
    c_.readPaused_ = true;
    return Action::kPause;
  }
  return Action::kContinue;
}

void Connection::Listener::onChunkHeader(uint64_t size, std::string_view extensions) {
  if (!c_.core_ || c_.released_ || c_.state_ == ConnState::kDraining || !c_.req_->request.reportChunks) return;
  c_.core_->offerChunk(ChunkBoundary{size, std::string(extensions), c_.req_->sinceStartUs(c_.readAt_), c_.parser_->bodyBytes()});
}

Action Connection::Listener::onMessageComplete() {
  if (c_.is1xx_) {
    c_.is1xx_ = false;
    return Action::kContinue;
  }
  c_.messageDone_ = true;
  return Action::kPause;
}

void Connection::onHead() {
  const auto& resp = parser_->response();
  headDelivered_ = true;
  if (headTimer_) loop_.cancel(headTimer_);
  headTimer_ = 0;
  if (!resp.framing.keepAlive)
    markNotReusable(CloseReason::kConnectionClose, NewConnReason::kConnectionClose,
                    resp.versionMinor == 0 ? "HTTP/1.0 response without keep-alive" : "the response said Connection: close");
  if (parser_->bodyIsCloseDelimited())
    markNotReusable(CloseReason::kConnectionClose, NewConnReason::kConnectionClose, "close-delimited body");
  if (resp.status == 101) markNotReusable(CloseReason::kConnectionClose, NewConnReason::kConnectionClose, "101 Switching Protocols");
  if (waitingContinue_) {  // a final status instead of 100 Continue: the body is never sent
    waitingContinue_ = bodyPending_ = false;
    bodyCutShort_ = true;
    file_.reset();
    markNotReusable(CloseReason::kConnectionClose, std::nullopt, "final status before 100 Continue; body not sent");
  }
  // "Reused" is decided here, when a head arrives on a connection that served before;
  // an attempt that failed on a reused connection and was retried never gets here.
  if (reusedForCurrent_) {
    ctx_.reused.fetch_add(1, std::memory_order_relaxed);
    ctx_.savedConnectUs.fetch_add(req_->verdict.savedConnectUs, std::memory_order_relaxed);
    ctx_.savedTlsUs.fetch_add(req_->verdict.savedTlsUs, std::memory_order_relaxed);
  }
  auto now = net::Clock::now();
  Response r;
  r.requestId = req_->id;
  r.connectionId = id_;
  r.status = resp.status;
  r.reason = resp.reason;
  r.versionMinor = resp.versionMinor;
  r.headers = resp.headers;
  r.timings = req_->timings;
  if (r.timings.firstByteUs == 0) r.timings.firstByteUs = req_->sinceStartUs(now);
  r.verdict = req_->verdict;
  r.tls = transport_->tlsInfo();
  r.requestHead = std::move(sentHead_);
  r.bodyCutShort = bodyCutShort_ || bodyPending_ || outOff_ < out_.size();
  std::optional<uint64_t> length = req_->request.method == "HEAD" ? std::optional<uint64_t>(0) : resp.framing.contentLength;
  core_ = std::make_shared<StreamCore>(pool_.ctxPtr(), req_->id, id_, length, r.timings);
  core_->conn = this;
  heldSince_ = now;
  if (auto idle = bodyIdleLimit(); idle.count() > 0 && !messageDone_) {
    lastBodyAt_ = now;
    armBodyIdle(idle);
  }
  setState(ConnState::kStreaming, "held by the stream of request " + std::to_string(req_->id));
  if (auto held = ctx_.config().heldTooLong; held.count() > 0) {
    heldTimer_ = loop_.runAfter(held, [w = weak(), held] {
      if (auto s = w.lock()) {
        s->heldTimer_ = 0;
        s->ctx_.heldTooLong.fetch_add(1, std::memory_order_relaxed);
        s->ctx_.warning(s->id_, s->reqId(), "held-too-long",
                        "stream held for more than " + std::to_string(held.count()) + " ms without release (suspected leak)");
      }
    });
  }
  ctx_.event(EventKind::kClientRequest, id_, req_->id, r.status, r.verdict.text(),
             req_->request.method + " " + req_->request.url.target);
  pool_.deliver(*req_, Exchange{std::move(r), BodyStream(core_)});
}

void Connection::onMessageDone() {
  ++requestsServed_;
  for (auto* t : {&deadlineTimer_, &bodyIdleTimer_}) {
    if (*t) loop_.cancel(*t);
    *t = 0;
  }
  if (rbegin_ < rend_) {
    rbegin_ = rend_;
    eof_ = true;
    markNotReusable(CloseReason::kFramingError, std::nullopt, "junk after the end of the response");
    ctx_.warning(id_, reqId(), "junk-after-response", "bytes followed the response; the connection will not be reused");
  }
  auto maxAge = ctx_.limits().maxConnAge;
  if (maxAge.count() > 0 && net::Clock::now() - created_ >= maxAge)
    markNotReusable(CloseReason::kMaxAge, NewConnReason::kMaxAge, "connection older than maxConnAge");
  uint64_t t = req_ ? req_->sinceStartUs(net::Clock::now()) : 0;
  uint64_t bodyBytes = parser_->bodyBytes();
  if (core_) core_->finish({}, t);
  ctx_.event(EventKind::kClientRequest, id_, reqId(), parser_->response().status, "complete", {}, bodyBytes, 0, t);
  if (state_ == ConnState::kClosed) return;  // a forwarding stream may have aborted us
  if (state_ == ConnState::kDraining) {
    uint64_t drainUs = countDrain();
    if (reusable_) ctx_.drainsKept.fetch_add(1, std::memory_order_relaxed);
    ctx_.event(EventKind::kClientConnState, id_, reqId(), static_cast<int>(ConnState::kDraining), "drained",
               "cost: " + std::to_string(drainBytes_) + " bytes drained in " + msText(drainUs) + "; connection kept", drainBytes_);
    return finishExchange();
  }
  if (released_) return finishExchange();
  updateInterest();
}

void Connection::finishExchange() {
  for (auto* t : {&drainTimer_, &heldTimer_, &headTimer_, &continueTimer_, &deadlineTimer_, &bodyIdleTimer_}) {
    if (*t) loop_.cancel(*t);
    *t = 0;
  }
  if (core_) {
    core_->detach();
    core_.reset();
  }
  if (!reusable_) {
    if (notReusableLoss_) pool_.noteLoss(host_, *notReusableLoss_);
    return close(notReusableReason_, notReusableWhy_);
  }
  req_.reset();
  pool_.recycle(*this);
}

}  // namespace sluice::client
