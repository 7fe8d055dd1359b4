// The SSE parser against the WHATWG HTML standard's event-stream rules and examples
// (written from the spec text), every input also fed split at every byte boundary.
#include <QtTest/QtTest>

#include <string>
#include <vector>

#include "engine/http/sse_parser.h"

using sluice::http::SseCallbacks;
using sluice::http::SseEvent;
using sluice::http::SseLimits;
using sluice::http::SseParser;

namespace {

/** "type|id|data" per event, "retry=N" per valid retry, "#text" per comment. */
struct Recorded {
  std::vector<std::string> items;
};

SseCallbacks recorder(Recorded& r) {
  SseCallbacks cb;
  cb.onEvent = [&r](const SseEvent& e) { r.items.push_back(e.type + "|" + e.lastEventId + "|" + e.data); };
  cb.onComment = [&r](std::string_view t, uint64_t) { r.items.push_back("#" + std::string(t)); };
  cb.onRetry = [&r](uint64_t ms, uint64_t) { r.items.push_back("retry=" + std::to_string(ms)); };
  return cb;
}

std::vector<std::string> parseWhole(const std::string& in) {
  Recorded r;
  SseParser p(recorder(r));
  if (!p.feed(in, 0)) return {"error"};
  p.finish();
  return r.items;
}

std::vector<std::string> parseSplit(const std::string& in, size_t at) {
  Recorded r;
  SseParser p(recorder(r));
  if (!p.feed(std::string_view(in).substr(0, at), 1) || !p.feed(std::string_view(in).substr(at), 2)) return {"error"};
  p.finish();
  return r.items;
}

std::vector<std::string> parseBytewise(const std::string& in) {
  Recorded r;
  SseParser p(recorder(r));
  for (size_t i = 0; i < in.size(); ++i) {
    if (!p.feed(std::string_view(in).substr(i, 1), i)) return {"error"};
  }
  p.finish();
  return r.items;
}

using Items = std::vector<std::string>;
using namespace std::string_literals;

}  // namespace

class TestSseParser : public QObject {
  Q_OBJECT

 private slots:
  void spec_data();
  void spec();
  void arrivalTimeIsTheCompletingRead();
  void crAtReadBoundaryIsOneLineEnd();
  void lastEventIdPersists();
  void lineLimitStops();
  void eventLimitStops();
  void finishDiscardsPending();
};

void TestSseParser::spec_data() {
  QTest::addColumn<QByteArray>("input");
  QTest::addColumn<QStringList>("expected");
  auto row = [](const char* name, std::string in, Items out) {
    QStringList l;
    for (auto& s : out) l << QString::fromStdString(s);
    QTest::newRow(name) << QByteArray::fromStdString(in) << l;
  };
  // WHATWG examples (HTML, "9.2.6 Interpreting an event stream" and "9.2.5 Parsing").
  row("stock ticker: three data lines joined", "data: YHOO\ndata: +2\ndata: 10\n\n", {"message||YHOO\n+2\n10"});
  row("comment, id, id reset, leading space kept",
      ": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n",
      {"# test stream", "message|1|first event", "message||second event", "message|| third event"});
  row("empty data, one newline, unterminated block discarded", "data\n\ndata\ndata\n\ndata:",
      {"message||", "message||\n"});
  row("space after colon is optional", "data:test\n\ndata: test\n\n", {"message||test", "message||test"});
  // The rules themselves.
  row("event type", "event: update\ndata: {\"a\":1}\nid: 7\n\n", {"update|7|{\"a\":1}"});
  row("type resets after dispatch", "event: a\ndata: 1\n\ndata: 2\n\n", {"a||1", "message||2"});
  row("block without data is not dispatched", "event: x\nid: 5\n\ndata: y\n\n", {"message|5|y"});
  row("CRLF endings", "data: a\r\ndata: b\r\n\r\n", {"message||a\nb"});
  row("CR endings", "data: a\rdata: b\r\r", {"message||a\nb"});
  row("mixed endings", "data: a\r\ndata: b\rdata: c\n\r\n", {"message||a\nb\nc"});
  row("leading BOM dropped", "\xEF\xBB\xBF" "data: x\n\n", {"message||x"});
  row("only one BOM dropped", "\xEF\xBB\xBF\xEF\xBB\xBF" "data: x\n\n", {});
  row("partial BOM is data", "\xEF\xBB" "data: x\n\n", {});
  row("id with NUL ignored", "id: 3\ndata: a\n\nid: 4\0x\ndata: b\n\n"s,
      {"message|3|a", "message|3|b"});
  row("retry digits", "retry: 1500\ndata: a\n\n", {"retry=1500", "message||a"});
  row("retry non-digits ignored", "retry: 15a\nretry: -1\nretry:\nretry: 1 0\ndata: a\n\n", {"message||a"});
  row("unknown fields ignored", "foo: bar\ndata: a\nDATA: b\n\n", {"message||a"});
  row("field without colon", "data\ndata\n\n", {"message||\n"});
  row("only the first space dropped", "data:   x \n\n", {"message||  x "});
  row("colon in value", "data: a:b: c\n\n", {"message||a:b: c"});
  row("comment only block", ":hi\n\n", {"#hi"});
  row("event field set to empty gives message", "event\ndata: a\n\n", {"message||a"});
  row("empty stream", "", {});
}

