#include "engine/client/stream_core.h"

#include "engine/client/connection.h"

namespace sluice::client {

StreamCore::StreamCore(std::shared_ptr<ClientContext> ctx, uint64_t requestId, uint64_t connectionId,
                       std::optional<uint64_t> contentLength, Timings timings)
    : ctx_(std::move(ctx)), requestId_(requestId), connectionId_(connectionId), contentLength_(contentLength),
      timings_(timings) {
  ctx_->heldStreams.fetch_add(1, std::memory_order_relaxed);
}

void StreamCore::postToConn(std::function<void(Connection&)> fn) {
  ctx_->post([self = shared_from_this(), fn = std::move(fn)] {
    if (self->conn) fn(*self->conn);
  });
}

bool StreamCore::offer(std::shared_ptr<const void> owner, std::string_view data, size_t charge) {
  if (pushMode_) {
    bytesRead_.fetch_add(data.size(), std::memory_order_relaxed);
    if (onData_ && onData_(data) == BodyStream::Action::kPause) {
      pushPaused_ = true;
      return false;
    }
    return true;
  }
  std::unique_lock lock(mutex_);
  if (released_.load(std::memory_order_relaxed)) return true;  // draining: nobody reads
  queue_.push_back({BodyChunk(std::move(owner), data), charge});
  buffered_ += charge;
  bool room = buffered_ < ctx_->config().streamBufferBytes;
  if (!room) producerPaused_ = true;
  bool wake = readerWaiting_;
  lock.unlock();
  if (wake) cv_.notify_one();
  return room;
}

void StreamCore::offerChunk(ChunkBoundary chunk) {
  std::lock_guard lock(mutex_);
  if (!released_.load(std::memory_order_relaxed)) chunks_.push_back(std::move(chunk));
}

std::vector<ChunkBoundary> StreamCore::takeChunks() {
  std::lock_guard lock(mutex_);
  return std::exchange(chunks_, {});
}

void StreamCore::finish(Status status, uint64_t completeUs) {
  {
    std::lock_guard lock(mutex_);
    if (ended_ || error_) return;
    if (status) ended_ = true;
    else error_ = status.error();
    timings_.completeUs = completeUs;
  }
  cv_.notify_all();
  if (pushMode_ && !endDelivered_) {
    endDelivered_ = true;
    // Forwarding ends in the implicit release (the reverse-proxy recycle). It comes
    // before done(): whoever done() wakes may drop the stream at once, and a stream
    // dropped unreleased would count as leaked and close the connection.
    if (forwarding_) release("forward()", !status.has_value());
    if (onEnd_) onEnd_(status);
  }
}

void StreamCore::detach() {
  conn = nullptr;
  holding_.store(false, std::memory_order_release);
  {
    std::lock_guard lock(mutex_);
    if (!ended_ && !error_) error_ = Error::make(ErrorCode::kClosed, "the connection closed before the body was complete");
  }
  cv_.notify_all();
}

Result<BodyChunk> StreamCore::take(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  auto ready = [&] { return !queue_.empty() || ended_ || error_ || released_.load(std::memory_order_relaxed); };
  readerWaiting_ = true;
  if (timeout.count() < 0) cv_.wait(lock, ready);
  else if (!cv_.wait_for(lock, timeout, ready)) {
    readerWaiting_ = false;
    return fail(ErrorCode::kTimeout, "no body bytes within " + std::to_string(timeout.count()) + " ms");
  }
  readerWaiting_ = false;
  if (released_.load(std::memory_order_relaxed))
    return fail(ErrorCode::kInvalidArgument, "the body stream was already released; read it before releasing it");
  if (queue_.empty()) {
    if (error_) return sluice::unexpected(*error_);
    return BodyChunk{};
  }
  Item item = std::move(queue_.front());
  queue_.pop_front();
  buffered_ -= item.charge;
  bytesRead_.fetch_add(item.chunk.size(), std::memory_order_relaxed);
  bool resume = producerPaused_ && buffered_ <= ctx_->config().streamBufferBytes / 2;
  if (resume) producerPaused_ = false;
  lock.unlock();
  if (resume) postToConn([](Connection& c) { c.resumeReading(); });
  return std::move(item.chunk);
}

void StreamCore::setCallbacks(BodyStream::DataCallback onData, BodyStream::EndCallback onEnd, bool forwarding) {
  ctx_->post([self = shared_from_this(), onData = std::move(onData), onEnd = std::move(onEnd), forwarding]() mutable {
    self->onData_ = std::move(onData);
    self->onEnd_ = std::move(onEnd);
    self->forwarding_ = forwarding;
    self->pushMode_ = true;
    self->flushPushed();
  });
}

void StreamCore::flushPushed() {
  std::deque<Item> pending;
  bool wasPaused = false;
  std::optional<Status> end;
  {
    std::lock_guard lock(mutex_);
    pending.swap(queue_);
    buffered_ = 0;
    wasPaused = std::exchange(producerPaused_, false);
    if (ended_) end = Status{};
    else if (error_) end = sluice::unexpected(*error_);
  }
  for (auto& item : pending) {
    bytesRead_.fetch_add(item.chunk.size(), std::memory_order_relaxed);
    if (onData_) onData_(item.chunk.data());
  }
  if (end && !endDelivered_) {
    endDelivered_ = true;
    if (forwarding_) release("forward()", !end->has_value());
    if (onEnd_) onEnd_(*end);
    return;
  }
  if (wasPaused && conn) conn->resumeReading();
}

void StreamCore::resume() {
  ctx_->post([self = shared_from_this()] {
    if (self->pushPaused_ && self->conn) {
      self->pushPaused_ = false;
      self->conn->resumeReading();
    }
  });
}

bool StreamCore::release(const char* via, bool close) {
  bool expected = false;
  if (!released_.compare_exchange_strong(expected, true, std::memory_order_acq_rel)) {
    ctx_->doubleReleases.fetch_add(1, std::memory_order_relaxed);
    const char* first = nullptr;
    {
      std::lock_guard lock(mutex_);
      first = releasedVia_;
    }
    ctx_->warningNow(connectionId_, requestId_, "double-release",
                  std::string("released again by ") + via + " (first by " + (first ? first : "?") +
                      "); ignored, the connection was not pooled twice");
    return false;
  }
  ctx_->heldStreams.fetch_sub(1, std::memory_order_relaxed);
  {
    std::lock_guard lock(mutex_);
    releasedVia_ = via;
    queue_.clear();  // nobody reads after release: free the buffered bytes now
    chunks_.clear();
    buffered_ = 0;
  }
  cv_.notify_all();
  postToConn([close](Connection& c) { c.onReleased(close, false); });
  return true;
}

void StreamCore::drop() {
  bool expected = false;
  if (!released_.compare_exchange_strong(expected, true, std::memory_order_acq_rel)) return;
  ctx_->heldStreams.fetch_sub(1, std::memory_order_relaxed);
  {
    std::lock_guard lock(mutex_);
    releasedVia_ = "destructor";
    queue_.clear();
    buffered_ = 0;
  }
  if (!holding_.load(std::memory_order_acquire)) return;  // the connection is already gone: nothing leaked
  ctx_->leaks.fetch_add(1, std::memory_order_relaxed);
  ctx_->warningNow(connectionId_, requestId_, "leaked",
                "body stream destroyed without release(); its connection is closed, not recycled");
  postToConn([](Connection& c) { c.onReleased(true, true); });
}

bool StreamCore::finished() const {
  std::lock_guard lock(mutex_);
  return ended_;
}

Timings StreamCore::timings() const {
  std::lock_guard lock(mutex_);
  return timings_;
}

}  // namespace sluice::client
