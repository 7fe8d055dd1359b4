#include "engine/server/worker.h"

#include <malloc.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "engine/server/connection.h"
#include "engine/server/server.h"

namespace sluice::server {

using namespace std::chrono_literals;

Worker::Worker(Server& server, int index, net::Fd listener)
    : server_(server),
      index_(index),
      listener_(std::move(listener)),
      thread_("sluice-w" + std::to_string(index), server.config().clock, loopBackend(server.config())),
      scratch_(new char[std::max(server.config().readBufferBytes, server.config().bulkReadBytes)]),
      scratchSize_(std::max(server.config().readBufferBytes, server.config().bulkReadBytes)) {}

Worker::~Worker() { thread_.stopAndJoin(); }

const ServerConfig& Worker::config() const { return server_.config(); }

Status Worker::start() {
  if (auto err = loop().initError()) return sluice::unexpected(*err);
  // Watched before the thread starts (epoll_ctl is thread-safe), so a failure is
  // Server::start's error instead of a server that says it listens and never accepts.
  if (auto st = loop().add(listener_.get(), EPOLLIN, this); !st)
    return fail(ErrorCode::kSystem, "cannot watch the listening socket: " + st.error().message);
  thread_.start();
  return {};
}

void Worker::notice(std::string text) {
  if (!config().emitEvents) return;
  observe::Event ev{.kind = observe::EventKind::kServerNotice};
  ev.text = std::move(text);
  server_.events().push(std::move(ev));
}

void Worker::onIo(uint32_t) { acceptSome(); }

void Worker::acceptSome() {
  auto& stats = server_.stats();
  for (int i = 0; i < 64 && !stopping_; ++i) {
    if (stats.connectionsOpen.load(std::memory_order_relaxed) >= config().maxConnections) {
      pauseAccept(50ms, "max connections reached");
      return;
    }
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    int fd = ::accept4(listener_.get(), reinterpret_cast<sockaddr*>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // Out of descriptors: stop polling the listener (no busy loop) and retry on a timer, as nginx does.
        pauseAccept(100ms, std::strerror(errno));
      } else {
        notice(std::string("accept failed: ") + std::strerror(errno));
      }
      return;
    }
    net::Fd conn(fd);
    if (auto st = net::setNoDelay(fd); !st) continue;  // fails only on a socket the peer already tore down
    auto peer = net::SocketAddress::fromSockaddr(reinterpret_cast<sockaddr*>(&ss), len);
    auto local = net::SocketAddress::localOf(fd);
    stats.connectionsOpen.fetch_add(1, std::memory_order_relaxed);
    uint64_t id = server_.nextConnectionId();
    auto c = std::make_unique<Connection>(*this, std::move(conn), peer, local.value_or(server_.address()), id);
    Connection* raw = c.get();
    connections_.emplace(id, std::move(c));
    burstPeak_ = std::max(burstPeak_, connections_.size());
    raw->start();
  }
}

void Worker::pauseAccept(std::chrono::milliseconds retry, const std::string& why) {
  if (!acceptPaused_) {
    acceptPaused_ = true;
    server_.stats().acceptPauses.fetch_add(1, std::memory_order_relaxed);
    std::string text = "accept paused: " + why;
    // If the listener cannot be unwatched, level-triggered readiness repeats: the
    // loop then retries accept each turn, which is busy but still correct.
    if (auto st = loop().modify(listener_.get(), 0, this); !st) text += " (" + st.error().message + ")";
    notice(std::move(text));
  }
  loop().runAfter(retry, [this] { resumeAccept(); });
}

void Worker::resumeAccept() {
  if (stopping_ || !acceptPaused_) return;
  if (auto st = loop().modify(listener_.get(), EPOLLIN, this); !st) {
    notice("accept not resumed, retrying: " + st.error().message);
    loop().runAfter(100ms, [this] { resumeAccept(); });
    return;
  }
  acceptPaused_ = false;
  acceptSome();
}