void TestSseParser::spec() {
  QFETCH(QByteArray, input);
  QFETCH(QStringList, expected);
  std::string in = input.toStdString();
  Items want;
  for (auto& s : expected) want.push_back(s.toStdString());
  // The two "BOM" rows: a second BOM or a partial one is part of the field name, so nothing dispatches.
  QCOMPARE(parseWhole(in), want);
  QCOMPARE(parseBytewise(in), want);
  for (size_t at = 0; at <= in.size(); ++at) {
    auto got = parseSplit(in, at);
    if (got != want) QFAIL(qPrintable(QString("split at %1 differs").arg(at)));
  }
}

void TestSseParser::arrivalTimeIsTheCompletingRead() {
  std::vector<uint64_t> times;
  SseCallbacks cb;
  cb.onEvent = [&](const SseEvent& e) { times.push_back(e.arrivalUs); };
  SseParser p(cb);
  QVERIFY(p.feed("data: a\n", 100).has_value());
  QVERIFY(p.feed("\ndata: b\n", 250).has_value());
  QVERIFY(p.feed("\n", 900).has_value());
  QCOMPARE(times, (std::vector<uint64_t>{250, 900}));
  QCOMPARE(p.eventsDispatched(), uint64_t(2));
}

void TestSseParser::crAtReadBoundaryIsOneLineEnd() {
  Recorded r;
  SseParser p(recorder(r));
  // "data: a" CR | LF "data: b" CR | LF CR | LF: three line ends, not five.
  QVERIFY(p.feed("data: a\r", 0).has_value());
  QVERIFY(p.feed("\ndata: b\r", 0).has_value());
  QVERIFY(p.feed("\n\r", 0).has_value());
  QVERIFY(p.feed("\n", 0).has_value());
  QCOMPARE(r.items, Items({"message||a\nb"}));
}

void TestSseParser::lastEventIdPersists() {
  Recorded r;
  SseParser p(recorder(r));
  QVERIFY(p.feed("id: 9\ndata: a\n\ndata: b\n\n", 0).has_value());
  QCOMPARE(r.items, Items({"message|9|a", "message|9|b"}));
  QCOMPARE(p.lastEventId(), std::string("9"));
}

void TestSseParser::lineLimitStops() {
  SseLimits limits;
  limits.maxLineBytes = 16;
  SseParser p({}, limits);
  QVERIFY(p.feed("data: 0123456789", 0).has_value());
  auto st = p.feed("abcdef", 0);
  QVERIFY(!st);
  QVERIFY(st.error().message.find("line limit") != std::string::npos);
  QVERIFY(!p.feed("\n\n", 0));  // sticky
}

void TestSseParser::eventLimitStops() {
  SseLimits limits;
  limits.maxEventBytes = 10;
  uint64_t events = 0;
  SseCallbacks cb;
  cb.onEvent = [&](const SseEvent&) { ++events; };
  SseParser p(cb, limits);
  QVERIFY(p.feed("data: 12345\n\n", 0).has_value());
  auto st = p.feed("data: 12345\ndata: 6789\n\n", 0);
  QVERIFY(!st);
  QVERIFY(st.error().message.find("event limit") != std::string::npos);
  QCOMPARE(events, uint64_t(1));
}

void TestSseParser::finishDiscardsPending() {
  Recorded r;
  SseParser p(recorder(r));
  QVERIFY(p.feed("data: a\n", 0).has_value());
  QVERIFY(p.pending());
  p.finish();
  QVERIFY(!p.pending());
  QVERIFY(r.items.empty());
}

QTEST_APPLESS_MAIN(TestSseParser)
#include "test_sse_parser.moc"
