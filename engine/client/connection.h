#pragma once
/**
 * One client connection: connects, writes a request, parses the response with our
 * llhttp wrapper and feeds the body to a StreamCore. Lives on the loop thread and is
 * owned by its host's pool. Internal to engine/client.
 */
#include <memory>
#include <optional>
#include <string>

#include "engine/client/client.h"
#include "engine/client/client_context.h"
#include "engine/client/transport.h"
#include "engine/http/parser.h"
#include "engine/net/event_loop.h"
#include "engine/net/socket.h"

namespace sluice::client {

class ConnectionPool;
struct HostPool;
class StreamCore;

/** A request on its way: owned by the pool until its head (or error) is delivered. */
struct PendingRequest {
  uint64_t id = 0;
  Request request;
  Client::HeadCallback onHead;
  net::Clock::time_point start;
  Timings timings;
  ReuseVerdict verdict;
  int attempts = 0;
  std::optional<NewConnReason> forcedReason;  ///< set for a retry: must use a new connection
  net::EventLoop::TimerId waitTimer = 0;
  bool done = false;

  uint64_t sinceStartUs(net::Clock::time_point now) const;
};

class Connection final : public net::IoHandler, public std::enable_shared_from_this<Connection> {
 public:
  Connection(ConnectionPool& pool, HostPool& host, uint64_t id);
  ~Connection();

  uint64_t id() const { return id_; }
  ConnState state() const { return state_; }
  HostPool& host() { return host_; }
  net::Clock::time_point created() const { return created_; }
  net::Clock::time_point idleSince() const { return idleSince_; }
  uint64_t requestsServed() const { return requestsServed_; }
  /** What opening this connection cost: its TCP connect and (https) TLS handshake, in µs. */
  uint64_t connectCostUs() const { return connectCostUs_; }
  uint64_t tlsCostUs() const { return tlsCostUs_; }
  /** "0.4 ms connect + 3.1 ms TLS handshake": what a replacement connection will cost. */
  std::string reopenCostText() const;

  /** Opens the connection for req (which it will carry first). */
  void open(std::shared_ptr<PendingRequest> req);
  /** Sends req on this idle connection. */
  void start(std::shared_ptr<PendingRequest> req, bool reused);
  /**
   * Liveness check before reuse: false when the peer closed or wrote (as far as seen).
   * probeSocket adds a MSG_PEEK recv; the pool asks for it only for requests that could
   * not be retried (docs/client.md, "Pool").
   */
  bool idleAlive(bool probeSocket = true);
  /** Parks the connection idle (called by the pool). */
  void becomeIdle();
  void close(CloseReason reason, std::string detail = {});
  /** Cancels requestId if it is this connection's and its head has not arrived: closes, fails it. */
  bool cancelRequest(uint64_t requestId);

  // From the stream (posted onto the loop).
  void onReleased(bool close, bool leaked);
  void resumeReading();

  void onIo(uint32_t events) override;
  ConnSnapshot snapshot(net::Clock::time_point now) const;

 private:
  class Listener;
  friend class Listener;

  void onResolved(Result<net::SocketAddress> addr);
  void onConnected();
  void startHandshake();
  void driveHandshake();
  void failAttempt(Error err, CloseReason reason, bool retryable);
  /** A socket error as a close reason: ECONNRESET is "reset by peer", whatever the phase. */
  static CloseReason reasonForErrno(int err);
  void beginRequest();
  Status buildHead();
  /** Merges Host, User-Agent, framing and Expect into the user's headers and serializes the head into out_. */
  Status serializeHead();
  /** The head and framing facts of an earlier send of the same request (Request::preparedHead). */
  void usePreparedHead(const PreparedHead& p);
  Status frameBody(http::Headers& h);
  void appendBytesBody();
  void flushWrites();
  /** n bytes went out: the part past the head counts as upload progress. */
  void noteWritten(uint64_t n);
  bool produceBody();
  void onWriteRefused(int err);
  Error writeError(int err) const;
  Error noResponseError(Error plain) const;
  void sendBodyNow();
  void requestWritten();
  void onReadable();
  void onEof();
  void parseBuffered();
  void onHead();
  void onMessageDone();
  void startDrain();
  /** A drain ended (kept or closed): adds its bytes and time to the client's counters; returns the time in µs. */
  uint64_t countDrain();
  void finishExchange();
  void updateInterest();
  void markNotReusable(CloseReason reason, std::optional<NewConnReason> loss, std::string why);
  void onFramingError();
  void armHeadTimer();
  void armDeadline();
  void armBodyIdle(std::chrono::milliseconds wait);
  /** The body idle timeout of the current request (Request::bodyIdleTimeout), else the client's; 0: none. */
  std::chrono::milliseconds bodyIdleLimit() const;
  /** A timeout: fails the request before its head, or its body stream after, and closes. */
  void expire(Error err);
  void cancelTimers();
  void setState(ConnState s, std::string reason = {});
  std::weak_ptr<Connection> weak() { return weak_from_this(); }
  uint64_t reqId() const;

