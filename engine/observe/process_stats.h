#pragma once
/** Process figures from /proc: RSS, peak RSS, open descriptors, TIME_WAIT sockets. */
#include <cstdint>
#include <optional>

namespace sluice::observe {

struct ProcessStats {
  uint64_t rssBytes = 0;
  uint64_t peakRssBytes = 0;
  uint64_t openFds = 0;
};

/** Reads /proc/self/status and /proc/self/fd. */
ProcessStats readProcessStats();
/** Current RSS of a process in bytes, from /proc/<pid>/status (VmRSS); 0 when unknown. */
uint64_t rssOfPid(int pid);
/** Peak RSS (VmHWM) of a process in bytes; 0 when unknown. */
uint64_t peakRssOfPid(int pid);
/** Sockets in TIME_WAIT whose remote port is port (0: any), from /proc/net/tcp and tcp6. */
uint64_t countTimeWait(uint16_t remotePort = 0);

}  // namespace sluice::observe
