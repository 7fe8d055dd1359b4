#include "engine/endpoints/stream_endpoints.h"

#include <chrono>
#include <functional>
#include <utility>

#include "engine/util/units.h"

namespace sluice::endpoints {

Result<EncodedWriter> EncodedWriter::fromQuery(const http::RequestHead& head) {
  EncodedWriter w;
  auto name = head.queryParam("encoding");
  if (!name || name->empty()) return w;
  auto coding = http::parseContentCoding(*name);
  if (!coding) return fail(ErrorCode::kInvalidArgument, "encoding must be gzip, deflate, br or identity");
  w.coding_ = *coding;
  if (*coding == http::ContentCoding::kIdentity) return w;
  auto enc = http::ContentEncoder::create(*coding);
  if (!enc) return unexpected<Error>(enc.error());
  w.encoder_ = std::move(*enc);
  return w;
}

void EncodedWriter::addHeaders(http::Headers& h) const {
  if (encoder_) h.add("Content-Encoding", http::contentCodingName(coding_));
}

bool EncodedWriter::write(Exchange& ex, std::string_view data, bool flush) {
  if (!encoder_) return ex.write(data);
  out_.clear();
  if (!encoder_->encode(data, flush, out_)) {
    ex.abortConnection(false);  // a compressor failure cannot be framed as anything valid
    return false;
  }
  return out_.empty() || ex.write(out_);
}

void EncodedWriter::end(Exchange& ex) {
  if (ex.responseEnded()) return;  // onWritable may come once more after the end
  if (encoder_) {
    out_.clear();
    if (!encoder_->finish(out_)) return ex.abortConnection(false);
    if (!out_.empty()) ex.write(out_);
  }
  ex.end();
}

namespace {

/** count records, batch at a time, interval ms apart; interval 0 pumps as fast as the peer reads. */
struct TimedPlan {
  uint64_t count = 10;
  uint64_t intervalMs = 100;
  uint64_t batch = 1;
};

class TimedStreamHandler final : public RequestHandler {
 public:
  using Record = std::function<std::string(uint64_t index, uint64_t elapsedMs)>;
  TimedStreamHandler(TimedPlan plan, EncodedWriter writer, std::string contentType, std::string prelude, Record record)
      : plan_(plan), writer_(std::move(writer)), contentType_(std::move(contentType)), prelude_(std::move(prelude)),
        record_(std::move(record)) {}

  void onHead(Exchange& ex) override {
    http::Headers h;
    h.add("Content-Type", contentType_);
    h.add("Cache-Control", "no-store");
    writer_.addHeaders(h);
    ex.startResponse(200, std::move(h), std::nullopt);
    if (ex.request().isHead()) return ex.end();
    if (!prelude_.empty()) writer_.write(ex, prelude_, plan_.intervalMs > 0);
    plan_.intervalMs == 0 ? pump(ex) : tick(ex);
  }
  void onWritable(Exchange& ex) override {
    if (plan_.intervalMs == 0) return pump(ex);
    if (std::exchange(waiting_, false)) tick(ex);  // the slow reader caught up: the next tick may go
  }

 private:
  uint64_t elapsedMs(Exchange& ex) const {
    return static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - ex.started()).count());
  }
  void pump(Exchange& ex) {
    while (sent_ < plan_.count) {
      std::string r = record_(sent_++, elapsedMs(ex));
      if (!writer_.write(ex, r, false)) return;  // wait for onWritable
    }
    writer_.end(ex);
  }
  void tick(Exchange& ex) {
    std::string pieces;
    for (uint64_t i = 0; i < plan_.batch && sent_ < plan_.count; ++i) pieces += record_(sent_++, elapsedMs(ex));
    bool room = pieces.empty() || writer_.write(ex, pieces, true);
    if (sent_ >= plan_.count) return writer_.end(ex);
    if (!room) {  // over the output watermark: no more ticks until the peer reads (memory stays bounded)
      waiting_ = true;
      return;
    }
    ex.runAfter(std::chrono::milliseconds(plan_.intervalMs), [this, &ex] { tick(ex); });
  }

