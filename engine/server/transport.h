#pragma once
/** The byte transport under a server connection: plain TCP now, TLS can slot in beside it. */
#include <sys/uio.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/net/socket.h"

namespace sluice::server {

/** The outcome of one transport call. */
struct IoResult {
  enum class Kind { kDone, kWouldBlock, kEof, kError };
  Kind kind = Kind::kDone;
  size_t bytes = 0;  ///< bytes moved (kDone)
  int error = 0;     ///< errno (kError)

  static IoResult done(size_t n) { return {Kind::kDone, n, 0}; }
  static IoResult wouldBlock() { return {Kind::kWouldBlock, 0, 0}; }
  static IoResult eof() { return {Kind::kEof, 0, 0}; }
  static IoResult failed(int err) { return {Kind::kError, 0, err}; }
};

/**
 * The socket I/O a Connection does, and nothing else: the connection's state
 * machine never calls read/writev/sendfile itself. A TLS transport implements
 * the same calls over SSL_read/SSL_write (and sendFile with pread + write).
 * Interrupted calls are retried inside; kWouldBlock means wait for epoll.
 */
class Transport {
 public:
  virtual ~Transport() = default;
  virtual int fd() const = 0;
  virtual IoResult read(char* dst, size_t cap) = 0;
  virtual IoResult writev(const iovec* iov, size_t count) = 0;
  /** Sends up to max bytes of an open file from offset; kEof when the file has fewer. */
  virtual IoResult sendFile(int fileFd, uint64_t offset, size_t max) = 0;
  /** Half-closes the write side (FIN, or TLS close_notify then FIN). */
  virtual void shutdownWrite() = 0;
  /** Closes the descriptor; with reset, the peer sees RST instead of FIN. */
  virtual void close(bool reset) = 0;
  /** TLS: sendFile already reads the file into a buffer (no sendfile under encryption). */
  virtual bool stagesFiles() const { return false; }
  /** TLS: the transport waits for writability (a handshake step or a write). */
  virtual bool wantsWrite() const { return false; }
  /** TLS: decrypted bytes wait inside the library: read again before waiting on epoll. */
  virtual bool pending() const { return false; }
  /** Plain TCP: spliceTo() moves received bytes into a pipe without copying them into user space. */
  virtual bool canSplice() const { return false; }
  /**
   * Moves up to max received bytes into the pipe pipeWriteFd (splice(2)); kEof when the
   * peer closed. Only where canSplice(): other transports answer kError with ENOTSUP.
   */
  virtual IoResult spliceTo(int pipeWriteFd, size_t max) {
    (void)pipeWriteFd, (void)max;
    return IoResult::failed(ENOTSUP);
  }
  /** TLS: why the handshake failed, in words; empty otherwise. */
  virtual const std::string& failure() const {
    static const std::string kNone;
    return kNone;
  }
};

/** Plain TCP: read(2), sendmsg(2) with MSG_NOSIGNAL, sendfile(2), splice(2). */
class PlainTransport final : public Transport {
 public:
  explicit PlainTransport(net::Fd fd) : fd_(std::move(fd)) {}
  int fd() const override { return fd_.get(); }
  IoResult read(char* dst, size_t cap) override;
  IoResult writev(const iovec* iov, size_t count) override;
  IoResult sendFile(int fileFd, uint64_t offset, size_t max) override;
  bool canSplice() const override { return true; }
  IoResult spliceTo(int pipeWriteFd, size_t max) override;
  void shutdownWrite() override;
  void close(bool reset) override;

 private:
  net::Fd fd_;
};

}  // namespace sluice::server
