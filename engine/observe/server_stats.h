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
  std::atomic<uint64_t> fileBytesSendfile{0};   ///< file body bytes sent by sendfile(2)
  std::atomic<uint64_t> fileBytesReadWrite{0};  ///< file body bytes read into a buffer and written

  struct Snapshot {
    uint64_t connectionsAccepted, connectionsOpen, requests, inFlight, bytesIn, bytesOut, badRequests,
        timeouts, acceptPauses, drainedBytes, drainCloses, fileBytesSendfile, fileBytesReadWrite;
  };
  Snapshot snapshot() const {
    auto r = [](const std::atomic<uint64_t>& a) { return a.load(std::memory_order_relaxed); };
    return {r(connectionsAccepted), r(connectionsOpen), r(requests), r(inFlight), r(bytesIn), r(bytesOut),
            r(badRequests), r(timeouts), r(acceptPauses), r(drainedBytes), r(drainCloses),
            r(fileBytesSendfile), r(fileBytesReadWrite)};
  }
};

}  // namespace sluice::observe
