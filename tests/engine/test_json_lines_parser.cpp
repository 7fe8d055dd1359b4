// NDJSON / JSON Lines and RFC 7464 JSON text sequences, every input also split at every byte boundary.
#include <QtTest/QtTest>

#include <string>
#include <vector>

#include "engine/http/json_lines_parser.h"

using sluice::http::JsonFraming;
using sluice::http::JsonLinesLimits;
using sluice::http::JsonLinesParser;
using sluice::http::JsonRecord;

namespace {

using Items = std::vector<std::string>;
using namespace std::string_literals;

/** Each record as its text, with " !json" when invalid and " !truncated" when cut short. */
std::string describe(const JsonRecord& r) {
  return std::string(r.text) + (r.validJson ? "" : " !json") + (r.truncated ? " !truncated" : "");
}

Items parsePieces(JsonFraming f, const std::string& in, const std::vector<size_t>& cuts) {
  Items out;
  JsonLinesParser p(f, [&](const JsonRecord& r) { out.push_back(describe(r)); });
  size_t from = 0;
  for (size_t cut : cuts) {
    if (!p.feed(std::string_view(in).substr(from, cut - from), from)) return {"error"};
    from = cut;
  }
  if (!p.feed(std::string_view(in).substr(from), from)) return {"error"};
  p.finish(in.size());
  return out;
}

}  // namespace

class TestJsonLinesParser : public QObject {
  Q_OBJECT

 private slots:
  void framings_data();
  void framings();
  void arrivalTimes();
  void contentTypes();
  void recordLimit();
};

void TestJsonLinesParser::framings_data() {
  QTest::addColumn<int>("framing");
  QTest::addColumn<QByteArray>("input");
  QTest::addColumn<QStringList>("expected");
  auto row = [](const char* name, JsonFraming f, std::string in, Items out) {
    QStringList l;
    for (auto& s : out) l << QString::fromStdString(s);
    QTest::newRow(name) << int(f) << QByteArray::fromStdString(in) << l;
  };
  const auto L = JsonFraming::kLines;
  const auto S = JsonFraming::kSequence;
  row("ndjson records", L, "{\"a\":1}\n{\"b\":[1,2]}\n", {"{\"a\":1}", "{\"b\":[1,2]}"});
  row("ndjson CRLF", L, "1\r\n2\r\n", {"1", "2"});
  row("ndjson blank lines skipped", L, "\n1\n\n\r\n2\n", {"1", "2"});
  row("ndjson last line without LF", L, "1\n{\"x\":true}", {"1", "{\"x\":true}"});
  row("ndjson invalid record flagged", L, "{oops\n3\n", {"{oops !json", "3"});
  row("ndjson empty", L, "", {});
  row("json-seq records", S, "\x1E{\"a\":1}\n\x1E[2]\n", {"{\"a\":1}", "[2]"});
  row("json-seq record with inner LF", S, "\x1E{\n\"a\":\n1}\n\x1E" "2\n", {"{\n\"a\":\n1}", "2"});
  row("json-seq truncated by next RS", S, "\x1E{\"a\":\x1E[1]\n", {"{\"a\": !json !truncated", "[1]"});
  row("json-seq truncated at end", S, "\x1E[1]\n\x1E{\"a\"", {"[1]", "{\"a\" !json !truncated"});
  row("json-seq number without LF at end", S, "\x1E" "123", {"123 !truncated"});
  row("json-seq stray bytes before RS", S, "junk\x1E[1]\n", {"[1]"});
  row("json-seq invalid but LF-terminated", S, "\x1E{bad\n\x1E[1]\n", {"{bad !json", "[1]"});
  row("json-seq empty records skipped", S, "\x1E\x1E\n\x1E[1]\n", {"[1]"});
}

void TestJsonLinesParser::framings() {
  QFETCH(int, framing);
  QFETCH(QByteArray, input);
  QFETCH(QStringList, expected);
  auto f = static_cast<JsonFraming>(framing);
  std::string in = input.toStdString();
  Items want;
  for (auto& s : expected) want.push_back(s.toStdString());
  QCOMPARE(parsePieces(f, in, {}), want);
  for (size_t at = 0; at <= in.size(); ++at) {
    if (parsePieces(f, in, {at}) != want) QFAIL(qPrintable(QString("split at %1 differs").arg(at)));
  }
  std::vector<size_t> every;
  for (size_t i = 1; i < in.size(); ++i) every.push_back(i);
  QCOMPARE(parsePieces(f, in, every), want);
}

void TestJsonLinesParser::arrivalTimes() {
  std::vector<uint64_t> times;
  JsonLinesParser p(JsonFraming::kLines, [&](const JsonRecord& r) { times.push_back(r.arrivalUs); });
  QVERIFY(p.feed("{\"a\":", 10).has_value());
  QVERIFY(p.feed("1}\n[", 20).has_value());
  QVERIFY(p.feed("]\n", 35).has_value());
  QCOMPARE(times, (std::vector<uint64_t>{20, 35}));
  QCOMPARE(p.records(), uint64_t(2));
}

void TestJsonLinesParser::contentTypes() {
  using sluice::http::jsonFramingForContentType;
  QCOMPARE(jsonFramingForContentType("application/x-ndjson"), std::optional(JsonFraming::kLines));
  QCOMPARE(jsonFramingForContentType("Application/JSONL; charset=utf-8"), std::optional(JsonFraming::kLines));
  QCOMPARE(jsonFramingForContentType("application/json-seq"), std::optional(JsonFraming::kSequence));
  QVERIFY(!jsonFramingForContentType("application/json").has_value());
}

void TestJsonLinesParser::recordLimit() {
  JsonLinesLimits limits;
  limits.maxRecordBytes = 8;
  JsonLinesParser p(JsonFraming::kLines, {}, limits);
  QVERIFY(p.feed("[1,2]\n", 0).has_value());
  auto st = p.feed("[1,2,3,4,5]", 0);
  QVERIFY(!st);
  QVERIFY(st.error().message.find("record limit") != std::string::npos);
}

QTEST_APPLESS_MAIN(TestJsonLinesParser)
#include "test_json_lines_parser.moc"
