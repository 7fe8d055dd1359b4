// The stream and redirect test endpoints on a real server: /sse, /ndjson (also compressed
// as they stream), /bytes?encoding=, read by the engine client and by curl.
#include <QtTest>

#include <nlohmann/json.hpp>

#include "engine/http/content_coding.h"
#include "engine/http/json_lines_parser.h"
#include "engine/http/sse_parser.h"
#include "support/process.h"
#include "support/serve_fixture.h"
#include "support/stream_fetch.h"

using namespace sluice;
using namespace sluice::test;
using namespace std::chrono_literals;

namespace {

struct ParsedSse {
  std::vector<http::SseEvent> events;
  uint64_t comments = 0;
  std::optional<uint64_t> retry;
  std::string error;
};

/** Decodes (when Content-Encoding says so) and parses each piece as it arrived. */
ParsedSse parseSse(const TimedBody& body) {
  ParsedSse r;
  http::SseCallbacks cb;
  cb.onEvent = [&](const http::SseEvent& e) { r.events.push_back(e); };
  http::SseParser parser(cb);
  auto decoder = http::ContentDecoder::create(body.headers.get("Content-Encoding"));
  if (!decoder) return {.error = decoder.error().message};
  std::string out;
  for (const auto& p : body.pieces) {
    out.clear();
    if (auto st = (*decoder)->decode(p.data, out); !st) return {.error = st.error().message};
    if (auto st = parser.feed(out, p.us); !st) return {.error = st.error().message};
  }
  if (auto st = (*decoder)->finish(); !st) return {.error = st.error().message};
  r.comments = parser.comments();
  r.retry = parser.retryMs();
  return r;
}

std::vector<std::string> curl(const std::vector<std::string>& args) {
  std::vector<std::string> argv{curlPath(), "-s", "--max-time", "20"};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

}  // namespace

class TestStreamEndpoints : public QObject {
  Q_OBJECT
  InProcessServer server_;
  std::unique_ptr<client::Client> client_;

 private slots:
  void initTestCase() {
    QVERIFY2(!curlPath().empty(), "curl is required (make deps)");
    QVERIFY2(server_.start(), server_.error().c_str());
    client_ = std::make_unique<client::Client>();
  }
  void cleanupTestCase() {
    client_.reset();
    server_.stop();
  }

  void sseEventsArriveOverTime() {
    auto body = fetchTimed(*client_, server_.url("/sse?count=20&interval=5&size=10"));
    QVERIFY2(body.ok, body.error.c_str());
    QCOMPARE(body.headers.get("Content-Type"), std::string_view("text/event-stream"));
    auto sse = parseSse(body);
    QVERIFY2(sse.error.empty(), sse.error.c_str());
    QCOMPARE(sse.events.size(), size_t(20));
    QCOMPARE(sse.retry, std::optional<uint64_t>(3000));
    QVERIFY(sse.comments >= 5);  // the prelude and every fifth event
    for (size_t i = 0; i < sse.events.size(); ++i) {
      const auto& e = sse.events[i];
      QCOMPARE(e.lastEventId, std::to_string(i));
      QCOMPARE(e.type, std::string(i % 4 == 3 ? "message" : "tick"));
      auto j = nlohmann::json::parse(e.data, nullptr, false);  // two data lines joined with LF
      QVERIFY2(!j.is_discarded(), e.data.c_str());
      QCOMPARE(j["seq"].get<uint64_t>(), uint64_t(i));
      QCOMPARE(j["pad"].get<std::string>(), std::string(10, 'x'));
    }
    // 19 intervals of 5 ms: the server cannot send them faster than that.
    QVERIFY(sse.events.back().arrivalUs - sse.events.front().arrivalUs >= 19 * 5 * 1000 * 9 / 10);
  }

  void sseCompressedDecodesAsItStreams_data() {
    QTest::addColumn<QString>("encoding");
    QTest::newRow("gzip") << "gzip";
    QTest::newRow("deflate") << "deflate";
    QTest::newRow("br") << "br";
  }
  void sseCompressedDecodesAsItStreams() {
    QFETCH(QString, encoding);
    auto body = fetchTimed(*client_, server_.url("/sse?count=4&interval=60&encoding=" + encoding.toStdString()));
    QVERIFY2(body.ok, body.error.c_str());
    QCOMPARE(QString::fromStdString(std::string(body.headers.get("Content-Encoding"))), encoding);
    auto sse = parseSse(body);
    QVERIFY2(sse.error.empty(), sse.error.c_str());
    QCOMPARE(sse.events.size(), size_t(4));
    // Flushed per tick: the first event was decodable long before the last arrived.
    QVERIFY(sse.events[3].arrivalUs - sse.events[0].arrivalUs >= 3 * 60 * 1000 * 9 / 10);
  }

