// `sluice-cli serve` as a user runs it: the listening line, --help, usage errors,
// graceful stop on SIGTERM/SIGINT, the access log, and the warning for public binds.
#include <QtTest/QtTest>

#include <csignal>
#include <regex>
#include <string>
#include <thread>

#include "support/process.h"
#include "support/raw_client.h"
#include "support/serve_fixture.h"

using namespace std::chrono_literals;
using sluice::test::CliServer;
using sluice::test::RawClient;
using sluice::test::makeRequest;
using sluice::test::runProcess;

class TestCliServe : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase();
  void firstLineHasTheRealPort();
  void helpDocumentsTheOptions();
  void badValuesExitWith2_data();
  void badValuesExitWith2();
  void sigtermStopsGracefullyAfterInFlightResponse();
  void sigintStopsToo();
  void accessLogLinePerRequestOnStderr();
  void accessLogMarksADownloadTheClientCutOff();
  void publicBindPrintsAWarning();
};

void TestCliServe::initTestCase() {
  QVERIFY2(QFileInfo(QString::fromStdString(sluice::test::cliPath())).isExecutable(),
           qPrintable(QString::fromStdString("sluice-cli not built at " + sluice::test::cliPath())));
}

void TestCliServe::firstLineHasTheRealPort() {
  CliServer s;
  QVERIFY2(s.start(), s.error().c_str());
  const std::string line = s.listeningLine();
  QVERIFY2(std::regex_match(line, std::regex("listening on http://127\\.0\\.0\\.1:[0-9]+")), line.c_str());
  QVERIFY(s.port() != 0);
  QCOMPARE(line, "listening on http://127.0.0.1:" + std::to_string(s.port()));
  // The port is the one really bound.
  auto r = sluice::test::fetch(s.port(), makeRequest("GET", "/status/200"));
  QVERIFY(r);
  QCOMPARE(r->status, 200);
  // stdout carries only that line; logs go to stderr.
  auto exit = s.stop();
  QVERIFY2(exit.exited && exit.code == 0, exit.describe().c_str());
  QCOMPARE(s.process().stdoutText(), line + "\n");
}

void TestCliServe::helpDocumentsTheOptions() {
  auto r = runProcess({sluice::test::cliPath(), "serve", "--help"}, 5s);
  QVERIFY2(r.ok(), (r.exit.describe() + r.err).c_str());
  for (const char* opt : {"usage:", "--listen", "--workers", "--mode", "--max-body", "--max-header", "--max-request-line",
                          "--header-timeout", "--body-timeout", "--keepalive-timeout", "--max-connections", "--drain-max",
                          "--shutdown-grace", "--quiet", "listening on"})
    QVERIFY2(r.out.find(opt) != std::string::npos, opt);
  auto h = runProcess({sluice::test::cliPath(), "serve", "-h"}, 5s);
  QVERIFY(h.ok());
  QCOMPARE(h.out, r.out);
  auto top = runProcess({sluice::test::cliPath(), "--help"}, 5s);
  QVERIFY(top.ok());
  QVERIFY(top.out.find("serve") != std::string::npos);
}

void TestCliServe::badValuesExitWith2_data() {
  QTest::addColumn<QStringList>("args");
  QTest::addColumn<QString>("mentions");
  QTest::newRow("size with an unknown unit") << QStringList{"--max-body", "12Q"} << "--max-body";
  QTest::newRow("size that is not a number") << QStringList{"--max-header", "big"} << "--max-header";
  QTest::newRow("duration that is not one") << QStringList{"--header-timeout", "soon"} << "--header-timeout";
  QTest::newRow("duration with an unknown unit") << QStringList{"--keepalive-timeout", "5y"} << "--keepalive-timeout";
  QTest::newRow("unknown mode") << QStringList{"--mode", "fast"} << "--mode";
  QTest::newRow("zero workers") << QStringList{"--workers", "0"} << "--workers";
  QTest::newRow("zero max connections") << QStringList{"--max-connections", "0"} << "--max-connections";
  QTest::newRow("unknown option") << QStringList{"--bogus", "1"} << "--bogus";
  QTest::newRow("missing value") << QStringList{"--listen"} << "--listen";
  QTest::newRow("bad listen address") << QStringList{"--listen", "not-an-address"} << "not-an-address";
}

void TestCliServe::badValuesExitWith2() {
  QFETCH(QStringList, args);
  QFETCH(QString, mentions);
  std::vector<std::string> argv{sluice::test::cliPath(), "serve"};
  for (const auto& a : args) argv.push_back(a.toStdString());
  auto r = runProcess(argv, 5s);
  QVERIFY2(!r.timedOut, "a bad value must not start the server");
  QVERIFY2(r.exit.exited && r.exit.code == 2, (r.exit.describe() + ": " + r.err).c_str());
  QVERIFY2(r.err.find(mentions.toStdString()) != std::string::npos, r.err.c_str());
  QVERIFY2(r.out.find("listening on") == std::string::npos, r.out.c_str());
}