  ConnectionPool& pool_;
  HostPool& host_;
  ClientContext& ctx_;
  net::EventLoop& loop_;
  const uint64_t id_;
  ConnState state_ = ConnState::kConnecting;
  net::Clock::time_point created_;
  net::Clock::time_point idleSince_;
  net::Clock::time_point heldSince_;
  uint64_t requestsServed_ = 0;
  uint64_t bytesIn_ = 0;
  uint64_t bytesOut_ = 0;
  net::Clock::time_point connectStart_;
  net::Clock::time_point tlsStart_;
  net::Clock::time_point drainStart_;
  uint64_t connectCostUs_ = 0;
  uint64_t tlsCostUs_ = 0;
  bool handshaking_ = false;
  bool pendingKick_ = false;  ///< a read of TLS bytes held inside OpenSSL is scheduled

  std::unique_ptr<Transport> transport_;
  std::unique_ptr<Listener> listener_;
  std::unique_ptr<http::Parser> parser_;
  uint32_t interest_ = 0;
  bool registered_ = false;
  bool connectIssued_ = false;   ///< connect() went to the kernel: its outcome is counted once

  std::shared_ptr<PendingRequest> req_;
  std::shared_ptr<StreamCore> core_;
  bool reusedForCurrent_ = false;
  uint64_t reqBytesIn_ = 0;
  bool headDelivered_ = false;
  bool messageDone_ = false;
  bool is1xx_ = false;
  bool reusable_ = true;
  bool released_ = false;
  bool eof_ = false;
  std::string notReusableWhy_;
  CloseReason notReusableReason_ = CloseReason::kNone;
  std::optional<NewConnReason> notReusableLoss_;

  // write side
  std::string out_;
  size_t outOff_ = 0;
  net::Fd file_;
  uint64_t fileLeft_ = 0;
  bool bodyPending_ = false;     ///< file or pull bytes still to produce
  bool bodyChunked_ = false;
  bool bodyCutShort_ = false;          ///< the server answered before the body was all sent
  std::optional<uint64_t> bodySize_;  ///< known request body size (bytes or file)
  std::string sentHead_;               ///< the request head as written, handed to the Response
  uint64_t headLeft_ = 0;              ///< head bytes not yet written: the rest of each write is body
  bool waitingContinue_ = false;
  bool written_ = false;
  int writeErrno_ = 0;  ///< a send that failed with EPIPE/ECONNRESET while a response may still be readable

  // read side: the buffer is shared with body chunks, so it is replaced when still referenced
  std::shared_ptr<char[]> rbuf_;
  size_t rcap_ = 0;
  size_t rbegin_ = 0;
  size_t rend_ = 0;
  bool chargedBuffer_ = false;   ///< the current read buffer was charged to the stream
  bool readPaused_ = false;

  uint64_t drainBytes_ = 0;
  net::EventLoop::TimerId connectTimer_ = 0, headTimer_ = 0, idleTimer_ = 0, drainTimer_ = 0, heldTimer_ = 0,
                          continueTimer_ = 0, tlsTimer_ = 0, deadlineTimer_ = 0, bodyIdleTimer_ = 0;
  net::Clock::time_point lastBodyAt_;
  net::Clock::time_point readAt_;  ///< when the bytes being parsed arrived (kept for chunk reports)
};

/** Parser callbacks into the connection (Node's one-trampoline style). */
class Connection::Listener final : public http::ParserListener {
 public:
  explicit Listener(Connection& c) : c_(c) {}
  Action onHeadComplete() override;
  Action onBody(std::string_view data) override;
  Action onMessageComplete() override;
  void onChunkHeader(uint64_t size, std::string_view extensions) override;

 private:
  Connection& c_;
};

}  // namespace sluice::client
