// Client counters are facts, kept where they are decided: opened vs failed connects,
// reuse at the head (not at hand-out), close reasons by what the peer did, leaks and
// held streams, a settled pool, and event drains that never change a count.
#include <cstring>
#include <QtTest>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/client/client.h"
#include "engine/net/socket.h"
#include "support/kernel_tcp.h"
#include "engine/observe/event_drainer.h"
#include "support/client_events.h"
#include "support/client_raw_server.h"
#include "support/test_env.h"

using namespace sluice;
using sluice::test::RefusingPort;
using namespace sluice::client;
using sluice::test::ClientRawServer;

namespace {

constexpr auto kWait = std::chrono::milliseconds(5000);

void keepAlive(int fd, int) {
  while (!ClientRawServer::readRequest(fd).empty())
    if (!ClientRawServer::writeAll(fd, ClientRawServer::okResponse("hello"))) return;
}

// Every connection answers its first request and closes on the second without a byte.
void closesEverySecondRequest(int fd, int) {
  if (ClientRawServer::readRequest(fd).empty()) return;
  ClientRawServer::writeAll(fd, ClientRawServer::okResponse("hello"));
  ClientRawServer::readRequest(fd);
}

// Sends RST now: connect(AF_UNSPEC) disconnects a TCP socket with a reset (tcp_disconnect),
// and the fd stays ours, so the raw server can close it later as usual.
void resetSocket(int fd) {
  sockaddr unspec{};
  unspec.sa_family = AF_UNSPEC;
  ::connect(fd, &unspec, sizeof unspec);
}

void resetBeforeHead(int fd, int) {
  if (!ClientRawServer::readRequest(fd).empty()) resetSocket(fd);
}

void resetMidBody(int fd, int) {
  if (ClientRawServer::readRequest(fd).empty()) return;
  ClientRawServer::writeAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b");
  QThread::msleep(50);  // let the client read the head first: the reset then comes mid-body
  resetSocket(fd);
}

void finMidBody(int fd, int) {
  if (ClientRawServer::readRequest(fd).empty()) return;
  ClientRawServer::writeAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b");
}

void finBeforeHead(int fd, int) { ClientRawServer::readRequest(fd); }

ClientConfig quickConfig() {
  ClientConfig c;
  c.heldTooLong = std::chrono::milliseconds(0);
  return c;
}

uint64_t closes(const ClientStats& s, CloseReason r) { return s.closes[static_cast<size_t>(r)]; }

// The body error (if any) of one exchange after reading it to the end.
std::string bodyError(Exchange& ex) {
  std::string out;
  auto r = ex.body.readAll(out, UINT64_MAX, kWait);
  return r ? std::string() : r.error().message;
}

}  // namespace

class TestClientCounters : public QObject {
  Q_OBJECT
 private slots:
  void refusedConnectsAreFailedNotOpened();
  void retryOnNewConnectionIsNotReuse();
  void reuseIsCountedAtTheHead();
  void closeReasonsDoNotDependOnThePhase_data();
  void closeReasonsDoNotDependOnThePhase();
  void leaksAndHeldStreamsAreExactAfterSettle();
  void releaseThenReleaseCountsOneDouble();
  void lostEventsChangeNoCount();
  void drainerTakesEveryEvent();
};

void TestClientCounters::refusedConnectsAreFailedNotOpened() {
  RefusingPort refusing;
  QVERIFY(refusing.port != 0);
  Client client(quickConfig());
  for (int i = 0; i < 5; ++i) {
    auto ex = client.fetch(*Request::get("http://127.0.0.1:" + std::to_string(refusing.port) + "/"));
    QVERIFY(!ex);
    // strerror's wording follows the locale (this suite also runs under de_DE.UTF-8): compare with it.
    const std::string refused = std::strerror(ECONNREFUSED);
    QVERIFY2(ex.error().message.find(refused) != std::string::npos, ex.error().message.c_str());
  }
  QVERIFY(client.settle(kWait));
  ClientStats s = client.stats();
  QCOMPARE(s.connectionsOpened, uint64_t{0});
  QCOMPARE(s.connectsFailed, uint64_t{5});
  QCOMPARE(closes(s, CloseReason::kConnectFailed), uint64_t{5});
  QCOMPARE(s.failures, uint64_t{5});
}

void TestClientCounters::retryOnNewConnectionIsNotReuse() {
  ClientRawServer server(closesEverySecondRequest);
  Client client(quickConfig());
  constexpr int kRequests = 10;
  for (int i = 0; i < kRequests; ++i) {
    auto ex = client.fetch(*Request::get(server.url("/")));
    QVERIFY2(ex, ex ? "" : ex.error().message.c_str());
    QVERIFY2(!ex->response.verdict.reused, ex->response.verdict.text().c_str());
    QCOMPARE(bodyError(*ex), std::string());
    ex->body.release();
    // The idle connection must be there (and then die on the next request), as in a real pool.
    QVERIFY(test::waitFor([&] { return test::idleConnections(client) == 1; }));
  }
  QVERIFY(client.settle(kWait));
  ClientStats s = client.stats();
  QCOMPARE(s.connectionsOpened, uint64_t{kRequests});
  QCOMPARE(s.reused, uint64_t{0});
  QCOMPARE(s.retries, uint64_t{kRequests - 1});
  QCOMPARE(s.requests, uint64_t{kRequests});
  QCOMPARE(server.accepts(), kRequests);
}

