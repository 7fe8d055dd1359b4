#pragma once
/** One accepted HTTP/1.1 connection: read, parse, dispatch, write, keep alive. */
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "engine/http/parser.h"
#include "engine/net/event_loop.h"
#include "engine/observe/event_buffer.h"
#include "engine/net/socket.h"
#include "engine/server/exchange.h"
#include "engine/server/transport.h"

namespace sluice::server {

class Worker;

/**
 * Owns the transport, the parser and the current exchange. Requests are handled
 * one at a time: parsing of a pipelined request waits until the previous
 * response is complete, so responses are always in order. The read buffer is
 * bounded; when a handler pauses the body, the socket is not read.
 *
 * One state machine (State, changed only by transition()) and one pump: every
 * event (readiness, a handler's kick, a timer) runs the pump, which parses what
 * it can, settles the state and flushes output until nothing changes.
 */
class Connection final : public net::IoHandler, public ExchangeHost, private http::ParserListener {
 public:
  enum class State {
    kReadHead,       ///< waiting for or reading a request head (idle between requests)
    kReadBody,       ///< an exchange is reading its request body
    kAwaitResponse,  ///< the body is in; the handler is responding
    kDrain,          ///< the response is done; the unread body is discarded, within bounds
    kClosing,        ///< the last response is queued: flush it, then half-close
    kLinger,         ///< write side shut: discard input until the peer closes or the deadline
    kClosed,
  };

  Connection(Worker& worker, net::Fd fd, net::SocketAddress peer, net::SocketAddress local, uint64_t id);
  ~Connection();

  void start();
  void onIo(uint32_t events) override;
  /** Server stop: close now if idle, else after the current response (force: now). */
  void shutdown(bool force);
  /** The connection's single timer fired. */
  void onTimer();
  /** Its turn in the worker's write round: sends one quantum, and queues again if more is left. */
  void serveWrite();

  uint64_t id() const { return id_; }
  State state() const { return state_; }
  bool idle() const { return !exchange_ && !parser_.inMessage() && out_.empty(); }
  Worker& worker() { return worker_; }

  // ExchangeHost
  uint64_t connectionId() const override { return id_; }
  const net::SocketAddress& peer() const override { return peer_; }
  const net::SocketAddress& local() const override { return local_; }
  net::EventLoop& loop() override;
  const ServerConfig& config() const override;
  const http::Headers& defaultResponseHeaders() const override;
  void queue(std::string data) override;
  void queueFile(std::shared_ptr<net::Fd> file, uint64_t offset, uint64_t length) override;
  size_t pendingOutput() const override { return outBytes_; }
  bool outputBlocked() const override { return blocked_; }
  void kick() override;
  void closeNow(bool reset, const char* reason) override;
  void closeWhenIdleFor(std::chrono::milliseconds idle) override { idleCloseAfter_ = idle; }
  bool keepAlive() const override { return reuse_ == Reuse::kKeepAlive; }
  void disableKeepAlive() override;
  bool continueSent() const override { return continue_ == Continue::kSent; }

 private:
  /** Whether the connection may carry another request after this one. */
  enum class Reuse { kKeepAlive, kLastRequest, kServerStopping };
  /** The parser paused on one of these; the pump acts on it. */
  enum class ParseSignal { kNone, kHeadComplete, kMessageComplete };
  enum class PumpState { kIdle, kRunning, kRerun };
  enum class Continue { kNotSent, kSent };

  struct Segment {
    std::string data;
    size_t pos = 0;
    std::shared_ptr<net::Fd> file;
    uint64_t fileOffset = 0;
    uint64_t fileLeft = 0;  // not yet sent, staged bytes included
    // Read/write path (connection_file.cpp): the file's bytes from fileOffset, read
    // ahead and not yet sent; freed with the segment.
    bool readWrite = false;
    std::unique_ptr<char[]> staged;
    size_t stagedLen = 0;
    size_t stagedPos = 0;
  };

  // ParserListener
  Action onHeadComplete() override;
  Action onBody(std::string_view data) override;
  Action onMessageComplete() override;

