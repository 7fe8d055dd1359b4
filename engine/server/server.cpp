#include "engine/server/server.h"

#include <algorithm>
#include <csignal>
#include <cstdlib>

#include "engine/http/url.h"
#include "engine/server/worker.h"

namespace sluice::server {

std::string describe(const ServerConfig& c) {
  return "workers=" + std::to_string(c.workers) + " mode=" + (c.mode == BodyMode::kStream ? "stream" : "buffered") +
         " max-body=" + (c.maxBodyBytes ? std::to_string(c.maxBodyBytes) : std::string("unlimited")) +
         " header-timeout=" + std::to_string(c.headerTimeout.count()) + "ms" +
         " keepalive-timeout=" + std::to_string(c.keepAliveTimeout.count()) + "ms" +
         " max-connections=" + std::to_string(c.maxConnections) +
         " output-buffer=" + std::to_string(c.outputBufferBytes);
}

Server::Server(ServerConfig config, std::shared_ptr<const Router> router)
    : config_(std::move(config)), router_(std::move(router)), events_(config_.eventCapacity) {
  if (config_.workers < 1) config_.workers = 1;
  if (config_.readBufferBytes < 4096) config_.readBufferBytes = 4096;
  // Output bounds below a few KiB would turn every response into many tiny writes.
  config_.outputBufferBytes = std::max<size_t>(config_.outputBufferBytes, 4096);
  config_.connectionWriteBudgetBytes = std::max<size_t>(config_.connectionWriteBudgetBytes, 16 * 1024);
  config_.turnWriteBudgetBytes = std::max(config_.turnWriteBudgetBytes, config_.connectionWriteBudgetBytes);
}

Server::~Server() {
  if (running_) stop(std::chrono::milliseconds(0));
}

Result<net::SocketAddress> parseListenAddress(std::string_view text) {
  auto authority = http::parseAuthority(text);
  if (!authority) return sluice::unexpected(authority.error());
  if (!authority->port)
    return fail(ErrorCode::kInvalidArgument, "the listen address '" + std::string(text) + "' has no port: expected HOST:PORT (port 0 picks a free one)");
  return net::SocketAddress::fromHostPort(authority->host, *authority->port);
}

std::string Server::url() const { return (config_.tls ? "https://" : "http://") + address_.toString(); }

Status Server::start() {
  if (running_) return {};
  // Writes to a closed peer must come back as EPIPE, not kill the process.
  std::signal(SIGPIPE, SIG_IGN);
  // A file-size limit (RLIMIT_FSIZE) must surface as EFBIG on write (507), not kill us.
  std::signal(SIGXFSZ, SIG_IGN);
  auto addr = parseListenAddress(config_.listen);
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

net::IoBackend loopBackend(const ServerConfig& c) {
  if (c.io == net::IoBackend::kAuto && c.tls && !std::getenv("SLUICE_IO")) return net::IoBackend::kEpoll;
  return net::resolveIoBackend(c.io);
}

net::IoBackend Server::ioBackend() const {
  return workers_.empty() ? loopBackend(config_) : workers_.front()->loop().backend();
}

std::string Server::ioNote() const { return workers_.empty() ? std::string() : workers_.front()->loop().backendNote(); }

}  // namespace sluice::server
