#pragma once
/**
 * Helpers for the upload-server integration tests: `sluice-cli serve` over a
 * folder the test owns (optionally under a file-size rlimit, for disk-full
 * tests), curl as the client, and sha256sum as the independent checker.
 */
#include <sys/types.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "support/process.h"

namespace sluice::test {

class UploadServer {
 public:
  UploadServer() = default;
  ~UploadServer() { stop(); }
  UploadServer(const UploadServer&) = delete;
  UploadServer& operator=(const UploadServer&) = delete;

  /**
   * Starts `sluice-cli serve --listen 127.0.0.1:0 --dir dir args...`. With
   * fileSizeLimitBytes, the child runs under RLIMIT_FSIZE with SIGXFSZ ignored,
   * so a write past the limit fails with EFBIG, as on a full disk.
   */
  bool start(const std::string& dir, const std::vector<std::string>& args = {},
             std::optional<uint64_t> fileSizeLimitBytes = std::nullopt);
  const std::string& error() const { return error_; }
  uint16_t port() const { return port_; }
  std::string url(const std::string& path = "/") const;
  pid_t pid() const { return proc_.pid(); }
  ChildProcess& process() { return proc_; }
  /** SIGTERM and a bounded wait; SIGKILL past it. Idempotent. */
  ExitInfo stop(std::chrono::milliseconds grace = std::chrono::seconds(8));

 private:
  ChildProcess proc_;
  std::string error_;
  uint16_t port_ = 0;
  bool started_ = false;
};

/** Runs curl -sS with args, bounded by timeout. */
RunResult curl(const std::vector<std::string>& args, std::chrono::milliseconds timeout = std::chrono::seconds(60));
/** The HTTP status curl saw, from -w '%{http_code}' as the last line of out (0 when unknown). */
int curlStatus(const RunResult& r);
/** sha256sum's verdict on a file (hex), empty on failure. */
std::string sha256sumOf(const std::string& path);
/** Writes size pseudo-random bytes. */
bool writeRandomFile(const std::string& path, uint64_t size, uint32_t seed = 1);
/** The names in a folder (no "." or ".."). */
std::set<std::string> dirEntries(const std::string& dir);
/** Polls until pred() is true or timeout; returns pred(). */
template <typename Pred>
bool waitUntil(Pred pred, std::chrono::milliseconds timeout) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > end) return pred();
    ::usleep(20'000);
  }
  return true;
}

}  // namespace sluice::test
