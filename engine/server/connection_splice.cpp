// Connection's zero-copy body path: a Content-Length body whose handler discards it (/sink)
// goes from the socket into a pipe and on to /dev/null with splice(2), so no byte of it is
// copied into user space. The parser is advanced past the spliced bytes (Parser::skipBody);
// the last byte is read normally so that llhttp ends the message itself (keep-alive and all).
// Counters, deadlines and events stay the same as on the read path.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>

#include "engine/server/connection.h"
#include "engine/server/server.h"
#include "engine/server/worker.h"

namespace sluice::server {

namespace {

/** /dev/null, opened once for the process; -1 when it cannot be opened. */
int devNull() {
  static const net::Fd kNull(::open("/dev/null", O_WRONLY | O_CLOEXEC));
  return kNull.get();
}

/**
 * One pipe per worker thread (thread_local: a worker is one loop thread), raised to the
 * bulk read size with F_SETPIPE_SZ where the system allows (else its default size), and
 * emptied to /dev/null after every splice into it, so it never holds bytes between steps.
 */
class SplicePipe {
 public:
  /** The calling thread's pipe; nullptr (and why in whyNot) when none can be made. */
  static SplicePipe* forThisThread(size_t wantBytes, std::string& whyNot) {
    thread_local SplicePipe pipe;
    if (!pipe.tried_) pipe.open(wantBytes);
    if (pipe.broken_) {
      whyNot = pipe.why_;
      return nullptr;
    }
    return &pipe;
  }
  int writeFd() const { return write_.get(); }
  size_t capacity() const { return capacity_; }
  const std::string& why() const { return why_; }

  /** Moves n bytes just spliced in on to /dev/null; false (the pipe is retired) if that fails. */
  bool discard(size_t n) {
    while (n > 0) {
      ssize_t m = ::splice(read_.get(), nullptr, devNull(), nullptr, n, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      if (m < 0 && errno == EINTR) continue;
      if (m <= 0) return retire(std::string("splice from the pipe to /dev/null failed: ") + std::strerror(m < 0 ? errno : EIO));
      n -= static_cast<size_t>(m);
    }
    return true;
  }

 private:
  void open(size_t wantBytes) {
    tried_ = true;
    int fds[2];
    if (devNull() < 0) return (void)retire(std::string("cannot open /dev/null: ") + std::strerror(errno));
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) return (void)retire(std::string("pipe2 failed: ") + std::strerror(errno));
    read_ = net::Fd(fds[0]);
    write_ = net::Fd(fds[1]);
    // Above /proc/sys/fs/pipe-max-size an unprivileged process gets EPERM: keep the default size.
    (void)::fcntl(write_.get(), F_SETPIPE_SZ, static_cast<int>(std::min<size_t>(wantBytes, 1u << 30)));
    const int size = ::fcntl(write_.get(), F_GETPIPE_SZ);
    capacity_ = size > 0 ? static_cast<size_t>(size) : 64 * 1024;
  }
  bool retire(std::string why) {
    // Bytes stuck in a pipe that cannot drain would be read by the next body: never reuse it.
    broken_ = true;
    why_ = std::move(why);
    read_.reset();
    write_.reset();
    return false;
  }

  net::Fd read_;
  net::Fd write_;
  size_t capacity_ = 0;
  bool tried_ = false;
  bool broken_ = false;
  std::string why_;
};

/** splice(2) refused this socket or kernel, rather than the connection failing. */
bool spliceUnsupported(int err) { return err == EINVAL || err == ENOSYS || err == ENOTSUP || err == EOPNOTSUPP || err == EBADF; }

/** The first fallback of the process is worded in the log; later ones would only repeat it. */
bool firstFallback() {
  static std::atomic<bool> said{false};
  return !said.exchange(true, std::memory_order_relaxed);
}

}  // namespace

bool Connection::spliceWanted() const {
  if (state_ != State::kReadBody || !exchange_ || spliceRefused_ || !config().sinkSplice) return false;
  if (config().mode != BodyMode::kStream) return false;
  const Exchange& ex = *exchange_;
  if (!ex.discardsBody() || ex.bodyPaused() || ex.aborted() || ex.responseEnded()) return false;
  const http::Framing& f = ex.request().framing;
  // The last byte is read normally: llhttp ends a body only on input (Parser::skipBody).
  if (f.chunked || !f.contentLength || ex.bodyBytesRead() + 1 >= *f.contentLength) return false;
  // Bytes already in user space go through the parser first; splice takes only the rest.
  if (bufEnd_ > bufStart_ || !feeding_.empty() || parser_.resumePending()) return false;
  return transport_->canSplice();
}

Connection::SpliceStep Connection::spliceBody() {
  std::string whyNot;
  SplicePipe* pipe = SplicePipe::forThisThread(config().bulkReadBytes, whyNot);
  IoResult r = IoResult::failed(0);
  size_t want = 0;
  if (pipe) {
    const uint64_t remaining = *exchange_->bodyLength() - exchange_->bodyBytesRead() - 1;
    // Never the body's last byte nor past it (pipelined bytes stay in the socket), and no more than one normal read.
    want = static_cast<size_t>(std::min<uint64_t>({remaining, worker_.scratchSize(), pipe->capacity()}));
    r = transport_->spliceTo(pipe->writeFd(), want);
    if (r.kind == IoResult::Kind::kError && spliceUnsupported(r.error))
      whyNot = std::string("splice from the socket failed: ") + std::strerror(r.error);
    if (r.kind == IoResult::Kind::kDone) {
      // The bytes left the socket: they count even if the pipe then fails (closing it discards them).
      if (!pipe->discard(r.bytes)) whyNot = pipe->why();
      noteSpliced(r.bytes);
    }
  }
  if (!whyNot.empty()) {
    spliceRefused_ = true;  // this request goes on through read(2) and the parser
    if (firstFallback() && config().emitEvents) {
      observe::Event ev{.kind = observe::EventKind::kServerNotice, .connectionId = id_};
      ev.text = whyNot + "; request bodies are read normally instead";
      worker_.server().events().push(std::move(ev));
    }
    return SpliceStep::kFallBack;
  }
  if (r.kind == IoResult::Kind::kEof) return onPeerClosed(), SpliceStep::kStop;
  if (r.kind == IoResult::Kind::kWouldBlock) return SpliceStep::kStop;
  if (r.kind == IoResult::Kind::kError) return closeNow(false, r.error == ECONNRESET ? "peer reset" : "read error"), SpliceStep::kStop;
  return r.bytes == want ? SpliceStep::kMoved : SpliceStep::kStop;
}

void Connection::noteSpliced(size_t n) {
  auto& stats = worker_.server().stats();
  stats.bytesIn.fetch_add(n, std::memory_order_relaxed);
  stats.bodyBytesSpliced.fetch_add(n, std::memory_order_relaxed);
  setDeadline(config().bodyIdleTimeout);
  exchange_->noteBodyBytes(n);
  // n stays below the parser's remaining length, so this cannot refuse; if it ever did, the
  // parser and the counters would disagree about the body: stop rather than misframe.
  if (!parser_.skipBody(n)) closeNow(false, "spliced body bytes the parser did not expect");
}

}  // namespace sluice::server
