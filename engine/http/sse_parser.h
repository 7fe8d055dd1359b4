#pragma once
/**
 * Server-Sent Events (text/event-stream), parsed as the WHATWG HTML standard's
 * EventSource section says ("Interpreting an event stream"):
 *  - lines end with CRLF, LF or CR, also when a CR ends one read and its LF starts the next;
 *  - one leading U+FEFF BYTE ORDER MARK is ignored, also when split across reads;
 *  - "event", "data" (lines joined with LF), "id" (ignored when it holds NUL),
 *    "retry" (ASCII digits only, else ignored); other fields are ignored;
 *  - a line starting with ':' is a comment;
 *  - a blank line dispatches; a block without any data field is not dispatched but
 *    still sets the last event id; what is pending at the end of the stream is discarded.
 * Field values are kept as the bytes received (the view decodes UTF-8 with U+FFFD).
 * Written by hand: no Debian library parses event streams.
 */
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "engine/util/error.h"

namespace sluice::http {

/** One dispatched event. */
struct SseEvent {
  std::string type;         ///< "message" when the block had no event field
  std::string data;         ///< data lines joined with LF, without the final LF
  std::string lastEventId;  ///< the last event id in force when it was dispatched
  bool idSet = false;       ///< this block itself had a valid id field
  uint64_t arrivalUs = 0;   ///< the arrival time of the read that completed it
  uint64_t index = 0;       ///< 0, 1, 2 ... in dispatch order
};

/** Bounds on what one event may hold: a peer cannot make the parser grow without end. */
struct SseLimits {
  size_t maxLineBytes = 16u << 20;   ///< one line (field name and value)
  size_t maxEventBytes = 64u << 20;  ///< the data of one event
};

/** What the parser reports. Every callback is optional. */
struct SseCallbacks {
  std::function<void(const SseEvent&)> onEvent;
  std::function<void(std::string_view text, uint64_t arrivalUs)> onComment;  ///< without the ':'
  std::function<void(uint64_t retryMs, uint64_t arrivalUs)> onRetry;
};

/** An incremental event-stream parser: feed it reads as they arrive, in any pieces. */
class SseParser {
 public:
  explicit SseParser(SseCallbacks callbacks, SseLimits limits = {});

  /**
   * Parses one read. arrivalUs is when it arrived (any clock the caller chooses).
   * An error (a line or event over its limit) is sticky: later feeds return it again.
   */
  Status feed(std::string_view bytes, uint64_t arrivalUs);
  /** The stream ended: a pending, unterminated event is discarded, as the standard says. */
  void finish();

  uint64_t eventsDispatched() const { return dispatched_; }
  uint64_t comments() const { return comments_; }
  /** The reconnection time from the last valid retry field. */
  std::optional<uint64_t> retryMs() const { return retryMs_; }
  const std::string& lastEventId() const { return lastEventId_; }
  /** True when a partial line or an undispatched block is pending. */
  bool pending() const { return !line_.empty() || blockStarted_; }

 private:
  Status feedBody(std::string_view bytes);
  Status line(std::string_view text);
  void field(std::string_view name, std::string_view value);
  void dispatch();

  SseCallbacks cb_;
  SseLimits limits_;
  std::string line_;        ///< a line split across reads
  bool skipLf_ = false;     ///< the previous read ended with CR: a leading LF belongs to it
  uint8_t bomMatched_ = 0;  ///< BOM bytes seen at the start
  bool bomDone_ = false;
  bool blockStarted_ = false;
  std::optional<Error> error_;

  SseEvent event_;  ///< reused: no allocation per event once warm
  bool hasData_ = false;
  std::string lastEventId_;
  bool idSet_ = false;
  std::optional<uint64_t> retryMs_;
  uint64_t now_ = 0;
  uint64_t dispatched_ = 0;
  uint64_t comments_ = 0;
};

}  // namespace sluice::http
