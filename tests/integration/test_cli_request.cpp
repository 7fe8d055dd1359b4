// `sluice-cli request` as a user runs it (issue 14, item 5): curl's meanings for -d @file,
// --data-raw, --data-binary @-, -T -, -F, -i, -I, -u, -A, -e, -b; usage errors; -s; JSON
// lines that stay valid for long URLs; the junk warning; timeouts; -v shows Expect.
#include <QtTest>

#include <QJsonDocument>
#include <QJsonObject>

#include <fstream>

#include "support/client_raw_server.h"
#include "support/process.h"
#include "support/serve_fixture.h"

using namespace std::chrono_literals;
using sluice::test::ClientRawServer;
using sluice::test::RunResult;
using sluice::test::runProcess;
using sluice::test::SpawnOptions;

namespace {

RunResult cli(std::vector<std::string> args, const SpawnOptions& options = {}) {
  args.insert(args.begin(), {sluice::test::cliPath(), "request"});
  return runProcess(args, 20s, options);
}

/** Answers every request with the request head it got as the body. */
ClientRawServer::Handler mirror() {
  return [](int fd, int) {
    std::string req = ClientRawServer::readRequest(fd);
    ClientRawServer::writeAll(fd, ClientRawServer::okResponse(req, "Connection: close\r\n"));
  };
}

bool has(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

}  // namespace

class TestCliRequest : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { QVERIFY2(srv_.start(), srv_.error().c_str()); }
  void cleanupTestCase() { srv_.stop(); }

  void dataAtFileReadsTheFileAndDataRawKeepsTheAt() {
    QTemporaryDir dir;
    std::string path = dir.filePath("form.txt").toStdString();
    std::ofstream(path) << "a=1\r\nb=2\n";
    auto r = cli({"-s", "-d", "@" + path, srv_.url("/echo")});
    QVERIFY2(r.ok(), r.err.c_str());
    QCOMPARE(r.out, std::string("a=1b=2"));  // curl -d @file drops CR and LF
    r = cli({"-s", "--data-binary", "@" + path, srv_.url("/echo")});
    QCOMPARE(r.out, std::string("a=1\r\nb=2\n"));
    r = cli({"-s", "--data-raw", "@" + path, srv_.url("/echo")});
    QCOMPARE(r.out, "@" + path);
    r = cli({"-s", "-d", "@" + path + ".missing", srv_.url("/echo")});
    QCOMPARE(r.exit.code, 2);
    QVERIFY2(has(r.err, "cannot read"), r.err.c_str());
  }

  void stdinIsStreamedForDataBinaryAndUpload() {
    SpawnOptions in;
    in.stdinData = std::string(200000, 's') + "end";
    in.feedStdin = true;
    for (auto flags : {std::vector<std::string>{"--data-binary", "@-"}, std::vector<std::string>{"-T", "-"}}) {
      std::vector<std::string> args{"-s", "-v"};
      args.insert(args.end(), flags.begin(), flags.end());
      args.push_back(srv_.url("/echo"));
      auto r = cli(args, in);
      QVERIFY2(r.ok(), r.err.c_str());
      QCOMPARE(r.out, in.stdinData);
      QVERIFY2(has(r.err, "> Transfer-Encoding: chunked"), r.err.c_str());  // streamed, not slurped
    }
    auto r = cli({"-s", "-T", "-", "--repeat", "2", srv_.url("/echo")}, in);
    QCOMPARE(r.exit.code, 2);
    QVERIFY2(has(r.err, "cannot go with --repeat"), r.err.c_str());
  }

  void zeroCountsAreUsageErrors_data() {
    QTest::addColumn<QString>("flag");
    QTest::newRow("repeat") << "--repeat";
    QTest::newRow("max-conns") << "--max-conns";
    QTest::newRow("concurrency") << "--concurrency";
  }
  void zeroCountsAreUsageErrors() {
    QFETCH(QString, flag);
    auto r = cli({flag.toStdString(), "0", srv_.url("/status/200")});
    QCOMPARE(r.exit.code, 2);
    QVERIFY2(has(r.err, "must be at least 1"), r.err.c_str());
  }

  void silentShowsOnlyErrors() {
    auto r = cli({"-s", srv_.url("/bytes/10")});
    QVERIFY(r.ok());
    QCOMPARE(r.err, std::string());
    QCOMPARE(r.out.size(), size_t(10));
    r = cli({"-s", "http://127.0.0.1:1/"});
    QCOMPARE(r.exit.code, 1);
    QVERIFY2(has(r.err, "cannot connect"), r.err.c_str());
  }