  void ndjsonAndSequences_data() {
    QTest::addColumn<QString>("query");
    QTest::addColumn<int>("framing");
    QTest::newRow("lines") << "" << int(http::JsonFraming::kLines);
    QTest::newRow("seq") << "&format=seq" << int(http::JsonFraming::kSequence);
    QTest::newRow("lines gzip") << "&encoding=gzip" << int(http::JsonFraming::kLines);
  }
  void ndjsonAndSequences() {
    QFETCH(QString, query);
    QFETCH(int, framing);
    auto body = fetchTimed(*client_, server_.url("/ndjson?count=30&interval=0" + query.toStdString()));
    QVERIFY2(body.ok, body.error.c_str());
    QCOMPARE(http::jsonFramingForContentType(body.headers.get("Content-Type")), std::optional(http::JsonFraming(framing)));
    std::vector<uint64_t> seqs;
    http::JsonLinesParser parser(http::JsonFraming(framing), [&](const http::JsonRecord& r) {
      QVERIFY(r.validJson && !r.truncated);
      seqs.push_back(nlohmann::json::parse(r.text)["seq"].get<uint64_t>());
    });
    auto decoder = http::ContentDecoder::create(body.headers.get("Content-Encoding"));
    QVERIFY(decoder.has_value());
    std::string out;
    QVERIFY((*decoder)->decode(body.whole(), out).has_value());
    QVERIFY((*decoder)->finish().has_value());
    QVERIFY(parser.feed(out, 0).has_value());
    parser.finish(0);
    QCOMPARE(seqs.size(), size_t(30));
    for (size_t i = 0; i < seqs.size(); ++i) QCOMPARE(seqs[i], uint64_t(i));
  }

  void bytesCompressed_data() {
    QTest::addColumn<QString>("encoding");
    QTest::newRow("gzip") << "gzip";
    QTest::newRow("deflate") << "deflate";
    QTest::newRow("br") << "br";
  }
  void bytesCompressed() {
    QFETCH(QString, encoding);
    auto plain = fetchTimed(*client_, server_.url("/bytes/300000"));
    auto packed = fetchTimed(*client_, server_.url("/bytes/300000?encoding=" + encoding.toStdString()));
    QVERIFY2(plain.ok, plain.error.c_str());
    QVERIFY2(packed.ok, packed.error.c_str());
    QVERIFY(packed.whole().size() < 300000 / 10);  // a repeating pattern compresses well
    auto decoder = http::ContentDecoder::create(packed.headers.get("Content-Encoding"));
    QVERIFY(decoder.has_value());
    std::string out;
    for (const auto& p : packed.pieces) QVERIFY((*decoder)->decode(p.data, out).has_value());
    QVERIFY((*decoder)->finish().has_value());
    QCOMPARE(out.size(), size_t(300000));
    QVERIFY(out == plain.whole());
    // And curl, a peer that decodes on its own, agrees.
    auto run = runProcess(curl({"--compressed", server_.url("/bytes/300000?encoding=" + encoding.toStdString())}), 20s);
    QVERIFY2(run.ok(), run.err.c_str());
    QVERIFY(run.out == plain.whole());
  }

  void badParametersAre400() {
    for (const char* path : {"/bytes/10?encoding=zstd", "/sse?count=x", "/sse?size=99999999", "/ndjson?format=csv",
                             "/redirect/x", "/redirect/2?status=200", "/redirect-loop/0"}) {
      auto body = fetchTimed(*client_, server_.url(path));
      QVERIFY2(body.ok, path);
      QVERIFY2(body.status == 400, path);
    }
  }

  void redirectChainFollowedByCurl() {
    auto run = runProcess(curl({"-L", "-w", "\n%{num_redirects} %{url_effective}", "-d", "hello",
                                server_.url("/redirect/3?status=307")}), 20s);
    QVERIFY2(run.ok(), run.err.c_str());
    auto nl = run.out.rfind('\n');
    auto j = nlohmann::json::parse(run.out.substr(0, nl));
    QCOMPARE(j["method"].get<std::string>(), std::string("POST"));  // 307 keeps method and body
    QCOMPARE(j["body_bytes"].get<uint64_t>(), uint64_t(5));
    QCOMPARE(run.out.substr(nl + 1), "3 " + server_.url("/redirect/0?status=307"));
  }

  void redirectToOwnOriginOnly() {
    auto own = fetchTimed(*client_, server_.url("/redirect-to?url=%2Fsink&status=308"));
    QCOMPARE(own.status, 308);
    QCOMPARE(own.headers.get("Location"), std::string_view("/sink"));
    auto absolute = fetchTimed(*client_, server_.url("/redirect-to?url=" + server_.url("/echo")));
    QCOMPARE(absolute.status, 302);
    for (const char* away : {"http://example.com/", "//example.com/", "http://127.0.0.1.example.com/"}) {
      auto r = fetchTimed(*client_, server_.url(std::string("/redirect-to?url=") + away));
      QVERIFY2(r.status == 403, away);
      QVERIFY(r.whole().find("--allow-open-redirect") != std::string::npos);
    }
    InProcessServer open;
    QVERIFY(open.start({}, [](site::RouteOptions& o) { o.allowOpenRedirect = true; }));
    auto r = fetchTimed(*client_, open.url("/redirect-to?url=http%3A%2F%2Fexample.com%2F&status=301"));
    QCOMPARE(r.status, 301);
    QCOMPARE(r.headers.get("Location"), std::string_view("http://example.com/"));
    open.stop();
  }

  void redirectLoopNeverEnds() {
    auto run = runProcess(curl({"-L", "--max-redirs", "7", server_.url("/redirect-loop/3")}), 20s);
    QVERIFY(run.started && run.exit.exited);
    QCOMPARE(run.exit.code, 47);  // curl: maximum redirects followed
  }
};

QTEST_APPLESS_MAIN(TestStreamEndpoints)
#include "test_stream_endpoints.moc"
