// Connection's output path: queued segments, writev/sendfile, write budget, epoll interest.
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>

#include "engine/server/connection.h"
#include "engine/server/server.h"
#include "engine/server/worker.h"

namespace sluice::server {

namespace {
constexpr size_t kMaxIov = 16;
constexpr size_t kCoalesceBytes = 16 * 1024;
constexpr uint64_t kSendfileChunk = 4 * 1024 * 1024;
}  // namespace

void Connection::queue(std::string data) {
  if (data.empty() || phase_ == Phase::kClosed) return;
  outBytes_ += data.size();
  if (!out_.empty() && !out_.back().file && out_.back().data.size() + data.size() <= kCoalesceBytes) {
    out_.back().data += data;
    return;
  }
  out_.push_back(Segment{.data = std::move(data)});
}

void Connection::queueFile(std::shared_ptr<net::Fd> file, uint64_t offset, uint64_t length) {
  if (length == 0 || phase_ == Phase::kClosed) return;
  out_.push_back(Segment{.file = std::move(file), .fileOffset = offset, .fileLeft = length});
}

void Connection::flush() {
  Server& server = worker_.server();
  bool progressed = false;
  while (!out_.empty() && phase_ != Phase::kClosed && writeBudget_ > 0) {
    Segment& front = out_.front();
    if (front.file) {
      off_t off = static_cast<off_t>(front.fileOffset);
      ssize_t n = ::sendfile(fd_.get(), front.file->get(), &off,
                             std::min({front.fileLeft, kSendfileChunk, static_cast<uint64_t>(writeBudget_)}));
      if (n < 0) {
        if (errno == EAGAIN || errno == EINTR) break;
        closeNow(false, errno == EPIPE || errno == ECONNRESET ? "peer reset during response" : "sendfile failed");
        return;
      }
      if (n == 0) {  // the file shrank under us: the framing can no longer be kept
        closeNow(false, "file truncated while sending");
        return;
      }
      front.fileOffset += static_cast<uint64_t>(n);
      front.fileLeft -= static_cast<uint64_t>(n);
      writeBudget_ -= std::min(writeBudget_, static_cast<size_t>(n));
      server.stats().bytesOut.fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed);
      progressed = true;
      if (front.fileLeft == 0) out_.pop_front();
      continue;
    }
    iovec iov[kMaxIov];
    size_t cnt = 0;
    for (auto it = out_.begin(); it != out_.end() && cnt < kMaxIov && !it->file; ++it, ++cnt) {
      iov[cnt].iov_base = it->data.data() + it->pos;
      iov[cnt].iov_len = it->data.size() - it->pos;
    }
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = cnt;
    ssize_t n = ::sendmsg(fd_.get(), &msg, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) break;
      closeNow(false, errno == EPIPE || errno == ECONNRESET ? "peer reset during response" : "write failed");
      return;
    }
    size_t left = static_cast<size_t>(n);
    writeBudget_ -= std::min(writeBudget_, left);
    server.stats().bytesOut.fetch_add(left, std::memory_order_relaxed);
    outBytes_ -= left;
    progressed = true;
    while (left > 0) {
      Segment& s = out_.front();
      size_t avail = s.data.size() - s.pos;
      if (left < avail) {
        s.pos += left;
        break;
      }
      left -= avail;
      out_.pop_front();
    }
    if (static_cast<size_t>(n) < iov[0].iov_len) break;  // socket buffer full
  }
  if (!progressed) return;
  lastActive_ = worker_.loop().now();
  if (exchange_ && exchange_->waitingWritable_ && outBytes_ <= worker_.config().outputHighWaterBytes / 2 &&
      !exchange_->aborted_) {
    exchange_->waitingWritable_ = false;
    if (auto* h = exchange_->handler()) h->onWritable(*exchange_);
    again_ = true;
  }
}

void Connection::updateInterest() {
  if (phase_ == Phase::kClosed || !registered_) return;
  uint32_t want = (wantRead() ? EPOLLIN : 0u) | (out_.empty() ? 0u : EPOLLOUT);
  if (want == interest_) return;
  interest_ = want;
  (void)worker_.loop().modify(fd_.get(), want, this);
}

}  // namespace sluice::server
