#include "engine/server/worker.h"

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
      thread_("sluice-w" + std::to_string(index)),
      scratch_(new char[std::max(server.config().readBufferBytes, server.config().bulkReadBytes)]),
      scratchSize_(std::max(server.config().readBufferBytes, server.config().bulkReadBytes)) {}

Worker::~Worker() { thread_.stopAndJoin(); }

const ServerConfig& Worker::config() const { return server_.config(); }

void Worker::start() {
  thread_.start();
  loop().post([this] { (void)loop().add(listener_.get(), EPOLLIN, this); });
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
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // Out of descriptors: stop polling the listener (no busy loop) and retry on a timer, as nginx does.
        pauseAccept(100ms, std::strerror(errno));
      }
      return;
    }
    net::Fd conn(fd);
    net::setNoDelay(fd);
    auto peer = net::SocketAddress::fromSockaddr(reinterpret_cast<sockaddr*>(&ss), len);
    auto local = net::SocketAddress::localOf(fd);
    stats.connectionsOpen.fetch_add(1, std::memory_order_relaxed);
    uint64_t id = server_.nextConnectionId();
    auto c = std::make_unique<Connection>(*this, std::move(conn), peer, local.value_or(server_.address()), id);
    Connection* raw = c.get();
    connections_.emplace(id, std::move(c));
    raw->start();
  }
}

void Worker::pauseAccept(std::chrono::milliseconds retry, const char* why) {
  if (!acceptPaused_) {
    acceptPaused_ = true;
    (void)loop().modify(listener_.get(), 0, this);
    server_.stats().acceptPauses.fetch_add(1, std::memory_order_relaxed);
    if (config().emitEvents) {
      observe::Event ev{.kind = observe::EventKind::kServerNotice};
      ev.text = std::string("accept paused: ") + why;
      server_.events().push(std::move(ev));
    }
  }
  loop().runAfter(retry, [this] { resumeAccept(); });
}

void Worker::resumeAccept() {
  if (stopping_ || !acceptPaused_) return;
  acceptPaused_ = false;
  (void)loop().modify(listener_.get(), EPOLLIN, this);
  acceptSome();
}

void Worker::onConnectionTimer(uint64_t id) {
  auto it = connections_.find(id);
  if (it != connections_.end()) it->second->onTimer();
}

void Worker::release(uint64_t id) {
  loop().defer([this, id] {
    connections_.erase(id);
    checkStopDone();
  });
}

void Worker::checkStopDone() {
  if (stopping_ && connections_.empty()) loop().stop();
}

void Worker::beginStop(std::chrono::steady_clock::time_point deadline) {
  loop().post([this, deadline] {
    stopping_ = true;
    loop().remove(listener_.get());
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
