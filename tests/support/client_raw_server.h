#pragma once
// A scripted raw TCP server for client tests: loopback, port 0, one thread per
// connection running a handler that reads requests and writes whatever bytes the
// test wants (well-formed or broken). Everything stops in the destructor.
#include <atomic>
#include <cstdint>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace sluice::test {

class ClientRawServer {
 public:
  /** handler(fd, index): index counts accepted connections from 0. Return closes the socket. */
  using Handler = std::function<void(int fd, int index)>;
  explicit ClientRawServer(Handler handler);
  ~ClientRawServer();

  uint16_t port() const { return port_; }
  std::string url(std::string_view path = "/") const;
  int accepts() const { return accepts_.load(); }

  /** Reads one request head (and a Content-Length body); empty on EOF, error or timeout. */
  static std::string readRequest(int fd, int timeoutMs = 5000);
  static bool writeAll(int fd, std::string_view data);
  /** Reads up to n body bytes (each wait bounded by timeoutMs); returns how many came. */
  static uint64_t readBody(int fd, uint64_t n, int timeoutMs = 10000);
  /**
   * A slow reader of an upload: reads the request head (nothing past it) and the first
   * `first` body bytes, waits for go (10 s at most), reads the rest of a `total`-byte
   * body and answers 200 with body.
   */
  static Handler holdingOff(uint64_t first, uint64_t total, std::shared_future<void> go, std::string body);
  /** "HTTP/1.1 200 OK" + Content-Length + body. */
  static std::string okResponse(std::string_view body, std::string_view extraHeaders = {});

 private:
  void acceptLoop();

  Handler handler_;
  int listenFd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepts_{0};
  std::thread acceptThread_;
  std::mutex mutex_;
  std::vector<std::thread> threads_;
  std::vector<int> fds_;
};

}  // namespace sluice::test
