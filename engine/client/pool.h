#pragma once
/**
 * The connection pool: one HostPool per scheme, host and port, LIFO idle reuse,
 * waiting for a free slot, the reuse verdict and the retry rule. Loop thread only.
 * Internal to engine/client; the public face is Client.
 */
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/client/client_context.h"
#include "engine/client/connection.h"
#include "engine/client/resolver.h"
#include "engine/tls/tls_context.h"

namespace sluice::client {

/** One scheme/host/port (and, for https, TLS settings): its connections, idle stack and waiters. */
struct HostPool {
  std::string key;
  Url url;
  std::shared_ptr<tls::TlsContext> tlsCtx;         ///< https: shared by every connection of this key
  std::vector<std::shared_ptr<Connection>> conns;  ///< every open connection
  std::vector<Connection*> idle;                   ///< LIFO: back() is the most recent
  std::deque<std::shared_ptr<PendingRequest>> waiters;
  std::optional<NewConnReason> lossReason;         ///< why the last would-be idle connection was lost
};

class ConnectionPool {
 public:
  ConnectionPool(std::shared_ptr<ClientContext> ctx, net::EventLoop& loop);
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  void submit(std::shared_ptr<PendingRequest> req);
  void flushIdle();
  /** New limits for every host: trims idle connections and lets waiters in. */
  void setLimits(const PoolLimits& limits);
  /** Fails a request that has no response head yet; false when there is none. */
  bool cancel(uint64_t requestId);
  void closeAll();
  /** The client is going away: fail everything and refuse new requests. */
  void shutdown();
  PoolSnapshot snapshot();
  /**
   * Calls fn once nothing is in motion: no request waiting for a slot or its head, no
   * connection draining. Posted releases and closes queued before this call are applied
   * first (the mailbox is FIFO). fn runs on the loop thread.
   */
  void whenSettled(std::function<void()> fn);

  // ---- from connections ----------------------------------------------------------
  /** The exchange ended and the connection may be kept. */
  void recycle(Connection& c);
  /** The connection closed; it is dropped from its host after this batch. */
  void onClosed(Connection& c);
  /** A request failed before its head; retried when the rule allows. */
  void attemptFailed(std::shared_ptr<PendingRequest> req, Error err, bool reusedConn, bool noResponseByte);
  /** Hands the head (or an error) to the caller, once. */
  void deliver(PendingRequest& req, Result<Exchange> result);
  void noteLoss(HostPool& h, NewConnReason why) { h.lossReason = why; }

  ClientContext& ctx() { return *ctx_; }
  const std::shared_ptr<ClientContext>& ctxPtr() const { return ctx_; }
  net::EventLoop& loop() { return loop_; }
  Resolver& resolver() { return resolver_; }

 private:
  Result<HostPool*> hostFor(const Request& req);
  Result<std::shared_ptr<tls::TlsContext>> tlsContextFor(const tls::ClientSettings& settings);
  std::shared_ptr<Connection> takeIdle(HostPool& h, std::optional<NewConnReason>& why, const Request& req);
  void openNew(HostPool& h, std::shared_ptr<PendingRequest> req, NewConnReason why);
  void enqueue(HostPool& h, std::shared_ptr<PendingRequest> req);
  void serviceWaiters(HostPool& h);
  void eraseFrom(HostPool& h, Connection& c);
  bool settled() const;
  void checkSettled();

  std::shared_ptr<ClientContext> ctx_;
  net::EventLoop& loop_;
  Resolver resolver_;
  std::map<std::string, std::unique_ptr<HostPool>> hosts_;
  /** One TLS context (and session cache) per distinct settings key: never shared across settings. */
  std::map<std::string, std::shared_ptr<tls::TlsContext>> tlsContexts_;
  uint64_t nextConnId_ = 1;
  bool closing_ = false;
  std::vector<std::function<void()>> settleWaiters_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  ///< guards deferred tasks
};

}  // namespace sluice::client
