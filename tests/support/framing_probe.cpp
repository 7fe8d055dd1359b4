#include "support/framing_probe.h"

#include <algorithm>

namespace sluice::test {

bool sendInPieces(RawClient& c, const QByteArray& bytes, qsizetype step, qsizetype every, std::chrono::milliseconds pause) {
  for (qsizetype i = 0; i < bytes.size(); i += step) {
    if (!c.send(std::string_view(bytes.constData() + i, size_t(std::min(step, bytes.size() - i))))) return false;
    if (i % every == 0) c.waitReadable(pause);
  }
  return true;
}

std::string unhealthy(uint16_t port) {
  auto ok = fetch(port, "GET /status/200 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  if (!ok) return "a fresh connection got no answer";
  if (ok->status != 200) return "a fresh connection got " + std::to_string(ok->status);
  return {};
}

}  // namespace sluice::test
