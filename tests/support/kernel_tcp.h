#pragma once
/**
 * The kernel's view of TCP, for tests that hold Sluice's counters against it:
 * a private network namespace (so only the test's own traffic counts), the Tcp
 * MIB from /proc/net/snmp, and sockets per state from /proc/net/tcp{,6}.
 */
#include <cstdint>
#include <map>
#include <string>

#include "engine/net/socket.h"

namespace sluice::test {

/** A loopback port with nobody listening: bound, never listened on, so connects are refused. port is 0 if binding failed. */
struct RefusingPort {
  net::Fd fd;
  uint16_t port = 0;
  RefusingPort();
};

/**
 * Moves this process into a new network namespace with loopback up. Call before any
 * thread starts. Returns an empty string, or why not (in words; it starts with "unshare" exactly
 * when namespaces are not permitted here).
 */
std::string enterPrivateNetns();

/** The counters of /proc/net/snmp's Tcp line that a client's connects move. */
struct TcpMib {
  uint64_t activeOpens = 0;
  uint64_t attemptFails = 0;
  uint64_t currEstab = 0;
  TcpMib operator-(const TcpMib& before) const {
    return {activeOpens - before.activeOpens, attemptFails - before.attemptFails, currEstab};
  }
};
/** Reads /proc/net/snmp of the calling thread's namespace; all zero when unreadable. */
TcpMib readTcpMib();

/**
 * Sockets by state name ("ESTABLISHED", "TIME_WAIT", ...) in /proc/net/tcp and tcp6
 * whose remote port is remotePort (the client side of connections to a server).
 */
std::map<std::string, int> socketsToPort(uint16_t remotePort);

}  // namespace sluice::test