void Worker::onConnectionTimer(uint64_t id) {
  auto it = connections_.find(id);
  if (it != connections_.end()) it->second->onTimer();
}

void Worker::readSoon(uint64_t id) {
  if (!readSoon_.insert(id).second) return;
  loop().defer([this, id] {
    readSoon_.erase(id);
    auto it = connections_.find(id);
    if (it != connections_.end()) it->second->onIo(EPOLLIN);
  });
}

void Worker::release(uint64_t id) {
  loop().defer([this, id] {
    connections_.erase(id);
    noteConnectionsFell();
    checkStopDone();
  });
}

size_t Worker::turnWriteBudget() {
  if (budgetTurn_ != loop().iterations()) {
    budgetTurn_ = loop().iterations();
    turnBudgetLeft_ = config().turnWriteBudgetBytes;
  }
  return turnBudgetLeft_;
}

void Worker::spendTurnWriteBudget(size_t n, bool stopped) {
  turnBudgetLeft_ -= std::min(turnBudgetLeft_, n);
  if (stopped && turnBudgetLeft_ == 0) server_.stats().turnBudgetStops.fetch_add(1, std::memory_order_relaxed);
}

void Worker::scheduleWrite(uint64_t id) {
  writers_.push_back(id);
  // A zero-delay timer runs after the next epoll_wait's events: accepts and reads go first.
  if (!writersTimer_) writersTimer_ = loop().runAfter(0ms, [this] { serveWriters(); });
}

void Worker::serveWriters() {
  writersTimer_ = 0;
  for (size_t n = writers_.size(); n > 0 && !writers_.empty() && turnWriteBudget() > 0; --n) {
    uint64_t id = writers_.front();
    writers_.pop_front();
    auto it = connections_.find(id);
    if (it != connections_.end()) it->second->serveWrite();  // queues itself again if it has more
  }
  if (!writers_.empty() && !writersTimer_) writersTimer_ = loop().runAfter(0ms, [this] { serveWriters(); });
}

// Freed buffers of a thousand connections stay in glibc's arenas (RSS does not fall)
// unless trimmed. Once the open connections fell to half a burst's peak, and after a
// delay (so a steady churn does not trim on every close), malloc_trim(0) returns them.
void Worker::noteConnectionsFell() {
  const auto delay = config().memoryTrimDelay;
  if (delay.count() <= 0 || trimTimer_ || stopping_) return;
  if (burstPeak_ < config().trimBurstConnections || connections_.size() > burstPeak_ / 2) return;
  trimTimer_ = loop().runAfter(delay, [this] { trimMemory(); });
}

void Worker::trimMemory() {
  trimTimer_ = 0;
  ::malloc_trim(0);
  server_.stats().memoryTrims.fetch_add(1, std::memory_order_relaxed);
  burstPeak_ = connections_.size();
}

void Worker::checkStopDone() {
  if (stopping_ && connections_.empty()) loop().stop();
}

void Worker::beginStop(std::chrono::steady_clock::time_point deadline) {
  loop().post([this, deadline] {
    stopping_ = true;
    if (trimTimer_) loop().cancel(std::exchange(trimTimer_, 0));
    if (writersTimer_) loop().cancel(std::exchange(writersTimer_, 0));
    // Closing the listener takes it out of epoll in any case; DEL first keeps the set exact.
    (void)loop().remove(listener_.get());
    listener_.reset();
    std::vector<Connection*> conns;
    for (auto& [id, c] : connections_) conns.push_back(c.get());
    for (auto* c : conns) c->shutdown(false);
    loop().runAt(deadline, [this] {
      std::vector<Connection*> rest;
      for (auto& [id, c] : connections_) rest.push_back(c.get());
      for (auto* c : rest) c->shutdown(true);
      checkStopDone();
    });
    loop().defer([this] { checkStopDone(); });
  });
}

void Worker::join() {
  thread_.join();
  connections_.clear();
}

}  // namespace sluice::server
