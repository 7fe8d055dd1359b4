// The truth test: Sluice's connection counters against the kernel's, scenario by
// scenario, inside a private network namespace (so the kernel counts only our traffic).
// The rule: opened == ActiveOpens - AttemptFails, failed connects == AttemptFails,
// reused == requests - opened - failed connects (a retry is not a reuse), held
// connections == ESTABLISHED sockets, open descriptors == /proc/PID/fd.
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/client/client.h"
#include "engine/net/socket.h"
#include "engine/server/server_config.h"
#include "support/client_nginx.h"
#include "support/kernel_tcp.h"
#include "support/process.h"
#include "support/serve_fixture.h"

using namespace sluice;
using namespace sluice::test;

namespace {

std::string g_netnsError;  // set by main() before any thread starts

// A minimal HTTP/1.1 peer in Python with two ways to end a connection:
//   close-each:   "Connection: close" on every response, then close;
//   close-second: answers the first request, reads the second and closes without a byte.
constexpr const char* kPeerScript = R"PY(
import socket, sys, threading
mode = sys.argv[1]
s = socket.socket()
s.bind(('127.0.0.1', 0))
s.listen(256)
print(s.getsockname()[1], flush=True)
def head(c, buf):
    while b'\r\n\r\n' not in buf:
        d = c.recv(65536)
        if not d:
            return None
        buf += d
    return buf[buf.index(b'\r\n\r\n') + 4:]
def serve(c):
    try:
        rest = head(c, b'')
        if rest is None:
            return
        extra = b'Connection: close\r\n' if mode == 'close-each' else b''
        c.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n' + extra + b'\r\nhello')
        if mode == 'close-second':
            head(c, rest)
    finally:
        c.close()
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
)PY";

/** The python peer above, on a port it prints. */
class PythonPeer {
 public:
  bool start(const std::string& mode) {
    if (!proc_.start({"python3", "-c", kPeerScript, mode})) return false;
    auto line = proc_.readStdoutLine(std::chrono::seconds(10));
    port_ = line ? static_cast<uint16_t>(std::stoi(*line)) : 0;
    return port_ != 0;
  }
  std::string url(const std::string& path = "/") const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  std::string error() { return proc_.error() + proc_.stderrText(); }

 private:
  ChildProcess proc_;
  uint16_t port_ = 0;
};

/** What one CLI run said, and what the kernel counted meanwhile. */
struct CliRun {
  QJsonObject summary;
  TcpMib kernel;
  std::string err;
  qint64 n(const char* key) const { return summary.value(QLatin1String(key)).toInteger(); }
  QString s(const char* key) const { return summary.value(QLatin1String(key)).toString(); }
};

CliRun runCli(std::vector<std::string> args) {
  args.insert(args.begin(), {cliPath(), "request", "--json", "-s"});
  CliRun run;
  TcpMib before = readTcpMib();
  RunResult r = runProcess(args, std::chrono::seconds(60));
  run.kernel = readTcpMib() - before;
  run.err = r.err;
  std::string last;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("{\"summary\"", 0) == 0) last = line;
  run.summary = QJsonDocument::fromJson(QByteArray::fromStdString(last)).object().value(QLatin1String("summary")).toObject();
  return run;
}

// /proc/PID/fd of this process, less the descriptor that reading the folder holds.
uint64_t ownFds() { return static_cast<uint64_t>(procOpenFds(::getpid())) - 1; }

}  // namespace

// Skips only where namespaces are not permitted; any other setup failure fails.
#define REQUIRE_NETNS()                                                                          \
  do {                                                                                           \
    if (g_netnsError.rfind("unshare", 0) == 0)                                                   \
      QSKIP(("no private network namespace permitted here: " + g_netnsError).c_str());           \
    QVERIFY2(g_netnsError.empty(), ("the private network namespace is not usable: " + g_netnsError).c_str()); \
  } while (0)

/** The rule, for one CLI run of GET requests. */
#define CHECK_RULE(run)                                                                                         \
  do {                                                                                                           \
    QVERIFY2(!(run).summary.isEmpty(), ("no --json summary; stderr: " + (run).err).c_str());                    \
    QCOMPARE((run).n("events_dropped"), qint64{0});                                                              \
    QCOMPARE((run).n("connections_opened"), qint64((run).kernel.activeOpens - (run).kernel.attemptFails));      \
    QCOMPARE((run).n("connects_failed"), qint64((run).kernel.attemptFails));                                     \
    QCOMPARE((run).n("reused"), (run).n("requests") - (run).n("connections_opened") - (run).n("connects_failed")); \
  } while (0)

