#pragma once
/** A plain TCP transport whose reads and small writes go through the worker's io_uring. */
#include "engine/net/uring_poller.h"
#include "engine/server/transport.h"

namespace sluice::server {

/**
 * PlainTransport's calls over a net::RingSocket (engine/net/uring_poller.h): a read
 * takes what a completed receive left in a ring buffer, a small write is copied to a
 * staging block and sent by the ring. Larger writes and sendfile go out directly.
 */
class UringTransport final : public Transport {
 public:
  UringTransport(net::UringPoller& poller, net::Fd fd) : socket_(poller.openSocket(fd.release())) {}
  ~UringTransport() override { close(false); }
  int fd() const override { return fd_; }
  IoResult read(char* dst, size_t cap) override;
  IoResult writev(const iovec* iov, size_t count) override;
  IoResult sendFile(int fileFd, uint64_t offset, size_t max) override;
  void shutdownWrite() override;
  void close(bool reset) override;
  bool pending() const override { return socket_ && socket_->pending(); }
  bool canSplice() const override { return socket_ && socket_->canSplice(); }
  IoResult spliceTo(int pipeWriteFd, size_t max) override;

 private:
  net::RingSocket* socket_;
  int fd_ = socket_->fd;
};

}  // namespace sluice::server
