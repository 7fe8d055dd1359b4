#pragma once
/** What the client hands back first: the response head, timings and the reuse verdict. */
#include <cstdint>
#include <string>

#include <memory>

#include "engine/http/message.h"
#include "engine/tls/cert_info.h"

namespace sluice::client {

/** Why a request got a new connection instead of an idle one. */
enum class NewConnReason : uint8_t {
  kPoolEmpty,          ///< no connection to this host existed
  kAllBusy,            ///< every connection was held by a request or stream
  kIdleExpired,        ///< the idle connection passed idleTimeout
  kPeerClosedIdle,     ///< the peer closed (or wrote on) the idle connection
  kPreviousNotDrained, ///< the previous body was released early and not drained within the bound
  kConnectionClose,    ///< the previous response said Connection: close (or HTTP/1.0, close-delimited)
  kMaxAge,             ///< the idle connection passed maxConnAge
  kReuseDisabled,      ///< the request asked for a new connection
};

/** Microseconds as "3.1 ms", locale-free. */
std::string msText(uint64_t us);

/** Words for a reason: "pool empty", "all busy", "peer closed while idle", ... */
const char* newConnReasonText(NewConnReason r);

/** Per request: reused connection #id idle X ms, or new connection and why. */
struct ReuseVerdict {
  bool reused = false;
  uint64_t connectionId = 0;
  uint64_t idleMs = 0;                       ///< when reused
  NewConnReason reason = NewConnReason::kPoolEmpty;  ///< when new
  bool retried = false;                      ///< a first attempt on a reused connection failed
  enum class Tls : uint8_t { kNone, kFull, kResumed };
  Tls tls = Tls::kNone;                      ///< when new over https: full handshake or resumed session
  uint64_t savedConnectUs = 0;               ///< when reused: what the connection's TCP connect cost
  uint64_t savedTlsUs = 0;                   ///< when reused: what its TLS handshake cost

  /**
   * "reused connection #3, idle for 12 ms: saved 0.4 ms connect + 3.1 ms TLS handshake" or
   * "new connection #4: pool empty; full TLS handshake".
   */
  std::string text() const;
};

/** Microseconds since the request was submitted; 0 when the step did not happen. */
struct Timings {
  uint64_t dnsUs = 0;        ///< name resolved (0 for a reused connection)
  uint64_t connectUs = 0;    ///< TCP connected (0 for a reused connection)
  uint64_t tlsUs = 0;        ///< TLS handshake done (0 for plain HTTP and reused connections)
  uint64_t writtenUs = 0;    ///< last request byte written
  uint64_t firstByteUs = 0;  ///< first response byte read
  uint64_t completeUs = 0;   ///< body complete (set on the stream when it ends)
};

/** The response head as the caller sees it. The body follows in a BodyStream. */
struct Response {
  uint64_t requestId = 0;
  uint64_t connectionId = 0;
  int status = 0;
  std::string reason;
  int versionMinor = 1;
  http::Headers headers;
  Timings timings;
  ReuseVerdict verdict;
  std::shared_ptr<const tls::ConnectionInfo> tls;  ///< https: version, cipher, peer chain, verification
};

}  // namespace sluice::client
