// Connection's file bodies: the choice between sendfile(2) and read/write, and the read/write path.
#include <linux/magic.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "engine/server/connection.h"
#include "engine/server/server.h"
#include "engine/server/worker.h"

namespace sluice::server {

// On tmpfs, reading into a buffer and writing it beats sendfile, for nginx too
// (docs/performance.md, Milestone 2 (2026-12-02)); elsewhere sendfile spares the copy.
bool Connection::readWriteFile(int fileFd) const {
  if (transport_->stagesFiles()) return false;  // TLS reads into its own buffer already
  switch (config().fileSend) {
    case FileSendMode::kSendfile: return false;
    case FileSendMode::kReadWrite: return true;
    case FileSendMode::kAuto: break;
  }
  struct statfs fs {};
  // When fstatfs fails, sendfile is the path that works on every file system.
  return ::fstatfs(fileFd, &fs) == 0 && static_cast<unsigned long>(fs.f_type) == TMPFS_MAGIC;
}

void Connection::fileBytesSent(Segment& front, size_t n) {
  sentTotal_ += n;
  front.fileOffset += n;
  front.fileLeft -= n;
  writeBudget_ -= std::min(writeBudget_, n);
  auto& stats = worker_.server().stats();
  stats.bytesOut.fetch_add(n, std::memory_order_relaxed);
  (front.readWrite ? stats.fileBytesReadWrite : stats.fileBytesSendfile).fetch_add(n, std::memory_order_relaxed);
  if (front.fileLeft == 0) out_.pop_front();
}

// One pread into the segment's buffer when it is empty, then one write of what it holds;
// false when writing must stop for now. Bytes the socket did not take stay staged.
bool Connection::flushFileReadWrite(Segment& front) {
  const size_t cap = std::max<size_t>(config().fileBufferBytes, 4096);
  if (front.stagedPos == front.stagedLen) {
    if (!front.staged) front.staged = std::make_unique_for_overwrite<char[]>(cap);
    const size_t want = static_cast<size_t>(std::min<uint64_t>(front.fileLeft, cap));
    ssize_t n;
    do {
      n = ::pread(front.file->get(), front.staged.get(), want, static_cast<off_t>(front.fileOffset));
    } while (n < 0 && errno == EINTR);
    if (n <= 0) {  // the file shrank under us (or cannot be read): the framing can no longer be kept
      closeNow(false, n == 0 ? "file truncated while sending" : "file read failed");
      return false;
    }
    front.stagedLen = static_cast<size_t>(n);
    front.stagedPos = 0;
  }
  const size_t len = std::min(front.stagedLen - front.stagedPos, writeBudget_);
  iovec iov{front.staged.get() + front.stagedPos, len};
  IoResult r = transport_->writev(&iov, 1);
  blocked_ = r.kind == IoResult::Kind::kWouldBlock || (r.kind == IoResult::Kind::kDone && r.bytes < len);
  if (r.kind == IoResult::Kind::kWouldBlock) return false;
  if (r.kind != IoResult::Kind::kDone) {
    closeNow(false, r.error == EPIPE || r.error == ECONNRESET ? "peer reset during response" : "write failed");
    return false;
  }
  front.stagedPos += r.bytes;
  const bool whole = r.bytes == len;
  fileBytesSent(front, r.bytes);  // may pop the segment: front is gone after this
  return whole;
}

}  // namespace sluice::server
