// The SSE parser's throughput: a generated event stream (event, id, JSON data of about
// 100 bytes, a comment every 10 events) fed in 16 KiB reads, as a socket would deliver it.
// usage: bench_sse_parser [EVENTS] -> prints "events bytes seconds events_per_second"
// The stable figure on a shared machine is instructions per event:
//   valgrind --tool=callgrind bench_sse_parser 100000   (Ir / events)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "engine/http/sse_parser.h"

int main(int argc, char** argv) {
  unsigned long events = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 1000000;
  std::string stream;
  for (unsigned long i = 0; i < events; ++i) {
    if (i % 10 == 0) stream += ": keep-alive\n";
    stream += "event: update\nid: " + std::to_string(i) + "\ndata: {\"seq\":" + std::to_string(i) +
              ",\"price\":101.25,\"symbol\":\"SLCE\",\"note\":\"a typical small JSON payload\"}\n\n";
  }
  unsigned long long seen = 0, dataBytes = 0;
  sluice::http::SseCallbacks cb;
  cb.onEvent = [&](const sluice::http::SseEvent& e) {
    ++seen;
    dataBytes += e.data.size();
  };
  sluice::http::SseParser parser(cb);
  auto t0 = std::chrono::steady_clock::now();
  constexpr size_t kRead = 16 * 1024;
  for (size_t off = 0; off < stream.size(); off += kRead) {
    if (!parser.feed(std::string_view(stream).substr(off, kRead), off)) return 1;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (seen != events) {
    std::fprintf(stderr, "parsed %llu events of %lu\n", seen, events);
    return 1;
  }
  std::printf("%llu %zu %.6f %.0f\n", seen, stream.size(), secs, secs > 0 ? static_cast<double>(seen) / secs : 0.0);
  return 0;
}