void TestCliServe::sigtermStopsGracefullyAfterInFlightResponse() {
  CliServer s;
  QVERIFY2(s.start({"--shutdown-grace", "3s"}), s.error().c_str());
  RawClient c(s.port());
  QVERIFY(c.send(makeRequest("GET", "/delay/300")));
  std::this_thread::sleep_for(100ms);  // the request is in flight
  s.process().signal(SIGTERM);
  // The in-flight response still completes.
  auto r = c.readFinalResponse(3s);
  QVERIFY2(r, c.error().c_str());
  QCOMPARE(r->status, 200);
  QVERIFY2(r->body.find("\"delayed_ms\":300") != std::string::npos, r->body.c_str());
  auto exit = s.process().wait(5s);
  QVERIFY2(exit, "sluice-cli did not exit within 5 s of SIGTERM");
  QVERIFY2(exit->exited && exit->code == 0, exit->describe().c_str());
  // It stopped listening.
  RawClient late;
  QVERIFY(!late.connect(s.port(), 1s));
  QVERIFY(s.process().stderrText().find("stopping") != std::string::npos);
}

void TestCliServe::sigintStopsToo() {
  CliServer s;
  QVERIFY2(s.start(), s.error().c_str());
  s.process().signal(SIGINT);
  auto exit = s.process().wait(5s);
  QVERIFY2(exit, "sluice-cli did not exit within 5 s of SIGINT");
  QVERIFY2(exit->exited && exit->code == 0, exit->describe().c_str());
}

void TestCliServe::accessLogLinePerRequestOnStderr() {
  CliServer s;
  QVERIFY2(s.start(), s.error().c_str());
  RawClient c(s.port());
  QVERIFY(c.send(makeRequest("GET", "/status/201") + makeRequest("POST", "/sink", "Content-Length: 5\r\n", "hello")));
  QVERIFY(c.readFinalResponse(3s));
  QVERIFY(c.readFinalResponse(3s));
  QVERIFY2(s.process().waitForStderr("\"GET /status/201 HTTP/1.1\" 201", 3s), s.process().stderrText().c_str());
  QVERIFY2(s.process().waitForStderr("\"POST /sink HTTP/1.1\" 200 in=5", 3s), s.process().stderrText().c_str());
  // --quiet turns it off.
  CliServer q;
  QVERIFY2(q.start({"--quiet"}), q.error().c_str());
  QVERIFY(sluice::test::fetch(q.port(), makeRequest("GET", "/status/202")));
  std::this_thread::sleep_for(300ms);  // the log is flushed every 100 ms
  QVERIFY2(q.process().stderrText().find("/status/202") == std::string::npos, q.process().stderrText().c_str());
}

// Issue 14 #13: a download the client cut off was logged as a complete 200.
void TestCliServe::accessLogMarksADownloadTheClientCutOff() {
  CliServer s;
  QVERIFY2(s.start(), s.error().c_str());
  {
    RawClient c(s.port());
    QVERIFY(c.send(makeRequest("GET", "/bytes/1073741824")));
    QVERIFY(c.waitReadable(3s));
    c.reset();  // the client gives up after the first bytes
  }
  QVERIFY2(s.process().waitForStderr(" aborted: ", 5s), s.process().stderrText().c_str());
  const std::string log = s.process().stderrText();
  const size_t at = log.find("\"GET /bytes/1073741824 HTTP/1.1\" 200 in=0 sent=");
  QVERIFY2(at != std::string::npos, log.c_str());
  const std::string line = log.substr(at, log.find('\n', at) - at);
  QVERIFY2(line.find(" aborted: ") != std::string::npos, line.c_str());
  const uint64_t sent = std::stoull(line.substr(line.find("sent=") + 5));
  QVERIFY2(sent > 0 && sent < 1073741824ull, line.c_str());
  // A download read to the end is logged complete, with every body byte.
  QVERIFY(sluice::test::fetch(s.port(), makeRequest("GET", "/bytes/100000")));
  QVERIFY2(s.process().waitForStderr("\"GET /bytes/100000 HTTP/1.1\" 200 in=0 out=100000 ", 3s), s.process().stderrText().c_str());
}

void TestCliServe::publicBindPrintsAWarning() {
  CliServer s;
  QVERIFY2(s.start({"--listen", "0.0.0.0:0"}), s.error().c_str());
  QVERIFY2(s.process().waitForStderr("WARNING", 3s), s.process().stderrText().c_str());
  QCOMPARE(s.listeningLine(), "listening on http://0.0.0.0:" + std::to_string(s.port()));
  auto exit = s.stop();
  QVERIFY2(exit.exited && exit.code == 0, exit.describe().c_str());
  // A loopback bind prints none.
  CliServer l;
  QVERIFY2(l.start(), l.error().c_str());
  std::this_thread::sleep_for(200ms);
  QVERIFY2(l.process().stderrText().find("WARNING") == std::string::npos, l.process().stderrText().c_str());
}

QTEST_APPLESS_MAIN(TestCliServe)
#include "test_cli_serve.moc"
