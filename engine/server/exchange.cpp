#include "engine/server/exchange.h"

#include "engine/http/serializer.h"
#include "engine/codec/json.h"
#include "engine/server/server_config.h"

namespace sluice::server {

namespace {
// A chunk's size line (at most 16 hex digits and CRLF) and the CRLF after its data.
constexpr size_t kChunkFraming = 16 + 2 + 2;
}  // namespace

Exchange::Exchange(ExchangeHost& host, uint64_t id, http::RequestHead head)
    : host_(host), id_(id), head_(std::move(head)), started_(host.loop().clock().now()) {}

Exchange::~Exchange() {
  for (auto t : timers_) host_.loop().cancel(t);
  releaseBuffered();
}

void Exchange::appendBuffered(std::string_view data, std::atomic<uint64_t>& gauge) {
  heldGauge_ = &gauge;
  bufferedBody_.append(data);
  gauge.fetch_add(data.size(), std::memory_order_relaxed);
}

void Exchange::releaseBuffered() {
  if (heldGauge_) heldGauge_->fetch_sub(bufferedBody_.size(), std::memory_order_relaxed);
  heldGauge_ = nullptr;
  std::string().swap(bufferedBody_);
}

uint64_t Exchange::connectionId() const { return host_.connectionId(); }
const net::SocketAddress& Exchange::peer() const { return host_.peer(); }
const net::SocketAddress& Exchange::local() const { return host_.local(); }
net::EventLoop& Exchange::loop() { return host_.loop(); }
const ServerConfig& Exchange::config() const { return host_.config(); }
size_t Exchange::outputPending() const { return host_.pendingOutput(); }

void Exchange::whenFlushed(std::function<void()> fn) {
  if (aborted_) return;
  if (host_.pendingOutput() == 0) return fn();
  flushed_ = std::move(fn);
}

bool Exchange::onOutputDrained(size_t pending, bool empty) {
  if (aborted_) return false;
  bool called = false;
  if (waitingWritable_ && pending <= config().outputBufferBytes / 2 && !host_.outputBlocked()) {
    waitingWritable_ = false;
    called = true;
    if (handler_) handler_->onWritable(*this);
  }
  if (empty && flushed_ && !aborted_) {
    called = true;
    std::exchange(flushed_, nullptr)();
  }
  return called;
}

void Exchange::finish() {
  flushed_ = nullptr;
  for (auto t : timers_) host_.loop().cancel(t);
  timers_.clear();
}

void Exchange::abort(const Error& why) {
  if (!aborted_) {
    aborted_ = true;
    abortReason_ = why.message;
    flushed_ = nullptr;
    for (auto t : timers_) host_.loop().cancel(t);
    timers_.clear();
    if (handler_) handler_->onAbort(*this, why);
  }
  if (status_ == 0) status_ = 499;  // like nginx: the client went away before a response
}

void Exchange::pauseBody() { bodyPaused_ = true; }

void Exchange::resumeBody() {
  if (!bodyPaused_) return;
  bodyPaused_ = false;
  if (!aborted_) host_.kick();
}

namespace {
// Answers to a request the server could not read as sent: after one, the framing of
// whatever follows cannot be trusted either, so the connection closes (as nginx does
// for 400 and 414). The rule is written down once, in docs/server.md.
bool malformedRequestStatus(int status) { return status == 400 || status == 411 || status == 414 || status == 431; }
}  // namespace

namespace {
void appendField(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += ": ";
  out += value;
  out += "\r\n";
}
}  // namespace

bool Exchange::mustCloseAfter(int status) const {
  if (!host_.keepAlive() || malformedRequestStatus(status)) return true;
  if (bodyComplete_) return false;
  // A final answer to an Expect: 100-continue request whose body we never asked
  // for: the client may or may not send it, so the connection cannot be reused.
  if (head_.expectContinue && !host_.continueSent() && hasBody()) return true;
  uint64_t remaining = bodyLength() ? *bodyLength() - std::min(*bodyLength(), bodyBytes_) : 0;
  return remaining > config().drainMaxBytes;
}

void Exchange::appendHeaderFields(std::string& out, const http::Headers& headers) const {
  bool hasDate = false, hasServer = false;
  for (const auto& h : headers) {
    // Framing headers are ours to write: a handler cannot get them wrong.
    if (http::iequals(h.name, "Content-Length") || http::iequals(h.name, "Transfer-Encoding") ||
        http::iequals(h.name, "Connection"))
      continue;
    hasDate = hasDate || http::iequals(h.name, "Date");
    hasServer = hasServer || http::iequals(h.name, "Server");
    appendField(out, h.name, h.value);
  }
  for (const auto& h : host_.defaultResponseHeaders())
    if (!headers.has(h.name)) appendField(out, h.name, h.value);
  if (!hasDate) appendField(out, "Date", http::httpDate());
  if (!hasServer) appendField(out, "Server", config().serverName);
}

std::string Exchange::buildHead(int status, const http::Headers& headers, std::optional<uint64_t> contentLength,
                                size_t reserveBody) {
  responseStarted_ = true;
  status_ = status;
  const bool noBodyStatus = status == 204 || status == 304 || (status >= 100 && status < 200);
  headOnly_ = head_.isHead() || noBodyStatus;
  bool close = mustCloseAfter(status);
  std::string out;
  out.reserve(160 + reserveBody);
  out += head_.versionMinor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ";
  out += std::to_string(status);
  out += ' ';
  out += http::reasonPhrase(status);
  out += "\r\n";
  appendHeaderFields(out, headers);
  if (noBodyStatus) {
  } else if (contentLength) {
    appendField(out, "Content-Length", std::to_string(*contentLength));
    declaredLength_ = contentLength;
  } else if (head_.http10()) {
    close = true;  // HTTP/1.0 has no chunked coding: the body ends at close
  } else {
    out += "Transfer-Encoding: chunked\r\n";
    chunkedOut_ = !head_.isHead();
  }
  if (close) {
    out += "Connection: close\r\n";
    host_.disableKeepAlive();
  } else if (head_.http10()) {
    out += "Connection: keep-alive\r\n";
  }
  out += "\r\n";
  return out;
}

void Exchange::startResponse(int status, http::Headers headers, std::optional<uint64_t> contentLength) {
  if (responseStarted_ || aborted_) return;
  host_.queue(buildHead(status, headers, contentLength, 0));
  host_.kick();
}

void Exchange::respond(int status, http::Headers headers, std::string_view body) {
  if (responseStarted_ || aborted_) return;
  // Head and body in one buffer: one write for a small response.
  std::string out = buildHead(status, headers, body.size(), body.size());
  if (!headOnly_) {
    out += body;
    bytesOut_ = body.size();
  }
  responseEnded_ = true;
  host_.queue(std::move(out));
  host_.kick();
}

std::string errorJson(int status, std::string_view message) { return codec::errorBody(status, message); }

void Exchange::respondError(int status, std::string_view message) {
  std::string body = errorJson(status, message);
  http::Headers h;
  h.add("Content-Type", "application/json");
  respond(status, std::move(h), body);
}

size_t Exchange::writeRoom() const {
  if (aborted_ || responseEnded_ || host_.outputBlocked()) return 0;
  // A chunk's size line and CRLF are held too: leave room for them.
  const size_t used = host_.pendingOutput() + (chunkedOut_ ? kChunkFraming : 0);
  const size_t cap = config().outputBufferBytes;
  return used >= cap ? 0 : cap - used;
}

bool Exchange::write(std::string_view data) {
  if (aborted_ || responseEnded_) return false;
  if (!responseStarted_) startResponse(200, {}, std::nullopt);
  if (!headOnly_ && !data.empty()) queueBody(data);
  if (writeRoom() > 0) return true;
  waitingWritable_ = true;
  return false;
}

void Exchange::queueBody(std::string_view data) {
  if (declaredLength_ && bytesOut_ + data.size() > *declaredLength_) data = data.substr(0, *declaredLength_ - bytesOut_);
  bytesOut_ += data.size();
  if (chunkedOut_) {
    std::string framed;
    framed.reserve(data.size() + 16);
    http::appendChunk(framed, data);
    host_.queue(std::move(framed));
  } else {
    host_.queue(std::string(data));
  }
  host_.kick();
}

bool Exchange::writeFile(std::shared_ptr<net::Fd> file, uint64_t offset, uint64_t length) {
  if (aborted_ || responseEnded_) return false;
  if (!responseStarted_) startResponse(200, {}, length);
  if (headOnly_ || length == 0) return true;
  if (chunkedOut_) {
    std::string framed;
    http::appendChunkHeader(framed, length);
    host_.queue(std::move(framed));
    host_.queueFile(std::move(file), offset, length);
    host_.queue("\r\n");
  } else {
    host_.queueFile(std::move(file), offset, length);
  }
  bytesOut_ += length;
  host_.kick();
  return true;
}

void Exchange::writeRaw(std::string_view bytes) {
  if (aborted_) return;
  responseStarted_ = true;
  if (status_ == 0) status_ = -1;
  bytesOut_ += bytes.size();
  host_.queue(std::string(bytes));
  host_.kick();
}

void Exchange::end() {
  if (responseEnded_ || aborted_) return;
  if (!responseStarted_) startResponse(200, {}, 0);
  if (chunkedOut_ && !headOnly_) {
    std::string last;
    http::appendLastChunk(last);
    host_.queue(std::move(last));
  }
  // A body shorter than its Content-Length breaks framing: the connection must not be reused.
  if (declaredLength_ && !headOnly_ && bytesOut_ < *declaredLength_) host_.disableKeepAlive();
  if (status_ < 0) host_.disableKeepAlive();  // raw bytes: we cannot know the framing
  responseEnded_ = true;
  host_.kick();
}

void Exchange::closeAfterResponse() { host_.disableKeepAlive(); }

void Exchange::abortConnection(bool reset) {
  if (aborted_) return;
  aborted_ = true;
  abortReason_ = reset ? "reset by handler" : "closed by handler";
  host_.closeNow(reset, reset ? "reset by handler" : "closed by handler");
}

void Exchange::closeWhenIdleFor(std::chrono::milliseconds idle) { host_.closeWhenIdleFor(idle); }

void Exchange::runAfter(std::chrono::milliseconds delay, std::function<void()> fn) {
  auto& loop = host_.loop();
  auto slot = std::make_shared<net::EventLoop::TimerId>(0);
  auto id = loop.runAfter(delay, [this, slot, fn = std::move(fn)] {
    std::erase(timers_, *slot);
    fn();
  });
  *slot = id;
  timers_.push_back(id);
}

}  // namespace sluice::server
