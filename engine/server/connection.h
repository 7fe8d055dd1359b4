#pragma once
/** One accepted HTTP/1.1 connection: read, parse, dispatch, write, keep alive. */
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "engine/http/parser.h"
#include "engine/net/event_loop.h"
#include "engine/net/socket.h"
#include "engine/server/exchange.h"

namespace sluice::server {

class Worker;

/**
 * Owns the socket, the parser and the current exchange. Requests are handled
 * one at a time: parsing of a pipelined request waits until the previous
 * response is complete, so responses are always in order. The read buffer is
 * bounded; when a handler pauses the body, the socket is not read.
 */
class Connection final : public net::IoHandler, private http::ParserListener {
 public:
  Connection(Worker& worker, net::Fd fd, net::SocketAddress peer, net::SocketAddress local, uint64_t id);
  ~Connection();

  void start();
  void onIo(uint32_t events) override;
  /** Server stop: close now if idle, else after the current response (force: now). */
  void shutdown(bool force);

  uint64_t id() const { return id_; }
  bool idle() const { return !exchange_ && !parser_.inMessage() && out_.empty(); }
  const net::SocketAddress& peer() const { return peer_; }
  const net::SocketAddress& local() const { return local_; }
  Worker& worker() { return worker_; }

  // --- used by Exchange -------------------------------------------------------
  void queue(std::string data);
  void queueFile(std::shared_ptr<net::Fd> file, uint64_t offset, uint64_t length);
  size_t pendingOutput() const { return outBytes_; }
  void kick();
  void closeNow(bool reset, const char* reason);
  void setIdleClose(std::chrono::milliseconds idle) { idleCloseAfter_ = idle; }
  bool keepAlive() const { return keepAlive_ && !stopping_; }
  void setKeepAlive(bool v) { keepAlive_ = v; }
  bool continueSent() const { return sentContinue_; }
  /** The connection's single timer fired. */
  void onTimer();

 private:
  enum class Phase { kHead, kBody, kAwaitResponse, kDrain, kLinger, kClosed };
  // Bytes one connection may send per event-loop turn. Without a bound, one turn
  // fills a whole (autotuned, many-MiB) socket buffer for every writable
  // connection, and 40 clients that never read delayed others' accepts by ~0.9 s.
  // Like nginx's sendfile_max_chunk; epoll is level-triggered, so the rest follows
  // on the next turn.
  static constexpr size_t kWriteBudgetPerTurn = 1024 * 1024;
  struct Segment {
    std::string data;
    size_t pos = 0;
    std::shared_ptr<net::Fd> file;
    uint64_t fileOffset = 0;
    uint64_t fileLeft = 0;
  };

  // ParserListener
  Action onHeadComplete() override;
  Action onBody(std::string_view data) override;
  Action onMessageComplete() override;

  void readLoop();
  void processInput();
  void dispatchHead();
  void dispatchBuffered();
  void settle();
  void finishExchangeIfDone();
  void endExchange();
  void failRequest(int status, const std::string& message);
  void abortExchange(const Error& why);
  void flush();
  void updateInterest();
  void setDeadline(std::chrono::milliseconds fromNow);
  void onPeerClosed();
  void beginLinger();
  void emitClosed(const char* reason);
  void emitProgress();
  bool wantRead() const;
  std::string_view buffered() const { return {buf_.data() + bufStart_, bufEnd_ - bufStart_}; }
  void ensureBuffer();

  Worker& worker_;
  net::Fd fd_;
  net::SocketAddress peer_;
  net::SocketAddress local_;
  uint64_t id_;
  http::Parser parser_;
  Phase phase_ = Phase::kHead;
  std::unique_ptr<Exchange> exchange_;
  uint64_t requestsServed_ = 0;

  std::string buf_;  // own read buffer, allocated only while it holds bytes
  size_t bufStart_ = 0;
  size_t bufEnd_ = 0;
  std::string_view feeding_;  // the bytes being parsed right now (scratch or own)

  std::deque<Segment> out_;
  size_t outBytes_ = 0;
  size_t writeBudget_ = 0;  // bytes this connection may still send in this loop turn
  uint32_t interest_ = 0;
  bool registered_ = false;
  bool closeAfterFlush_ = false;
  bool peerClosed_ = false;
  bool keepAlive_ = true;
  bool headPending_ = false;
  bool messageDone_ = false;
  bool inPump_ = false;
  bool again_ = false;
  bool stopping_ = false;
  bool sentContinue_ = false;
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

  friend class Exchange;
};

}  // namespace sluice::server