class TestTruthNetns : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase();
  void cleanupTestCase();
  void sequentialKeepAlive();
  void concurrencyWithEachReleasePolicy_data();
  void concurrencyWithEachReleasePolicy();
  void serverClosesAfterEveryResponse();
  void nginxKeepaliveRequests3();
  void serverClosesSecondRequest();
  void refusedConnects();
  void leaksThenDropThem();
  void faultEndpoints_data();
  void faultEndpoints();

 private:
  CliServer serve_;
};

void TestTruthNetns::initTestCase() {
  REQUIRE_NETNS();
  QVERIFY2(serve_.start(), serve_.error().c_str());
}

void TestTruthNetns::cleanupTestCase() {
  if (serve_.pid() > 0) serve_.stop();
}

void TestTruthNetns::sequentialKeepAlive() {
  REQUIRE_NETNS();
  CliRun run = runCli({"--repeat", "200", serve_.url("/bytes/10")});
  CHECK_RULE(run);
  QCOMPARE(run.n("requests"), qint64{200});
  QCOMPARE(run.n("connections_opened"), qint64{1});
  QCOMPARE(run.n("reused"), qint64{199});
}

void TestTruthNetns::concurrencyWithEachReleasePolicy_data() {
  QTest::addColumn<QString>("policy");
  for (const char* p : {"late", "now", "reset", "double", "leak"}) QTest::newRow(p) << QString::fromLatin1(p);
}

void TestTruthNetns::concurrencyWithEachReleasePolicy() {
  REQUIRE_NETNS();
  QFETCH(QString, policy);
  constexpr int kRequests = 400;
  CliRun run = runCli({"--repeat", std::to_string(kRequests), "--concurrency", "8", "--max-conns", "1000", "--release",
                       policy.toStdString(), serve_.url("/bytes/100")});
  CHECK_RULE(run);
  QCOMPARE(run.n("requests"), qint64{kRequests});
  QCOMPARE(run.n("failures"), qint64{0});
  QCOMPARE(run.n("double_releases"), policy == QLatin1String("double") ? qint64{kRequests} : qint64{0});
  QCOMPARE(run.n("leaks"), policy == QLatin1String("leak") ? qint64{kRequests} : qint64{0});
  QCOMPARE(run.n("held_streams"), qint64{0});
  if (policy == QLatin1String("leak")) {
    QCOMPARE(run.n("connections_opened"), qint64{kRequests});  // a held stream keeps its connection
    QCOMPARE(run.s("closes"), QStringLiteral("leaked %1").arg(kRequests));  // exact: printed after the pool settled
  } else {
    QVERIFY2(run.n("connections_opened") <= 8 * 2, qPrintable(QJsonDocument(run.summary).toJson()));
  }
}

void TestTruthNetns::serverClosesAfterEveryResponse() {
  REQUIRE_NETNS();
  PythonPeer peer;
  QVERIFY2(peer.start("close-each"), peer.error().c_str());
  CliRun run = runCli({"--repeat", "30", peer.url()});
  CHECK_RULE(run);
  QCOMPARE(run.n("connections_opened"), qint64{30});
  QCOMPARE(run.n("reused"), qint64{0});
  QCOMPARE(run.s("closes"), QStringLiteral("Connection: close 30"));
}

void TestTruthNetns::nginxKeepaliveRequests3() {
  REQUIRE_NETNS();
  NginxOptions o;
  o.keepaliveRequests = 3;
  ClientNginx nginx(o);
  QVERIFY2(nginx.ok(), nginx.error().c_str());
  CliRun run = runCli({"--repeat", "30", nginx.url()});
  CHECK_RULE(run);
  QCOMPARE(run.n("connections_opened"), qint64{10});
  QCOMPARE(run.n("reused"), qint64{20});
}

