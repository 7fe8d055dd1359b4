#pragma once
/** Configuration, snapshot and counter types of the client pool. Plain data, copyable. */
#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace sluice::client {

using std::chrono::milliseconds;

/** Limits of each per-host pool (one per scheme, host and port). */
struct PoolLimits {
  size_t maxConnsPerHost = 64;        ///< busy + idle + connecting
  milliseconds connWaitTimeout{5000}; ///< how long a request waits for a free slot
  size_t maxIdlePerHost = 16;
  milliseconds idleTimeout{60000};
  milliseconds maxConnAge{0};         ///< 0: no limit
};

/** What happens to a connection whose stream is released before the body ended. */
struct DrainPolicy {
  uint64_t maxBytes = 256 * 1024;  ///< keep the connection if the rest fits in this
  milliseconds maxTime{200};       ///< ... and arrives within this
};

/** The life of a connection, as shown in the pool view and the events (EventKind::kClientConnState code). */
enum class ConnState : uint8_t {
  kConnecting,
  kWriting,       ///< writing request n
  kAwaitingHead,
  kStreaming,     ///< held by a stream
  kDraining,
  kIdle,
  kClosed,
};
const char* connStateName(ConnState s);

/** Why a connection closed. */
enum class CloseReason : uint8_t {
  kNone,
  kPeerClosed,        ///< closed by peer (FIN), whatever the phase: idle, before the head or mid-body
  kPeerReset,         ///< reset by peer (RST, ECONNRESET), whatever the phase
  kConnectionClose,   ///< Connection: close, HTTP/1.0 or a close-delimited body
  kIdleTimeout,
  kMaxAge,
  kPoolFull,          ///< more than maxIdlePerHost idle
  kNotDrained,        ///< early release past the drain bound
  kFramingError,      ///< malformed response, bad chunk, junk after the response
  kIoError,           ///< any other socket error
  kTimeout,
  kLeaked,            ///< the stream was dropped unreleased
  kAborted,           ///< abort() or noReturnToPool
  kFlushed,           ///< flushIdle() / closeAll()
  kConnectFailed,     ///< resolve or connect failed (see ClientStats::connectsFailed)
  kCount,
};
const char* closeReasonName(CloseReason r);

/** One connection in a snapshot. */
struct ConnSnapshot {
  uint64_t id = 0;
  ConnState state = ConnState::kConnecting;
  uint64_t ageMs = 0;
  uint64_t idleMs = 0;           ///< in kIdle
  uint64_t requestsServed = 0;
  uint64_t bytesIn = 0;
  uint64_t bytesOut = 0;
  uint64_t currentRequestId = 0; ///< 0 when idle
  uint64_t heldBodyBytes = 0;    ///< body bytes read by the current stream
};

/** One host's pool in a snapshot. */
struct HostSnapshot {
  std::string key;  ///< "http://127.0.0.1:8080"
  std::vector<ConnSnapshot> connections;
  size_t idle = 0;
  size_t busy = 0;
  size_t waiting = 0;          ///< requests waiting for a free slot
  uint64_t timeWait = 0;       ///< sockets in TIME_WAIT toward this peer's port
};

/** The whole pool at one moment. */
struct PoolSnapshot {
  int64_t timeNs = 0;
  std::vector<HostSnapshot> hosts;
  uint64_t openFds = 0;        ///< of this process
};

/**
 * Running totals since the client started. Read with Client::stats(). Each is an exact
 * counter kept where its fact is decided, never derived from events (which may be lost).
 */
struct ClientStats {
  uint64_t requests = 0;          ///< heads delivered or errors returned
  uint64_t failures = 0;
  uint64_t connectionsOpened = 0; ///< TCP connects that succeeded
  uint64_t connectsFailed = 0;    ///< connects issued to the kernel that did not succeed (refused, timed out, cancelled)
  uint64_t reused = 0;            ///< response heads that arrived on a reused connection
  uint64_t retries = 0;
  uint64_t doubleReleases = 0;
  uint64_t leaks = 0;
  uint64_t heldStreams = 0;       ///< body streams delivered and not yet released or dropped (a gauge)
  uint64_t heldTooLong = 0;
  uint64_t drainedBytes = 0;
  uint64_t drainsKept = 0;        ///< early releases that kept the connection
  uint64_t drainUs = 0;           ///< time spent draining early-released bodies (kept or not)
  uint64_t savedConnectUs = 0;    ///< reused heads: the TCP connect time their connections had cost
  uint64_t savedTlsUs = 0;        ///< reused heads: the TLS handshake time their connections had cost
  uint64_t neverPooledTwice = 0;  ///< attempts to pool a connection twice that were refused (should stay 0)
  std::array<uint64_t, static_cast<size_t>(CloseReason::kCount)> closes{};  ///< by CloseReason
};

}  // namespace sluice::client