  TimedPlan plan_;
  EncodedWriter writer_;
  std::string contentType_;
  std::string prelude_;
  Record record_;
  uint64_t sent_ = 0;
  bool waiting_ = false;
};

/** Reads count, interval and batch; false on a value out of range. */
bool readPlan(const http::RequestHead& head, TimedPlan& plan) {
  auto read = [&](const char* name, uint64_t& out, uint64_t min, uint64_t max) {
    auto v = head.queryParam(name);
    return !v || (parseUint(*v, out) && out >= min && out <= max);
  };
  return read("count", plan.count, 0, 100'000'000) && read("interval", plan.intervalMs, 0, 60'000) &&
         read("batch", plan.batch, 1, 100'000);
}

/** One SSE event: a comment every 5th, "event: tick" on three of four, an id, data on two lines. */
std::string sseEvent(uint64_t i, uint64_t ms, const std::string& pad) {
  std::string s;
  s.reserve(96 + pad.size());
  if (i % 5 == 0) s += ": comment " + std::to_string(i) + "\n";
  if (i % 4 != 3) s += "event: tick\n";
  s += "id: " + std::to_string(i) + "\ndata: {\"seq\":" + std::to_string(i) + ",\ndata: \"ms\":" + std::to_string(ms) +
       ",\"pad\":\"" + pad + "\"}\n\n";
  return s;
}

std::unique_ptr<RequestHandler> makeSse(const http::RequestHead& head) {
  TimedPlan plan;
  uint64_t size = 0;
  auto sizeParam = head.queryParam("size");
  if (!readPlan(head, plan) || (sizeParam && (!parseUint(*sizeParam, size) || size > (1u << 20))))
    return makeErrorHandler(400, "use /sse?count=N&interval=MS&size=B&batch=K with N up to 100000000, MS up to 60000, "
                                 "B up to 1048576, K from 1 to 100000");
  auto writer = EncodedWriter::fromQuery(head);
  if (!writer) return makeErrorHandler(400, writer.error().message);
  std::string prelude = "retry: 3000\n: sluice test stream, " + std::to_string(plan.count) + " events\n\n";
  return std::make_unique<TimedStreamHandler>(plan, std::move(*writer), "text/event-stream", std::move(prelude),
                                              [pad = std::string(size, 'x')](uint64_t i, uint64_t ms) { return sseEvent(i, ms, pad); });
}

std::unique_ptr<RequestHandler> makeNdjson(const http::RequestHead& head) {
  TimedPlan plan;
  if (!readPlan(head, plan)) return makeErrorHandler(400, "use /ndjson?count=N&interval=MS&batch=K with N up to 100000000, MS up to 60000, K from 1 to 100000");
  auto format = head.queryParam("format").value_or("lines");
  if (format != "lines" && format != "seq") return makeErrorHandler(400, "format must be lines or seq");
  bool seq = format == "seq";
  auto writer = EncodedWriter::fromQuery(head);
  if (!writer) return makeErrorHandler(400, writer.error().message);
  return std::make_unique<TimedStreamHandler>(plan, std::move(*writer), seq ? "application/json-seq" : "application/x-ndjson", "",
                                              [seq](uint64_t i, uint64_t ms) {
                                                return std::string(seq ? "\x1E" : "") + "{\"seq\":" + std::to_string(i) +
                                                       ",\"ms\":" + std::to_string(ms) + "}\n";
                                              });
}

}  // namespace

void addStreamRoutes(Router& router) {
  router.add("GET", "/sse", Router::Match::kExact, makeSse);
  router.add("GET", "/ndjson", Router::Match::kExact, makeNdjson);
}

}  // namespace sluice::endpoints
