#include "engine/http/json_lines_parser.h"

#include <cstring>

#include <nlohmann/json.hpp>

#include "engine/http/message.h"

namespace sluice::http {

namespace {

constexpr char kRs = '\x1E';

std::string_view trimJsonSpace(std::string_view s) {
  auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && ws(s.back())) s.remove_suffix(1);
  return s;
}

bool acceptJson(std::string_view text) { return nlohmann::json::accept(text.begin(), text.end()); }

}  // namespace

std::optional<JsonFraming> jsonFramingForContentType(std::string_view contentType) {
  std::string_view type = contentType.substr(0, contentType.find(';'));
  type = trimJsonSpace(type);
  for (std::string_view t : {"application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonl",
                             "application/jsonlines", "application/x-jsonlines"}) {
    if (iequals(type, t)) return JsonFraming::kLines;
  }
  if (iequals(type, "application/json-seq")) return JsonFraming::kSequence;
  return std::nullopt;
}

JsonLinesParser::JsonLinesParser(JsonFraming framing, RecordCallback onRecord, JsonLinesLimits limits)
    : framing_(framing), onRecord_(std::move(onRecord)), limits_(limits) {}

Status JsonLinesParser::feed(std::string_view bytes, uint64_t arrivalUs) {
  if (error_) return unexpected<Error>(*error_);
  now_ = arrivalUs;
  const char* p = bytes.data();
  const char* end = p + bytes.size();
  return framing_ == JsonFraming::kLines ? feedLines(p, end) : feedSequence(p, end);
}

Status JsonLinesParser::append(const char* from, const char* to) {
  if (partial_.size() + static_cast<size_t>(to - from) > limits_.maxRecordBytes) {
    error_ = Error::make(ErrorCode::kLimit, "a JSON record is larger than " + std::to_string(limits_.maxRecordBytes) +
                                               " bytes (the record limit): parsing stopped");
    return unexpected<Error>(*error_);
  }
  partial_.append(from, to);
  return {};
}

Status JsonLinesParser::feedLines(const char* p, const char* end) {
  while (p < end) {
    auto* lf = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
    if (!lf) return append(p, end);
    std::string_view line;
    if (partial_.empty()) {
      line = std::string_view(p, static_cast<size_t>(lf - p));
    } else {
      if (auto st = append(p, lf); !st) return st;
      line = partial_;
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) deliver(line, false);
    partial_.clear();
    p = lf + 1;
  }
  return {};
}

Status JsonLinesParser::feedSequence(const char* p, const char* end) {
  for (; p < end;) {
    if (!inRecord_) {
      auto* rs = static_cast<const char*>(std::memchr(p, kRs, static_cast<size_t>(end - p)));
      stray_ += static_cast<uint64_t>((rs ? rs : end) - p);
      if (!rs) return {};
      inRecord_ = true;
      partial_.clear();
      p = rs + 1;
      continue;
    }
    const char* q = p;
    while (q < end && *q != kRs && *q != '\n') ++q;
    if (auto st = append(p, q); !st) return st;
    if (q == end) return {};
    if (*q == kRs) {  // a new record starts before this one ended with LF
      bool endedWithLf = !partial_.empty() && partial_.back() == '\n';
      if (!trimJsonSpace(partial_).empty()) deliver(trimJsonSpace(partial_), !endedWithLf);
      partial_.clear();
      p = q + 1;
      continue;
    }
    // LF: the record may be complete. A JSON text can hold LFs of its own, so it ends
    // here only when what we have parses (or when we were asked not to validate).
    p = q + 1;
    std::string_view text = trimJsonSpace(partial_);
    if (!limits_.validate || acceptJson(text)) {
      if (!text.empty()) deliver(text, false, limits_.validate);
      inRecord_ = false;
      partial_.clear();
    } else if (auto st = append(q, p); !st) {
      return st;
    }
  }
  return {};
}

void JsonLinesParser::deliver(std::string_view text, bool truncated, bool knownValid) {
  JsonRecord r;
  r.text = text;
  r.arrivalUs = now_;
  r.index = records_++;
  r.truncated = truncated;
  r.validJson = knownValid || (limits_.validate && acceptJson(text));
  if (limits_.validate && !r.validJson) ++invalid_;
  if (onRecord_) onRecord_(r);
}

void JsonLinesParser::finish(uint64_t arrivalUs) {
  if (error_) return;
  now_ = arrivalUs;
  std::string_view rest = framing_ == JsonFraming::kLines ? std::string_view(partial_) : trimJsonSpace(partial_);
  if (framing_ == JsonFraming::kLines && !rest.empty() && rest.back() == '\r') rest.remove_suffix(1);
  bool endedWithLf = !partial_.empty() && partial_.back() == '\n';
  if (!rest.empty()) deliver(rest, framing_ == JsonFraming::kSequence && !endedWithLf);
  partial_.clear();
  inRecord_ = false;
}

}  // namespace sluice::http
