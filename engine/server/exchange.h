#pragma once
/**
 * One request and its response on a connection, as a handler sees it.
 * Everything runs on the connection's loop thread; handlers never block.
 */
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "engine/http/message.h"
#include "engine/net/event_loop.h"
#include "engine/net/socket.h"
#include "engine/util/error.h"

namespace sluice::server {

class Exchange;

/** The JSON body of an error answer: codec::errorBody, {"error":"message","status":N} and a newline. */
std::string errorJson(int status, std::string_view message);
struct ServerConfig;

/**
 * Per-request handler. The server calls onHead once, then onBody for each chunk
 * as it arrives (stream mode) or once with the whole body (buffered mode), then
 * onBodyEnd. A handler may respond at any point: before reading the body (the
 * remainder is drained within bounds, or the connection closed), or after.
 * onAbort is the last call when the exchange dies early: clean up there.
 */
class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  /** The head is parsed; with Expect: 100-continue, responding here means no body is read. */
  virtual void onHead(Exchange& ex) = 0;
  /** Body bytes; the view is valid only during the call. Call ex.pauseBody() to apply backpressure. */
  virtual void onBody(Exchange& ex, std::string_view chunk) { (void)ex; (void)chunk; }
  virtual void onBodyEnd(Exchange& ex) { (void)ex; }
  /** After write() returned false, the output has drained below the low watermark. */
  virtual void onWritable(Exchange& ex) { (void)ex; }
  /** The exchange ended early: peer gone, timeout, limit or server stop. No calls follow. */
  virtual void onAbort(Exchange& ex, const Error& why) { (void)ex; (void)why; }
};

/**
 * What an exchange needs from the connection that carries it, and no more
 * (implemented by Connection). Output queued here is sent in order.
 */
class ExchangeHost {
 public:
  virtual uint64_t connectionId() const = 0;
  virtual const net::SocketAddress& peer() const = 0;
  virtual const net::SocketAddress& local() const = 0;
  virtual net::EventLoop& loop() = 0;
  virtual const ServerConfig& config() const = 0;
  /** Headers added to every response that does not set them (the router's). */
  virtual const http::Headers& defaultResponseHeaders() const = 0;

  virtual void queue(std::string data) = 0;
  virtual void queueFile(std::shared_ptr<net::Fd> file, uint64_t offset, uint64_t length) = 0;
  virtual size_t pendingOutput() const = 0;
  /** The socket refused bytes on the last write and has not signalled writable since. */
  virtual bool outputBlocked() const = 0;
  /** Something changed (output queued, body resumed, response ended): run the connection's pump. */
  virtual void kick() = 0;
  virtual void closeNow(bool reset, const char* reason) = 0;
  virtual void closeWhenIdleFor(std::chrono::milliseconds idle) = 0;
  virtual bool keepAlive() const = 0;
  /** This response is the connection's last. */
  virtual void disableKeepAlive() = 0;
  virtual bool continueSent() const = 0;

 protected:
  ~ExchangeHost() = default;
};

class Exchange {
 public:
  Exchange(ExchangeHost& host, uint64_t id, http::RequestHead head);
  ~Exchange();

  const http::RequestHead& request() const { return head_; }
  uint64_t id() const { return id_; }
  uint64_t connectionId() const;
  const net::SocketAddress& peer() const;
  const net::SocketAddress& local() const;
  net::EventLoop& loop();
  const ServerConfig& config() const;
  std::chrono::steady_clock::time_point started() const { return started_; }

  // --- request body --------------------------------------------------------------
  /** Stop delivering body bytes; the socket is not read until resumeBody(). */
  void pauseBody();
  void resumeBody();
  bool bodyPaused() const { return bodyPaused_; }
  bool bodyComplete() const { return bodyComplete_; }
  uint64_t bodyBytesRead() const { return bodyBytes_; }
  /** Declared Content-Length, if any. */
  std::optional<uint64_t> bodyLength() const { return head_.framing.contentLength; }
  bool hasBody() const { return head_.framing.chunked || head_.framing.contentLength.value_or(0) > 0; }
  /**
   * Declares that this handler consumes every body chunk as it comes and does not
   * pause (a disk writer, a sink): the body is then read in ServerConfig::bulkReadBytes
   * pieces instead of readBufferBytes, which cuts system calls for big uploads. A
   * handler that pauses anyway may make the connection hold up to that many bytes.
   */
  void setBulkReads() { bulkReads_ = true; }
  /**
   * Declares that this handler discards the body and wants only its size (a sink). A
   * Content-Length body over plain TCP may then go from the socket to /dev/null through
   * a pipe (splice(2), ServerConfig::sinkSplice) without onBody seeing those bytes;
   * bodyBytesRead() still counts every one, and onBodyEnd follows as usual.
   */
  void setDiscardsBody() { discardsBody_ = true; }
  bool discardsBody() const { return discardsBody_; }

