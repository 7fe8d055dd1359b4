#pragma once
/**
 * The io_uring backend of EventLoop (liburing). Two kinds of watch:
 * - any descriptor added with EventLoop::add gets epoll's level-triggered
 *   readiness from one-shot IORING_OP_POLL_ADD requests, re-armed after each
 *   report (the listener, TLS sockets, client sockets, the wake eventfd);
 * - a RingSocket (the server's plain TCP connections) has its receives and its
 *   small sends done by the ring itself: a receive into a buffer the kernel picks
 *   from a provided-buffer ring, a send from a small staging block. They are
 *   submitted in the same io_uring_enter that waits, so a keep-alive request costs
 *   no read(2) or sendmsg(2) of its own.
 * Readiness is reported to the same IoHandler::onIo with EPOLL* bits.
 */
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "engine/util/error.h"

struct io_uring;
struct io_uring_sqe;
struct io_uring_buf_ring;

namespace sluice::net {

class IoHandler;
class UringPoller;

/** What a watch is; shared by both kinds. Owned by the poller, freed once no request refers to it. */
struct UringWatch {
  virtual ~UringWatch() = default;
  int fd = -1;
  IoHandler* handler = nullptr;
  uint32_t interest = 0;       ///< EPOLLIN / EPOLLOUT asked for
  bool registered = false;     ///< between EventLoop::add and remove
  bool dead = false;           ///< no longer used: freed when inflight reaches 0
  bool buried = false;         ///< on the list of watches to free
  bool ring = false;           ///< a RingSocket
  bool pollArmed = false;
  bool pollCancelSent = false;
  bool checkQueued = false;    ///< in the poller's list of watches to look at this turn
  uint32_t pollMask = 0;
  int inflight = 0;            ///< submitted requests whose completion has not arrived
};

/**
 * A plain TCP socket served through the ring. Only the loop thread calls it.
 * Return values follow the system calls: bytes (> 0), 0 at end of stream (read),
 * or -errno, where -EAGAIN means wait for EPOLLIN / EPOLLOUT from the loop.
 */
class RingSocket : public UringWatch {
 public:
  long read(char* dst, size_t cap);
  long writev(const iovec* iov, size_t count);
  long sendFile(int fileFd, uint64_t offset, size_t max);
  /** Half-closes once every staged byte is sent. */
  void shutdownWrite();
  /**
   * Gives the descriptor back to the poller. A send still in flight is cancelled and
   * what it left goes out with one non-blocking send(2), so a peer that does not read
   * cannot hold the descriptor open (reset: closed at once, with RST).
   */
  void close(bool reset);
  /** No receive is in flight and nothing waits in ring buffers: splice(2) may take the next bytes. */
  bool canSplice() const { return !recvArmed_ && inHead_ == in_.size() && !eof_ && readError_ == 0 && !closing_; }
  /** splice(2) from the socket into a pipe: as read(). */
  long splice(int pipeWriteFd, size_t max);
  /** Received bytes wait in ring buffers. */
  bool pending() const { return inHead_ < in_.size(); }

 private:
  friend class UringPoller;
  struct Chunk {
    uint16_t bid;
    uint32_t off;
    uint32_t len;
  };
  explicit RingSocket(UringPoller& poller) : poller_(poller) {}
  bool staged() const { return stageEnd_ > stageStart_ || sendArmed_; }
  bool readable() const { return pending() || eof_ || readError_ != 0 || directRead_; }
  bool writable() const;
  /** The result of a sendmsg(2) or sendfile(2) made directly: EAGAIN arms a wait for EPOLLOUT. */
  long afterDirectWrite(ssize_t n);
  /** Closing: what a cancelled send left staged goes out with one non-blocking send(2). */
  void flushStagedDirect();

