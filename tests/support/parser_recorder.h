#pragma once
// Shared by the parser unit tests: a listener that records what a peer of the
// parser sees, and drivers that feed input whole, split at given points, or byte by byte.
#include <QtTest/QtTest>

#include <string>
#include <string_view>
#include <vector>

#include "engine/http/parser.h"

namespace sluice::test {

using sluice::http::ParseLimits;
using sluice::http::Parser;
using sluice::http::ParserListener;


/** What a peer of the parser sees: one entry per message, with its head and body bytes. */
struct Message {
  std::string head;  // "GET /a HTTP/1.1|Host=x|..." or "200 OK HTTP/1.1|..."
  std::string body;
  bool complete = false;
  bool operator==(const Message&) const = default;
};

inline QString describe(const std::vector<Message>& ms) {
  QString s;
  for (const auto& m : ms)
    s += QString("[%1 body=%2 bytes%3] ").arg(QString::fromStdString(m.head)).arg(m.body.size()).arg(m.complete ? "" : " incomplete");
  return s;
}

class Recorder final : public ParserListener {
 public:
  explicit Recorder(Parser::Kind kind = Parser::Kind::kRequest, ParseLimits limits = {})
      : parser(kind, *this, limits), kind_(kind) {}

  Action onHeadComplete() override {
    Message m;
    if (kind_ == Parser::Kind::kRequest) {
      auto& r = parser.request();
      m.head = r.method + " " + r.target + " HTTP/" + std::to_string(r.versionMajor) + "." + std::to_string(r.versionMinor);
      for (const auto& h : r.headers) m.head += "|" + h.name + "=" + h.value;
      if (r.framing.chunked) m.head += "|<chunked>";
      if (r.framing.contentLength) m.head += "|<cl=" + std::to_string(*r.framing.contentLength) + ">";
      m.head += r.framing.keepAlive ? "|<keep-alive>" : "|<close>";
    } else {
      auto& r = parser.response();
      m.head = std::to_string(r.status) + " " + r.reason + " HTTP/" + std::to_string(r.versionMajor) + "." +
               std::to_string(r.versionMinor);
      for (const auto& h : r.headers) m.head += "|" + h.name + "=" + h.value;
    }
    messages.push_back(std::move(m));
    ++heads;
    return pauseOnHead ? Action::kPause : Action::kContinue;
  }
  Action onBody(std::string_view data) override {
    if (feedBegin && (data.data() < feedBegin || data.data() + data.size() > feedEnd)) copied = true;
    if (messages.empty()) bodyWithoutHead = true;
    else messages.back().body.append(data);
    return pauseOnBody ? Action::kPause : Action::kContinue;
  }
  Action onMessageComplete() override {
    if (messages.empty()) bodyWithoutHead = true;
    else messages.back().complete = true;
    return pauseOnEnd ? Action::kPause : Action::kContinue;
  }

  void onChunkHeader(uint64_t size, std::string_view extensions) override {
    chunkLog += std::to_string(size) + std::string(extensions) + "|";
  }

  /** Feeds data as the engine does: after a pause, the unconsumed rest is fed again. */
  Parser::State feed(std::string_view data) {
    for (int guard = 0; guard < 100000; ++guard) {
      feedBegin = data.data();
      feedEnd = data.data() + data.size();
      auto f = parser.execute(data);
      if (f.consumed > data.size()) {
        overrun = true;
        return Parser::State::kError;
      }
      data.remove_prefix(f.consumed);
      if (f.state == Parser::State::kError) return f.state;
      if (f.state == Parser::State::kPaused) {
        ++pauses;
        if (data.empty()) return Parser::State::kOk;  // resumed by the next feed, or resumeEmpty()
        continue;
      }
      if (!data.empty()) overrun = true;  // kOk must mean everything was consumed
      return f.state;
    }
    overrun = true;
    return Parser::State::kError;
  }

  /** Resumes after a pause that consumed everything: llhttp may still owe the message end. */
  Parser::State resumeEmpty() {
    for (int guard = 0; guard < 100 && parser.resumePending(); ++guard) {
      auto f = parser.execute({});
      if (f.state == Parser::State::kError) return f.state;
      if (f.state == Parser::State::kPaused) ++pauses;
    }
    return parser.resumePending() ? Parser::State::kPaused : Parser::State::kOk;
  }

  Parser parser;
  std::vector<Message> messages;
  std::string chunkLog;  ///< "size;ext=v|" per chunk header
  int heads = 0;
  int pauses = 0;
  bool pauseOnHead = false, pauseOnBody = false, pauseOnEnd = false;
  bool copied = false, bodyWithoutHead = false, overrun = false;
  const char* feedBegin = nullptr;
  const char* feedEnd = nullptr;

 private:
  Parser::Kind kind_;
};

/** Result of parsing a whole input: messages or the error status. */
struct Outcome {
  std::vector<Message> messages;
  int errorStatus = 0;  // 0: no error
  uint64_t count = 0;
  std::string chunkLog;
};

/** Feeds input in pieces cut at the given offsets (ascending). */
inline Outcome parseSplit(std::string_view input, const std::vector<size_t>& cuts, Parser::Kind kind = Parser::Kind::kRequest,
                   ParseLimits limits = {}) {
  Recorder r(kind, limits);
  Outcome o;
  size_t prev = 0;
  std::vector<size_t> all = cuts;
  all.push_back(input.size());
  for (size_t cut : all) {
    // Each piece lives in its own buffer, as successive socket reads would.
    std::string piece(input.substr(prev, cut - prev));
    prev = cut;
    if (r.feed(piece) == Parser::State::kError) {
      o.errorStatus = r.parser.error().status;
      break;
    }
  }
  o.messages = r.messages;
  o.count = r.parser.messages();
  o.chunkLog = r.chunkLog;
  if (r.overrun) o.errorStatus = -1;
  return o;
}

inline Outcome parseWhole(std::string_view input, Parser::Kind kind = Parser::Kind::kRequest, ParseLimits limits = {}) {
  return parseSplit(input, {}, kind, limits);
}

inline Outcome parseByteByByte(std::string_view input, Parser::Kind kind = Parser::Kind::kRequest, ParseLimits limits = {}) {
  std::vector<size_t> cuts;
  for (size_t i = 1; i < input.size(); ++i) cuts.push_back(i);
  return parseSplit(input, cuts, kind, limits);
}

}  // namespace sluice::test
