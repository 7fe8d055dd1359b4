#include "engine/server/exchange.h"

#include "engine/http/serializer.h"
#include "engine/codec/json.h"
#include "engine/server/connection.h"
#include "engine/server/server.h"
#include "engine/server/worker.h"

namespace sluice::server {

Exchange::Exchange(Connection& conn, uint64_t id, http::RequestHead head)
    : conn_(conn), id_(id), head_(std::move(head)), started_(std::chrono::steady_clock::now()) {}

Exchange::~Exchange() {
  for (auto t : timers_) conn_.worker().loop().cancel(t);
}

uint64_t Exchange::connectionId() const { return conn_.id(); }
const net::SocketAddress& Exchange::peer() const { return conn_.peer(); }
const net::SocketAddress& Exchange::local() const { return conn_.local(); }
net::EventLoop& Exchange::loop() { return conn_.worker().loop(); }
const ServerConfig& Exchange::config() const { return conn_.worker().config(); }
size_t Exchange::outputPending() const { return conn_.pendingOutput(); }

void Exchange::pauseBody() { bodyPaused_ = true; }

void Exchange::resumeBody() {
  if (!bodyPaused_) return;
  bodyPaused_ = false;
  if (!aborted_) conn_.kick();
}

std::string Exchange::buildHead(int status, const http::Headers& headers, std::optional<uint64_t> contentLength,
                                size_t reserveBody) {
  responseStarted_ = true;
  status_ = status;
  const bool noBodyStatus = status == 204 || status == 304 || (status >= 100 && status < 200);
  headOnly_ = head_.isHead() || noBodyStatus;
  const ServerConfig& cfg = config();
  bool close = !conn_.keepAlive();
  if (!bodyComplete_) {
    // A final answer to an Expect: 100-continue request whose body we never asked
    // for: the client may or may not send it, so the connection cannot be reused.
    if (head_.expectContinue && !conn_.continueSent() && hasBody()) close = true;
    uint64_t remaining = bodyLength() ? *bodyLength() - std::min(*bodyLength(), bodyBytes_) : 0;
    if (remaining > cfg.drainMaxBytes) close = true;
  }
  std::string out;
  out.reserve(160 + reserveBody);
  out += head_.versionMinor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ";
  out += std::to_string(status);
  out += ' ';
  out += http::reasonPhrase(status);
  out += "\r\n";
  bool hasDate = false, hasServer = false;
  for (const auto& h : headers) {
    // Framing headers are ours to write: a handler cannot get them wrong.
    if (http::iequals(h.name, "Content-Length") || http::iequals(h.name, "Transfer-Encoding") ||
        http::iequals(h.name, "Connection"))
      continue;
    hasDate = hasDate || http::iequals(h.name, "Date");
    hasServer = hasServer || http::iequals(h.name, "Server");
    out += h.name;
    out += ": ";
    out += h.value;
    out += "\r\n";
  }
  for (const auto& h : conn_.worker().server().router().responseHeaders()) {
    if (headers.has(h.name)) continue;
    out += h.name;
    out += ": ";
    out += h.value;
    out += "\r\n";
  }
  if (!hasDate) {
    out += "Date: ";
    out += http::httpDate();
    out += "\r\n";
  }
  if (!hasServer) {
    out += "Server: ";
    out += cfg.serverName;
    out += "\r\n";
  }
  if (noBodyStatus) {
  } else if (contentLength) {
    out += "Content-Length: ";
    out += std::to_string(*contentLength);
    out += "\r\n";
    declaredLength_ = contentLength;
  } else if (head_.http10()) {
    close = true;  // HTTP/1.0 has no chunked coding: the body ends at close
  } else {
    out += "Transfer-Encoding: chunked\r\n";
    chunkedOut_ = !head_.isHead();
  }
  if (close) {
    out += "Connection: close\r\n";
    conn_.setKeepAlive(false);
  } else if (head_.http10()) {
    out += "Connection: keep-alive\r\n";
  }
  out += "\r\n";
  return out;
}

void Exchange::startResponse(int status, http::Headers headers, std::optional<uint64_t> contentLength) {
  if (responseStarted_ || aborted_) return;
  conn_.queue(buildHead(status, headers, contentLength, 0));
  conn_.kick();
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
  conn_.queue(std::move(out));
  conn_.kick();
}

std::string errorJson(int status, std::string_view message) { return codec::errorBody(status, message); }

void Exchange::respondError(int status, std::string_view message) {
  std::string body = errorJson(status, message);
  http::Headers h;
  h.add("Content-Type", "application/json");
  respond(status, std::move(h), body);
}

bool Exchange::write(std::string_view data) {
  if (aborted_ || responseEnded_) return false;
  if (!responseStarted_) startResponse(200, {}, std::nullopt);
  if (headOnly_ || data.empty()) return conn_.pendingOutput() < config().outputHighWaterBytes;
  if (declaredLength_ && bytesOut_ + data.size() > *declaredLength_) data = data.substr(0, *declaredLength_ - bytesOut_);
  bytesOut_ += data.size();
  if (chunkedOut_) {
    std::string framed;
    framed.reserve(data.size() + 16);
    http::appendChunk(framed, data);
    conn_.queue(std::move(framed));
  } else {
    conn_.queue(std::string(data));
  }
  conn_.kick();
  bool ok = conn_.pendingOutput() < config().outputHighWaterBytes;
  if (!ok) waitingWritable_ = true;
  return ok;
}

bool Exchange::writeFile(std::shared_ptr<net::Fd> file, uint64_t offset, uint64_t length) {
  if (aborted_ || responseEnded_) return false;
  if (!responseStarted_) startResponse(200, {}, length);
  if (headOnly_ || length == 0) return true;
  if (chunkedOut_) {
    std::string framed;
    http::appendChunkHeader(framed, length);
    conn_.queue(std::move(framed));
    conn_.queueFile(std::move(file), offset, length);
    conn_.queue("\r\n");
  } else {
    conn_.queueFile(std::move(file), offset, length);
  }
  bytesOut_ += length;
  conn_.kick();
  return true;
}

void Exchange::writeRaw(std::string_view bytes) {
  if (aborted_) return;
  responseStarted_ = true;
  if (status_ == 0) status_ = -1;
  bytesOut_ += bytes.size();
  conn_.queue(std::string(bytes));
  conn_.kick();
}

void Exchange::end() {
  if (responseEnded_ || aborted_) return;
  if (!responseStarted_) startResponse(200, {}, 0);
  if (chunkedOut_ && !headOnly_) {
    std::string last;
    http::appendLastChunk(last);
    conn_.queue(std::move(last));
  }
  // A body shorter than its Content-Length breaks framing: the connection must not be reused.
  if (declaredLength_ && !headOnly_ && bytesOut_ < *declaredLength_) conn_.setKeepAlive(false);
  if (status_ < 0) conn_.setKeepAlive(false);  // raw bytes: we cannot know the framing
  responseEnded_ = true;
  conn_.kick();
}

void Exchange::closeAfterResponse() { conn_.setKeepAlive(false); }

void Exchange::abortConnection(bool reset) {
  if (aborted_) return;
  aborted_ = true;
  conn_.closeNow(reset, reset ? "reset by handler" : "closed by handler");
}

void Exchange::closeWhenIdleFor(std::chrono::milliseconds idle) { conn_.setIdleClose(idle); }

void Exchange::runAfter(std::chrono::milliseconds delay, std::function<void()> fn) {
  auto& loop = conn_.worker().loop();
  auto slot = std::make_shared<net::EventLoop::TimerId>(0);
  auto id = loop.runAfter(delay, [this, slot, fn = std::move(fn)] {
    std::erase(timers_, *slot);
    fn();
  });
  *slot = id;
  timers_.push_back(id);
}

}  // namespace sluice::server