  void jsonLinesStayValidForLongUrls() {
    std::string url = srv_.url("/status/200?q=" + std::string(2100, 'x') + "%22%5C");
    auto r = cli({"--json", url});
    QVERIFY2(r.ok(), r.err.c_str());
    auto lines = QString::fromStdString(r.out).split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 2);
    QJsonParseError e;
    auto doc = QJsonDocument::fromJson(lines[0].toUtf8(), &e);
    QVERIFY2(e.error == QJsonParseError::NoError, qPrintable(e.errorString()));
    QCOMPARE(doc.object().value("url").toString().toStdString(), url);
    QCOMPARE(doc.object().value("status").toInt(), 200);
    QVERIFY(QJsonDocument::fromJson(lines[1].toUtf8()).object().contains("summary"));
  }

  void includeAndHead() {
    auto r = cli({"-s", "-i", srv_.url("/bytes/5")});
    QVERIFY2(r.ok(), r.err.c_str());
    QVERIFY2(r.out.starts_with("HTTP/1.1 200 "), r.out.c_str());
    QVERIFY(r.out.ends_with("\r\n\r\n") == false && has(r.out, "\r\n\r\n"));
    QCOMPARE(r.out.substr(r.out.find("\r\n\r\n") + 4).size(), size_t(5));
    ClientRawServer raw(mirror());
    r = cli({"-s", "-I", raw.url("/x")});
    QVERIFY2(r.ok(), r.err.c_str());
    QVERIFY(r.out.starts_with("HTTP/1.1 200 "));
    QVERIFY(r.out.ends_with("\r\n\r\n"));  // HEAD: the head only
  }

  void userAgentRefererCookieAndUser() {
    ClientRawServer raw(mirror());
    auto r = cli({"-s", "-A", "probe/1", "-e", "http://ref/", "-b", "a=b; c=d", "-u", "user:pass", raw.url("/x")});
    QVERIFY2(r.ok(), r.err.c_str());
    QVERIFY2(has(r.out, "User-Agent: probe/1\r\n"), r.out.c_str());
    QVERIFY(has(r.out, "Referer: http://ref/\r\n"));
    QVERIFY(has(r.out, "Cookie: a=b; c=d\r\n"));
    QVERIFY(has(r.out, "Authorization: Basic dXNlcjpwYXNz\r\n"));
    r = cli({"-b", "cookies.txt", raw.url("/x")});
    QCOMPARE(r.exit.code, 2);
    r = cli({"-u", "justuser", raw.url("/x")});
    QCOMPARE(r.exit.code, 2);
  }

  void formPartsAreStreamedAsMultipart() {
    QTemporaryDir dir;
    std::string path = dir.filePath("notes.txt").toStdString();
    std::ofstream(path, std::ios::binary) << std::string(100000, 'n');
    auto r = cli({"-s", "-v", "-F", "title=hello", "-F", "file=@" + path + ";type=text/plain", srv_.url("/echo")});
    QVERIFY2(r.ok(), r.err.c_str());
    QVERIFY2(has(r.err, "> POST /echo HTTP/1.1"), r.err.c_str());
    QVERIFY(has(r.err, "> Content-Type: multipart/form-data; boundary="));
    QVERIFY(has(r.out, "Content-Disposition: form-data; name=\"title\"\r\n\r\nhello\r\n"));
    QVERIFY(has(r.out, "Content-Disposition: form-data; name=\"file\"; filename=\"notes.txt\"\r\nContent-Type: text/plain\r\n\r\n" +
                           std::string(100000, 'n') + "\r\n--"));
    QVERIFY(r.out.ends_with("--\r\n"));
    r = cli({"-F", "novalue", srv_.url("/echo")});
    QCOMPARE(r.exit.code, 2);
  }

  void junkAfterTheResponseIsAWarningLine() {
    ClientRawServer raw([](int fd, int) {
      ClientRawServer::readRequest(fd);
      ClientRawServer::writeAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokJUNK");
    });
    auto r = cli({"-s", raw.url("/")});
    QCOMPARE(r.out, std::string("ok"));
    QVERIFY2(has(r.err, "warning: junk-after-response"), r.err.c_str());
  }

  void timeoutFlags() {
    auto t0 = std::chrono::steady_clock::now();
    auto r = cli({"-s", "--max-time", "0.4", srv_.url("/drip?bytes=1000&interval=50")});
    QCOMPARE(r.exit.code, 1);
    QVERIFY2(has(r.err, "total time limit of 400 ms"), r.err.c_str());
    QVERIFY(std::chrono::steady_clock::now() - t0 < 5s);
    r = cli({"-s", "--body-timeout", "0.3", srv_.url("/fault/stall/20000?bytes=100")});
    QCOMPARE(r.exit.code, 1);
    QVERIFY2(has(r.err, "no response body byte for 300 ms"), r.err.c_str());
    r = cli({"--connect-timeout", "soon", srv_.url("/")});
    QCOMPARE(r.exit.code, 2);
    QVERIFY2(has(r.err, "takes seconds"), r.err.c_str());
  }

  void verboseShowsExpectAboveTheThreshold() {
    auto r = cli({"-s", "-v", "--expect-threshold", "10", "-d", std::string(20, 'x'), srv_.url("/echo")});
    QVERIFY2(r.ok(), r.err.c_str());
    QVERIFY2(has(r.err, "> Expect: 100-continue"), r.err.c_str());
    QCOMPARE(r.out, std::string(20, 'x'));
    r = cli({"-s", "-v", "-d", std::string(20, 'x'), srv_.url("/echo")});
    QVERIFY(!has(r.err, "Expect"));
    // -T - streams stdin chunked (size unknown): Expect is sent and shown, as curl does.
    SpawnOptions in;
    in.stdinData = "streamed from stdin";
    in.feedStdin = true;
    r = cli({"-s", "-v", "-T", "-", srv_.url("/echo")}, in);
    QVERIFY2(r.ok(), r.err.c_str());
    QVERIFY2(has(r.err, "> Transfer-Encoding: chunked"), r.err.c_str());
    QVERIFY2(has(r.err, "> Expect: 100-continue"), r.err.c_str());
    QCOMPARE(r.out, in.stdinData);
    r = cli({"-s", "-v", "--no-expect", "-T", "-", srv_.url("/echo")}, in);
    QVERIFY(!has(r.err, "Expect"));
  }

 private:
  sluice::test::InProcessServer srv_;
};

QTEST_APPLESS_MAIN(TestCliRequest)
#include "test_cli_request.moc"