  /** The one place the state changes; runs the entry action of the new state. */
  void transition(State next);
  template <typename Step>
  void pump(Step&& first);
  void handleIo(uint32_t events);
  void readLoop();
  /** What one splice step did (connection_splice.cpp). */
  enum class SpliceStep { kMoved, kStop, kFallBack };
  /** The rest of this body may bypass user space: a discarding handler, Content-Length, plain TCP, nothing buffered. */
  bool spliceWanted() const;
  /** Splices up to one read's worth of the body to /dev/null; kMoved: a full piece, read on. */
  SpliceStep spliceBody();
  /** Counts n spliced body bytes as read, and lets the parser end the message after the last. */
  void noteSpliced(size_t n);
  void processInput();
  bool parseStep(std::string_view data, bool own);
  void keepUnparsed();
  void onParseSignal(ParseSignal signal);
  void dispatchHead();
  bool refuseHead();
  void dispatchBuffered();
  void settle();
  void armDeadline();
  void finishExchangeIfDone();
  void endExchange();
  /** Emits the finish of exchanges whose response has now left user space. */
  void emitFinishedSent();
  /** The connection closes: exchanges whose response had not all left are reported aborted. */
  void emitFinishedAborted(const char* reason);
  void failRequest(int status, const std::string& message);
  void abortExchange(const Error& why);
  void onTimeout();
  void flush();
  void queueForWriteRound();
  bool flushFile(Segment& front);
  bool readWriteFile(int fileFd) const;
  bool flushFileReadWrite(Segment& front);
  void fileBytesSent(Segment& front, size_t n);
  bool flushData();
  void afterWrite();
  bool retractResponse();
  void updateInterest();
  void setDeadline(std::chrono::milliseconds fromNow);
  void onPeerClosed();
  void emitClosed(const char* reason);
  void emitProgress();
  bool wantRead() const;
  bool canParse() const;
  std::string_view buffered() const { return {buf_.data() + bufStart_, bufEnd_ - bufStart_}; }
  void ensureBuffer();
  size_t readBufferBound() const;

  Worker& worker_;
  std::unique_ptr<Transport> transport_;
  net::SocketAddress peer_;
  net::SocketAddress local_;
  uint64_t id_;
  http::Parser parser_;
  State state_ = State::kReadHead;
  Reuse reuse_ = Reuse::kKeepAlive;
  ParseSignal signal_ = ParseSignal::kNone;
  PumpState pump_ = PumpState::kIdle;
  Continue continue_ = Continue::kNotSent;
  bool peerClosed_ = false;  // the read side saw EOF
  bool spliceRefused_ = false;  // splice failed for this request: it reads normally
  std::unique_ptr<Exchange> exchange_;
  uint64_t requestsServed_ = 0;

  std::string buf_;  // own read buffer, allocated only while it holds bytes
  size_t bufStart_ = 0;
  size_t bufEnd_ = 0;
  std::string_view feeding_;  // the bytes being parsed right now (scratch or own)

  // A request's finish is reported once its response has left user space (sentTotal_
  // reaches endMark), or as aborted, with the bytes sent, if the connection ends first.
  struct Finishing {
    observe::Event ev;
    uint64_t startMark = 0;  // queuedTotal_ when the exchange began
    uint64_t endMark = 0;    // queuedTotal_ when it ended
    std::chrono::steady_clock::time_point started{};
  };
  std::deque<Finishing> finishing_;

  std::deque<Segment> out_;
  size_t outBytes_ = 0;
  uint64_t queuedTotal_ = 0;      // bytes ever queued (data and files)
  uint64_t sentTotal_ = 0;        // bytes ever handed to the transport
  uint64_t exchangeOutMark_ = 0;  // queuedTotal_ when the current exchange began
  // Bytes this connection may still send in this pump (ServerConfig::connectionWriteBudgetBytes).
  // Without a bound, one turn fills a whole (autotuned, many-MiB) socket buffer for every
  // writable connection (nginx's sendfile_max_chunk); the worker's turn budget caps the sum.
  // epoll is level-triggered, so the rest follows on the next turn.
  size_t writeBudget_ = 0;
  bool blocked_ = false;  // the socket refused bytes; cleared when epoll reports it writable
  bool queuedWrite_ = false;  // waiting in the worker's write round (EPOLLOUT interest off meanwhile)
  std::optional<uint32_t> interest_;  // epoll interest; empty until registered
  uint64_t drained_ = 0;
  std::chrono::steady_clock::time_point drainDeadline_{};
  std::chrono::steady_clock::time_point lingerDeadline_{};
  std::chrono::milliseconds idleCloseAfter_{0};

  std::chrono::steady_clock::time_point deadline_{};
  std::chrono::steady_clock::time_point headStart_{};
  std::chrono::steady_clock::time_point acceptedAt_{};
  std::chrono::steady_clock::time_point lastActive_{};
  net::EventLoop::TimerId timer_ = 0;
  std::chrono::steady_clock::time_point timerAt_{};
  std::chrono::steady_clock::time_point lastProgressEvent_{};
};

}  // namespace sluice::server
