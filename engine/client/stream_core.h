#pragma once
/**
 * The state a BodyStream shares with the connection that feeds it. The connection
 * (loop thread) offers body bytes; the reader takes them (any thread) or gets them
 * pushed (loop thread). Bytes in flight are bounded: offer() says "stop reading"
 * once the buffer is full and the reader's take() asks the loop to resume. Internal.
 */
#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>

#include "engine/client/body_stream.h"
#include "engine/client/client_context.h"

namespace sluice::client {

class Connection;

class StreamCore : public std::enable_shared_from_this<StreamCore> {
 public:
  StreamCore(std::shared_ptr<ClientContext> ctx, uint64_t requestId, uint64_t connectionId,
             std::optional<uint64_t> contentLength, Timings timings);

  // ---- producer side: loop thread only ------------------------------------------
  /**
   * Hands over body bytes. charge is what they cost against the buffer bound (the
   * whole read buffer for its first chunk). Returns false when the reader is behind
   * and the connection must stop reading until resume.
   */
  bool offer(std::shared_ptr<const void> owner, std::string_view data, size_t charge);
  /** A chunk header arrived (Request::reportChunks): kept until the reader takes it. */
  void offerChunk(ChunkBoundary chunk);
  /** The body ended (ok) or failed. Only the first call counts. */
  void finish(Status status, uint64_t completeUs);
  /** The connection no longer serves this stream. */
  void detach();
  /** The connection feeding this stream; loop thread only. */
  Connection* conn = nullptr;

  // ---- reader side ---------------------------------------------------------------
  Result<BodyChunk> take(std::chrono::milliseconds timeout);
  std::vector<ChunkBoundary> takeChunks();
  void setCallbacks(BodyStream::DataCallback onData, BodyStream::EndCallback onEnd, bool forwarding);
  void resume();
  /**
   * The one release operation. via names the caller ("release()", "destructor", ...).
   * close: never recycle. Returns false when it was not the first call.
   */
  bool release(const char* via, bool close);
  /** Destructor path: silent when already released, "leaked" when still holding. */
  void drop();

  bool released() const { return released_.load(std::memory_order_acquire); }
  bool finished() const;
  uint64_t bytesRead() const { return bytesRead_.load(std::memory_order_relaxed); }
  std::optional<uint64_t> contentLength() const { return contentLength_; }
  uint64_t requestId() const { return requestId_; }
  uint64_t connectionId() const { return connectionId_; }
  Timings timings() const;

 private:
  void postToConn(std::function<void(Connection&)> fn);
  void flushPushed();  // loop thread

  std::shared_ptr<ClientContext> ctx_;
  const uint64_t requestId_;
  const uint64_t connectionId_;
  const std::optional<uint64_t> contentLength_;

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  struct Item {
    BodyChunk chunk;
    size_t charge;
  };
  std::deque<Item> queue_;
  std::vector<ChunkBoundary> chunks_;  ///< reported chunk headers not yet taken
  size_t buffered_ = 0;
  bool ended_ = false;
  std::optional<Error> error_;
  bool readerWaiting_ = false;
  bool producerPaused_ = false;  ///< the connection stopped reading for us
  Timings timings_;
  const char* releasedVia_ = nullptr;
  std::atomic<bool> released_{false};
  std::atomic<bool> holding_{true};
  std::atomic<uint64_t> bytesRead_{0};

  // push mode: loop thread only once set
  bool pushMode_ = false;
  bool forwarding_ = false;
  bool endDelivered_ = false;
  bool pushPaused_ = false;
  BodyStream::DataCallback onData_;
  BodyStream::EndCallback onEnd_;
};

}  // namespace sluice::client
