// Unit tests of sluice::http::Parser, the strict llhttp wrapper: framing, splits at
// every byte boundary, listener pauses, limits, and the checks Debian's llhttp 8.1 lacks.
#include <QtTest/QtTest>

#include <string>
#include <string_view>
#include <vector>

#include "support/parser_recorder.h"

using namespace sluice::test;

namespace {

int errorOf(std::string_view input, ParseLimits limits = {}) { return parseWhole(input, Parser::Kind::kRequest, limits).errorStatus; }

const std::string kGet = "GET /a/b?c=d HTTP/1.1\r\nHost: example.test\r\nUser-Agent: t\r\nAccept: */*\r\n\r\n";
const std::string kPostCl = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world";
const std::string kChunked =
    "PUT /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    "5;name=value\r\nhello\r\n"
    "6;a;b=\"q s\"\r\n world\r\n"
    "1A\r\nabcdefghijklmnopqrstuvwxyz\r\n"
    "0;last\r\nX-Trailer: t1\r\nX-Other: t2\r\n\r\n";
const std::string kPipelined =
    "GET /first HTTP/1.1\r\nHost: x\r\n\r\n"
    "POST /second HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
    "GET /third HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

/** A byte array from a literal that holds NUL bytes (all of it, without the terminator). */
template <size_t N>
QByteArray withNul(const char (&s)[N]) {
  return QByteArray(s, N - 1);
}

}  // namespace

class TestParser : public QObject {
  Q_OBJECT

 private slots:
  void wellFormedRequests_data();
  void wellFormedRequests();
  void everySplitGivesTheSameMessages_data() { wellFormedRequests_data(); }
  void everySplitGivesTheSameMessages();
  void bodyIsHandedOutWithoutCopying();
  void pauseAtHeadLeavesTheBodyWithTheCaller();
  void pauseInBodyAndAtEndResumes();
  void pauseAtHeadOfBodilessRequestCompletesWithoutMoreBytes();
  void http10KeepAliveDefaults();

  void limits_data();
  void limits();
  void limitsAreConfigurable();

  void refusals_data();
  void refusals();
  void refusalsAreSplitIndependent_data() { refusals_data(); }
  void refusalsAreSplitIndependent();
  void refusalStopsTheParser();

};

void TestParser::wellFormedRequests_data() {
  QTest::addColumn<QByteArray>("input");
  QTest::addColumn<int>("count");
  QTest::addColumn<QStringList>("heads");
  QTest::addColumn<QStringList>("bodies");
  auto b = [](const std::string& s) { return QByteArray::fromStdString(s); };
  QTest::newRow("GET") << b(kGet) << 1
                       << QStringList{"GET /a/b?c=d HTTP/1.1|Host=example.test|User-Agent=t|Accept=*/*|<keep-alive>"}
                       << QStringList{""};
  QTest::newRow("POST with Content-Length")
      << b(kPostCl) << 1
      << QStringList{"POST /echo HTTP/1.1|Host=x|Content-Type=text/plain|Content-Length=11|<cl=11>|<keep-alive>"}
      << QStringList{"hello world"};
  QTest::newRow("chunked with extensions and trailers")
      << b(kChunked) << 1 << QStringList{"PUT /up HTTP/1.1|Host=x|Transfer-Encoding=chunked|<chunked>|<keep-alive>"}
      << QStringList{"hello worldabcdefghijklmnopqrstuvwxyz"};
  QTest::newRow("pipelined") << b(kPipelined) << 3
                             << QStringList{"GET /first HTTP/1.1|Host=x|<keep-alive>",
                                            "POST /second HTTP/1.1|Host=x|Content-Length=3|<cl=3>|<keep-alive>",
                                            "GET /third HTTP/1.1|Host=x|Connection=close|<close>"}
                             << QStringList{"", "abc", ""};
}

void TestParser::wellFormedRequests() {
  QFETCH(QByteArray, input);
  QFETCH(int, count);
  QFETCH(QStringList, heads);
  QFETCH(QStringList, bodies);
  Outcome o = parseWhole(input.toStdString());
  QCOMPARE(o.errorStatus, 0);
  QCOMPARE(o.count, uint64_t(count));
  QCOMPARE(int(o.messages.size()), count);
  for (int i = 0; i < count; ++i) {
    QCOMPARE(QString::fromStdString(o.messages[size_t(i)].head), heads[i]);
    QCOMPARE(QString::fromStdString(o.messages[size_t(i)].body), bodies[i]);
    QVERIFY(o.messages[size_t(i)].complete);
  }
}

