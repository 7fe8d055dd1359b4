#pragma once
/** Name resolution off the loop thread: one worker thread running getaddrinfo. */
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "engine/net/socket.h"
#include "engine/util/error.h"

namespace sluice::client {

class Resolver {
 public:
  using Callback = std::function<void(Result<net::SocketAddress>)>;
  Resolver() = default;
  ~Resolver();
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  /** Numeric addresses resolve at once, without a thread; nullopt-like error otherwise. */
  static Result<net::SocketAddress> numeric(const std::string& host, uint16_t port);
  /** Resolves on the worker thread; cb runs there (post it back to your loop). */
  void resolve(std::string host, uint16_t port, Callback cb);
  void stop();

 private:
  struct Job {
    std::string host;
    uint16_t port;
    Callback cb;
  };
  void run();

  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sluice::client
