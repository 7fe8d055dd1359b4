#pragma once
/**
 * sluice::client::Client: a streaming HTTP/1.1 client with an observable connection pool.
 *
 * Threads: the client runs on one event loop (its own LoopThread, or a loop the caller
 * gives it). Every public member function is thread-safe: it posts a command into the
 * loop. Callbacks (onHead, stream callbacks, snapshot callbacks) run on that loop thread.
 * The blocking functions (fetch, snapshot) must not be called from the loop thread.
 *
 * Observation: pool state changes, request outcomes and warnings go into events(), a
 * bounded buffer (an overflow counter, never blocking the loop). snapshot() returns
 * the pool per host; stats() the running totals.
 *
 * Usage (blocking):
 *   Client client;
 *   auto ex = client.fetch(*Request::get("http://127.0.0.1:8080/x"));
 *   if (!ex) ...ex.error().message...
 *   while (auto chunk = ex->body.next()) { if (chunk->empty()) break; use(chunk->data()); }
 *   ex->body.release();
 */
#include <chrono>
#include <functional>
#include <memory>

#include "engine/client/body_stream.h"
#include "engine/client/pool_types.h"
#include "engine/client/request.h"
#include "engine/client/response.h"
#include "engine/observe/event_buffer.h"
#include "engine/util/error.h"

namespace sluice::net {
class EventLoop;
}

namespace sluice::client {

/** Everything configurable about a client. */
struct ClientConfig {
  PoolLimits pool;
  DrainPolicy drain;
  milliseconds connectTimeout{5000};
  milliseconds tlsHandshakeTimeout{10000};  ///< TCP connected -> TLS handshake done
  milliseconds headTimeout{30000};      ///< request written -> response head
  milliseconds bodyIdleTimeout{30000};  ///< no body byte for this long fails the stream (0: none)
  milliseconds totalTimeout{0};         ///< the whole exchange from send() to the body's end (0: none; curl --max-time)
  /**
   * Bodies above this many bytes, and streamed bodies of unknown size (chunked), are sent
   * with "Expect: 100-continue", as curl does (0: never; curl: 1 MiB).
   */
  uint64_t expectContinueBytes = 1 << 20;
  milliseconds heldTooLong{30000};      ///< a stream held longer raises "held-too-long" (0: never)
  size_t streamBufferBytes = 1 << 20;   ///< per stream: bytes read from the socket but not yet consumed
  size_t readChunkBytes = 256 * 1024;   ///< one socket read
  size_t eventCapacity = 65536;
  /**
   * Peek at every idle connection's socket (a MSG_PEEK recv) before reusing it, as curl
   * does. Off: only before a request that could not be retried; a replayable request that
   * meets a connection the peer has just closed is retried on a new one (docs/client.md).
   */
  bool probeIdleBeforeEveryReuse = false;
  std::string userAgent = "sluice/0.1";
};

/** A response head and its body stream: what a request gives back. */
struct Exchange {
  Response response;
  BodyStream body;
};

class Client {
 public:
  using HeadCallback = std::function<void(Result<Exchange>)>;
  using SnapshotCallback = std::function<void(PoolSnapshot)>;

  /** Starts its own loop thread. */
  explicit Client(ClientConfig config = {});
  /** Runs on a loop the caller owns and runs; construct and destroy on that loop's thread. */
  Client(net::EventLoop& loop, ClientConfig config);
  /** Closes every connection. Body streams still alive afterwards read as failed. */
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  /**
   * Sends a request. onHead runs on the loop thread with the head and its body stream,
   * or with an error (connect, timeout, pool exhausted, malformed response, ...).
   * Returns the request id that its events carry.
   */
  uint64_t send(Request request, HeadCallback onHead);
  /** Blocking form of send(): waits for the head. Not from the loop thread. */
  Result<Exchange> fetch(Request request);

  /**
   * Cancels a request whose response head has not arrived: it fails with
   * ErrorCode::kCancelled (its connection, if it had one, is closed). A request
   * whose head arrived is ended by releasing or aborting its body stream instead.
   */
  void cancel(uint64_t requestId);
  /** Changes the pool limits for every host, without closing busy connections. */
  void setPoolLimits(const PoolLimits& limits);
  /** The pool limits in force; thread-safe. */
  PoolLimits poolLimits() const;

  /** Closes every idle connection now (in use ones are left alone). */
  void flushIdle();
  /** Closes every connection, failing in-flight requests and streams. */
  void closeAll();

  /** Calls fn on the loop thread with the pool state. */
  void snapshotAsync(SnapshotCallback fn);
  /** Blocking form of snapshotAsync(). Not from the loop thread. */
  PoolSnapshot snapshot();

  /**
   * Waits until every release, drop and close issued before this call has been applied
   * and nothing is in motion (no request waiting, connecting or awaiting its head, no
   * connection draining), so that stats() is final. False when timeout passed first.
   * Not from the loop thread.
   */
  bool settle(std::chrono::milliseconds timeout);
  /** Non-blocking settle(): fn runs on the loop thread once settled (or when the client goes). */
  void whenSettled(std::function<void()> fn);

  /** Running totals; thread-safe, cheap. */
  ClientStats stats() const;
  /** Connection and request events (EventKind::kClientConnState, kClientRequest, kClientWarning). */
  observe::EventBuffer& events();
  const ClientConfig& config() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::client