  UringPoller& poller_;
  std::vector<Chunk> in_;
  size_t inHead_ = 0;
  bool eof_ = false;
  int readError_ = 0;
  bool recvArmed_ = false;
  bool directRead_ = false;     ///< no ring buffer was free, or bytes may wait: read(2) until EAGAIN
  bool waitIn_ = false;         ///< a poll for EPOLLIN stands in for the receive (no buffer was free)
  char* stage_ = nullptr;       ///< staging block, from the poller's free list while bytes wait
  uint32_t stageStart_ = 0;
  uint32_t stageEnd_ = 0;
  bool sendArmed_ = false;
  int writeError_ = 0;
  bool waitOut_ = false;        ///< a direct write met EAGAIN: poll for EPOLLOUT
  bool waitDrain_ = false;      ///< a direct write had to wait for the staged bytes to go first
  bool shutdownPending_ = false;
  bool closing_ = false;        ///< close() called: close the descriptor once nothing is staged
};

/** Counters for tests and the docs' measurements. */
struct UringCounters {
  uint64_t enters = 0;       ///< io_uring_enter calls made by wait()
  uint64_t recvs = 0;        ///< receive completions
  uint64_t sends = 0;        ///< send completions
  uint64_t polls = 0;        ///< poll completions
  uint64_t directReads = 0;  ///< read(2) calls made by RingSocket::read
  uint64_t directWrites = 0; ///< sendmsg(2) / sendfile(2) calls made by RingSocket
  uint64_t noBuffer = 0;     ///< receives that found no free ring buffer (ENOBUFS)
};

/** One ring per loop. */
class UringPoller {
 public:
  /** The ring, or why it cannot be had (disabled by sysctl, seccomp, no kernel support). */
  static Result<std::unique_ptr<UringPoller>> create();
  ~UringPoller();
  UringPoller(const UringPoller&) = delete;
  UringPoller& operator=(const UringPoller&) = delete;

  Status add(int fd, uint32_t events, IoHandler* handler);
  Status modify(int fd, uint32_t events, IoHandler* handler);
  Status remove(int fd);

  /** Takes fd over as a ring socket; EventLoop::add(fd) then watches it. */
  RingSocket* openSocket(int fd);

  /**
   * Called by the loop thread before its first wait: that thread becomes the ring's
   * only submitter (IORING_SETUP_SINGLE_ISSUER), so run() binds the loop to it.
   */
  Status enable();
  /**
   * Submits what was prepared and waits up to timeoutMs (-1: no limit, 0: not at all)
   * for a completion, in one io_uring_enter. Returns 0, kTimedOut when the time ran out
   * with nothing completed, or -errno when the wait failed.
   */
  int wait(int timeoutMs);
  static constexpr int kTimedOut = 1;
  /** Handles the completions that arrived and reports readiness to the handlers. */
  void dispatch();
  /** Some watch is still ready (level-triggered): the next wait must not block. */
  bool hasReady() const { return !ready_.empty(); }
  const UringCounters& counters() const { return counters_; }

  static constexpr uint32_t kStageBytes = 16 * 1024;    ///< staging block: larger writes go out directly
  static constexpr uint32_t kRecvBufferBytes = 16 * 1024;
  static constexpr uint32_t kRecvBuffers = 128;          ///< 2 MiB of receive buffers per loop

 private:
  friend class RingSocket;
  UringPoller() = default;
  Status setup();
  io_uring_sqe* sqe();
  void armPoll(UringWatch& w, uint32_t mask);
  void cancelPoll(UringWatch& w);
  void armRecv(RingSocket& s);
  void armSend(RingSocket& s);
  void cancelSend(RingSocket& s);
  void cancelRecv(RingSocket& s);
  void onCompletion(uint64_t data, int res, uint32_t flags);
  void onPoll(UringWatch& w, int res);
  void onRecv(RingSocket& s, int res, uint32_t flags);
  void onSend(RingSocket& s, int res);
  void queueCheck(UringWatch& w);
  void checkWatches();
  void checkSocket(RingSocket& s);
  void rearm(RingSocket& s);
  void finishClose(RingSocket& s);
  void release(UringWatch& w);
  void returnBuffer(uint16_t bid);
  char* takeStage();
  void giveStage(char* block);
  UringWatch* find(int fd) const;

  std::unique_ptr<io_uring> ring_;
  bool ringReady_ = false;
  bool deferTaskrun_ = false;  ///< IORING_SETUP_DEFER_TASKRUN: completions arrive only when we ask
  bool disabled_ = false;      ///< created disabled, until enable() on the loop thread
  io_uring_buf_ring* bufRing_ = nullptr;
  char* bufMemory_ = nullptr;
  size_t bufRingBytes_ = 0;
  std::unordered_map<int, UringWatch*> byFd_;       ///< registered or open watches by descriptor
  std::unordered_set<UringWatch*> all_;              ///< every watch not yet freed (removed ones too)
  std::vector<UringWatch*> check_;                   ///< watches whose state changed this turn
  std::vector<UringWatch*> ready_;                   ///< ring sockets still ready after their report
  std::vector<UringWatch*> graveyard_;               ///< dead watches with nothing in flight
  std::vector<char*> freeStages_;
  UringCounters counters_;
};

/** Whether io_uring may be used here, and if not, why (the sysctl, in words). */
std::optional<std::string> uringDisabledReason();

}  // namespace sluice::net
