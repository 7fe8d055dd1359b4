#include "ui/bridge/stream_feed.h"

#include "engine/http/json_lines_parser.h"
#include "engine/http/message.h"
#include "engine/http/sse_parser.h"

namespace sluice::ui {

namespace {
QString fromUtf8(std::string_view s) { return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())); }
bool isEventStream(std::string_view contentType) {
  std::string_view media = contentType.substr(0, contentType.find(';'));
  while (!media.empty() && (media.back() == ' ' || media.back() == '\t')) media.remove_suffix(1);
  return http::iequals(media, "text/event-stream");
}
}  // namespace

StreamFeed::StreamFeed(std::string_view contentType, size_t maxPending) : maxPending_(std::max<size_t>(1, maxPending)) {
  if (isEventStream(contentType)) {
    http::SseCallbacks cb;
    cb.onEvent = [this](const http::SseEvent& e) {
      StreamRow r;
      r.atUs = e.arrivalUs;
      r.type = fromUtf8(e.type);
      r.id = fromUtf8(e.lastEventId);
      r.data = fromUtf8(e.data);
      push(StreamKind::kEvents, std::move(r));
    };
    sse_ = std::make_unique<http::SseParser>(std::move(cb));
  } else if (auto framing = http::jsonFramingForContentType(contentType)) {
    lines_ = std::make_unique<http::JsonLinesParser>(*framing, [this](const http::JsonRecord& rec) {
      StreamRow r;
      r.atUs = rec.arrivalUs;
      r.data = fromUtf8(rec.text);
      r.valid = rec.validJson;
      push(StreamKind::kLines, std::move(r));
    });
  }
}

StreamFeed::~StreamFeed() = default;

std::optional<StreamKind> StreamFeed::autoKind(std::string_view contentType, bool chunked) {
  if (isEventStream(contentType)) return StreamKind::kEvents;
  if (http::jsonFramingForContentType(contentType)) return StreamKind::kLines;
  if (chunked) return StreamKind::kChunks;
  return std::nullopt;
}

void StreamFeed::push(StreamKind kind, StreamRow row) {
  std::lock_guard lock(mutex_);
  Queue& q = queues_[static_cast<int>(kind)];
  row.index = q.total++;
  q.rows.push_back(std::move(row));
  if (q.rows.size() > maxPending_) q.rows.pop_front();  // the view keeps the newest N anyway; the total stays true
}

void StreamFeed::feed(std::string_view decoded, quint64 atUs) {
  Status st;
  if (sse_) st = sse_->feed(decoded, atUs);
  else if (lines_) st = lines_->feed(decoded, atUs);
  if (!st) {
    std::lock_guard lock(mutex_);
    if (error_.isEmpty()) error_ = QString::fromStdString(st.error().message);
  }
}

void StreamFeed::addChunks(const std::vector<client::ChunkBoundary>& chunks) {
  for (const auto& c : chunks) {
    StreamRow r;
    r.atUs = c.arrivedUs;
    r.size = c.size;
    r.data = fromUtf8(c.extensions);
    push(StreamKind::kChunks, std::move(r));
  }
}

void StreamFeed::finish(quint64 atUs) {
  if (sse_) sse_->finish();
  if (lines_) lines_->finish(atUs);
}

StreamFeed::Batch StreamFeed::take(StreamKind kind) {
  Batch b;
  std::lock_guard lock(mutex_);
  Queue& q = queues_[static_cast<int>(kind)];
  b.rows.assign(std::make_move_iterator(q.rows.begin()), std::make_move_iterator(q.rows.end()));
  q.rows.clear();
  b.total = q.total;
  b.error = error_;
  return b;
}

quint64 StreamFeed::total(StreamKind kind) const {
  std::lock_guard lock(mutex_);
  return queues_[static_cast<int>(kind)].total;
}

}  // namespace sluice::ui
