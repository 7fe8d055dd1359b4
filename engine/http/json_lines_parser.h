#pragma once
/**
 * Record framings for streamed JSON, parsed incrementally with each record's arrival time:
 *  - NDJSON / JSON Lines (application/x-ndjson, application/jsonl): one JSON text per
 *    line, LF-terminated (a CR before the LF is dropped); blank lines are skipped; a
 *    last line without LF is a record when the stream ends;
 *  - JSON text sequences (RFC 7464, application/json-seq): each record starts with
 *    RS (0x1E) and ends with LF. A record not ending in LF is reported as possibly
 *    truncated (RFC 7464 section 2.1), and bytes before the first RS as garbage.
 * Each record says whether it is valid JSON (nlohmann-json's accept()).
 * Written by hand: the framing is a few lines; the JSON itself is nlohmann-json's.
 */
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "engine/util/error.h"

namespace sluice::http {

enum class JsonFraming : uint8_t {
  kLines,     ///< NDJSON / JSON Lines
  kSequence,  ///< RFC 7464 JSON text sequence
};

/** The framing a Content-Type calls for, or nothing when it is neither. */
std::optional<JsonFraming> jsonFramingForContentType(std::string_view contentType);

/** One record. */
struct JsonRecord {
  std::string_view text;    ///< without RS, CR or LF; valid during the callback only
  uint64_t arrivalUs = 0;   ///< arrival time of the read that completed it
  uint64_t index = 0;
  bool validJson = false;
  bool truncated = false;   ///< json-seq: did not end with LF (or ended with the stream)
};

struct JsonLinesLimits {
  size_t maxRecordBytes = 64u << 20;
  bool validate = true;  ///< check each record with a JSON parser
};

/** An incremental record splitter: feed it reads as they arrive, in any pieces. */
class JsonLinesParser {
 public:
  using RecordCallback = std::function<void(const JsonRecord&)>;

  JsonLinesParser(JsonFraming framing, RecordCallback onRecord, JsonLinesLimits limits = {});

  /** Parses one read. A record over the limit stops parsing with a sticky error. */
  Status feed(std::string_view bytes, uint64_t arrivalUs);
  /** The stream ended: a last record without its LF is delivered (json-seq: as truncated). */
  void finish(uint64_t arrivalUs);

  uint64_t records() const { return records_; }
  /** Records that were not valid JSON (when validating). */
  uint64_t invalidRecords() const { return invalid_; }
  /** json-seq: bytes before the first RS, which belong to no record. */
  uint64_t strayBytes() const { return stray_; }

 private:
  void deliver(std::string_view text, bool truncated, bool knownValid = false);
  Status append(const char* from, const char* to);
  Status feedLines(const char* p, const char* end);
  Status feedSequence(const char* p, const char* end);

  JsonFraming framing_;
  RecordCallback onRecord_;
  JsonLinesLimits limits_;
  std::string partial_;
  bool inRecord_ = false;  ///< json-seq: an RS was seen and the record is open
  std::optional<Error> error_;
  uint64_t now_ = 0;
  uint64_t records_ = 0;
  uint64_t invalid_ = 0;
  uint64_t stray_ = 0;
};

}  // namespace sluice::http
