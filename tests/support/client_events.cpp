#include "client_events.h"

#include <chrono>
#include <thread>

namespace sluice::test {

std::string readBodyOrError(client::Exchange& ex) {
  std::string out;
  auto r = ex.body.readAll(out, 1 << 20, std::chrono::milliseconds(5000));
  return r ? out : "ERROR: " + r.error().message;
}

client::ClientConfig quietClientConfig() {
  client::ClientConfig c;
  c.heldTooLong = std::chrono::milliseconds(0);
  return c;
}

const std::vector<observe::Event>& ClientEventLog::all() {
  client_.events().drain(events_);
  return events_;
}

size_t ClientEventLog::count(observe::EventKind kind, const std::string& needle) {
  size_t n = 0;
  for (const auto& e : all())
    if (e.kind == kind && (e.text.find(needle) != std::string::npos || e.detail.find(needle) != std::string::npos)) ++n;
  return n;
}

std::string ClientEventLog::dump() {
  std::string s;
  for (const auto& e : all())
    s += "conn " + std::to_string(e.connectionId) + " req " + std::to_string(e.requestId) + " kind " +
         std::to_string(static_cast<int>(e.kind)) + " " + e.text + " | " + e.detail + "\n";
  return s;
}

bool waitFor(const std::function<bool()>& pred, int timeoutMs) {
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return pred();
}

size_t idleConnections(client::Client& c) {
  size_t n = 0;
  for (const auto& h : c.snapshot().hosts) n += h.idle;
  return n;
}

size_t openConnections(client::Client& c) {
  size_t n = 0;
  for (const auto& h : c.snapshot().hosts) n += h.connections.size();
  return n;
}

}  // namespace sluice::test
