#include "support/stream_fetch.h"

namespace sluice::test {

std::string TimedBody::whole() const {
  std::string s;
  for (const auto& p : pieces) s += p.data;
  return s;
}

TimedBody fetchTimed(client::Client& client, const std::string& url, const http::Headers& extra,
                     std::chrono::milliseconds timeout) {
  TimedBody out;
  auto t0 = std::chrono::steady_clock::now();
  auto since = [&] {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count());
  };
  auto req = client::Request::get(url);
  if (!req) {
    out.error = req.error().message;
    return out;
  }
  for (const auto& h : extra) req->headers.add(h.name, h.value);
  auto ex = client.fetch(std::move(*req));
  if (!ex) {
    out.error = ex.error().message;
    return out;
  }
  out.status = ex->response.status;
  out.headers = ex->response.headers;
  for (;;) {
    auto left = timeout - std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
    if (left.count() <= 0) {
      out.error = "timed out reading the body";
      break;
    }
    auto chunk = ex->body.next(left);
    if (!chunk) {
      out.error = chunk.error().message;
      break;
    }
    if (chunk->empty()) {
      out.ok = true;
      break;
    }
    out.pieces.push_back({std::string(chunk->data()), since()});
  }
  ex->body.release();
  return out;
}

}  // namespace sluice::test
