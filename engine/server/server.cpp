#include "engine/server/server.h"

#include <csignal>

#include "engine/server/worker.h"

namespace sluice::server {

std::string describe(const ServerConfig& c) {
  return "workers=" + std::to_string(c.workers) + " mode=" + (c.mode == BodyMode::kStream ? "stream" : "buffered") +
         " max-body=" + (c.maxBodyBytes ? std::to_string(c.maxBodyBytes) : std::string("unlimited")) +
         " header-timeout=" + std::to_string(c.headerTimeout.count()) + "ms" +
         " keepalive-timeout=" + std::to_string(c.keepAliveTimeout.count()) + "ms" +
         " max-connections=" + std::to_string(c.maxConnections);
}

Server::Server(ServerConfig config, std::shared_ptr<const Router> router)
    : config_(std::move(config)), router_(std::move(router)) {
  if (config_.workers < 1) config_.workers = 1;
  if (config_.readBufferBytes < 4096) config_.readBufferBytes = 4096;
}

Server::~Server() {
  if (running_) stop(std::chrono::milliseconds(0));
}

std::string Server::url() const { return (config_.tls ? "https://" : "http://") + address_.toString(); }

Status Server::start() {
  if (running_) return {};
  // Writes to a closed peer must come back as EPIPE, not kill the process.
  std::signal(SIGPIPE, SIG_IGN);
  // A file-size limit (RLIMIT_FSIZE) must surface as EFBIG on write (507), not kill us.
  std::signal(SIGXFSZ, SIG_IGN);
  auto addr = net::SocketAddress::parse(config_.listen);
  if (!addr) return sluice::unexpected(addr.error());
  // SO_REUSEPORT only with several workers: with one, a second server on the
  // same port must fail loudly instead of silently sharing it.
  const bool reusePort = config_.workers > 1;
  std::vector<net::Fd> listeners;
  auto first = net::listenTcp(*addr, reusePort);
  if (!first) return sluice::unexpected(first.error());
  auto bound = net::SocketAddress::localOf(first->get());
  if (!bound) return sluice::unexpected(bound.error());
  address_ = *bound;
  listeners.push_back(std::move(*first));
  for (int i = 1; i < config_.workers; ++i) {
    auto fd = net::listenTcp(address_, true);
    if (!fd) return sluice::unexpected(fd.error());
    listeners.push_back(std::move(*fd));
  }
  for (int i = 0; i < config_.workers; ++i)
    workers_.push_back(std::make_unique<Worker>(*this, i, std::move(listeners[static_cast<size_t>(i)])));
  for (auto& w : workers_) {
    if (auto st = w->start(); !st) {
      workers_.clear();  // stops the workers already started; their listeners close
      return sluice::unexpected(st.error());
    }
  }
  running_ = true;
  return {};
}

void Server::stop(std::chrono::milliseconds grace) {
  if (!running_.exchange(false)) return;
  net::LoopClock* clock = config_.clock ? config_.clock.get() : net::SteadyLoopClock::instance().get();
  auto deadline = clock->now() + grace;
  for (auto& w : workers_) w->beginStop(deadline);
  // A manual clock (tests) does not move by itself: move it past the grace, or stop would wait forever.
  // No wait for the loops here: one whose connections are all closed has already stopped.
  if (auto* manual = dynamic_cast<net::ManualClock*>(clock)) manual->advance(grace, std::chrono::milliseconds(0));
  for (auto& w : workers_) w->join();
  workers_.clear();
}

}  // namespace sluice::server
