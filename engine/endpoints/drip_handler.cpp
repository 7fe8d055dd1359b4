#include "engine/endpoints/drip_handler.h"

#include <string>

#include "engine/endpoints/endpoints.h"
#include "engine/util/units.h"

namespace sluice::endpoints {

void DripHandler::onHead(Exchange& ex) {
  http::Headers h;
  h.add("Content-Type", "application/octet-stream");
  h.add("Cache-Control", "no-store");
  ex.startResponse(200, std::move(h), total_);
  if (ex.request().isHead()) return ex.end();
  tick(ex);
}

void DripHandler::tick(Exchange& ex) {
  uint64_t n = std::min(left_, chunk_);
  left_ -= n;
  ex.write(std::string(static_cast<size_t>(n), '*'));
  if (left_ == 0) return ex.end();
  ex.runAfter(std::chrono::milliseconds(intervalMs_), [this, &ex] { tick(ex); });
}

std::unique_ptr<RequestHandler> makeDripHandler(const http::RequestHead& head) {
  uint64_t bytes = 10, interval = 100, chunk = 1;
  auto read = [&](const char* name, uint64_t& out, uint64_t min, uint64_t max) {
    auto v = head.queryParam(name);
    return !v || (parseUint(*v, out) && out >= min && out <= max);
  };
  if (!read("bytes", bytes, 0, 1ull << 30) || !read("interval", interval, 0, 60'000) || !read("chunk", chunk, 1, 1 << 20))
    return makeErrorHandler(400, "use /drip?bytes=n&interval=ms&chunk=k with n up to 1 GiB, ms up to 60000, k from 1 to 1 MiB");
  return std::make_unique<DripHandler>(bytes, interval, chunk);
}

}  // namespace sluice::endpoints
