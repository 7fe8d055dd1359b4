#pragma once
/**
 * A streamed response body. It holds its connection until it is released.
 *
 * Two ways to read it:
 *  - blocking (CLI, tests): next() / read() wait for bytes on the calling thread;
 *  - callbacks (GUI bridge): setCallbacks() delivers bytes on the client's loop thread.
 * Either way the client buffers at most ClientConfig::streamBufferBytes; when the
 * reader is behind, the socket is not read (TCP flow control slows the server).
 *
 * Release: release(), reset(), resetBody(), abort(), forward() and the destructor all
 * go through one idempotent operation. The first call returns the connection to the
 * pool (draining an unfinished body within the DrainPolicy, or closing it). Every later
 * call does nothing but record a "double-release" warning event. A stream destroyed
 * without having been released closes its connection and records "leaked".
 *
 * All member functions are thread-safe with respect to the client loop; one
 * BodyStream should be read by one thread at a time.
 */
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/client/response.h"
#include "engine/util/error.h"

namespace sluice::client {

class StreamCore;

/** A piece of body. It shares the client's read buffer: no copy is made. */
class BodyChunk {
 public:
  BodyChunk() = default;
  BodyChunk(std::shared_ptr<const void> owner, std::string_view data)
      : owner_(std::move(owner)), data_(data) {}
  std::string_view data() const { return data_; }
  size_t size() const { return data_.size(); }
  /** An empty chunk from next() means the body ended. */
  bool empty() const { return data_.empty(); }

 private:
  std::shared_ptr<const void> owner_;
  std::string_view data_;
};

/**
 * One chunk of a chunked response body, as framed on the wire: reported when the
 * request asked for it (Request::reportChunks), without copying the body.
 */
struct ChunkBoundary {
  uint64_t size = 0;        ///< the chunk-size; 0 for the last chunk
  std::string extensions;   ///< ";name=value" pairs as sent; empty when none
  uint64_t arrivedUs = 0;   ///< when the read carrying the chunk header arrived, µs since the request was sent
  uint64_t bodyOffset = 0;  ///< body bytes before this chunk's data
};

class BodyStream {
 public:
  /** Returned by a data callback: kPause stops reading the socket until resume(). */
  enum class Action { kContinue, kPause };
  using DataCallback = std::function<Action(std::string_view data)>;
  /** Called once when the body ended (ok) or failed (the error says why). */
  using EndCallback = std::function<void(Status status)>;

  static constexpr std::chrono::milliseconds kForever{-1};

  BodyStream() = default;
  explicit BodyStream(std::shared_ptr<StreamCore> core);
  /** Not released: closes the connection (never recycles it) and records "leaked". */
  ~BodyStream();
  BodyStream(BodyStream&& other) noexcept;
  /** Assigning over a stream that was never released drops it (leaked). */
  BodyStream& operator=(BodyStream&& other) noexcept;
  BodyStream(const BodyStream&) = delete;
  BodyStream& operator=(const BodyStream&) = delete;

  bool valid() const { return core_ != nullptr; }

  // ---- blocking reads ------------------------------------------------------------
  /**
   * Waits for the next piece of body. An empty chunk means the end. An error means
   * the body failed (truncated, bad framing, reset) or the timeout passed.
   */
  Result<BodyChunk> next(std::chrono::milliseconds timeout = kForever);
  /** Copies up to n bytes into dst. Returns 0 at the end of the body. */
  Result<size_t> read(char* dst, size_t n, std::chrono::milliseconds timeout = kForever);
  /** Reads the rest into out (failing past maxBytes). Returns the bytes appended. */
  Result<uint64_t> readAll(std::string& out, uint64_t maxBytes = UINT64_MAX,
                           std::chrono::milliseconds timeout = kForever);
  /** Reads and discards the rest. Returns the bytes discarded. */
  Result<uint64_t> discardAll(std::chrono::milliseconds timeout = kForever);

  // ---- callbacks (GUI bridge) ----------------------------------------------------
  /**
   * Switches to push mode: onData gets every byte not yet read (buffered bytes first),
   * then onEnd once. Both run on the client's loop thread; keep them short and never
   * block or call blocking client functions from them.
   */
  void setCallbacks(DataCallback onData, EndCallback onEnd);
  /** Thread-safe: continue after onData returned kPause. */
  void resume();

  // ---- the one release operation -------------------------------------------------
  /** Returns the connection: pooled if the body ended (or drains within the policy), else closed. */
  void release();
  /** Same operation as release() (named after Hertz's Response.Reset). */
  void reset();
  /** Same operation as release() (named after Hertz's Response.ResetBody). */
  void resetBody();
  /** Releases and closes the connection whatever its state. Counts as the release. */
  void abort();
  /**
   * The reverse-proxy case: pushes the body into sink (on the loop thread) and, at the
   * end, releases implicitly through the same operation. done gets the outcome.
   */
  void forward(DataCallback sink, EndCallback done);

  /**
   * The chunk headers received since the last call, oldest first (Request::reportChunks;
   * empty otherwise). Thread-safe; callable from onData / onEnd too. Unread boundaries are
   * bounded as the body is: the connection stops reading while the reader is behind.
   */
  std::vector<ChunkBoundary> takeChunks();

  // ---- facts ---------------------------------------------------------------------
  bool released() const;
  /** True when the whole body has been received from the peer. */
  bool finished() const;
  /** Body bytes handed to the reader so far. */
  uint64_t bytesRead() const;
  /** Content-Length of the response, when it had one. */
  std::optional<uint64_t> contentLength() const;
  uint64_t requestId() const;
  uint64_t connectionId() const;
  /** Timings of the exchange; completeUs is set once the body ended. */
  Timings timings() const;

 private:
  void releaseVia(const char* via, bool close);

  std::shared_ptr<StreamCore> core_;
  BodyChunk pending_;  ///< the rest of a chunk read() could not fit
  size_t pendingOff_ = 0;
};

}  // namespace sluice::client
