// Connection's output path: queued segments, writes through the transport, write budget, epoll interest.
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

bool peerGone(int err) { return err == EPIPE || err == ECONNRESET; }
}  // namespace

void Connection::queue(std::string data) {
  if (data.empty() || state_ == State::kClosed) return;
  outBytes_ += data.size();
  queuedTotal_ += data.size();
  worker_.server().stats().notePendingOutput(outBytes_);
  if (!out_.empty() && !out_.back().file && out_.back().data.size() + data.size() <= kCoalesceBytes) {
    out_.back().data += data;
    return;
  }
  out_.push_back(Segment{.data = std::move(data)});
}

void Connection::queueFile(std::shared_ptr<net::Fd> file, uint64_t offset, uint64_t length) {
  if (length == 0 || state_ == State::kClosed) return;
  queuedTotal_ += length;
  const bool readWrite = readWriteFile(file->get());
  out_.push_back(Segment{.file = std::move(file), .fileOffset = offset, .fileLeft = length, .readWrite = readWrite});
}

// Sends within two budgets: this connection's for the pump, and the worker's for the
// loop turn. When the turn's is spent, the rest waits for the next turn (epoll reports
// the socket writable again), after accepts and reads in that turn had their chance.
void Connection::flush() {
  if (out_.empty() || state_ == State::kClosed) return;
  const size_t allowance = std::min(writeBudget_, worker_.turnWriteBudget());
  const size_t kept = writeBudget_ - allowance;
  writeBudget_ = allowance;
  bool progressed = false;
  while (!out_.empty() && state_ != State::kClosed && writeBudget_ > 0) {
    Segment& front = out_.front();
    const size_t budget = writeBudget_;
    const bool more = front.file ? flushFile(front) : flushData();
    progressed = progressed || writeBudget_ != budget;
    if (!more) break;
  }
  const bool starved = state_ != State::kClosed && !out_.empty() && !blocked_ && writeBudget_ == 0;
  worker_.spendTurnWriteBudget(allowance - writeBudget_, starved);
  writeBudget_ += kept;
  if (starved) queueForWriteRound();
  if (progressed && state_ != State::kClosed) afterWrite();
}

void Connection::queueForWriteRound() {
  if (queuedWrite_ || state_ == State::kClosed || out_.empty()) return;
  queuedWrite_ = true;
  worker_.scheduleWrite(id_);
}


// One sendfile call for the front segment; false when writing must stop for now.
bool Connection::flushFile(Segment& front) {
  if (front.readWrite) return flushFileReadWrite(front);
  const size_t max = static_cast<size_t>(std::min({front.fileLeft, kSendfileChunk, static_cast<uint64_t>(writeBudget_)}));
  IoResult r = transport_->sendFile(front.file->get(), front.fileOffset, max);
  blocked_ = r.kind == IoResult::Kind::kWouldBlock || (r.kind == IoResult::Kind::kDone && r.bytes < max);
  if (r.kind == IoResult::Kind::kWouldBlock) return false;
  if (r.kind == IoResult::Kind::kError) {
    closeNow(false, peerGone(r.error) ? "peer reset during response" : "sendfile failed");
    return false;
  }
  if (r.kind == IoResult::Kind::kEof) {  // the file shrank under us: the framing can no longer be kept
    closeNow(false, "file truncated while sending");
    return false;
  }
  fileBytesSent(front, r.bytes);
  return true;
}

// One gathered write of the leading data segments; false when writing must stop for now.
bool Connection::flushData() {
  iovec iov[kMaxIov];
  size_t cnt = 0;
  for (auto it = out_.begin(); it != out_.end() && cnt < kMaxIov && !it->file; ++it, ++cnt) {
    iov[cnt].iov_base = it->data.data() + it->pos;
    iov[cnt].iov_len = it->data.size() - it->pos;
  }
  size_t offered = 0;
  for (size_t i = 0; i < cnt; ++i) offered += iov[i].iov_len;
  IoResult r = transport_->writev(iov, cnt);
  blocked_ = r.kind == IoResult::Kind::kWouldBlock || (r.kind == IoResult::Kind::kDone && r.bytes < offered);
  if (r.kind == IoResult::Kind::kWouldBlock) return false;
  if (r.kind != IoResult::Kind::kDone) {
    closeNow(false, peerGone(r.error) ? "peer reset during response" : "write failed");
    return false;
  }
  size_t left = r.bytes;
  sentTotal_ += left;
  writeBudget_ -= std::min(writeBudget_, left);
  worker_.server().stats().bytesOut.fetch_add(left, std::memory_order_relaxed);
  outBytes_ -= left;
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
  return r.bytes >= iov[0].iov_len;  // less than the first segment: the socket buffer is full
}

// Takes back the current exchange's response while none of it has left user space,
// so an error found later in the request can still be answered with its status.
bool Connection::retractResponse() {
  if (sentTotal_ > exchangeOutMark_) return false;
  uint64_t excess = queuedTotal_ - exchangeOutMark_;
  while (excess > 0 && !out_.empty()) {
    Segment& back = out_.back();
    const uint64_t size = back.file ? back.fileLeft : back.data.size() - back.pos;
    if (size <= excess) {
      if (!back.file) outBytes_ -= static_cast<size_t>(size);
      excess -= size;
      out_.pop_back();
      continue;
    }
    back.data.resize(back.data.size() - static_cast<size_t>(excess));  // coalesced: the tail is ours
    outBytes_ -= static_cast<size_t>(excess);
    excess = 0;
  }
  queuedTotal_ = exchangeOutMark_;
  return true;
}

void Connection::afterWrite() {
  lastActive_ = loop().now();
  if (!finishing_.empty()) emitFinishedSent();
  if (exchange_ && exchange_->onOutputDrained(outBytes_, out_.empty()) && pump_ != PumpState::kIdle)
    pump_ = PumpState::kRerun;
}

void Connection::updateInterest() {
  if (state_ == State::kClosed || !interest_) return;
  // While queued for the write round, epoll need not report the socket writable every turn.
  const bool wantWrite = (!out_.empty() && !queuedWrite_) || transport_->wantsWrite();
  uint32_t want = (wantRead() ? EPOLLIN : 0u) | (wantWrite ? EPOLLOUT : 0u);
  // TLS: bytes decrypted inside OpenSSL never wake epoll; read them on the next turn.
  if (wantRead() && transport_->pending()) worker_.readSoon(id_);
  if (want == *interest_) return;
  interest_ = want;
  // Without the interest we asked for, the connection would never be woken again.
  if (auto st = loop().modify(transport_->fd(), want, this); !st) closeNow(false, "epoll_ctl(MOD) failed");
}

}  // namespace sluice::server
