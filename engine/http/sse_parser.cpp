#include "engine/http/sse_parser.h"

#include <cstring>

namespace sluice::http {

namespace {

constexpr char kBom[] = "\xEF\xBB\xBF";

/**
 * Finds line ends with memchr (vectorised in glibc). The next LF is cached across calls
 * so that a CR-only stream does not rescan the rest of the read for every line.
 */
class LineEndFinder {
 public:
  explicit LineEndFinder(const char* end) : end_(end) {}
  /** The first CR or LF in [p, end), or end. */
  const char* next(const char* p) {
    if (lf_ < p) {
      lf_ = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end_ - p)));
      if (!lf_) lf_ = end_;
    }
    auto* cr = static_cast<const char*>(std::memchr(p, '\r', static_cast<size_t>(lf_ - p)));
    return cr ? cr : lf_;
  }

 private:
  const char* end_;
  const char* lf_ = nullptr;
};

bool allDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

SseParser::SseParser(SseCallbacks callbacks, SseLimits limits) : cb_(std::move(callbacks)), limits_(limits) {}

Status SseParser::feed(std::string_view bytes, uint64_t arrivalUs) {
  if (error_) return unexpected<Error>(*error_);
  now_ = arrivalUs;
  // One leading BOM is dropped; bytes that only looked like its start are data.
  while (!bomDone_ && !bytes.empty()) {
    if (bytes.front() == kBom[bomMatched_]) {
      bytes.remove_prefix(1);
      if (++bomMatched_ == 3) bomDone_ = true;
      continue;
    }
    bomDone_ = true;
    if (bomMatched_ > 0) {
      if (auto st = feedBody(std::string_view(kBom, bomMatched_)); !st) return st;
    }
  }
  if (bytes.empty()) return {};
  return feedBody(bytes);
}

Status SseParser::feedBody(std::string_view bytes) {
  const char* p = bytes.data();
  const char* end = p + bytes.size();
  if (skipLf_ && p < end) {
    skipLf_ = false;
    if (*p == '\n') ++p;
  }
  LineEndFinder finder(end);
  while (p < end) {
    const char* eol = finder.next(p);
    if (eol == end) {  // a line continues in the next read
      if (line_.size() + static_cast<size_t>(end - p) > limits_.maxLineBytes) {
        error_ = Error::make(ErrorCode::kLimit, "an event-stream line is longer than " + std::to_string(limits_.maxLineBytes) +
                                                   " bytes (the SSE line limit): parsing stopped");
        return unexpected<Error>(*error_);
      }
      line_.append(p, end);
      return {};
    }
    Status st;
    if (line_.empty()) {
      st = line(std::string_view(p, static_cast<size_t>(eol - p)));
    } else {
      line_.append(p, eol);
      st = line(line_);
      line_.clear();
    }
    if (!st) return st;
    p = eol + 1;
    if (*eol == '\r') {
      if (p == end) skipLf_ = true;  // its LF may start the next read
      else if (*p == '\n') ++p;
    }
  }
  return {};
}

Status SseParser::line(std::string_view text) {
  if (text.empty()) {
    dispatch();
    return {};
  }
  blockStarted_ = true;
  if (text.front() == ':') {
    ++comments_;
    if (cb_.onComment) cb_.onComment(text.substr(1), now_);
    return {};
  }
  size_t colon = text.find(':');
  std::string_view name = text.substr(0, colon);
  std::string_view value;
  if (colon != std::string_view::npos) {
    value = text.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (name == "data" && event_.data.size() + value.size() + 1 > limits_.maxEventBytes) {
    error_ = Error::make(ErrorCode::kLimit, "an event's data is larger than " + std::to_string(limits_.maxEventBytes) +
                                               " bytes (the SSE event limit): parsing stopped");
    return unexpected<Error>(*error_);
  }
  field(name, value);
  return {};
}

void SseParser::field(std::string_view name, std::string_view value) {
  if (name == "data") {
    event_.data.append(value);
    event_.data.push_back('\n');
    hasData_ = true;
  } else if (name == "event") {
    event_.type.assign(value);
  } else if (name == "id") {
    if (value.find('\0') == std::string_view::npos) {
      lastEventId_.assign(value);
      idSet_ = true;
    }
  } else if (name == "retry") {
    if (!allDigits(value)) return;
    uint64_t ms = 0;
    for (char c : value) {
      if (ms > (UINT64_MAX - 9) / 10) return;  // beyond any sensible reconnection time: ignored
      ms = ms * 10 + static_cast<uint64_t>(c - '0');
    }
    retryMs_ = ms;
    if (cb_.onRetry) cb_.onRetry(ms, now_);
  }
}

void SseParser::dispatch() {
  blockStarted_ = false;
  bool idSet = idSet_;
  idSet_ = false;
  if (!hasData_) {
    event_.type.clear();
    event_.data.clear();
    return;
  }
  hasData_ = false;
  event_.data.pop_back();  // the LF after the last data line
  if (event_.type.empty()) event_.type = "message";
  event_.lastEventId = lastEventId_;
  event_.idSet = idSet;
  event_.arrivalUs = now_;
  event_.index = dispatched_++;
  if (cb_.onEvent) cb_.onEvent(event_);
  event_.type.clear();
  event_.data.clear();
}

void SseParser::finish() {
  line_.clear();
  skipLf_ = false;
  blockStarted_ = false;
  hasData_ = false;
  idSet_ = false;
  event_.type.clear();
  event_.data.clear();
}

}  // namespace sluice::http
