#include "engine/server/transport.h"

#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace sluice::server {

namespace {
IoResult fromSyscall(ssize_t n) {
  if (n >= 0) return IoResult::done(static_cast<size_t>(n));
  if (errno == EAGAIN || errno == EWOULDBLOCK) return IoResult::wouldBlock();
  return IoResult::failed(errno);
}
}  // namespace

IoResult PlainTransport::read(char* dst, size_t cap) {
  ssize_t n;
  do {
    n = ::read(fd_.get(), dst, cap);
  } while (n < 0 && errno == EINTR);
  if (n == 0 && cap > 0) return IoResult::eof();
  return fromSyscall(n);
}

IoResult PlainTransport::writev(const iovec* iov, size_t count) {
  msghdr msg{};
  msg.msg_iov = const_cast<iovec*>(iov);
  msg.msg_iovlen = count;
  ssize_t n;
  do {
    n = ::sendmsg(fd_.get(), &msg, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  return fromSyscall(n);
}

IoResult PlainTransport::sendFile(int fileFd, uint64_t offset, size_t max) {
  off_t off = static_cast<off_t>(offset);
  ssize_t n;
  do {
    n = ::sendfile(fd_.get(), fileFd, &off, max);
  } while (n < 0 && errno == EINTR);
  if (n == 0 && max > 0) return IoResult::eof();
  return fromSyscall(n);
}

IoResult PlainTransport::spliceTo(int pipeWriteFd, size_t max) {
  ssize_t n;
  do {
    n = ::splice(fd_.get(), nullptr, pipeWriteFd, nullptr, max, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
  } while (n < 0 && errno == EINTR);
  if (n == 0 && max > 0) return IoResult::eof();
  return fromSyscall(n);
}

void PlainTransport::shutdownWrite() {
  // ENOTCONN (the peer already reset) is the only failure, and leaves nothing to do.
  (void)::shutdown(fd_.get(), SHUT_WR);
}

void PlainTransport::close(bool reset) {
  if (!fd_.valid()) return;
  // SO_LINGER fails only on a socket the kernel already tore down: then there is nothing to reset.
  if (reset) (void)net::setLingerReset(fd_.get());
  fd_.reset();
}

}  // namespace sluice::server
