#include "engine/client/client.h"

#include <future>

#include "engine/client/client_context.h"
#include "engine/client/pool.h"
#include "engine/net/event_loop.h"

namespace sluice::client {

struct Client::Impl {
  std::unique_ptr<net::LoopThread> thread;
  net::EventLoop* loop = nullptr;
  std::shared_ptr<ClientContext> ctx;
  std::shared_ptr<ConnectionPool> pool;

  void init(net::EventLoop& l, ClientConfig config) {
    loop = &l;
    ctx = std::make_shared<ClientContext>(std::move(config), loop);
    pool = std::make_shared<ConnectionPool>(ctx, *loop);
  }
  /** Runs fn(pool) on the loop; false when the client is gone. */
  bool onLoop(std::function<void(ConnectionPool&)> fn) {
    return ctx->post([w = std::weak_ptr<ConnectionPool>(pool), fn = std::move(fn)] {
      if (auto p = w.lock()) fn(*p);
    });
  }
};

Client::Client(ClientConfig config) : impl_(std::make_unique<Impl>()) {
  impl_->thread = std::make_unique<net::LoopThread>("sluice-client");
  impl_->init(impl_->thread->loop(), std::move(config));
  impl_->thread->start();
  // Wait until the loop runs, so inLoopThread() tells callers apart from the start.
  std::promise<void> running;
  auto fut = running.get_future();
  impl_->loop->post([&running] { running.set_value(); });
  fut.wait();
}

Client::Client(net::EventLoop& loop, ClientConfig config) : impl_(std::make_unique<Impl>()) {
  impl_->init(loop, std::move(config));
}

Client::~Client() {
  if (impl_->thread) {
    std::promise<void> done;
    auto fut = done.get_future();
    if (impl_->onLoop([&done](ConnectionPool& p) {
          p.shutdown();
          done.set_value();
        }))
      fut.wait_for(std::chrono::seconds(10));
    impl_->ctx->detachLoop();
    impl_->thread->stopAndJoin();
  } else {
    impl_->pool->shutdown();
    impl_->ctx->detachLoop();
  }
  impl_->ctx->flushEvents();  // the loop is gone: what its last turn recorded goes in now
  impl_->pool.reset();
}

uint64_t Client::send(Request request, HeadCallback onHead) {
  auto req = std::make_shared<PendingRequest>();
  req->id = impl_->ctx->nextRequestId();
  req->request = std::move(request);
  req->onHead = std::move(onHead);
  req->start = net::Clock::now();
  uint64_t id = req->id;
  auto cb = req->onHead;
  if (!impl_->onLoop([req](ConnectionPool& p) { p.submit(req); }) && cb)
    cb(fail(ErrorCode::kCancelled, "the client is shut down"));
  return id;
}

Result<Exchange> Client::fetch(Request request) {
  if (impl_->loop->inLoopThread())
    return fail(ErrorCode::kInvalidArgument, "Client::fetch() called on the client's loop thread; use send() there");
  auto promise = std::make_shared<std::promise<Result<Exchange>>>();
  auto fut = promise->get_future();
  send(std::move(request), [promise](Result<Exchange> r) { promise->set_value(std::move(r)); });
  return fut.get();
}

void Client::cancel(uint64_t requestId) {
  impl_->onLoop([requestId](ConnectionPool& p) { p.cancel(requestId); });
}

void Client::setPoolLimits(const PoolLimits& limits) {
  impl_->onLoop([limits](ConnectionPool& p) { p.setLimits(limits); });
}

PoolLimits Client::poolLimits() const { return impl_->ctx->publishedLimits(); }

void Client::flushIdle() {
  impl_->onLoop([](ConnectionPool& p) { p.flushIdle(); });
}

void Client::closeAll() {
  impl_->onLoop([](ConnectionPool& p) { p.closeAll(); });
}

void Client::snapshotAsync(SnapshotCallback fn) {
  impl_->onLoop([fn = std::move(fn)](ConnectionPool& p) { fn(p.snapshot()); });
}

PoolSnapshot Client::snapshot() {
  if (impl_->loop->inLoopThread()) return impl_->pool->snapshot();
  auto promise = std::make_shared<std::promise<PoolSnapshot>>();
  auto fut = promise->get_future();
  if (!impl_->onLoop([promise](ConnectionPool& p) { promise->set_value(p.snapshot()); })) return {};
  if (fut.wait_for(std::chrono::seconds(10)) != std::future_status::ready) return {};
  return fut.get();
}

bool Client::settle(std::chrono::milliseconds timeout) {
  if (impl_->loop->inLoopThread()) return false;
  auto promise = std::make_shared<std::promise<void>>();
  auto fut = promise->get_future();
  if (!impl_->onLoop([promise](ConnectionPool& p) { p.whenSettled([promise] { promise->set_value(); }); })) return false;
  return fut.wait_for(timeout) == std::future_status::ready;
}

void Client::whenSettled(std::function<void()> fn) {
  impl_->onLoop([fn = std::move(fn)](ConnectionPool& p) mutable { p.whenSettled(std::move(fn)); });
}

ClientStats Client::stats() const { return impl_->ctx->stats(); }
observe::EventBuffer& Client::events() { return impl_->ctx->events(); }
const ClientConfig& Client::config() const { return impl_->ctx->config(); }

}  // namespace sluice::client
