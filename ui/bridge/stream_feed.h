#pragma once
/**
 * The rows of the stream view, made on the client loop thread as the body arrives:
 * server-sent events (text/event-stream), JSON records (NDJSON, JSON Lines, RFC 7464
 * json-seq) and the chunks of a chunked body. The engine's parsers do the framing.
 * The GUI takes what is pending in one batch per frame. Pending rows are bounded (the
 * newest maxPending of each kind are kept); totals count every row.
 */
#include <QString>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "engine/client/body_stream.h"

namespace sluice::http {
class SseParser;
class JsonLinesParser;
}  // namespace sluice::http

namespace sluice::ui {

/** One row of the stream view. */
struct StreamRow {
  quint64 atUs = 0;     ///< arrival, µs since the request was sent
  quint64 index = 0;    ///< 0, 1, 2 ... among rows of its kind
  QString type;         ///< event type (events)
  QString id;           ///< last event id (events)
  QString data;         ///< event data, the record's text, or (chunks) the extensions
  quint64 size = 0;     ///< chunk size (chunks)
  bool valid = true;    ///< lines: the record is valid JSON
};

enum class StreamKind { kEvents, kLines, kChunks };

class StreamFeed {
 public:
  /** contentType picks the parser (events or lines; neither for other types). */
  StreamFeed(std::string_view contentType, size_t maxPending);
  ~StreamFeed();
  StreamFeed(const StreamFeed&) = delete;
  StreamFeed& operator=(const StreamFeed&) = delete;

  /** The kind Auto picks for this response: events or lines by Content-Type, else chunks when chunked, else none. */
  static std::optional<StreamKind> autoKind(std::string_view contentType, bool chunked);

  // ---- loop thread ---------------------------------------------------------------
  /** Decoded body bytes that arrived at atUs. */
  void feed(std::string_view decoded, quint64 atUs);
  void addChunks(const std::vector<client::ChunkBoundary>& chunks);
  /** The body ended: a last record without its line end is delivered. */
  void finish(quint64 atUs);

  // ---- any thread ----------------------------------------------------------------
  struct Batch {
    std::vector<StreamRow> rows;  ///< oldest first
    quint64 total = 0;            ///< rows of this kind made so far (taken, pending and dropped)
    QString error;                ///< why parsing stopped (a limit), empty when it did not
  };
  /** Moves the pending rows of kind out. */
  Batch take(StreamKind kind);
  quint64 total(StreamKind kind) const;

 private:
  struct Queue {
    std::deque<StreamRow> rows;
    quint64 total = 0;
  };
  void push(StreamKind kind, StreamRow row);

  const size_t maxPending_;
  std::unique_ptr<http::SseParser> sse_;      ///< loop thread
  std::unique_ptr<http::JsonLinesParser> lines_;
  mutable std::mutex mutex_;
  Queue queues_[3];
  QString error_;
};

}  // namespace sluice::ui
