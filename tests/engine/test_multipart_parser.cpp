// The streaming multipart parser: any chunking gives the same parts, memory is
// bounded, and malformed bodies are refused cleanly.
#include <QtTest>

#include <random>
#include <string>

#include "support/test_env.h"
#include "engine/site/upload/multipart_parser.h"

using namespace sluice;
using namespace sluice::site;

namespace {
struct Recorder : MultipartSink {
  std::string log;
  size_t maxChunk = 0;
  Status onPartBegin(const MultipartPart& p) override {
    log += "[" + p.fieldName + "|" + p.fileName.value_or("-") + "]";
    return {};
  }
  Status onPartData(std::string_view d) override {
    maxChunk = std::max(maxChunk, d.size());
    log += d;
    return {};
  }
  Status onPartEnd() override {
    log += "[end]";
    return {};
  }
};

const std::string kBody =
    "preamble to ignore\r\n"
    "--B0undary\r\n"
    "Content-Disposition: form-data; name=\"field\"\r\n\r\n"
    "value\r\n--B0und not a boundary\r\n"
    "--B0undary  \r\n"
    "Content-Disposition: form-data; name=\"f\"; filename=\"a \\\"q\\\".txt\"\r\n"
    "Content-Type: text/plain\r\n\r\n"
    "\r\n\r\n--B0undar\r\n"
    "--B0undary\r\n"
    "Content-Disposition: form-data; name=\"g\"; filename=\"x\"; filename*=UTF-8''%C3%A9.bin\r\n\r\n"
    "\r\n"
    "--B0undary--\r\nepilogue";

const std::string kExpected =
    "[field|-]value\r\n--B0und not a boundary[end]"
    "[f|a \"q\".txt]\r\n\r\n--B0undar[end]"
    "[g|\xc3\xa9.bin][end]";

Result<std::string> parseInChunks(const std::string& body, size_t step) {
  Recorder r;
  MultipartParser p("B0undary", r);
  for (size_t i = 0; i < body.size(); i += step)
    if (auto st = p.feed(std::string_view(body).substr(i, step)); !st) return std::unexpected(st.error());
  if (auto st = p.finish(); !st) return std::unexpected(st.error());
  return r.log;
}
}  // namespace

class TestMultipartParser : public QObject {
  Q_OBJECT
 private slots:
  void everySplitGivesTheSameParts() {
    for (size_t step = 1; step <= kBody.size(); ++step) {
      auto got = parseInChunks(kBody, step);
      QVERIFY2(got.has_value(), got ? "" : got.error().message.c_str());
      QCOMPARE(QByteArray::fromStdString(*got), QByteArray::fromStdString(kExpected));
    }
  }

  void largeRandomPartPassesThroughUncopied() {
    std::mt19937 rng(3);
    std::string data(3 << 20, '\0');
    for (auto& c : data) c = static_cast<char>(rng() % 4 == 0 ? '\r' : (rng() % 2 ? '-' : '\n'));
    std::string body = "--B0undary\r\nContent-Disposition: form-data; name=f; filename=r\r\n\r\n" + data + "\r\n--B0undary--\r\n";
    Recorder r;
    MultipartParser p("B0undary", r);
    for (size_t i = 0; i < body.size(); i += 65536) QVERIFY(p.feed(std::string_view(body).substr(i, 65536)).has_value());
    QVERIFY(p.finish().has_value());
    QCOMPARE(r.log.size(), std::string("[f|r]").size() + data.size() + std::string("[end]").size());
    QVERIFY(r.log.substr(5, data.size()) == data);
    QVERIFY(r.maxChunk <= 65536);
  }

  void malformedBodiesAreRefused_data() {
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("no closing boundary") << QByteArray("--B0undary\r\nContent-Disposition: form-data; name=a\r\n\r\nxx");
    QTest::newRow("no disposition") << QByteArray("--B0undary\r\nContent-Type: text/plain\r\n\r\nx\r\n--B0undary--");
    QTest::newRow("not form-data") << QByteArray("--B0undary\r\nContent-Disposition: attachment\r\n\r\nx\r\n--B0undary--");
    QTest::newRow("junk after boundary") << QByteArray("--B0undaryX\r\n\r\n--B0undary--");
    QTest::newRow("header without colon") << QByteArray("--B0undary\r\nnonsense\r\n\r\nx\r\n--B0undary--");
    QTest::newRow("empty body") << QByteArray();
    QTest::newRow("huge part head") << QByteArray("--B0undary\r\nX-Long: ") + QByteArray(20000, 'a');
  }
  void malformedBodiesAreRefused() {
    QFETCH(QByteArray, body);
    auto got = parseInChunks(body.toStdString(), 7);
    QVERIFY(!got.has_value());
    QVERIFY(got.error().message.starts_with("multipart body"));
  }

  void boundaryFromContentType() {
    QCOMPARE(QString::fromStdString(*MultipartParser::boundaryOf("multipart/form-data; boundary=abc")), QString("abc"));
    QCOMPARE(QString::fromStdString(*MultipartParser::boundaryOf("Multipart/Form-Data; charset=x; boundary=\"a b\"")), QString("a b"));
    QVERIFY(!MultipartParser::boundaryOf("application/octet-stream").has_value());
    QVERIFY(!MultipartParser::boundaryOf("multipart/form-data").has_value());
    QVERIFY(!MultipartParser::boundaryOf("multipart/form-data; boundary=" + std::string(71, 'x')).has_value());
  }
};

#if __has_include("test_multipart_parser.moc")
QTEST_APPLESS_MAIN(TestMultipartParser)
#include "test_multipart_parser.moc"
#else
SLUICE_TEST_MAIN_WITHOUT_MOC("test_multipart_parser")
#endif
