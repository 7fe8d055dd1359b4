#include "engine/server/tls_transport.h"
#include "engine/server/uring_transport.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace sluice::server {

namespace {
constexpr size_t kRecordBytes = 16 * 1024;  // one full TLS record per write
constexpr size_t kStageBytes = 4 * kRecordBytes;

// The answer to plain HTTP on the TLS port: worded, then the connection closes.
constexpr std::string_view kPlainHttpAnswer =
    "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\nContent-Length: 77\r\n\r\n"
    "This port speaks HTTPS; the request was plain HTTP. Use an https:// URL.\r\n\r\n\r\n";
}  // namespace

TlsServerTransport::TlsServerTransport(net::Fd fd, std::shared_ptr<tls::TlsContext> ctx) : fd_(std::move(fd)), ctx_(std::move(ctx)) {
  auto s = tls::TlsSession::server(ctx_, fd_.get());
  if (s) session_ = std::move(*s);
  else failure_ = s.error().message;
}

IoResult TlsServerTransport::handshake() {
  if (!session_) return IoResult::failed(EPROTO);
  switch (session_->handshake()) {
    case tls::TlsSession::Step::kDone: wantWrite_ = false; return IoResult::done(0);
    case tls::TlsSession::Step::kWantRead: wantWrite_ = false; return IoResult::wouldBlock();
    case tls::TlsSession::Step::kWantWrite: wantWrite_ = true; return IoResult::wouldBlock();
    case tls::TlsSession::Step::kFailed: break;
  }
  failure_ = session_->error().message;
  if (session_->peerSpokePlainHttp())  // best effort: the socket buffer takes this at once
    (void)::send(fd_.get(), kPlainHttpAnswer.data(), kPlainHttpAnswer.size(), MSG_NOSIGNAL);
  return IoResult::failed(EPROTO);
}

IoResult TlsServerTransport::mapIo(const tls::TlsSession::Io& r) {
  wantWrite_ = r.n < 0 && r.err == EAGAIN && r.wantWrite;
  if (r.n > 0) return IoResult::done(static_cast<size_t>(r.n));
  if (r.n == 0) return IoResult::eof();
  if (r.err == EAGAIN) return IoResult::wouldBlock();
  return IoResult::failed(r.err);
}

IoResult TlsServerTransport::read(char* dst, size_t cap) {
  if (!session_ || !session_->established()) {
    IoResult h = handshake();
    if (h.kind != IoResult::Kind::kDone) return h;
  }
  return mapIo(session_->read(dst, cap));
}

IoResult TlsServerTransport::writeStaged() {
  auto r = session_->write(staged_.data(), staged_.size());
  retryStaged_ = r.n < 0 && r.err == EAGAIN;
  return mapIo(r);
}

IoResult TlsServerTransport::writev(const iovec* iov, size_t count) {
  // Nothing goes out before the handshake (a 408 to a peer that stalled in it): close.
  if (!session_ || !session_->established()) {
    if (failure_.empty()) failure_ = "TLS handshake did not finish";
    return IoResult::failed(ENOTCONN);
  }
  if (retryStaged_) return writeStaged();
  // Small pieces (a head, then a body chunk) go out as one record, like nginx's ssl_buffer.
  if (count == 1 || iov[0].iov_len >= kStageBytes) {
    auto r = session_->write(static_cast<const char*>(iov[0].iov_base), std::min(iov[0].iov_len, kStageBytes));
    if (r.n < 0 && r.err == EAGAIN) {
      staged_.assign(static_cast<const char*>(iov[0].iov_base), std::min(iov[0].iov_len, kStageBytes));
      retryStaged_ = true;
    }
    return mapIo(r);
  }
  staged_.clear();
  for (size_t i = 0; i < count && staged_.size() < kStageBytes; ++i)
    staged_.append(static_cast<const char*>(iov[i].iov_base), std::min(iov[i].iov_len, kStageBytes - staged_.size()));
  return writeStaged();
}

IoResult TlsServerTransport::sendFile(int fileFd, uint64_t offset, size_t max) {
  if (!session_ || !session_->established()) return IoResult::failed(ENOTCONN);
  if (retryStaged_) return writeStaged();
  staged_.resize(std::min(max, kStageBytes));
  ssize_t n;
  do {
    n = ::pread(fileFd, staged_.data(), staged_.size(), static_cast<off_t>(offset));
  } while (n < 0 && errno == EINTR);
  if (n < 0) return IoResult::failed(errno);
  if (n == 0 && max > 0) return IoResult::eof();
  staged_.resize(static_cast<size_t>(n));
  return writeStaged();
}

void TlsServerTransport::shutdownWrite() {
  if (session_) session_->shutdown();  // close_notify, then FIN
  (void)::shutdown(fd_.get(), SHUT_WR);
}

void TlsServerTransport::close(bool reset) {
  if (!fd_.valid()) return;
  if (reset) (void)net::setLingerReset(fd_.get());
  session_.reset();
  fd_.reset();
}

std::unique_ptr<Transport> makeServerTransport(net::Fd fd, const std::shared_ptr<tls::TlsContext>& tls,
                                               net::UringPoller* ring) {
  if (tls) return std::make_unique<TlsServerTransport>(std::move(fd), tls);
  if (ring) return std::make_unique<UringTransport>(*ring, std::move(fd));
  return std::make_unique<PlainTransport>(std::move(fd));
}

}  // namespace sluice::server