void TestParser::everySplitGivesTheSameMessages() {
  QFETCH(QByteArray, input);
  QFETCH(int, count);
  const std::string in = input.toStdString();
  const Outcome whole = parseWhole(in);
  QCOMPARE(whole.errorStatus, 0);
  QCOMPARE(int(whole.messages.size()), count);
  // One cut at every byte boundary.
  for (size_t cut = 0; cut <= in.size(); ++cut) {
    Outcome o = parseSplit(in, {cut});
    if (o.errorStatus != 0 || o.messages != whole.messages || o.count != whole.count)
      QFAIL(qPrintable(QString("split at byte %1 differs: error %2, got %3, want %4")
                           .arg(cut).arg(o.errorStatus).arg(describe(o.messages), describe(whole.messages))));
  }
  // Two cuts, every pair on the shorter inputs, a stride on the longer ones.
  const size_t stride = in.size() > 120 ? 7 : 1;
  for (size_t a = 1; a < in.size(); a += stride)
    for (size_t c = a; c < in.size(); c += stride) {
      Outcome o = parseSplit(in, {a, c});
      if (o.errorStatus != 0 || o.messages != whole.messages)
        QFAIL(qPrintable(QString("split at bytes %1 and %2 differs: %3").arg(a).arg(c).arg(describe(o.messages))));
    }
  Outcome bytes = parseByteByByte(in);
  QCOMPARE(bytes.errorStatus, 0);
  QCOMPARE(bytes.count, whole.count);
  QVERIFY2(bytes.messages == whole.messages, qPrintable(describe(bytes.messages)));
}

void TestParser::bodyIsHandedOutWithoutCopying() {
  Recorder r;
  std::string in = kChunked + kPostCl;
  QCOMPARE(r.feed(in), Parser::State::kOk);
  QCOMPARE(r.messages.size(), size_t(2));
  QVERIFY2(!r.copied, "body views must point into the fed buffer");
  QVERIFY(!r.bodyWithoutHead);
}

void TestParser::pauseAtHeadLeavesTheBodyWithTheCaller() {
  Recorder r;
  r.pauseOnHead = true;
  const std::string in = kPostCl;
  auto f = r.parser.execute(in);
  QCOMPARE(f.state, Parser::State::kPaused);
  const size_t headLen = in.find("\r\n\r\n") + 4;
  QCOMPARE(f.consumed, headLen);
  QVERIFY(r.parser.headComplete());
  QCOMPARE(r.parser.bodyBytes(), uint64_t(0));
  QCOMPARE(r.parser.request().target, std::string("/echo"));
  // Resume: feed the rest.
  r.pauseOnHead = false;
  auto g = r.parser.execute(std::string_view(in).substr(f.consumed));
  QCOMPARE(g.state, Parser::State::kOk);
  QCOMPARE(g.consumed, in.size() - headLen);
  QCOMPARE(r.messages.size(), size_t(1));
  QCOMPARE(r.messages[0].body, std::string("hello world"));
  QCOMPARE(r.parser.messages(), uint64_t(1));
}

void TestParser::pauseInBodyAndAtEndResumes() {
  const std::string in = kChunked + kPostCl + "GET /x HTTP/1.1\r\nHost: x\r\n\r\n" + kChunked + kPostCl;
  const Outcome plain = parseWhole(in);
  QCOMPARE(plain.errorStatus, 0);
  QCOMPARE(plain.messages.size(), size_t(5));
  Recorder r;
  r.pauseOnHead = r.pauseOnBody = r.pauseOnEnd = true;
  QCOMPARE(r.feed(in), Parser::State::kOk);
  QVERIFY(!r.overrun);
  // A pause that consumed the last byte still owes the message end: resuming with no bytes delivers it.
  QVERIFY(r.parser.resumePending());
  QCOMPARE(r.resumeEmpty(), Parser::State::kOk);
  QVERIFY2(r.messages == plain.messages, qPrintable(describe(r.messages)));
  QCOMPARE(r.parser.messages(), uint64_t(5));
  // 5 heads + 5 ends + 8 body pieces (6 chunks, 2 Content-Length bodies) at least.
  QVERIFY2(r.pauses >= 18, qPrintable(QString::number(r.pauses)));
  // Byte by byte with pauses gives the same.
  Recorder s;
  s.pauseOnHead = s.pauseOnBody = s.pauseOnEnd = true;
  for (char c : in) {
    std::string one(1, c);
    QCOMPARE(s.feed(one), Parser::State::kOk);
  }
  QCOMPARE(s.resumeEmpty(), Parser::State::kOk);
  QVERIFY2(s.messages == plain.messages, qPrintable(describe(s.messages)));
}

