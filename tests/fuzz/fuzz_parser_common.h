#pragma once
// Shared driver for the parser fuzz targets: the same input is parsed whole and
// split at fuzzer-chosen points; both runs must agree on every message, every body
// byte and the final verdict. A Content-Length message must deliver exactly its
// declared length.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "engine/http/parser.h"

namespace sluice::fuzz {

struct Recorder final : http::ParserListener {
  explicit Recorder(http::Parser::Kind kind) : parser(kind, *this) {}
  Action onHeadComplete() override {
    log += "H:";
    if (parser.request().method.size()) log += parser.request().method + " " + parser.request().target;
    else log += std::to_string(parser.response().status);
    log += '|';
    declared = kind() == http::Parser::Kind::kRequest ? parser.request().framing.contentLength
                                                      : parser.response().framing.contentLength;
    body = 0;
    return (pauses++ % 3 == 0) ? Action::kPause : Action::kContinue;
  }
  Action onBody(std::string_view d) override {
    log.append(d);
    body += d.size();
    return (pauses++ % 5 == 0) ? Action::kPause : Action::kContinue;
  }
  Action onMessageComplete() override {
    if (kind_ == http::Parser::Kind::kRequest && declared && body != *declared) std::abort();
    log += "|E|";
    return Action::kContinue;
  }
  http::Parser::Kind kind() const { return kind_; }

  /** Feeds pieces; returns the final state and appends the error status to the log. */
  void run(const std::vector<std::string_view>& pieces) {
    std::string pending;
    for (auto piece : pieces) {
      pending.append(piece);
      while (!pending.empty()) {
        auto feed = parser.execute(pending);
        pending.erase(0, feed.consumed);
        if (feed.state == http::Parser::State::kError) {
          // Which refusal status comes first may depend on the reads: the head
          // scanner checks every buffered byte before llhttp parses them, so a
          // later bare CR (400) can be seen before an earlier llhttp refusal
          // (431 too many fields, 505, ...). Both runs must refuse; the status is
          // kept apart (docs/reliability.md, "split-dependent status").
          log += "#ERR";
          status = parser.error().status;
          if (status < 400 || status > 599 || parser.error().message.empty()) std::abort();
          return;
        }
        if (feed.state == http::Parser::State::kOk) break;
      }
    }
    if (parser.finish() == http::Parser::State::kError) {
      log += "#EOF";
      status = parser.error().status;
      if (status < 400 || status > 599 || parser.error().message.empty()) std::abort();
    }
  }

  http::Parser::Kind kind_ = http::Parser::Kind::kRequest;
  http::Parser parser;
  std::string log;
  std::optional<uint64_t> declared;
  uint64_t body = 0;
  unsigned pauses = 0;
  int status = 0;
  bool expectNoBody = false;
};

inline int runParserTarget(http::Parser::Kind kind, const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  // The first two bytes choose the split points (a stride and a phase).
  size_t stride = 1 + data[0] % 61;
  size_t phase = data[1] % stride;
  std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);
  Recorder whole(kind);
  whole.kind_ = kind;
  whole.run({input});
  std::vector<std::string_view> pieces;
  size_t pos = 0, next = phase ? phase : stride;
  while (pos < input.size()) {
    size_t n = std::min(next, input.size() - pos);
    pieces.push_back(input.substr(pos, n));
    pos += n;
    next = stride;
  }
  Recorder split(kind);
  split.kind_ = kind;
  split.run(pieces);
  // Pauses differ between the runs, but what was parsed must not.
  if (whole.log != split.log) {
    std::fprintf(stderr, "whole: %s (%d)\nsplit: %s (%d)\n", whole.log.c_str(), whole.status, split.log.c_str(), split.status);
    std::abort();
  }
  return 0;
}

}  // namespace sluice::fuzz