void TestTruthNetns::serverClosesSecondRequest() {
  REQUIRE_NETNS();
  PythonPeer peer;
  QVERIFY2(peer.start("close-second"), peer.error().c_str());
  CliRun run = runCli({"--repeat", "20", peer.url()});
  CHECK_RULE(run);
  QCOMPARE(run.n("failures"), qint64{0});
  QCOMPARE(run.n("connections_opened"), qint64{20});  // every request ends on a new connection
  QCOMPARE(run.n("reused"), qint64{0});
  QCOMPARE(run.n("retries"), qint64{19});
}

void TestTruthNetns::refusedConnects() {
  REQUIRE_NETNS();
  RefusingPort refusing;
  QVERIFY(refusing.port != 0);
  CliRun run = runCli({"--repeat", "20", "http://127.0.0.1:" + std::to_string(refusing.port) + "/"});
  CHECK_RULE(run);
  QCOMPARE(run.n("connections_opened"), qint64{0});
  QCOMPARE(run.n("connects_failed"), qint64{20});
  QCOMPARE(run.n("failures"), qint64{20});
}

void TestTruthNetns::leaksThenDropThem() {
  REQUIRE_NETNS();
  // Through the engine API in this process: the pool, the kernel's sockets and our fds agree.
  constexpr int kHeld = 12;
  client::ClientConfig config;
  config.heldTooLong = std::chrono::milliseconds(0);
  client::Client c(config);
  TcpMib before = readTcpMib();
  std::vector<client::BodyStream> held;
  for (int i = 0; i < kHeld; ++i) {
    auto ex = c.fetch(*client::Request::get(serve_.url("/bytes/64")));
    QVERIFY2(ex, ex ? "" : ex.error().message.c_str());
    held.push_back(std::move(ex->body));
  }
  QVERIFY(c.settle(std::chrono::seconds(5)));
  client::PoolSnapshot snap = c.snapshot();
  QCOMPARE(snap.openFds, ownFds());
  QCOMPARE(snap.hosts.size(), size_t{1});
  QCOMPARE(static_cast<int>(snap.hosts[0].connections.size()), kHeld);
  QCOMPARE(socketsToPort(serve_.port())["ESTABLISHED"], kHeld);
  QCOMPARE(c.stats().heldStreams, uint64_t{kHeld});
  held.clear();  // dropped unreleased: leaks
  QVERIFY(c.settle(std::chrono::seconds(5)));
  client::ClientStats s = c.stats();
  TcpMib d = readTcpMib() - before;
  QCOMPARE(s.leaks, uint64_t{kHeld});
  QCOMPARE(s.heldStreams, uint64_t{0});
  QCOMPARE(s.closes[static_cast<size_t>(client::CloseReason::kLeaked)], uint64_t{kHeld});
  QCOMPARE(s.connectionsOpened, d.activeOpens - d.attemptFails);
  QCOMPARE(socketsToPort(serve_.port())["ESTABLISHED"], 0);
  QCOMPARE(c.snapshot().openFds, ownFds());
}

void TestTruthNetns::faultEndpoints_data() {
  QTest::addColumn<QString>("path");
  QTest::addColumn<QString>("closes");  // the close summary, exact
  QTest::newRow("reset before the head") << "/fault/reset" << "reset by peer 10";
  QTest::newRow("reset mid-body") << "/fault/reset?after=1000" << "reset by peer 10";
  QTest::newRow("FIN mid-body") << "/fault/close-after/1000" << "closed by peer 10";
  QTest::newRow("Connection: close") << "/fault/connection-close" << "Connection: close 10";
  QTest::newRow("short body, then close") << "/fault/bad-length" << "closed by peer 10";
}

void TestTruthNetns::faultEndpoints() {
  REQUIRE_NETNS();
  QFETCH(QString, path);
  QFETCH(QString, closes);
  CliRun run = runCli({"--repeat", "10", serve_.url(path.toStdString())});
  CHECK_RULE(run);
  QCOMPARE(run.n("requests"), qint64{10});
  QCOMPARE(run.n("connections_opened"), qint64{10});
  QCOMPARE(run.s("closes"), closes);
}

int main(int argc, char** argv) {
  // Before QCoreApplication and before any thread: unshare(CLONE_NEWNET) is per thread.
  g_netnsError = enterPrivateNetns();
  QCoreApplication app(argc, argv);
  TestTruthNetns t;
  return QTest::qExec(&t, argc, argv);
}

#include "test_truth_netns.moc"
