#include "support/hostile_peers.h"

#include <sys/resource.h>

namespace sluice::test {

uint64_t raiseOpenFileLimit() {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return 0;
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &rl);
    ::getrlimit(RLIMIT_NOFILE, &rl);
  }
  return rl.rlim_cur;
}

Probe probe(uint16_t port, std::string_view request, std::chrono::milliseconds timeout) {
  auto t0 = std::chrono::steady_clock::now();
  auto r = fetch(port, request, timeout);
  Probe p;
  p.status = r ? r->status : 0;
  p.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return p;
}

size_t Crowd::open(uint16_t port, size_t n, int receiveBuffer) {
  size_t ok = 0;
  clients_.reserve(clients_.size() + n);
  for (size_t i = 0; i < n; ++i) {
    RawClient c;
    if (c.connect(port, std::chrono::seconds(2), receiveBuffer)) ++ok;
    clients_.push_back(std::move(c));
  }
  return ok;
}

void Crowd::sendAll(std::string_view bytes) {
  for (auto& c : clients_)
    if (c.connected() && c.peerState() == RawClient::PeerState::kOpen) c.send(bytes, std::chrono::milliseconds(20));
}

size_t Crowd::countClosed(int status, size_t* withStatus, std::chrono::milliseconds perConnection) {
  size_t closed = 0, matched = 0;
  const std::string needle = " " + std::to_string(status) + " ";
  for (auto& c : clients_) {
    if (!c.connected()) continue;
    if (c.peerState() == RawClient::PeerState::kOpen && c.waitReadable(std::chrono::milliseconds(0)))
      c.readUntilClose(perConnection);
    if (c.peerState() != RawClient::PeerState::kOpen) {
      ++closed;
      if (c.received().find(needle) != std::string::npos) ++matched;
    }
  }
  if (withStatus) *withStatus = matched;
  return closed;
}

size_t Crowd::waitAllReadable(std::chrono::milliseconds perConnection) {
  size_t ready = 0;
  for (auto& c : clients_)
    if (c.connected() && c.waitReadable(perConnection)) ++ready;
  return ready;
}

size_t Crowd::readResponses(std::chrono::milliseconds timeout) {
  size_t got = 0;
  for (auto& c : clients_)
    if (c.connected() && c.readResponse(timeout)) ++got;
  return got;
}

void Crowd::closeAll() { clients_.clear(); }

}  // namespace sluice::test
