#pragma once
/** Live server counters, readable from any thread without stopping the loops. */
#include <atomic>
#include <cstdint>

namespace sluice::observe {

struct ServerStats {
  std::atomic<uint64_t> connectionsAccepted{0};
  std::atomic<uint64_t> connectionsOpen{0};
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> inFlight{0};
  std::atomic<uint64_t> bytesIn{0};
  std::atomic<uint64_t> bytesOut{0};
  std::atomic<uint64_t> badRequests{0};     ///< 4xx from framing/limits
  std::atomic<uint64_t> timeouts{0};
  std::atomic<uint64_t> acceptPauses{0};    ///< EMFILE/ENFILE or max connections
  std::atomic<uint64_t> drainedBytes{0};
  std::atomic<uint64_t> drainCloses{0};     ///< closed because the unread body was past the drain bound
  std::atomic<uint64_t> outputBufferPeak{0};  ///< most response bytes one connection ever held in user space
  std::atomic<uint64_t> turnBudgetStops{0};   ///< writes put off to the next loop turn (the turn's budget was spent)
  std::atomic<uint64_t> memoryTrims{0};       ///< malloc_trim calls after a burst
  std::atomic<uint64_t> fileBytesSendfile{0};   ///< file body bytes sent by sendfile(2)
  std::atomic<uint64_t> fileBytesReadWrite{0};  ///< file body bytes read into a buffer and written
  std::atomic<uint64_t> bodyBytesHeld{0};  ///< gauge: request body bytes held in memory now (buffered mode)
  std::atomic<uint64_t> bodyBytesSpliced{0};  ///< request body bytes spliced to /dev/null, never in user space (also in bytesIn)

  /** Raises outputBufferPeak to bytes (relaxed; any thread). */
  void notePendingOutput(uint64_t bytes) {
    uint64_t peak = outputBufferPeak.load(std::memory_order_relaxed);
    while (bytes > peak && !outputBufferPeak.compare_exchange_weak(peak, bytes, std::memory_order_relaxed)) {
    }
  }

  struct Snapshot {
    uint64_t connectionsAccepted, connectionsOpen, requests, inFlight, bytesIn, bytesOut, badRequests,
        timeouts, acceptPauses, drainedBytes, drainCloses, outputBufferPeak, turnBudgetStops, memoryTrims,
        fileBytesSendfile, fileBytesReadWrite, bodyBytesHeld, bodyBytesSpliced;
  };
  Snapshot snapshot() const {
    auto r = [](const std::atomic<uint64_t>& a) { return a.load(std::memory_order_relaxed); };
    return {r(connectionsAccepted), r(connectionsOpen), r(requests), r(inFlight), r(bytesIn), r(bytesOut),
            r(badRequests), r(timeouts), r(acceptPauses), r(drainedBytes), r(drainCloses), r(outputBufferPeak),
            r(turnBudgetStops), r(memoryTrims), r(fileBytesSendfile), r(fileBytesReadWrite), r(bodyBytesHeld), r(bodyBytesSpliced)};
  }
};

}  // namespace sluice::observe
