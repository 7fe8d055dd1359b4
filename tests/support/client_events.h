#pragma once
// Small helpers over a client's event buffer for tests.
#include <string>
#include <vector>

#include "engine/client/client.h"

namespace sluice::test {

/** Accumulates every event drained from a client. */
class ClientEventLog {
 public:
  explicit ClientEventLog(client::Client& c) : client_(c) {}
  /** Drains new events into the log and returns the whole log. */
  const std::vector<observe::Event>& all();
  /** Events whose text (or detail) contains needle. */
  size_t count(observe::EventKind kind, const std::string& needle);
  /** True when some event of kind has needle in its text or detail. */
  bool has(observe::EventKind kind, const std::string& needle) { return count(kind, needle) > 0; }
  std::string dump();

 private:
  client::Client& client_;
  std::vector<observe::Event> events_;
};

/** The whole body (at most 1 MiB, 5 s), or "ERROR: " and the reason. */
std::string readBodyOrError(client::Exchange& ex);
/** A client configuration for tests: no held-too-long warnings. */
client::ClientConfig quietClientConfig();

/** Waits (bounded) until pred() is true; returns its last value. */
bool waitFor(const std::function<bool()>& pred, int timeoutMs = 5000);
/** Total idle / all connections in the client's pool. */
size_t idleConnections(client::Client& c);
size_t openConnections(client::Client& c);

}  // namespace sluice::test
