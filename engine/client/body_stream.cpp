#include "engine/client/body_stream.h"

#include <cstring>

#include "engine/client/stream_core.h"

namespace sluice::client {

BodyStream::BodyStream(std::shared_ptr<StreamCore> core) : core_(std::move(core)) {}

BodyStream::~BodyStream() {
  if (core_) core_->drop();
}

BodyStream::BodyStream(BodyStream&& other) noexcept
    : core_(std::move(other.core_)), pending_(std::move(other.pending_)), pendingOff_(other.pendingOff_) {}

BodyStream& BodyStream::operator=(BodyStream&& other) noexcept {
  if (this != &other) {
    if (core_) core_->drop();
    core_ = std::move(other.core_);
    pending_ = std::move(other.pending_);
    pendingOff_ = other.pendingOff_;
  }
  return *this;
}

namespace {
sluice::unexpected<Error> noStream() { return fail(ErrorCode::kInvalidArgument, "empty body stream (moved from, or never set)"); }
}  // namespace

Result<BodyChunk> BodyStream::next(std::chrono::milliseconds timeout) {
  if (!core_) return noStream();
  return core_->take(timeout);
}

Result<size_t> BodyStream::read(char* dst, size_t n, std::chrono::milliseconds timeout) {
  // A chunk larger than n is split; its rest is kept for the next read().
  if (!core_) return noStream();
  if (!pending_.empty()) {
    size_t k = std::min(n, pending_.size() - pendingOff_);
    std::memcpy(dst, pending_.data().data() + pendingOff_, k);
    pendingOff_ += k;
    if (pendingOff_ == pending_.size()) pending_ = BodyChunk{}, pendingOff_ = 0;
    return k;
  }
  auto chunk = core_->take(timeout);
  if (!chunk) return sluice::unexpected(chunk.error());
  if (chunk->empty()) return size_t{0};
  size_t k = std::min(n, chunk->size());
  std::memcpy(dst, chunk->data().data(), k);
  if (k < chunk->size()) {
    pending_ = std::move(*chunk);
    pendingOff_ = k;
  }
  return k;
}

namespace {
// Takes every remaining chunk into sink (which may refuse one with an error); returns the total.
template <typename Sink>
Result<uint64_t> takeAll(StreamCore& core, std::chrono::milliseconds timeout, Sink&& sink) {
  uint64_t total = 0;
  for (;;) {
    auto chunk = core.take(timeout);
    if (!chunk) return sluice::unexpected(chunk.error());
    if (chunk->empty()) return total;
    total += chunk->size();
    if (Status st = sink(*chunk, total); !st) return sluice::unexpected(st.error());
  }
}
}  // namespace

Result<uint64_t> BodyStream::readAll(std::string& out, uint64_t maxBytes, std::chrono::milliseconds timeout) {
  if (!core_) return noStream();
  return takeAll(*core_, timeout, [&](const BodyChunk& chunk, uint64_t total) -> Status {
    if (total > maxBytes)
      return fail(ErrorCode::kLimit, "body larger than " + std::to_string(maxBytes) + " bytes; read it in chunks instead");
    out.append(chunk.data());
    return {};
  });
}

Result<uint64_t> BodyStream::discardAll(std::chrono::milliseconds timeout) {
  if (!core_) return noStream();
  return takeAll(*core_, timeout, [](const BodyChunk&, uint64_t) -> Status { return {}; });
}

std::vector<ChunkBoundary> BodyStream::takeChunks() {
  if (!core_) return {};
  return core_->takeChunks();
}

void BodyStream::setCallbacks(DataCallback onData, EndCallback onEnd) {
  if (core_) core_->setCallbacks(std::move(onData), std::move(onEnd), false);
}

void BodyStream::resume() {
  if (core_) core_->resume();
}

void BodyStream::releaseVia(const char* via, bool close) {
  if (core_) core_->release(via, close);
}

void BodyStream::release() { releaseVia("release()", false); }
void BodyStream::reset() { releaseVia("reset()", false); }
void BodyStream::resetBody() { releaseVia("resetBody()", false); }
void BodyStream::abort() { releaseVia("abort()", true); }

void BodyStream::forward(DataCallback sink, EndCallback done) {
  if (core_) core_->setCallbacks(std::move(sink), std::move(done), true);
}

bool BodyStream::released() const { return core_ && core_->released(); }
bool BodyStream::finished() const { return core_ && core_->finished(); }
uint64_t BodyStream::bytesRead() const { return core_ ? core_->bytesRead() : 0; }
std::optional<uint64_t> BodyStream::contentLength() const { return core_ ? core_->contentLength() : std::nullopt; }
uint64_t BodyStream::requestId() const { return core_ ? core_->requestId() : 0; }
uint64_t BodyStream::connectionId() const { return core_ ? core_->connectionId() : 0; }
Timings BodyStream::timings() const { return core_ ? core_->timings() : Timings{}; }

}  // namespace sluice::client
