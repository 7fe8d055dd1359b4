#include "engine/client/pool.h"

#include <algorithm>

#include "engine/observe/process_stats.h"

namespace sluice::client {

using namespace std::chrono;
using observe::EventKind;

ConnectionPool::ConnectionPool(std::shared_ptr<ClientContext> ctx, net::EventLoop& loop)
    : ctx_(std::move(ctx)), loop_(loop) {}

ConnectionPool::~ConnectionPool() {
  *alive_ = false;
  resolver_.stop();
}

Result<std::shared_ptr<tls::TlsContext>> ConnectionPool::tlsContextFor(const tls::ClientSettings& settings) {
  std::string key = settings.key();
  auto it = tlsContexts_.find(key);
  if (it != tlsContexts_.end()) return it->second;
  auto ctx = tls::TlsContext::client(settings);
  if (!ctx) return ctx;
  tlsContexts_.emplace(key, *ctx);
  return ctx;
}

Result<HostPool*> ConnectionPool::hostFor(const Request& req) {
  const Url& url = req.url;
  const bool https = url.scheme == "https";
  // Every TLS setting that changes trust or identity is part of the key (curl
  // CVE-2021-22924, CVE-2022-27782): a connection made under other settings is never reused.
  std::string key = url.poolKey();
  if (https && !req.tls.key().empty()) key += " [" + req.tls.describe() + "] " + req.tls.key();
  auto& slot = hosts_[key];
  if (!slot) {
    std::shared_ptr<tls::TlsContext> ctx;
    if (https) {
      auto c = tlsContextFor(req.tls);
      if (!c) {
        hosts_.erase(key);
        return sluice::unexpected(c.error());
      }
      ctx = *c;
    }
    slot = std::make_unique<HostPool>();
    slot->key = key;
    slot->url = url;
    slot->url.target = "/";
    slot->tlsCtx = std::move(ctx);
  }
  return slot.get();
}

void ConnectionPool::submit(std::shared_ptr<PendingRequest> req) {
  if (closing_) return deliver(*req, fail(ErrorCode::kCancelled, "the client is shutting down"));
  if (auto safe = checkWireSafe(req->request); !safe) return deliver(*req, sluice::unexpected(safe.error()));
  auto host = hostFor(req->request);
  if (!host) return deliver(*req, sluice::unexpected(host.error()));
  HostPool& h = **host;
  const PoolLimits& lim = ctx_->limits();
  std::optional<NewConnReason> why = req->forcedReason;
  if (!why && req->request.forceNewConnection) why = NewConnReason::kReuseDisabled;
  if (!why) {
    if (auto c = takeIdle(h, why, req->request)) {
      auto now = net::Clock::now();
      req->verdict.reused = true;
      req->verdict.connectionId = c->id();
      req->verdict.idleMs = static_cast<uint64_t>(duration_cast<milliseconds>(now - c->idleSince()).count());
      req->verdict.savedConnectUs = c->connectCostUs();
      req->verdict.savedTlsUs = c->tlsCostUs();
      h.lossReason.reset();
      c->start(std::move(req), true);
      return;
    }
  }
  if (h.conns.size() < lim.maxConnsPerHost) {
    if (!why) why = std::exchange(h.lossReason, std::nullopt);
    if (!why) why = h.conns.empty() ? NewConnReason::kPoolEmpty : NewConnReason::kAllBusy;
    return openNew(h, std::move(req), *why);
  }
  enqueue(h, std::move(req));
}

std::shared_ptr<Connection> ConnectionPool::takeIdle(HostPool& h, std::optional<NewConnReason>& why, const Request& req) {
  const PoolLimits& lim = ctx_->limits();
  auto now = net::Clock::now();
  // An idle connection stays registered with epoll, so a FIN or stray bytes seen by the loop
  // close it at once. What arrived since the loop last looked is caught either by the retry
  // rule (a replayable request that finds the connection closed is sent again on a new one)
  // or, for a request that could not be retried, by a MSG_PEEK recv here (curl checks each
  // reused connection; Go's transport relies on its read loop and the retry).
  const bool probe = ctx_->config().probeIdleBeforeEveryReuse || !req.replayable();
  while (!h.idle.empty()) {
    Connection* c = h.idle.back();
    h.idle.pop_back();
    auto sp = c->shared_from_this();
    if (lim.maxConnAge.count() > 0 && now - c->created() >= lim.maxConnAge) {
      why = NewConnReason::kMaxAge;
      c->close(CloseReason::kMaxAge, "older than maxConnAge at reuse");
    } else if (lim.idleTimeout.count() > 0 && now - c->idleSince() >= lim.idleTimeout) {
      why = NewConnReason::kIdleExpired;
      c->close(CloseReason::kIdleTimeout, "idle for longer than idleTimeout at reuse");
    } else if (!c->idleAlive(probe)) {
      why = NewConnReason::kPeerClosedIdle;
      c->close(CloseReason::kPeerClosed, "liveness check before reuse: the peer closed or wrote on the idle connection");
    } else {
      return sp;
    }
  }
  return nullptr;
}

void ConnectionPool::openNew(HostPool& h, std::shared_ptr<PendingRequest> req, NewConnReason why) {
  auto c = std::make_shared<Connection>(*this, h, nextConnId_++);
  h.conns.push_back(c);
  req->verdict.reused = false;
  req->verdict.connectionId = c->id();
  req->verdict.reason = why;
  c->open(std::move(req));
}

void ConnectionPool::enqueue(HostPool& h, std::shared_ptr<PendingRequest> req) {
  auto timeout = ctx_->limits().connWaitTimeout;
  std::weak_ptr<PendingRequest> w = req;
  req->waitTimer = loop_.runAfter(timeout, [this, &h, w, timeout] {
    auto r = w.lock();
    if (!r) return;
    r->waitTimer = 0;
    auto it = std::find(h.waiters.begin(), h.waiters.end(), r);
    if (it == h.waiters.end()) return;
    h.waiters.erase(it);
    deliver(*r, fail(ErrorCode::kPoolExhausted,
                     "no free connection to " + h.key + ": all " + std::to_string(ctx_->limits().maxConnsPerHost) +
                         " connections (maxConnsPerHost) stayed busy for " + std::to_string(timeout.count()) +
                         " ms; release body streams sooner, or raise maxConnsPerHost or connWaitTimeout"));
  });
  h.waiters.push_back(std::move(req));
}

void ConnectionPool::serviceWaiters(HostPool& h) {
  size_t rounds = h.waiters.size();
  const size_t max = ctx_->limits().maxConnsPerHost;
  while (rounds-- > 0 && !h.waiters.empty() && (!h.idle.empty() || h.conns.size() < max)) {
    auto r = std::move(h.waiters.front());
    h.waiters.pop_front();
    if (r->waitTimer) loop_.cancel(r->waitTimer);
    r->waitTimer = 0;
    submit(std::move(r));
  }
}

void ConnectionPool::recycle(Connection& c) {
  HostPool& h = c.host();
  if (closing_) return c.close(CloseReason::kFlushed, "client shutting down");
  if (std::find(h.idle.begin(), h.idle.end(), &c) != h.idle.end()) {
    // Hertz PR 1242's bug: never let a connection into the idle list twice.
    ctx_->pooledTwiceRefused.fetch_add(1, std::memory_order_relaxed);
    ctx_->warning(c.id(), 0, "pooled-twice-refused", "connection was already idle; second insertion refused");
    return;
  }
  if (h.idle.size() >= ctx_->limits().maxIdlePerHost && h.waiters.empty())
    return c.close(CloseReason::kPoolFull, "maxIdlePerHost reached");
  c.becomeIdle();
  h.idle.push_back(&c);
  if (!h.waiters.empty()) serviceWaiters(h);
  checkSettled();
}

bool ConnectionPool::settled() const {
  for (const auto& [key, h] : hosts_) {
    if (!h->waiters.empty()) return false;
    for (const auto& c : h->conns) {
      ConnState s = c->state();
      if (s != ConnState::kIdle && s != ConnState::kStreaming && s != ConnState::kClosed) return false;
    }
  }
  return true;
}

void ConnectionPool::whenSettled(std::function<void()> fn) {
  if (settled()) return ctx_->flushEvents(), fn();
  settleWaiters_.push_back(std::move(fn));
}

void ConnectionPool::checkSettled() {
  if (settleWaiters_.empty()) return;
  // After this batch: the closing connection has left its host by then.
  loop_.defer([this, alive = std::weak_ptr<bool>(alive_)] {
    auto a = alive.lock();
    if (!a || !*a || settleWaiters_.empty() || !settled()) return;
    ctx_->flushEvents();  // settled: every event recorded so far is in the buffer
    for (auto& fn : std::exchange(settleWaiters_, {})) fn();
  });
}

void ConnectionPool::eraseFrom(HostPool& h, Connection& c) {
  std::erase(h.idle, &c);
  auto it = std::find_if(h.conns.begin(), h.conns.end(), [&](const auto& p) { return p.get() == &c; });
  if (it == h.conns.end()) return;
  // Keep the object alive until the loop finishes this batch of events.
  loop_.defer([keep = std::move(*it)] {});
  h.conns.erase(it);
}

void ConnectionPool::onClosed(Connection& c) {
  HostPool& h = c.host();
  eraseFrom(h, c);
  checkSettled();
  if (!h.waiters.empty())
    loop_.defer([this, &h, alive = std::weak_ptr<bool>(alive_)] {
      if (auto a = alive.lock(); a && *a) serviceWaiters(h);
    });
}

void ConnectionPool::attemptFailed(std::shared_ptr<PendingRequest> req, Error err, bool reusedConn, bool noResponseByte) {
  if (reusedConn && noResponseByte && req->attempts == 0 && !closing_) {
    if (req->request.replayable()) {
      ++req->attempts;
      req->verdict = ReuseVerdict{};
      req->verdict.retried = true;
      req->forcedReason = NewConnReason::kPeerClosedIdle;
      req->timings = Timings{};
      ctx_->retries.fetch_add(1, std::memory_order_relaxed);
      ctx_->event(EventKind::kClientRequest, 0, req->id, 0, "retrying on a new connection", err.message);
      return submit(std::move(req));
    }
    err.message += "; the request was not retried because " + req->request.notReplayableReason();
  }
  deliver(*req, sluice::unexpected(std::move(err)));
}

void ConnectionPool::deliver(PendingRequest& req, Result<Exchange> result) {
  if (req.done) return;
  req.done = true;
  ctx_->requests.fetch_add(1, std::memory_order_relaxed);
  if (!result) {
    ctx_->failures.fetch_add(1, std::memory_order_relaxed);
    ctx_->event(EventKind::kClientRequest, req.verdict.connectionId, req.id, 0, "failed", result.error().message);
  }
  auto cb = std::move(req.onHead);
  ctx_->flushEvents();  // the caller sees this request's events once it has its head
  if (cb) cb(std::move(result));
  checkSettled();
}

void ConnectionPool::flushIdle() {
  for (auto& [key, h] : hosts_) {
    auto idle = h->idle;
    for (Connection* c : idle) c->close(CloseReason::kFlushed, "flushIdle()");
  }
}

void ConnectionPool::setLimits(const PoolLimits& limits) {
  ctx_->setLimits(limits);
  for (auto& [key, h] : hosts_) {
    // Fewer idle slots: the oldest idle connections go first (the list is LIFO).
    while (h->idle.size() > limits.maxIdlePerHost) h->idle.front()->close(CloseReason::kPoolFull, "maxIdlePerHost lowered");
    // More connection slots: waiting requests may go now.
    if (!h->waiters.empty()) serviceWaiters(*h);
  }
}

bool ConnectionPool::cancel(uint64_t requestId) {
  for (auto& [key, h] : hosts_) {
    for (auto it = h->waiters.begin(); it != h->waiters.end(); ++it) {
      if ((*it)->id != requestId) continue;
      auto r = std::move(*it);
      h->waiters.erase(it);
      if (r->waitTimer) loop_.cancel(r->waitTimer);
      deliver(*r, fail(ErrorCode::kCancelled, "request cancelled while it waited for a connection"));
      return true;
    }
    auto conns = h->conns;
    for (auto& c : conns)
      if (c->cancelRequest(requestId)) return true;
  }
  return false;
}

void ConnectionPool::closeAll() {
  for (auto& [key, h] : hosts_) {
    auto waiters = std::move(h->waiters);
    h->waiters.clear();
    for (auto& r : waiters) {
      if (r->waitTimer) loop_.cancel(r->waitTimer);
      deliver(*r, fail(ErrorCode::kCancelled, "closeAll() cancelled the request while it waited for a connection"));
    }
    auto conns = h->conns;
    for (auto& c : conns) c->close(CloseReason::kFlushed, "closeAll()");
  }
}

void ConnectionPool::shutdown() {
  closing_ = true;
  closeAll();
  ctx_->flushEvents();
  for (auto& fn : std::exchange(settleWaiters_, {})) fn();
}

PoolSnapshot ConnectionPool::snapshot() {
  ctx_->flushEvents();  // events up to this snapshot are in the buffer when it is read
  PoolSnapshot snap;
  snap.timeNs = observe::monotonicNs();
  auto now = net::Clock::now();
  for (auto& [key, h] : hosts_) {
    HostSnapshot hs;
    hs.key = key;
    for (auto& c : h->conns) hs.connections.push_back(c->snapshot(now));
    hs.idle = h->idle.size();
    hs.busy = h->conns.size() - h->idle.size();
    hs.waiting = h->waiters.size();
    hs.timeWait = observe::countTimeWait(h->url.port);
    snap.hosts.push_back(std::move(hs));
  }
  snap.openFds = observe::readProcessStats().openFds;
  return snap;
}

}  // namespace sluice::client