void TestParser::pauseAtHeadOfBodilessRequestCompletesWithoutMoreBytes() {
  // What the server does for "GET /sink" with nothing after it: pause at the head, then resume.
  Recorder r;
  r.pauseOnHead = true;
  const std::string get = "GET /sink HTTP/1.1\r\nHost: x\r\n\r\n";
  auto f = r.parser.execute(get);
  QCOMPARE(f.state, Parser::State::kPaused);
  QCOMPARE(f.consumed, get.size());
  QCOMPARE(r.parser.messages(), uint64_t(0));
  auto g = r.parser.execute({});
  QCOMPARE(g.state, Parser::State::kOk);
  QCOMPARE(r.parser.messages(), uint64_t(1));
  QVERIFY(r.messages.at(0).complete);
  // The same after the last body byte of a Content-Length body.
  Recorder s;
  s.pauseOnBody = true;
  QCOMPARE(s.parser.execute(kPostCl).state, Parser::State::kPaused);
  QCOMPARE(s.parser.messages(), uint64_t(0));
  QCOMPARE(s.parser.execute({}).state, Parser::State::kOk);
  QCOMPARE(s.parser.messages(), uint64_t(1));
  QCOMPARE(s.messages.at(0).body, std::string("hello world"));
}

void TestParser::http10KeepAliveDefaults() {
  Outcome a = parseWhole("GET / HTTP/1.0\r\n\r\n");
  QCOMPARE(a.errorStatus, 0);
  QCOMPARE(a.messages.size(), size_t(1));
  QVERIFY(a.messages[0].head.ends_with("<close>"));
  Outcome b = parseWhole("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  QVERIFY(b.messages.at(0).head.ends_with("<keep-alive>"));
  Outcome c = parseWhole("GET / HTTP/1.1\r\nHost: x\r\nConnection: Keep-Alive, Close\r\n\r\n");
  QVERIFY(c.messages.at(0).head.ends_with("<close>"));
}

void TestParser::limits_data() {
  QTest::addColumn<QByteArray>("input");
  QTest::addColumn<int>("status");
  auto b = [](const std::string& s) { return QByteArray::fromStdString(s); };
  QTest::newRow("head over 16 KiB: 431")
      << b("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(17 * 1024, 'a') + "\r\n\r\n") << 431;
  std::string many = "GET / HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 100; ++i) many += "X-H" + std::to_string(i) + ": v\r\n";
  QTest::newRow("101 header fields: 431") << b(many + "\r\n") << 431;
  QTest::newRow("request line over 8 KiB: 414")
      << b("GET /" + std::string(9 * 1024, 'p') + " HTTP/1.1\r\nHost: x\r\n\r\n") << 414;
  QTest::newRow("chunk extension over 16 KiB: 413 (CVE-2024-22019)")
      << b("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=" + std::string(17 * 1024, 'e') +
           "\r\nhello\r\n0\r\n\r\n")
      << 413;
  QTest::newRow("3,000 one-byte chunks with 100-byte extensions: 413 (per-message budget)") << [] {
    std::string s = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 3000; ++i) s += "1;e=" + std::string(96, 'v') + "\r\na\r\n";
    return QByteArray::fromStdString(s + "0\r\n\r\n");
  }() << 413;
  QTest::newRow("many small chunk extensions over 16 KiB: 413 (CVE-2024-22019)") << [] {
    std::string s = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1";
    for (int i = 0; i < 2000; ++i) s += ";e" + std::to_string(i) + "=\"vvvvv\"";
    return QByteArray::fromStdString(s + "\r\na\r\n0\r\n\r\n");
  }() << 413;
}

void TestParser::limits() {
  QFETCH(QByteArray, input);
  QFETCH(int, status);
  const std::string in = input.toStdString();
  QCOMPARE(parseWhole(in).errorStatus, status);
  QCOMPARE(parseByteByByte(in).errorStatus, status);
  // Each piece in 1000-byte reads, as a socket would deliver it.
  std::vector<size_t> cuts;
  for (size_t i = 1000; i < in.size(); i += 1000) cuts.push_back(i);
  QCOMPARE(parseSplit(in, cuts).errorStatus, status);
}

void TestParser::limitsAreConfigurable() {
  // Just under each default: accepted.
  std::string head = "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(15 * 1024, 'a') + "\r\n\r\n";
  QCOMPARE(errorOf(head), 0);
  std::string line = "GET /" + std::string(8 * 1024 - 20, 'p') + " HTTP/1.1\r\nHost: x\r\n\r\n";
  QCOMPARE(errorOf(line), 0);
  std::string hundred = "GET / HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 99; ++i) hundred += "X-H" + std::to_string(i) + ": v\r\n";
  QCOMPARE(errorOf(hundred + "\r\n"), 0);
  std::string ext = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=" + std::string(15 * 1024, 'e') +
                    "\r\nhello\r\n0\r\n\r\n";
  QCOMPARE(errorOf(ext), 0);

  // Smaller limits refuse the same inputs.
  ParseLimits small;
  small.maxHeadBytes = 4096;
  QCOMPARE(errorOf(head, small), 431);
  small = {};
  small.maxStartLine = 1024;
  QCOMPARE(errorOf(line, small), 414);
  small = {};
  small.maxHeaderCount = 10;
  QCOMPARE(errorOf(hundred + "\r\n", small), 431);
  small = {};
  small.maxChunkExtension = 1024;
  QCOMPARE(errorOf(ext, small), 413);
  // The per-message budget: 600 chunks with 100-byte extensions (60 KB in all) pass by
  // default, a smaller budget refuses them, and a larger one takes 300 KB.
  auto chunks = [](int n) {
    std::string s = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < n; ++i) s += "1;e=" + std::string(96, 'v') + "\r\na\r\n";
    return s + "0\r\n\r\n";
  };
  QCOMPARE(errorOf(chunks(600)), 0);
  small = {};
  small.maxChunkExtensionsPerMessage = 32 * 1024;
  QCOMPARE(errorOf(chunks(600), small), 413);
  ParseLimits roomy;
  roomy.maxChunkExtensionsPerMessage = 1024 * 1024;
  QCOMPARE(errorOf(chunks(3000), roomy), 0);
  // Larger limits accept what the defaults refuse.
  ParseLimits big;
  big.maxHeadBytes = 64 * 1024;
  QCOMPARE(errorOf("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(17 * 1024, 'a') + "\r\n\r\n", big), 0);
  // Host is required in HTTP/1.1 unless turned off.
  ParseLimits noHost;
  noHost.requireHost = false;
  QCOMPARE(errorOf("GET / HTTP/1.1\r\n\r\n"), 400);
  QCOMPARE(errorOf("GET / HTTP/1.1\r\n\r\n", noHost), 0);
}

void TestParser::refusals_data() {
  QTest::addColumn<QByteArray>("input");
  QTest::addColumn<int>("status");
  const QByteArray ok = "GET / HTTP/1.1\r\nHost: x\r\n";
  auto row = [](const char* name, const QByteArray& in, int status) { QTest::newRow(name) << in << status; };
  row("CR-only line ends (CVE-2023-30589)", "GET / HTTP/1.1\rHost: x\r\r", 400);
  row("CR-only line end in a header (CVE-2023-30589)", "GET / HTTP/1.1\r\nHost: x\rX-A: b\r\n\r\n", 400);
  row("LF-only line ends (CVE-2022-32214)", "GET / HTTP/1.1\nHost: x\n\n", 400);
  row("LF-only line end after a header (CVE-2022-32214)", "GET / HTTP/1.1\r\nHost: x\nX-A: b\r\n\r\n", 400);
  row("space before colon (CVE-2021-22959)", ok + "Content-Length : 5\r\n\r\nhello", 400);
  row("tab before colon (CVE-2021-22959)", ok + "X-A\t: b\r\n\r\n", 400);
  row("multi-line Transfer-Encoding (CVE-2022-32215)",
      "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\n chunked\r\n\r\n0\r\n\r\n", 400);
  row("multi-line Transfer-Encoding with tab (CVE-2022-32215)",
      "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\t, identity\r\nContent-Length: 3\r\n\r\nabc", 400);
  row("obs-fold in any header", ok + "X-A: one\r\n two\r\n\r\n", 400);
  row("Content-Length with Transfer-Encoding",
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400);
  row("duplicate Content-Length, same value", ok + "Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc", 400);
  row("duplicate Content-Length, differing values", ok + "Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400);
  row("Content-Length list", ok + "Content-Length: 3, 3\r\n\r\nabc", 400);
  row("Content-Length not a number", ok + "Content-Length: abc\r\n\r\n", 400);
  row("Content-Length negative", ok + "Content-Length: -1\r\n\r\n", 400);
  row("Content-Length with plus sign", ok + "Content-Length: +3\r\n\r\nabc", 400);
  row("Content-Length overflowing 64 bits", ok + "Content-Length: 99999999999999999999999\r\n\r\n", 400);
  row("bad chunk size", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", 400);
  row("chunk size overflowing", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff1\r\n", 400);
  row("chunk data longer than its size",
      "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n", 400);
  row("Transfer-Encoding in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400);
  row("bare CR in a header value", ok + "X-A: a\rb\r\n\r\n", 400);
  row("bare LF in a header value", ok + "X-A: a\nb\r\n\r\n", 400);
  row("NUL in the head", ok + withNul("X-A: a\0b\r\n\r\n"), 400);
  row("NUL in the request line", withNul("GET /a\0b HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
  row("HTTP/2.0 request line", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505);
  row("missing Host in HTTP/1.1", "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", 400);
  row("two Host headers", ok + "Host: y\r\n\r\n", 400);
  row("Transfer-Encoding: chunked, identity",
      "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", 400);
  row("Transfer-Encoding: identity only", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\n\r\n", 400);
  row("two Transfer-Encoding headers",
      "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400);
  row("Transfer-Encoding: gzip, chunked is not implemented",
      "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501);
  row("empty header name", ok + ": v\r\n\r\n", 400);
  row("header line without colon", ok + "NoColon\r\n\r\n", 400);
  row("control character in a header value", ok + "X-A: a\x01" "b\r\n\r\n", 400);
  row("space in the request target", "GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", 400);
  row("garbage instead of a request", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 400);
}

void TestParser::refusals() {
  QFETCH(QByteArray, input);
  QFETCH(int, status);
  Recorder r;
  std::string in = input.toStdString();
  QCOMPARE(r.feed(in), Parser::State::kError);
  QCOMPARE(r.parser.error().status, status);
  QVERIFY2(!r.parser.error().message.empty(), "a refusal carries words for the log");
  // A refused message never reaches the listener as complete.
  for (const auto& m : r.messages) QVERIFY(!m.complete);
}

void TestParser::refusalsAreSplitIndependent() {
  QFETCH(QByteArray, input);
  QFETCH(int, status);
  const std::string in = input.toStdString();
  Outcome bytes = parseByteByByte(in);
  QCOMPARE(bytes.errorStatus, status);
  for (size_t cut = 1; cut < in.size(); ++cut) {
    Outcome o = parseSplit(in, {cut});
    if (o.errorStatus != status) QFAIL(qPrintable(QString("split at %1: status %2, want %3").arg(cut).arg(o.errorStatus).arg(status)));
  }
}

void TestParser::refusalStopsTheParser() {
  Recorder r;
  QCOMPARE(r.feed("GET / HTTP/1.1\nHost: x\n\n"), Parser::State::kError);
  // Later input, even valid, is not parsed: the connection is to be closed.
  auto f = r.parser.execute(kGet);
  QCOMPARE(f.state, Parser::State::kError);
  QCOMPARE(r.parser.messages(), uint64_t(0));
  QCOMPARE(r.parser.finish(), Parser::State::kError);
}

QTEST_APPLESS_MAIN(TestParser)
#include "test_parser.moc"