void TestClientCounters::reuseIsCountedAtTheHead() {
  ClientRawServer server(keepAlive);
  Client client(quickConfig());
  for (int i = 0; i < 20; ++i) {
    auto ex = client.fetch(*Request::get(server.url("/")));
    QVERIFY(ex);
    QCOMPARE(bodyError(*ex), std::string());
    ex->body.release();
  }
  QVERIFY(client.settle(kWait));
  ClientStats s = client.stats();
  QCOMPARE(s.connectionsOpened, uint64_t{1});
  QCOMPARE(s.reused, uint64_t{19});
  QCOMPARE(s.reused, s.requests - s.connectionsOpened);
}

void TestClientCounters::closeReasonsDoNotDependOnThePhase_data() {
  QTest::addColumn<void*>("handler");
  QTest::addColumn<int>("reason");
  QTest::addColumn<bool>("headArrives");
  QTest::newRow("reset before the head") << reinterpret_cast<void*>(&resetBeforeHead) << int(CloseReason::kPeerReset) << false;
  QTest::newRow("reset mid-body") << reinterpret_cast<void*>(&resetMidBody) << int(CloseReason::kPeerReset) << true;
  QTest::newRow("FIN before the head") << reinterpret_cast<void*>(&finBeforeHead) << int(CloseReason::kPeerClosed) << false;
  QTest::newRow("FIN mid-body") << reinterpret_cast<void*>(&finMidBody) << int(CloseReason::kPeerClosed) << true;
}

void TestClientCounters::closeReasonsDoNotDependOnThePhase() {
  QFETCH(void*, handler);
  QFETCH(int, reason);
  QFETCH(bool, headArrives);
  ClientRawServer server(reinterpret_cast<void (*)(int, int)>(handler));
  Client client(quickConfig());
  auto ex = client.fetch(*Request::get(server.url("/")));
  QCOMPARE(ex.has_value(), headArrives);
  if (ex) {
    QVERIFY(!bodyError(*ex).empty());
    ex->body.release();
  }
  QVERIFY(client.settle(kWait));
  ClientStats s = client.stats();
  QCOMPARE(closes(s, static_cast<CloseReason>(reason)), uint64_t{1});
  uint64_t total = 0;
  for (auto n : s.closes) total += n;
  QCOMPARE(total, uint64_t{1});
  QCOMPARE(s.connectionsOpened, uint64_t{1});
  QVERIFY(QString(closeReasonName(static_cast<CloseReason>(reason))).endsWith(QStringLiteral("by peer")));
}

void TestClientCounters::leaksAndHeldStreamsAreExactAfterSettle() {
  ClientRawServer server(keepAlive);
  Client client(quickConfig());
  constexpr int kStreams = 6;
  {
    std::vector<BodyStream> held;
    for (int i = 0; i < kStreams; ++i) {
      auto ex = client.fetch(*Request::get(server.url("/")));
      QVERIFY(ex);
      held.push_back(std::move(ex->body));
    }
    QCOMPARE(client.stats().heldStreams, uint64_t{kStreams});
    QCOMPARE(client.stats().connectionsOpened, uint64_t{kStreams});  // each held stream keeps its connection
  }  // dropped unreleased: every one is a leak, and its connection closes
  QVERIFY(client.settle(kWait));
  ClientStats s = client.stats();
  QCOMPARE(s.leaks, uint64_t{kStreams});
  QCOMPARE(s.heldStreams, uint64_t{0});
  // No sleep: settle() has applied every drop, so the close count is already final.
  QCOMPARE(closes(s, CloseReason::kLeaked), uint64_t{kStreams});
  QCOMPARE(test::openConnections(client), size_t{0});
}

void TestClientCounters::releaseThenReleaseCountsOneDouble() {
  ClientRawServer server(keepAlive);
  Client client(quickConfig());
  auto ex = client.fetch(*Request::get(server.url("/")));
  QVERIFY(ex);
  ex->body.release();  // at the head, like --release now
  QVERIFY(client.settle(kWait));
  QCOMPARE(client.stats().doubleReleases, uint64_t{0});
  ex->body.release();
  QCOMPARE(client.stats().doubleReleases, uint64_t{1});
  QCOMPARE(client.stats().heldStreams, uint64_t{0});
}

void TestClientCounters::lostEventsChangeNoCount() {
  ClientRawServer server(keepAlive);
  ClientConfig config = quickConfig();
  config.eventCapacity = 4;  // almost every event is lost
  Client client(config);
  for (int i = 0; i < 30; ++i) {
    auto ex = client.fetch(*Request::get(server.url("/")));
    QVERIFY(ex);
    QCOMPARE(bodyError(*ex), std::string());
    ex->body.release();
  }
  QVERIFY(client.settle(kWait));
  QVERIFY(client.events().dropped() > 0);
  ClientStats s = client.stats();
  QCOMPARE(s.requests, uint64_t{30});
  QCOMPARE(s.connectionsOpened, uint64_t{1});
  QCOMPARE(s.reused, uint64_t{29});
}

void TestClientCounters::drainerTakesEveryEvent() {
  observe::EventBuffer buffer(1024);
  std::atomic<uint64_t> seen{0};
  observe::EventDrainer drainer(buffer, [&](std::vector<observe::Event>& batch) { seen += batch.size(); });
  constexpr int kEvents = 50000;
  for (int i = 0; i < kEvents; ++i) {
    observe::Event ev;
    ev.kind = observe::EventKind::kClientRequest;
    buffer.push(std::move(ev));
  }
  drainer.stop();
  // Whatever the scheduling, each event was either drained or counted as dropped.
  QCOMPARE(seen.load() + buffer.dropped(), uint64_t{kEvents});
  QCOMPARE(drainer.drained(), seen.load());
  std::vector<observe::Event> rest;
  QCOMPARE(buffer.drain(rest), size_t{0});
}

QTEST_APPLESS_MAIN(TestClientCounters)
#include "test_client_counters.moc"