  // --- response ------------------------------------------------------------------
  /** A complete response with a Content-Length body. */
  void respond(int status, http::Headers headers, std::string_view body);
  /** A JSON or plain-text error: {"error": message, "status": n}. */
  void respondError(int status, std::string_view message);
  /**
   * Starts a streamed response. With a length, Content-Length is sent; without,
   * chunked (HTTP/1.1) or close-delimited (HTTP/1.0).
   */
  void startResponse(int status, http::Headers headers, std::optional<uint64_t> contentLength);
  /**
   * Queues body bytes. Returns false when writeRoom() is 0 (the connection holds
   * ServerConfig::outputBufferBytes, or the socket refused bytes): wait for onWritable.
   * write({}) only asks, and arms onWritable when there is no room.
   */
  bool write(std::string_view data);
  /**
   * Body bytes one write() may add without the connection holding more than
   * ServerConfig::outputBufferBytes; 0 while the socket refuses bytes. A generator
   * sizes its pieces by this, so a peer that never reads costs a bounded buffer.
   */
  size_t writeRoom() const;
  /** Queues length bytes of an open file from offset, sent with sendfile() or read/write (ServerConfig::fileSend). */
  bool writeFile(std::shared_ptr<net::Fd> file, uint64_t offset, uint64_t length);
  /** Completes the response. */
  void end();
  /** Sends a raw byte string (fault injection): no framing is added. */
  void writeRaw(std::string_view bytes);

  bool responseStarted() const { return responseStarted_; }
  bool responseEnded() const { return responseEnded_; }
  int responseStatus() const { return status_; }
  uint64_t bytesWritten() const { return bytesOut_; }
  size_t outputPending() const;
  /**
   * Calls fn once everything queued so far has left user space (now, when nothing
   * is pending). A later call replaces an earlier one; none fires after the exchange ends.
   */
  void whenFlushed(std::function<void()> fn);

  /** Adds Connection: close to the response and closes after it. */
  void closeAfterResponse();
  /** Closes the connection now: FIN, or RST when reset is true (fault injection). */
  void abortConnection(bool reset);
  /** Closes the connection once it has been idle (after this exchange) for idleMs. */
  void closeWhenIdleFor(std::chrono::milliseconds idle);

  /** A timer tied to this exchange: cancelled automatically when it ends. */
  void runAfter(std::chrono::milliseconds delay, std::function<void()> fn);

  /** Attaches the handler (done by the server). */
  void setHandler(std::unique_ptr<RequestHandler> h) { handler_ = std::move(h); }
  RequestHandler* handler() { return handler_.get(); }

  // --- called by the connection that carries the exchange ------------------------
  bool bulkReads() const { return bulkReads_; }
  bool aborted() const { return aborted_; }
  /** Why the exchange was aborted, in words (empty otherwise). */
  const std::string& abortReason() const { return abortReason_; }
  /** Counts body bytes read; returns the total. */
  uint64_t noteBodyBytes(size_t n) { return bodyBytes_ += n; }
  void markBodyComplete() { bodyComplete_ = true; }
  /** Buffered mode: the body collected before the handler runs. */
  std::string& bufferedBody() { return bufferedBody_; }
  /** Buffered mode: adds data to the collected body, and its size to gauge (the server's bodyBytesHeld). */
  void appendBuffered(std::string_view data, std::atomic<uint64_t>& gauge);
  /** Frees the collected body and takes its size out of the gauge (also done when the exchange ends). */
  void releaseBuffered();
  /** Marks the exchange dead, cancels its timers and tells the handler (once). Status 499 if none was sent. */
  void abort(const Error& why);
  /** The connection is done with the exchange: cancels its timers and any flush waiter. */
  void finish();
  /** The status an error answer from the connection carries (before any response byte). */
  void setErrorStatus(int status) { status_ = status; }
  /**
   * The connection sent bytes and holds pending (empty: no file segment either).
   * Wakes a writer waiting in onWritable, or the whenFlushed callback; true when one was called.
   */
  bool onOutputDrained(size_t pending, bool empty);

 private:
  /** Serialises the status line and headers, deciding framing and keep-alive. */
  std::string buildHead(int status, const http::Headers& headers, std::optional<uint64_t> contentLength, size_t reserveBody);
  /** The response cannot leave the connection reusable: keep-alive off, a malformed request, an unread or undrainable body. */
  bool mustCloseAfter(int status) const;
  /** Frames and queues body bytes, cut at the declared length, and runs the connection. */
  void queueBody(std::string_view data);
  /** The handler's fields (framing left out), the router's defaults, Date and Server. */
  void appendHeaderFields(std::string& out, const http::Headers& headers) const;

  ExchangeHost& host_;
  uint64_t id_;
  http::RequestHead head_;
  std::unique_ptr<RequestHandler> handler_;
  std::chrono::steady_clock::time_point started_;

  bool bodyPaused_ = false;
  bool bulkReads_ = false;
  bool discardsBody_ = false;
  bool bodyComplete_ = false;
  uint64_t bodyBytes_ = 0;
  std::string bufferedBody_;  // buffered mode only
  std::atomic<uint64_t>* heldGauge_ = nullptr;  // counts bufferedBody_.size() while it is held

  bool responseStarted_ = false;
  bool responseEnded_ = false;
  bool chunkedOut_ = false;
  bool headOnly_ = false;  // HEAD or a status without a body
  std::optional<uint64_t> declaredLength_;
  uint64_t bytesOut_ = 0;
  int status_ = 0;
  bool waitingWritable_ = false;
  bool aborted_ = false;
  std::string abortReason_;
  std::vector<net::EventLoop::TimerId> timers_;
  std::function<void()> flushed_;
};

}  // namespace sluice::server
