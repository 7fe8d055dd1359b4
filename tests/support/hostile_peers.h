#pragma once
/**
 * Helpers for the hostile-peer tests: a crowd of raw loopback connections that a
 * test drives slowly (slowloris, slow body, never-reading clients), the latency
 * of a normal request measured from outside, and raising RLIMIT_NOFILE.
 */
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "support/raw_client.h"

namespace sluice::test {

/** Raises the soft RLIMIT_NOFILE to the hard limit; returns the new soft limit. */
uint64_t raiseOpenFileLimit();

/** One normal request on a new connection: its status (0 on failure) and how long it took. */
struct Probe {
  int status = 0;
  double ms = 0;
};
Probe probe(uint16_t port, std::string_view request, std::chrono::milliseconds timeout = std::chrono::seconds(3));

/** Many connections held open by the test. */
class Crowd {
 public:
  /** Opens n connections to port (SO_RCVBUF receiveBuffer when above 0); returns how many connected. */
  size_t open(uint16_t port, size_t n, int receiveBuffer = 0);
  size_t size() const { return clients_.size(); }
  /** Sends the same bytes on every connection still open (short per-connection timeout). */
  void sendAll(std::string_view bytes);
  /**
   * Counts connections the server has closed (FIN or RST), reading what they got;
   * withStatus counts those whose bytes contain " <status> ".
   */
  size_t countClosed(int status, size_t* withStatus, std::chrono::milliseconds perConnection);
  /** Waits until every open connection has bytes to read (the server answered each), each up to perConnection; returns how many. */
  size_t waitAllReadable(std::chrono::milliseconds perConnection);
  /** Reads and discards what is waiting on every connection (responses to keep-alive requests). */
  size_t readResponses(std::chrono::milliseconds timeout);
  void closeAll();

 private:
  std::vector<RawClient> clients_;
};

}  // namespace sluice::test
