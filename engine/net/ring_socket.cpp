// RingSocket: the calls a server connection makes on a socket served through io_uring.
#include <fcntl.h>
#include <liburing.h>
#include <sys/epoll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "engine/net/socket.h"
#include "engine/net/uring_poller.h"

namespace sluice::net {

bool RingSocket::writable() const {
  if (writeError_ != 0) return true;  // the next write reports it
  if (waitOut_ || waitDrain_ || closing_) return false;
  return stageEnd_ < UringPoller::kStageBytes;
}

long RingSocket::read(char* dst, size_t cap) {
  if (cap == 0) return 0;
  if (inHead_ < in_.size()) {
    size_t n = 0;
    while (n < cap && inHead_ < in_.size()) {
      Chunk& c = in_[inHead_];
      const size_t take = std::min<size_t>(cap - n, c.len);
      std::memcpy(dst + n, poller_.bufMemory_ + size_t{c.bid} * UringPoller::kRecvBufferBytes + c.off, take);
      c.off += static_cast<uint32_t>(take);
      c.len -= static_cast<uint32_t>(take);
      n += take;
      if (c.len == 0) {
        poller_.returnBuffer(c.bid);
        ++inHead_;
      }
    }
    if (inHead_ == in_.size()) {
      in_.clear();
      inHead_ = 0;
    }
    return static_cast<long>(n);
  }
  if (readError_ != 0) return -readError_;
  if (eof_) return 0;
  // A receive in flight owns the socket's next bytes; without one, read(2) directly
  // (after a full ring buffer, or when no buffer was free).
  if (recvArmed_ || !directRead_) return -EAGAIN;
  ssize_t r;
  do {
    r = ::read(fd, dst, cap);
  } while (r < 0 && errno == EINTR);
  ++poller_.counters_.directReads;
  if (r > 0) return r;
  if (r == 0) {
    eof_ = true;
    return 0;
  }
  directRead_ = false;  // drained: the ring takes over again (a receive is armed after this turn)
  if (errno == EAGAIN || errno == EWOULDBLOCK) return -EAGAIN;
  readError_ = errno;
  return -readError_;
}

long RingSocket::splice(int pipeWriteFd, size_t max) {
  if (!canSplice()) return -EAGAIN;
  ssize_t n;
  do {
    n = ::splice(fd, nullptr, pipeWriteFd, nullptr, max, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
  } while (n < 0 && errno == EINTR);
  ++poller_.counters_.directReads;
  if (n > 0) return n;
  if (n == 0) {
    if (max > 0) eof_ = true;
    return 0;
  }
  directRead_ = false;  // the ring takes over again when the socket is drained
  if (errno == EAGAIN || errno == EWOULDBLOCK) return -EAGAIN;
  return -errno;  // EINVAL and the like: the caller falls back to reading; not sticky
}

long RingSocket::writev(const iovec* iov, size_t count) {
  if (writeError_ != 0) return -writeError_;
  if (waitOut_ || closing_) return -EAGAIN;
  size_t total = 0;
  for (size_t i = 0; i < count; ++i) total += iov[i].iov_len;
  if (total == 0) return 0;
  if (!staged() && total > UringPoller::kStageBytes) {
    // Large writes go straight to the socket, as with epoll: no copy, and the system
    // call is paid once per large write.
    msghdr msg{};
    msg.msg_iov = const_cast<iovec*>(iov);
    msg.msg_iovlen = count;
    ssize_t n;
    do {
      n = ::sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    return afterDirectWrite(n);
  }
  if (!stage_) stage_ = poller_.takeStage();
  const size_t room = UringPoller::kStageBytes - stageEnd_;
  if (room == 0) return -EAGAIN;
  size_t copied = 0;
  for (size_t i = 0; i < count && copied < room; ++i) {
    const size_t take = std::min(room - copied, iov[i].iov_len);
    std::memcpy(stage_ + stageEnd_ + copied, iov[i].iov_base, take);
    copied += take;
  }
  stageEnd_ += static_cast<uint32_t>(copied);
  if (!sendArmed_) poller_.armSend(*this);
  return static_cast<long>(copied);
}

long RingSocket::sendFile(int fileFd, uint64_t offset, size_t max) {
  if (writeError_ != 0) return -writeError_;
  if (waitOut_ || closing_) return -EAGAIN;
  if (staged()) {  // the staged bytes go first; EPOLLOUT comes when they are sent
    waitDrain_ = true;
    return -EAGAIN;
  }
  off_t off = static_cast<off_t>(offset);
  ssize_t n;
  do {
    n = ::sendfile(fd, fileFd, &off, max);
  } while (n < 0 && errno == EINTR);
  return afterDirectWrite(n);
}

long RingSocket::afterDirectWrite(ssize_t n) {
  ++poller_.counters_.directWrites;
  if (n >= 0) return n;
  if (errno != EAGAIN && errno != EWOULDBLOCK) return -errno;
  waitOut_ = true;  // a poll for EPOLLOUT stands in until the socket drains
  poller_.queueCheck(*this);
  return -EAGAIN;
}

void RingSocket::shutdownWrite() {
  if (closing_) return;
  if (staged())
    shutdownPending_ = true;  // after the last staged byte (UringPoller::onSend)
  else
    (void)::shutdown(fd, SHUT_WR);  // ENOTCONN (the peer already reset) leaves nothing to do
}

void RingSocket::flushStagedDirect() {
  if (stageEnd_ > stageStart_ && writeError_ == 0) {
    // What does not fit in the socket buffer now is dropped, as unsent bytes are when
    // an epoll connection closes.
    (void)::send(fd, stage_ + stageStart_, stageEnd_ - stageStart_, MSG_NOSIGNAL | MSG_DONTWAIT);
    ++poller_.counters_.directWrites;
  }
  stageStart_ = stageEnd_ = 0;
}

void RingSocket::close(bool reset) {
  if (closing_ || dead) return;
  closing_ = true;
  registered = false;
  handler = nullptr;
  interest = 0;
  poller_.byFd_.erase(fd);  // the number may be reused as soon as it is closed
  if (reset) {
    (void)setLingerReset(fd);  // fails only on a socket the kernel already tore down
    stageStart_ = stageEnd_ = 0;
  }
  if (sendArmed_ && !reset) {
    // The send finishes or is cancelled within this turn; UringPoller::onSend closes.
    poller_.cancelSend(*this);
    return;
  }
  if (!reset) flushStagedDirect();
  poller_.finishClose(*this);
}

}  // namespace sluice::net
