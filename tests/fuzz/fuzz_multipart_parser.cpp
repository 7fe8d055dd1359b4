// The streaming multipart/form-data parser (RFC 7578, RFC 2046 §5.1).
//
// Input: [stride][phase][mode][refuseAt] then, in parse mode, a Content-Type
// line and the body; in round-trip mode, the part contents separated by 0xFF.
//  - parse mode: the body is parsed whole and split at the chosen points; both
//    runs give the same parts, bytes and verdict; callbacks are well nested; a
//    refusal is an error with a message, and the parser stays failed after it;
//    a sink refusal at callback n stops the parser with exactly that error.
//  - round-trip mode: a well-formed body is built from the contents; every part
//    is delivered with exactly its bytes (the framing's count), whatever the split.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "engine/site/upload/multipart_parser.h"
#include "fuzz_split.h"

using sluice::ErrorCode;
using sluice::Status;
using sluice::site::MultipartParser;
using sluice::site::MultipartPart;
using sluice::site::MultipartSink;

namespace {

#define CHECK(c) \
  do {           \
    if (!(c)) std::abort(); \
  } while (0)

struct Recorder : MultipartSink {
  std::string log;
  std::vector<std::string> parts;  // data of each part
  bool inPart = false;
  int calls = 0;   // begins and ends
  int events = 0;  // every callback
  int refuseAt = -1;  // refuse the n-th callback (0-based); -1 never
  bool refused = false;

  // Data callbacks depend on the split, so only part begins and ends count
  // towards the refusal point (the same in every run).
  Status maybeRefuse(bool counts = true) {
    CHECK(!refused);  // no callback after a refusal
    ++events;
    if (!counts) return {};
    if (calls++ == refuseAt) {
      refused = true;
      return sluice::fail(ErrorCode::kNoSpace, "sink refused");
    }
    return {};
  }
  Status onPartBegin(const MultipartPart& p) override {
    CHECK(!inPart);
    inPart = true;
    parts.emplace_back();
    log += "[B" + p.fieldName + "|" + p.fileName.value_or("-") + "|" + std::to_string(p.headers.size()) + "]";
    return maybeRefuse();
  }
  Status onPartData(std::string_view d) override {
    CHECK(inPart);
    parts.back().append(d);
    log.append(d);
    return maybeRefuse(false);
  }
  Status onPartEnd() override {
    CHECK(inPart);
    inPart = false;
    log += "[E]";
    return maybeRefuse();
  }
};

struct Outcome {
  std::string log;
  std::vector<std::string> parts;
  bool ok = false;
  ErrorCode code = ErrorCode::kOk;
  bool refused = false;
};

Outcome run(const std::string& boundary, const std::vector<std::string_view>& pieces, int refuseAt) {
  Recorder r;
  r.refuseAt = refuseAt;
  MultipartParser p(boundary, r, 1024);
  Outcome o;
  Status st;
  for (auto piece : pieces) {
    st = p.feed(piece);
    if (!st) break;
  }
  if (st) st = p.finish();
  if (st) {
    CHECK(p.done());
    CHECK(!r.inPart);  // every part that began has ended
    CHECK(!r.refused);
  } else {
    CHECK(!st.error().message.empty());  // a refusal says what is wrong
    CHECK(st.error().code == ErrorCode::kParse || st.error().code == ErrorCode::kLimit ||
          st.error().code == ErrorCode::kInvalidArgument || (r.refused && st.error().code == ErrorCode::kNoSpace));
    if (r.refused) CHECK(st.error().code == ErrorCode::kNoSpace && st.error().message == "sink refused");
    // Failed stays failed, and says nothing more to the sink.
    int before = r.events;
    CHECK(!p.feed("--x\r\n\r\n"));
    CHECK(!p.finish());
    CHECK(r.events == before);
    o.code = st.error().code;
  }
  o.ok = st.has_value();
  o.refused = r.refused;
  o.log = std::move(r.log);
  o.parts = std::move(r.parts);
  return o;
}

int parseMode(const uint8_t* data, size_t size, uint8_t stride, uint8_t phase, int refuseAt) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nl = in.find('\n');
  if (nl == std::string_view::npos) return 0;
  auto boundary = MultipartParser::boundaryOf(in.substr(0, nl));
  if (!boundary) {
    CHECK(boundary.error().code == ErrorCode::kInvalidArgument && !boundary.error().message.empty());
    return 0;
  }
  CHECK(!boundary->empty() && boundary->size() <= 70);
  std::string_view body = in.substr(nl + 1);
  Outcome whole = run(*boundary, {body}, refuseAt);
  Outcome split = run(*boundary, sluice::fuzz::splitAt(body, stride, phase), refuseAt);
  CHECK(whole.ok == split.ok);
  if (whole.ok) {
    CHECK(whole.log == split.log);
  } else {
    CHECK(whole.refused == split.refused);
    CHECK(whole.code == split.code);
  }
  // Part data can never exceed what was sent.
  size_t total = 0;
  for (auto& p : split.parts) total += p.size();
  CHECK(total <= body.size());
  return 0;
}

int roundTripMode(const uint8_t* data, size_t size, uint8_t stride, uint8_t phase) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::string boundary = "----sluiceFuzz7MA4YWxkTrZu0gW";
  const std::string delimiter = "\r\n--" + boundary;
  std::vector<std::string> contents;
  size_t pos = 0;
  while (pos <= in.size() && contents.size() < 16) {
    size_t end = in.find('\xff', pos);
    if (end == std::string_view::npos) end = in.size();
    contents.emplace_back(in.substr(pos, end - pos));
    pos = end + 1;
  }
  std::string body = "preamble\r\n--" + boundary;
  for (size_t i = 0; i < contents.size(); ++i) {
    // A content holding the delimiter is not well-formed input for this mode.
    // (The CRLF ending the part head may begin a delimiter too, RFC 2046 §5.1.1.)
    if (("\r\n" + contents[i] + delimiter).find(delimiter) != 2 + contents[i].size()) return 0;
    body += "\r\nContent-Disposition: form-data; name=\"f" + std::to_string(i) + "\"; filename=\"n" + std::to_string(i) +
            ".bin\"\r\nContent-Type: application/octet-stream\r\n\r\n" + contents[i] + delimiter;
  }
  body += "--\r\nepilogue";
  Outcome o = run(boundary, sluice::fuzz::splitAt(body, stride, phase), -1);
  CHECK(o.ok);
  CHECK(o.parts == contents);  // every byte of every part, no more, no less
  return 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  uint8_t stride = data[0], phase = data[1], mode = data[2], refuse = data[3];
  int refuseAt = refuse < 32 ? refuse : -1;
  if (mode & 1) return roundTripMode(data + 4, size - 4, stride, phase);
  return parseMode(data + 4, size - 4, stride, phase, refuseAt);
}
