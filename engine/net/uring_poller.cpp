// The io_uring backend: the ring, readiness watches, completions and the turn's checks.
// RingSocket's own calls are in ring_socket.cpp.
#include "engine/net/uring_poller.h"

#include <liburing.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>

#include "engine/net/event_loop.h"

namespace sluice::net {

namespace {
constexpr uint64_t kTagPoll = 1;
constexpr uint64_t kTagRecv = 2;
constexpr uint64_t kTagSend = 3;
constexpr uint64_t kTagMask = 7;
constexpr uint16_t kBufferGroup = 0;
constexpr unsigned kSqEntries = 1024;
constexpr unsigned kCqEntries = 16384;
constexpr unsigned kReapBatch = 256;

uint64_t tag(const UringWatch& w, uint64_t kind) { return reinterpret_cast<uintptr_t>(&w) | kind; }

std::string sysctlValue() {
  std::ifstream in("/proc/sys/kernel/io_uring_disabled");
  std::string v;
  in >> v;
  return v;
}
}  // namespace

std::optional<std::string> uringDisabledReason() {
  if (sysctlValue() == "2") return "io_uring is disabled on this system (kernel.io_uring_disabled = 2)";
  return std::nullopt;
}

Result<std::unique_ptr<UringPoller>> UringPoller::create() {
  if (auto why = uringDisabledReason()) return fail(ErrorCode::kSystem, *why);
  std::unique_ptr<UringPoller> p(new UringPoller());
  if (auto st = p->setup(); !st) return sluice::unexpected(st.error());
  return p;
}

Status UringPoller::setup() {
  ring_ = std::make_unique<io_uring>();
  // Best first: one thread submits and reaps (the loop's), and the kernel runs completion
  // work only when that thread enters to wait, not by interrupting it (6.1). The ring
  // starts disabled and the loop thread enables it: it must be the one that submits.
  // Older kernels refuse those flags with EINVAL; then cooperative task running (5.19),
  // then nothing.
  const unsigned choices[] = {
      IORING_SETUP_CQSIZE | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_R_DISABLED,
      IORING_SETUP_CQSIZE | IORING_SETUP_COOP_TASKRUN,
      IORING_SETUP_CQSIZE,
  };
  int rc = -EINVAL;
  for (unsigned flags : choices) {
    io_uring_params params{};
    params.flags = flags;
    params.cq_entries = kCqEntries;
    rc = io_uring_queue_init_params(kSqEntries, ring_.get(), &params);
    if (rc != -EINVAL) {
      deferTaskrun_ = rc == 0 && (flags & IORING_SETUP_DEFER_TASKRUN);
      disabled_ = rc == 0 && (flags & IORING_SETUP_R_DISABLED);
      break;
    }
  }
  if (rc < 0) {
    std::string what = rc == -ENOSYS ? "this kernel has no io_uring (io_uring_setup)"
                       : rc == -EPERM ? "io_uring is not permitted here (kernel.io_uring_disabled = " + sysctlValue() +
                                            ", or a seccomp filter) (io_uring_setup)"
                                      : "cannot set up io_uring (io_uring_setup)";
    return sluice::unexpected(Error::system(what, -rc));
  }
  ringReady_ = true;
  bufRingBytes_ = kRecvBuffers * sizeof(io_uring_buf);
  void* ringMem = ::mmap(nullptr, bufRingBytes_, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
  void* bufMem = ::mmap(nullptr, size_t{kRecvBuffers} * kRecvBufferBytes, PROT_READ | PROT_WRITE,
                        MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
  if (ringMem == MAP_FAILED || bufMem == MAP_FAILED) {
    if (ringMem != MAP_FAILED) ::munmap(ringMem, bufRingBytes_);
    if (bufMem != MAP_FAILED) ::munmap(bufMem, size_t{kRecvBuffers} * kRecvBufferBytes);
    return sluice::unexpected(Error::system("cannot map io_uring receive buffers", errno));
  }
  bufRing_ = static_cast<io_uring_buf_ring*>(ringMem);
  bufMemory_ = static_cast<char*>(bufMem);
  io_uring_buf_reg reg{};
  reg.ring_addr = reinterpret_cast<uintptr_t>(ringMem);
  reg.ring_entries = kRecvBuffers;
  reg.bgid = kBufferGroup;
  if (int r = io_uring_register_buf_ring(ring_.get(), &reg, 0); r < 0)
    return sluice::unexpected(Error::system("this kernel has no provided-buffer rings (io_uring_register_buf_ring)", -r));
  io_uring_buf_ring_init(bufRing_);
  const int mask = io_uring_buf_ring_mask(kRecvBuffers);
  for (uint32_t i = 0; i < kRecvBuffers; ++i)
    io_uring_buf_ring_add(bufRing_, bufMemory_ + size_t{i} * kRecvBufferBytes, kRecvBufferBytes, static_cast<uint16_t>(i),
                          mask, static_cast<int>(i));
  io_uring_buf_ring_advance(bufRing_, kRecvBuffers);
  return {};
}

UringPoller::~UringPoller() {
  // Closing the ring cancels whatever is in flight; only then may the memory it used go.
  if (ringReady_) io_uring_queue_exit(ring_.get());
  for (UringWatch* w : all_) {
    if (w->ring) {
      auto* s = static_cast<RingSocket*>(w);
      if (!s->dead && s->fd >= 0) ::close(s->fd);
      delete[] s->stage_;
    }
    delete w;
  }
  for (char* block : freeStages_) delete[] block;
  if (bufRing_) ::munmap(bufRing_, bufRingBytes_);
  if (bufMemory_) ::munmap(bufMemory_, size_t{kRecvBuffers} * kRecvBufferBytes);
}

io_uring_sqe* UringPoller::sqe() {
  io_uring_sqe* e = io_uring_get_sqe(ring_.get());
  if (!e && !disabled_) {  // the queue is full: hand it to the kernel now, which empties it
    io_uring_submit(ring_.get());
    ++counters_.enters;
    e = io_uring_get_sqe(ring_.get());
  }
  return e;
}

UringWatch* UringPoller::find(int fd) const {
  auto it = byFd_.find(fd);
  return it == byFd_.end() ? nullptr : it->second;
}

void UringPoller::armPoll(UringWatch& w, uint32_t mask) {
  io_uring_sqe* e = sqe();
  io_uring_prep_poll_add(e, w.fd, mask & (EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLPRI));
  io_uring_sqe_set_data64(e, tag(w, kTagPoll));
  w.pollArmed = true;
  w.pollCancelSent = false;
  w.pollMask = mask;
  ++w.inflight;
}

void UringPoller::cancelPoll(UringWatch& w) {
  if (!w.pollArmed || w.pollCancelSent) return;
  io_uring_sqe* e = sqe();
  io_uring_prep_poll_remove(e, tag(w, kTagPoll));
  io_uring_sqe_set_data64(e, 0);  // its own completion says nothing we need
  w.pollCancelSent = true;
}

Status UringPoller::add(int fd, uint32_t events, IoHandler* handler) {
  UringWatch* w = find(fd);
  if (w && w->registered) return sluice::unexpected(Error::system("io_uring watch (add)", EEXIST));
  if (!w) {
    w = new UringWatch();
    w->fd = fd;
    all_.insert(w);
    byFd_[fd] = w;
  }
  w->handler = handler;
  w->interest = events;
  w->registered = true;
  if (w->ring)
    queueCheck(*w);
  else
    armPoll(*w, events);
  return {};
}

Status UringPoller::modify(int fd, uint32_t events, IoHandler* handler) {
  UringWatch* w = find(fd);
  if (!w || !w->registered) return sluice::unexpected(Error::system("io_uring watch (modify)", ENOENT));
  w->handler = handler;
  w->interest = events;
  if (w->ring)
    queueCheck(*w);
  else if (w->pollArmed && w->pollMask != events)
    cancelPoll(*w);  // re-armed with the new mask when the cancelled poll completes
  return {};
}

Status UringPoller::remove(int fd) {
  UringWatch* w = find(fd);
  if (!w || !w->registered) return sluice::unexpected(Error::system("io_uring watch (remove)", ENOENT));
  w->registered = false;
  w->handler = nullptr;
  w->interest = 0;
  if (w->ring) return {};  // the socket stays the poller's until RingSocket::close
  byFd_.erase(fd);
  cancelPoll(*w);
  w->dead = true;
  release(*w);
  return {};
}

RingSocket* UringPoller::openSocket(int fd) {
  auto* s = new RingSocket(*this);
  s->fd = fd;
  s->ring = true;
  all_.insert(s);
  byFd_[fd] = s;
  return s;
}

void UringPoller::release(UringWatch& w) {
  if (!w.dead || w.inflight != 0 || w.buried) return;
  w.buried = true;
  graveyard_.push_back(&w);
}

void UringPoller::queueCheck(UringWatch& w) {
  if (w.dead || w.checkQueued || !w.ring) return;
  w.checkQueued = true;
  check_.push_back(&w);
}

Status UringPoller::enable() {
  if (!disabled_) return {};
  // liburing 2.3 declares io_uring_enable_rings but does not export it: the system call itself.
  if (::syscall(__NR_io_uring_register, ring_->ring_fd, IORING_REGISTER_ENABLE_RINGS, nullptr, 0) < 0)
    return sluice::unexpected(Error::system("cannot enable the io_uring (IORING_REGISTER_ENABLE_RINGS)", errno));
  disabled_ = false;
  return {};
}

int UringPoller::wait(int timeoutMs) {
  if (!check_.empty()) timeoutMs = 0;
  io_uring_cqe* cqe = nullptr;
  int rc;
  if (timeoutMs == 0) {
    // Deferred completion work runs only when the loop asks for events.
    rc = deferTaskrun_ ? io_uring_submit_and_get_events(ring_.get()) : io_uring_submit(ring_.get());
  } else {
    __kernel_timespec ts{.tv_sec = timeoutMs / 1000, .tv_nsec = (timeoutMs % 1000) * 1'000'000LL};
    rc = io_uring_submit_and_wait_timeout(ring_.get(), &cqe, 1, timeoutMs > 0 ? &ts : nullptr, nullptr);
  }
  ++counters_.enters;
  if (rc == -ETIME) return kTimedOut;
  if (rc < 0 && rc != -EINTR && rc != -EBUSY && rc != -EAGAIN) return rc;
  return 0;
}

void UringPoller::dispatch() {
  io_uring_cqe* batch[kReapBatch];
  for (int round = 0; round < 8; ++round) {
    unsigned n = io_uring_peek_batch_cqe(ring_.get(), batch, kReapBatch);
    if (n == 0) break;
    struct Done {
      uint64_t data;
      int res;
      uint32_t flags;
    } done[kReapBatch];
    for (unsigned i = 0; i < n; ++i) done[i] = {batch[i]->user_data, batch[i]->res, batch[i]->flags};
    io_uring_cq_advance(ring_.get(), n);
    for (unsigned i = 0; i < n; ++i) onCompletion(done[i].data, done[i].res, done[i].flags);
    if (n < kReapBatch) break;
  }
  checkWatches();
  // Freed only now, and only when no list still names them.
  std::erase_if(graveyard_, [this](UringWatch* w) {
    if (w->checkQueued) return false;
    all_.erase(w);
    if (w->ring) {
      auto* s = static_cast<RingSocket*>(w);
      for (size_t i = s->inHead_; i < s->in_.size(); ++i) returnBuffer(s->in_[i].bid);
      if (s->stage_) giveStage(s->stage_);
      s->stage_ = nullptr;
    }
    delete w;
    return true;
  });
}

void UringPoller::onCompletion(uint64_t data, int res, uint32_t flags) {
  auto* w = reinterpret_cast<UringWatch*>(data & ~kTagMask);
  if (!w) return;
  --w->inflight;
  switch (data & kTagMask) {
    case kTagPoll:
      onPoll(*w, res);
      break;
    case kTagRecv:
      onRecv(*static_cast<RingSocket*>(w), res, flags);
      break;
    case kTagSend:
      onSend(*static_cast<RingSocket*>(w), res);
      break;
    default:
      break;
  }
  if (w->dead) release(*w);
}

void UringPoller::onPoll(UringWatch& w, int res) {
  ++counters_.polls;
  w.pollArmed = false;
  w.pollCancelSent = false;
  if (w.dead) return;
  if (w.ring) {
    auto& s = static_cast<RingSocket&>(w);
    const uint32_t ev = res < 0 ? (res == -ECANCELED ? 0u : uint32_t{EPOLLERR}) : uint32_t(res);
    if (s.waitIn_ && (ev & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
      s.waitIn_ = false;
      s.directRead_ = true;
    }
    if (s.waitOut_ && (ev & (EPOLLOUT | EPOLLHUP | EPOLLERR))) s.waitOut_ = false;
    queueCheck(s);
    return;
  }
  if (res != -ECANCELED) {  // cancelled: the mask changed; arm the new one below
    uint32_t ev = res < 0 ? uint32_t{EPOLLERR} : uint32_t(res);
    ev &= w.interest | EPOLLERR | EPOLLHUP;
    if (ev && w.handler) w.handler->onIo(ev);
  }
  // Level-triggered, as epoll: a one-shot poll armed again reports at once if still ready.
  if (!w.dead && w.registered && !w.pollArmed) armPoll(w, w.interest);
}

void UringPoller::onRecv(RingSocket& s, int res, uint32_t flags) {
  ++counters_.recvs;
  s.recvArmed_ = false;
  if (res > 0 && (flags & IORING_CQE_F_BUFFER)) {
    const auto bid = static_cast<uint16_t>(flags >> IORING_CQE_BUFFER_SHIFT);
    if (s.dead || s.closing_) {
      returnBuffer(bid);
      return;
    }
    s.in_.push_back({bid, 0, static_cast<uint32_t>(res)});
    // A full buffer says more may wait in the socket: read(2) it before the next receive.
    if (static_cast<uint32_t>(res) == kRecvBufferBytes) s.directRead_ = true;
  } else if (res == 0) {
    s.eof_ = true;
  } else if (res == -ENOBUFS) {
    ++counters_.noBuffer;
    s.waitIn_ = true;  // every buffer is held: wait for readiness and read(2) instead
  } else if (res < 0 && res != -EAGAIN && res != -EINTR && res != -ECANCELED) {
    s.readError_ = -res;
  }
  queueCheck(s);
}

void UringPoller::onSend(RingSocket& s, int res) {
  ++counters_.sends;
  s.sendArmed_ = false;
  if (res > 0) {
    s.stageStart_ += static_cast<uint32_t>(res);
  } else if (res < 0 && res != -EAGAIN && res != -EINTR && res != -ECANCELED) {
    s.writeError_ = -res;
    s.stageStart_ = s.stageEnd_;  // the peer will not get them: nothing is left to send
  }
  if (s.dead) return;
  if (s.closing_) {
    s.flushStagedDirect();
    finishClose(s);
    return;
  }
  if (s.stageStart_ < s.stageEnd_) {
    armSend(s);
    return;
  }
  s.stageStart_ = s.stageEnd_ = 0;
  if (s.stage_) giveStage(s.stage_);
  s.stage_ = nullptr;
  s.waitDrain_ = false;
  if (s.shutdownPending_) {
    s.shutdownPending_ = false;
    (void)::shutdown(s.fd, SHUT_WR);  // ENOTCONN (reset by the peer) leaves nothing to do
  }
  queueCheck(s);
}

void UringPoller::armRecv(RingSocket& s) {
  io_uring_sqe* e = sqe();
  io_uring_prep_recv(e, s.fd, nullptr, kRecvBufferBytes, 0);
  e->flags |= IOSQE_BUFFER_SELECT;
  e->buf_group = kBufferGroup;
  io_uring_sqe_set_data64(e, tag(s, kTagRecv));
  s.recvArmed_ = true;
  ++s.inflight;
}

void UringPoller::armSend(RingSocket& s) {
  io_uring_sqe* e = sqe();
  io_uring_prep_send(e, s.fd, s.stage_ + s.stageStart_, s.stageEnd_ - s.stageStart_, MSG_NOSIGNAL);
  io_uring_sqe_set_data64(e, tag(s, kTagSend));
  s.sendArmed_ = true;
  ++s.inflight;
}

void UringPoller::cancelSend(RingSocket& s) {
  io_uring_sqe* e = sqe();
  io_uring_prep_cancel64(e, tag(s, kTagSend), 0);
  io_uring_sqe_set_data64(e, 0);
}

void UringPoller::cancelRecv(RingSocket& s) {
  io_uring_sqe* e = sqe();
  io_uring_prep_cancel64(e, tag(s, kTagRecv), 0);
  io_uring_sqe_set_data64(e, 0);
}

void UringPoller::checkWatches() {
  std::vector<UringWatch*> batch;
  batch.swap(check_);
  for (UringWatch* w : batch) {
    w->checkQueued = false;
    if (!w->dead) checkSocket(*static_cast<RingSocket*>(w));
  }
  // Give the vector's capacity back for the next turn when nothing was queued meanwhile.
  if (check_.empty()) {
    batch.clear();
    check_.swap(batch);
  }
}

void UringPoller::checkSocket(RingSocket& s) {
  if (s.closing_) return;
  auto readyMask = [&s] {
    uint32_t ev = 0;
    if (!s.registered || !s.handler) return ev;
    if ((s.interest & EPOLLIN) && s.readable()) ev |= EPOLLIN;
    if ((s.interest & EPOLLOUT) && s.writable()) ev |= EPOLLOUT;
    return ev;
  };
  if (uint32_t ev = readyMask()) s.handler->onIo(ev);
  if (s.dead || s.closing_) return;
  rearm(s);
  if (readyMask()) queueCheck(s);  // level-triggered: still ready, so reported again next turn
}

void UringPoller::rearm(RingSocket& s) {
  if (!s.registered) {
    cancelPoll(s);
    return;
  }
  if ((s.interest & EPOLLIN) && !s.readable() && !s.recvArmed_ && !s.waitIn_) armRecv(s);
  const uint32_t mask = (s.waitIn_ ? uint32_t{EPOLLIN} : 0u) | (s.waitOut_ ? uint32_t{EPOLLOUT} : 0u);
  if (s.pollArmed && s.pollMask != mask)
    cancelPoll(s);  // the cancelled poll's completion queues a check, which arms the new mask
  else if (!s.pollArmed && mask)
    armPoll(s, mask);
}

void UringPoller::finishClose(RingSocket& s) {
  // In-flight requests hold the file; cancelling them lets the kernel finish the close.
  if (s.recvArmed_) cancelRecv(s);
  if (s.sendArmed_) cancelSend(s);
  cancelPoll(s);
  ::close(s.fd);
  s.dead = true;
  release(s);
}

void UringPoller::returnBuffer(uint16_t bid) {
  io_uring_buf_ring_add(bufRing_, bufMemory_ + size_t{bid} * kRecvBufferBytes, kRecvBufferBytes, bid,
                        io_uring_buf_ring_mask(kRecvBuffers), 0);
  io_uring_buf_ring_advance(bufRing_, 1);
}

char* UringPoller::takeStage() {
  if (freeStages_.empty()) return new char[kStageBytes];
  char* block = freeStages_.back();
  freeStages_.pop_back();
  return block;
}

void UringPoller::giveStage(char* block) {
  // A few spare blocks are kept for the next responses; the rest go back to the heap.
  if (freeStages_.size() < 64)
    freeStages_.push_back(block);
  else
    delete[] block;
}

}  // namespace sluice::net
