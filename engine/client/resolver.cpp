#include "engine/client/resolver.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <pthread.h>

#include <cstring>

namespace sluice::client {

Resolver::~Resolver() { stop(); }

void Resolver::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Result<net::SocketAddress> Resolver::numeric(const std::string& host, uint16_t port) {
  return net::SocketAddress::fromHostPort(host, port);
}

void Resolver::resolve(std::string host, uint16_t port, Callback cb) {
  {
    std::lock_guard lock(mutex_);
    jobs_.push_back({std::move(host), port, std::move(cb)});
    if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
  }
  cv_.notify_one();
}

void Resolver::run() {
  pthread_setname_np(pthread_self(), "sluice-dns");
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    int rc = ::getaddrinfo(job.host.c_str(), std::to_string(job.port).c_str(), &hints, &res);
    if (rc != 0 || !res) {
      job.cb(fail(ErrorCode::kResolve, "cannot resolve host '" + job.host + "': " + ::gai_strerror(rc) +
                                           "; check the name or use a numeric address"));
      continue;
    }
    auto addr = net::SocketAddress::fromSockaddr(res->ai_addr, res->ai_addrlen);
    ::freeaddrinfo(res);
    job.cb(addr);
  }
}

}  // namespace sluice::client
