#include "engine/server/uring_transport.h"

#include <cerrno>

namespace sluice::server {

namespace {
IoResult fromRing(long n) {
  if (n >= 0) return IoResult::done(static_cast<size_t>(n));
  if (n == -EAGAIN) return IoResult::wouldBlock();
  return IoResult::failed(static_cast<int>(-n));
}
}  // namespace

IoResult UringTransport::read(char* dst, size_t cap) {
  if (!socket_) return IoResult::failed(EBADF);
  long n = socket_->read(dst, cap);
  if (n == 0 && cap > 0) return IoResult::eof();
  return fromRing(n);
}

IoResult UringTransport::writev(const iovec* iov, size_t count) {
  if (!socket_) return IoResult::failed(EBADF);
  return fromRing(socket_->writev(iov, count));
}

IoResult UringTransport::sendFile(int fileFd, uint64_t offset, size_t max) {
  if (!socket_) return IoResult::failed(EBADF);
  long n = socket_->sendFile(fileFd, offset, max);
  if (n == 0 && max > 0) return IoResult::eof();
  return fromRing(n);
}

IoResult UringTransport::spliceTo(int pipeWriteFd, size_t max) {
  if (!socket_) return IoResult::failed(EBADF);
  long n = socket_->splice(pipeWriteFd, max);
  if (n == 0 && max > 0) return IoResult::eof();
  return fromRing(n);
}

void UringTransport::shutdownWrite() {
  if (socket_) socket_->shutdownWrite();
}

void UringTransport::close(bool reset) {
  if (!socket_) return;
  socket_->close(reset);  // the poller owns the socket from here, and frees it
  socket_ = nullptr;
}

}  // namespace sluice::server
