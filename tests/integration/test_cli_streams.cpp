// sluice-cli request with --events, --lines and --compressed against a real server.
#include <QtTest>

#include <fstream>
#include <regex>

#include "support/process.h"
#include "support/serve_fixture.h"
#include "support/test_env.h"

using namespace sluice::test;
using namespace std::chrono_literals;

namespace {

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  size_t from = 0;
  for (size_t nl; (nl = text.find('\n', from)) != std::string::npos; from = nl + 1) out.push_back(text.substr(from, nl - from));
  return out;
}

}  // namespace

class TestCliStreams : public QObject {
  Q_OBJECT
  InProcessServer server_;

  RunResult request(std::vector<std::string> args) {
    std::vector<std::string> argv{cliPath(), "request", "-s"};
    argv.insert(argv.end(), args.begin(), args.end());
    return runProcess(argv, 30s);
  }

 private slots:
  void initTestCase() { QVERIFY2(server_.start(), server_.error().c_str()); }
  void cleanupTestCase() { server_.stop(); }

  void eventsOneLineEach() {
    auto run = request({"--events", server_.url("/sse?count=6&interval=15&encoding=gzip")});
    QVERIFY2(run.ok(), run.err.c_str());
    auto ls = lines(run.out);
    QCOMPARE(ls.size(), size_t(7));  // the retry line and six events
    QVERIFY2(std::regex_match(ls[0], std::regex(R"(\+\d+ms retry=3000)")), ls[0].c_str());
    std::regex event(R"(\+(\d+)ms event=(tick|message) id=(\d+) data=\{"seq":(\d+),\\n"ms":\d+,"pad":""\})");
    uint64_t lastMs = 0;
    for (size_t i = 1; i < ls.size(); ++i) {
      std::smatch m;
      QVERIFY2(std::regex_match(ls[i], m, event), ls[i].c_str());
      QCOMPARE(std::stoul(m[3]), i - 1);
      QCOMPARE(m[2].str(), std::string((i - 1) % 4 == 3 ? "message" : "tick"));
      uint64_t ms = std::stoul(m[1]);
      QVERIFY(ms >= lastMs);
      lastMs = ms;
    }
    QVERIFY(lastMs >= 5 * 15 * 9 / 10);  // arrival times, not print times: spread by the server's interval
  }

  void linesForNdjsonAndSequences() {
    for (const char* q : {"", "&format=seq"}) {
      auto run = request({"--lines", server_.url(std::string("/ndjson?count=4&interval=0") + q)});
      QVERIFY2(run.ok(), run.err.c_str());
      auto ls = lines(run.out);
      QCOMPARE(ls.size(), size_t(4));
      for (size_t i = 0; i < ls.size(); ++i) {
        std::regex rec("\\+\\d+ms #" + std::to_string(i) + " \\{\"seq\":" + std::to_string(i) + ",\"ms\":\\d+\\}");
        QVERIFY2(std::regex_match(ls[i], rec), ls[i].c_str());
      }
    }
  }

  void compressedDecodesEveryCoding() {
    auto plain = request({server_.url("/bytes/200000")});
    QVERIFY(plain.ok());
    QCOMPARE(plain.out.size(), size_t(200000));
    for (const char* c : {"gzip", "deflate", "br"}) {
      auto wire = request({server_.url(std::string("/bytes/200000?encoding=") + c)});
      QVERIFY(wire.ok());
      QVERIFY2(wire.out != plain.out, c);  // without --compressed: the wire bytes, as curl shows them
      auto run = request({"--compressed", server_.url(std::string("/bytes/200000?encoding=") + c)});
      QVERIFY2(run.ok(), run.err.c_str());
      QVERIFY2(run.out == plain.out, c);
    }
  }

  void bombStoppedWithWords() {
    auto run = request({"--compressed", "--max-decoded", "1M", server_.url("/bytes/50000000?encoding=gzip")});
    QVERIFY(run.started && run.exit.exited);
    QCOMPARE(run.exit.code, 1);
    QVERIFY2(run.err.find("over the 1.0 MiB limit, stopped") != std::string::npos, run.err.c_str());
    QVERIFY(run.out.size() <= (1u << 20) + 65536);  // stopped near the limit, not at the end
  }

  void chunksOneLineEach() {
    auto run = request({"--chunks", server_.url("/bytes/10000?chunked=1&chunk=4096")});
    QVERIFY2(run.ok(), run.err.c_str());
    auto ls = lines(run.out);
    QCOMPARE(ls.size(), size_t(4));
    const char* sizes[] = {"4096 bytes", "4096 bytes", "1808 bytes", "0 bytes \\(last\\)"};
    for (size_t i = 0; i < ls.size(); ++i)
      QVERIFY2(std::regex_match(ls[i], std::regex(std::string(R"(\+\d+ms chunk )") + sizes[i])), ls[i].c_str());
    auto plain = request({"--chunks", server_.url("/bytes/100")});
    QVERIFY(plain.ok());
    QVERIFY(plain.out.empty());
    QVERIFY2(plain.err.find("the response is not chunked (it has a Content-Length)") != std::string::npos, plain.err.c_str());
  }

  // Upload progress comes from the engine's counter: "sent X / TOTAL (P%)  RATE/s" on stderr
  // (--progress when stderr is not a terminal), never with -s.
  void uploadProgressOnStderr() {
    TempDir dir("cli-upload-progress");
    QVERIFY(dir.ok());
    const std::string file = dir.path() + "/body.bin";
    {
      std::ofstream out(file, std::ios::binary);
      out << std::string(4u << 20, 'u');
    }
    auto run = runProcess({cliPath(), "request", "--progress", "-T", file, server_.url("/sink")}, 30s);
    QVERIFY2(run.ok(), run.err.c_str());
    QVERIFY2(std::regex_search(run.err, std::regex(R"(sent 4\.0 MiB / 4\.0 MiB \(100%\)  [0-9.]+ [KMGT]?i?B/s)")), run.err.c_str());
    auto quiet = runProcess({cliPath(), "request", "-s", "--progress", "-T", file, server_.url("/sink")}, 30s);
    QVERIFY2(quiet.ok(), quiet.err.c_str());
    QVERIFY2(quiet.err.find("sent ") == std::string::npos, quiet.err.c_str());
    auto plain = runProcess({cliPath(), "request", "-T", file, server_.url("/sink")}, 30s);  // stderr is a pipe here
    QVERIFY(plain.ok());
    QVERIFY2(plain.err.find("sent ") == std::string::npos, plain.err.c_str());
  }

  void badLimitValueRefused() {
    auto run = request({"--max-ratio", "x", server_.url("/bytes/1")});
    QVERIFY(run.started && run.exit.exited);
    QCOMPARE(run.exit.code, 2);
    QVERIFY(run.err.find("--max-ratio needs a number") != std::string::npos);
  }
};

QTEST_APPLESS_MAIN(TestCliStreams)
#include "test_cli_streams.moc"
