// Client pool, body streams and the one release path, against raw socket servers.
#include <QtTest>

#include <atomic>
#include <thread>

#include "engine/client/client.h"
#include "support/client_events.h"
#include "support/client_raw_server.h"
#include "support/test_env.h"

using namespace sluice;
using namespace sluice::client;
using sluice::test::ClientEventLog;
using sluice::test::ClientRawServer;
using observe::EventKind;

namespace {

void keepAlive(int fd, int) {
  for (;;) {
    std::string req = ClientRawServer::readRequest(fd);
    if (req.empty()) return;
    if (!ClientRawServer::writeAll(fd, ClientRawServer::okResponse("hello"))) return;
  }
}

Request get(const ClientRawServer& s, std::string_view path = "/") { return *Request::get(s.url(path)); }

std::string readBody(Exchange& ex) {
  std::string out;
  auto r = ex.body.readAll(out, UINT64_MAX, std::chrono::milliseconds(5000));
  return r ? out : "ERROR: " + r.error().message;
}

ClientConfig quickConfig() {
  ClientConfig c;
  c.heldTooLong = std::chrono::milliseconds(0);
  return c;
}

size_t closes(Client& c, CloseReason r) { return c.stats().closes[static_cast<size_t>(r)]; }

}  // namespace

class TestClientPool : public QObject {
  Q_OBJECT
 private slots:
  void sequentialGetsReuseOneConnection();
  void releaseNowLateResetDouble();
  void leakClosesAndRecords();
  void heldTooLongWarns();
  void doubleReleaseNeverPoolsTwice();
  void earlyReleaseWithinDrainBound();
  void earlyReleasePastDrainBound();
  void earlyReleasePastDrainTime();
  void truncatedBodyIsNotReused();
  void badChunkIsAnError();
  void junkAfterResponseIsNotReused();
  void unsolicited408OnIdleIsDiscarded();
  void replayableRetriedOnceOnNewConnection();
  void postIsNeverRetriedSilently();
  void maxConnsPerHostWaitsThenTimesOut();
  void callbacksAndForward();
  void closeDelimitedBody();
};

void TestClientPool::sequentialGetsReuseOneConnection() {
  ClientRawServer server(keepAlive);
  Client client(quickConfig());
  uint64_t saved = 0;  // what the verdicts say reuse saved; the counter must sum exactly that
  for (int i = 0; i < 200; ++i) {
    auto ex = client.fetch(get(server));
    QVERIFY2(ex.has_value(), ex ? "" : ex.error().message.c_str());
    QCOMPARE(ex->response.status, 200);
    saved += ex->response.verdict.savedConnectUs;
    QCOMPARE(readBody(*ex), std::string("hello"));
    if (i == 0) QCOMPARE(QString::fromStdString(ex->response.verdict.text()), QString("new connection #1: pool empty"));
    else QVERIFY2(ex->response.verdict.reused && ex->response.verdict.connectionId == 1, ex->response.verdict.text().c_str());
    ex->body.release();
  }
  QCOMPARE(server.accepts(), 1);
  QCOMPARE(client.stats().connectionsOpened, uint64_t{1});
  QCOMPARE(client.stats().reused, uint64_t{199});
  QCOMPARE(client.stats().savedConnectUs, saved);
  QCOMPARE(client.stats().savedTlsUs, uint64_t{0});  // plain HTTP: no handshake to save
}

void TestClientPool::releaseNowLateResetDouble() {
  ClientRawServer server(keepAlive);
  Client client(quickConfig());
  ClientEventLog log(client);
  {  // now: before reading
    auto ex = client.fetch(get(server));
    QVERIFY(ex);
    ex->body.release();
    QVERIFY(test::waitFor([&] { return test::idleConnections(client) == 1; }));
  }
  {  // late: read everything, keep holding, then release
    auto ex = client.fetch(get(server));
    QVERIFY(ex && ex->response.verdict.reused);
    QCOMPARE(readBody(*ex), std::string("hello"));
    auto snap = client.snapshot();
    QCOMPARE(snap.hosts.at(0).connections.at(0).state, ConnState::kStreaming);  // held by the stream
    QCOMPARE(snap.hosts.at(0).idle, size_t{0});
    ex->body.release();
    QVERIFY(test::waitFor([&] { return test::idleConnections(client) == 1; }));
  }
  {  // reset
    auto ex = client.fetch(get(server));
    QVERIFY(ex && ex->response.verdict.reused);
    ex->body.reset();
    QVERIFY(test::waitFor([&] { return test::idleConnections(client) == 1; }));
  }
  {  // double
    auto ex = client.fetch(get(server));
    QVERIFY(ex && ex->response.verdict.reused);
    readBody(*ex);
    ex->body.release();
    ex->body.resetBody();
    QVERIFY(test::waitFor([&] { return test::idleConnections(client) == 1; }));
    QCOMPARE(client.stats().doubleReleases, uint64_t{1});
    QVERIFY(log.has(EventKind::kClientWarning, "double-release"));
    auto snap = client.snapshot();
    QCOMPARE(snap.hosts.at(0).connections.size(), size_t{1});
    QCOMPARE(snap.hosts.at(0).idle, size_t{1});
  }
  QCOMPARE(server.accepts(), 1);
  QCOMPARE(client.stats().leaks, uint64_t{0});
}

void TestClientPool::leakClosesAndRecords() {
  ClientRawServer server(keepAlive);
  Client client(quickConfig());
  ClientEventLog log(client);
  {
    auto ex = client.fetch(get(server));
    QVERIFY(ex);
    QCOMPARE(readBody(*ex), std::string("hello"));
    QCOMPARE(test::openConnections(client), size_t{1});
  }  // dropped unreleased
  QVERIFY(test::waitFor([&] { return test::openConnections(client) == 0; }));
  QCOMPARE(client.stats().leaks, uint64_t{1});
  QCOMPARE(closes(client, CloseReason::kLeaked), size_t{1});
  QVERIFY(log.has(EventKind::kClientWarning, "leaked"));
  auto ex = client.fetch(get(server));
  QVERIFY(ex && !ex->response.verdict.reused);
  ex->body.release();
  QCOMPARE(server.accepts(), 2);
}

void TestClientPool::heldTooLongWarns() {
  ClientRawServer server(keepAlive);
  ClientConfig cfg;
  cfg.heldTooLong = std::chrono::milliseconds(100);
  Client client(cfg);
  ClientEventLog log(client);
  auto ex = client.fetch(get(server));
  QVERIFY(ex);
  QVERIFY(test::waitFor([&] { return log.has(EventKind::kClientWarning, "held-too-long"); }, 3000));
  QCOMPARE(client.stats().heldTooLong, uint64_t{1});
  ex->body.release();
}

void TestClientPool::doubleReleaseNeverPoolsTwice() {
  // Each response body ends a little after the head, so releases race the end of the body.
  ClientRawServer server([](int fd, int) {
    for (;;) {
      if (ClientRawServer::readRequest(fd).empty()) return;
      std::string body(4096, 'x');
      std::string head = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size() * 2) + "\r\n\r\n";
      if (!ClientRawServer::writeAll(fd, head + body)) return;
      std::this_thread::yield();
      if (!ClientRawServer::writeAll(fd, body)) return;
    }
  });
  Client client(quickConfig());
  constexpr int kRounds = 150;
  for (int i = 0; i < kRounds; ++i) {
    auto ex = client.fetch(get(server));
    QVERIFY2(ex, ex ? "" : ex.error().message.c_str());
    if (i % 2 == 0) readBody(*ex);
    std::atomic<int> go{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&, t] {
        go.fetch_add(1);
        while (go.load() < 4) {}
        if (t == 0) ex->body.release();
        else if (t == 1) ex->body.reset();
        else if (t == 2) ex->body.resetBody();
        else ex->body.release();
      });
    for (auto& th : threads) th.join();
    client.flushIdle();  // interleave pool operations with the releases too, every few rounds
    if (i % 3 != 0) client.snapshot();
  }
  QVERIFY(test::waitFor([&] { return test::openConnections(client) <= 1; }));
  auto st = client.stats();
  QCOMPARE(st.doubleReleases, uint64_t{3 * kRounds});
  QCOMPARE(st.neverPooledTwice, uint64_t{0});
  QCOMPARE(st.leaks, uint64_t{0});
  auto snap = client.snapshot();
  for (const auto& h : snap.hosts) QVERIFY(h.idle <= h.connections.size());
  // Also without flushes: the same connection cycles, one idle entry at most.
  for (int i = 0; i < 50; ++i) {
    auto ex = client.fetch(get(server));
    QVERIFY(ex);
    std::thread a([&] { ex->body.release(); });
    std::thread b([&] { ex->body.release(); });
    a.join();
    b.join();
    // The idle list holds each idle connection once: its length equals the idle states.
    for (const auto& h : client.snapshot().hosts) {
      size_t idleStates = 0;
      for (const auto& c : h.connections) idleStates += c.state == ConnState::kIdle;
      QCOMPARE(h.idle, idleStates);
    }
  }
  QVERIFY(test::waitFor([&] { return test::idleConnections(client) == test::openConnections(client); }));
  QCOMPARE(client.stats().neverPooledTwice, uint64_t{0});
}

void TestClientPool::earlyReleaseWithinDrainBound() {
  ClientRawServer server([](int fd, int) {
    for (;;) {
      if (ClientRawServer::readRequest(fd).empty()) return;
      std::string body(100 * 1024, 'd');
      std::string head = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
      if (!ClientRawServer::writeAll(fd, head + body.substr(0, 1000))) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      if (!ClientRawServer::writeAll(fd, body.substr(1000))) return;
    }
  });
  Client client(quickConfig());
  ClientEventLog log(client);
  auto ex = client.fetch(get(server));
  QVERIFY(ex);
  ex->body.release();
  QVERIFY(test::waitFor([&] { return test::idleConnections(client) == 1; }));
  QCOMPARE(client.stats().drainsKept, uint64_t{1});
  QVERIFY(client.stats().drainedBytes > 0);
  QVERIFY(client.stats().drainUs > 0);  // the rest came up to 20 ms after the release
  QVERIFY(log.has(EventKind::kClientConnState, "drained"));
  auto again = client.fetch(get(server));
  QVERIFY(again && again->response.verdict.reused);
  again->body.release();
  QCOMPARE(server.accepts(), 1);
}

void TestClientPool::earlyReleasePastDrainBound() {
  ClientRawServer server([](int fd, int) {
    for (;;) {
      if (ClientRawServer::readRequest(fd).empty()) return;
      std::string body(8 << 20, 'd');
      std::string head = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
      if (!ClientRawServer::writeAll(fd, head + body)) return;
    }
  });
  Client client(quickConfig());
  auto ex = client.fetch(get(server));
  QVERIFY(ex);
  ex->body.release();
  QVERIFY(test::waitFor([&] { return closes(client, CloseReason::kNotDrained) == 1; }));
  QCOMPARE(client.stats().drainsKept, uint64_t{0});
  auto again = client.fetch(get(server));
  QVERIFY(again);
  QCOMPARE(QString::fromStdString(again->response.verdict.text()), QString("new connection #2: previous body not drained"));
  again->body.abort();
}

void TestClientPool::earlyReleasePastDrainTime() {
  ClientRawServer server([](int fd, int) {
    if (ClientRawServer::readRequest(fd).empty()) return;
    ClientRawServer::writeAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789");
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
  });
  Client client(quickConfig());
  auto ex = client.fetch(get(server));
  QVERIFY(ex);
  ex->body.release();
  QVERIFY(test::waitFor([&] { return closes(client, CloseReason::kNotDrained) == 1; }, 2000));
}

void TestClientPool::truncatedBodyIsNotReused() {
  ClientRawServer server([](int fd, int index) {
    if (index > 0) return keepAlive(fd, index);
    if (ClientRawServer::readRequest(fd).empty()) return;
    ClientRawServer::writeAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + std::string(500, 'x'));
  });
  Client client(quickConfig());
  auto ex = client.fetch(get(server));
  QVERIFY(ex);
  std::string out;
  auto r = ex->body.readAll(out, UINT64_MAX, std::chrono::milliseconds(5000));
  QVERIFY(!r);
  QVERIFY2(r.error().message.find("truncated") != std::string::npos, r.error().message.c_str());
  QVERIFY2(r.error().message.find("500") != std::string::npos, r.error().message.c_str());
  ex->body.release();
  auto again = client.fetch(get(server));
  QVERIFY(again && !again->response.verdict.reused);
  again->body.release();
  QCOMPARE(closes(client, CloseReason::kPeerClosed), size_t{1});
}

void TestClientPool::badChunkIsAnError() {
  ClientRawServer server([](int fd, int index) {
    if (index > 0) return keepAlive(fd, index);
    if (ClientRawServer::readRequest(fd).empty()) return;
    ClientRawServer::writeAll(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  });
  Client client(quickConfig());
  auto ex = client.fetch(get(server));
  QVERIFY(ex);
  std::string out;
  auto r = ex->body.readAll(out, UINT64_MAX, std::chrono::milliseconds(5000));
  QVERIFY(!r);
  QVERIFY2(r.error().message.find("malformed") != std::string::npos, r.error().message.c_str());
  ex->body.release();
  QVERIFY(test::waitFor([&] { return closes(client, CloseReason::kFramingError) == 1; }));
  auto again = client.fetch(get(server));
  QVERIFY(again && !again->response.verdict.reused);
  again->body.release();
}

void TestClientPool::junkAfterResponseIsNotReused() {
  ClientRawServer server([](int fd, int index) {
    if (index > 0) return keepAlive(fd, index);
    if (ClientRawServer::readRequest(fd).empty()) return;
    ClientRawServer::writeAll(fd, ClientRawServer::okResponse("hello") + "JUNK");
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  });
  Client client(quickConfig());
  ClientEventLog log(client);
  auto ex = client.fetch(get(server));
  QVERIFY(ex);
  QCOMPARE(readBody(*ex), std::string("hello"));
  ex->body.release();
  QVERIFY(test::waitFor([&] { return closes(client, CloseReason::kFramingError) == 1; }));
  QVERIFY(log.has(EventKind::kClientWarning, "junk"));
  auto again = client.fetch(get(server));
  QVERIFY(again && !again->response.verdict.reused);
  again->body.release();
  QCOMPARE(server.accepts(), 2);
}

void TestClientPool::unsolicited408OnIdleIsDiscarded() {
  ClientRawServer server([](int fd, int index) {
    if (index > 0) return keepAlive(fd, index);
    if (ClientRawServer::readRequest(fd).empty()) return;
    ClientRawServer::writeAll(fd, ClientRawServer::okResponse("hello"));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ClientRawServer::writeAll(fd, "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  });
  Client client(quickConfig());
  auto ex = client.fetch(get(server));
  QVERIFY(ex);
  readBody(*ex);
  ex->body.release();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto again = client.fetch(get(server));
  QVERIFY2(again, again ? "" : again.error().message.c_str());
  QCOMPARE(again->response.status, 200);
  QCOMPARE(QString::fromStdString(again->response.verdict.text()), QString("new connection #2: peer closed while idle"));
  again->body.release();
}

namespace {
// Connection 0 answers one request, then reads the next and closes without a byte.
void closesSecondRequest(int fd, int index) {
  if (index > 0) return keepAlive(fd, index);
  if (ClientRawServer::readRequest(fd).empty()) return;
  ClientRawServer::writeAll(fd, ClientRawServer::okResponse("hello"));
  ClientRawServer::readRequest(fd);
}
}  // namespace

void TestClientPool::replayableRetriedOnceOnNewConnection() {
  ClientRawServer server(closesSecondRequest);
  Client client(quickConfig());
  auto ex = client.fetch(get(server));
  QVERIFY(ex);
  readBody(*ex);
  ex->body.release();
  QVERIFY(test::waitFor([&] { return test::idleConnections(client) == 1; }));
  auto again = client.fetch(get(server));
  QVERIFY2(again, again ? "" : again.error().message.c_str());
  QCOMPARE(QString::fromStdString(again->response.verdict.text()),
           QString("new connection #2: peer closed while idle (retried)"));
  QCOMPARE(readBody(*again), std::string("hello"));
  again->body.release();
  QCOMPARE(client.stats().retries, uint64_t{1});
  QCOMPARE(server.accepts(), 2);
}

void TestClientPool::postIsNeverRetriedSilently() {
  ClientRawServer server(closesSecondRequest);
  Client client(quickConfig());
  auto ex = client.fetch(get(server));
  QVERIFY(ex);
  ex->body.release();
  QVERIFY(test::waitFor([&] { return test::idleConnections(client) == 1; }));
  Request post = get(server);
  post.method = "POST";
  post.body = RequestBody::fromBytes("payload");
  auto r = client.fetch(post);
  QVERIFY(!r);
  QVERIFY2(r.error().message.find("not retried") != std::string::npos, r.error().message.c_str());
  QVERIFY2(r.error().message.find("POST is not idempotent") != std::string::npos, r.error().message.c_str());
  QCOMPARE(client.stats().retries, uint64_t{0});
  QCOMPARE(server.accepts(), 1);
}

void TestClientPool::maxConnsPerHostWaitsThenTimesOut() {
  ClientRawServer server(keepAlive);
  ClientConfig cfg = quickConfig();
  cfg.pool.maxConnsPerHost = 2;
  cfg.pool.connWaitTimeout = std::chrono::milliseconds(300);
  Client client(cfg);
  auto a = client.fetch(get(server));
  auto b = client.fetch(get(server));
  QVERIFY(a && b);
  auto t0 = std::chrono::steady_clock::now();
  auto c = client.fetch(get(server));
  auto waited = std::chrono::steady_clock::now() - t0;
  QVERIFY(!c);
  QCOMPARE(c.error().code, ErrorCode::kPoolExhausted);
  QVERIFY2(c.error().message.find("no free connection") != std::string::npos, c.error().message.c_str());
  QVERIFY(waited >= std::chrono::milliseconds(250));
  // A waiter gets the connection a release frees.
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    a->body.release();
  });
  auto d = client.fetch(get(server));
  releaser.join();
  QVERIFY2(d, d ? "" : d.error().message.c_str());
  QVERIFY(d->response.verdict.reused);
  d->body.release();
  b->body.release();
  QCOMPARE(server.accepts(), 2);
}

void TestClientPool::callbacksAndForward() {
  ClientRawServer server(keepAlive);
  Client client(quickConfig());
  ClientEventLog log(client);
  auto ex = client.fetch(get(server));
  QVERIFY(ex);
  std::atomic<uint64_t> bytes{0};
  std::atomic<bool> ended{false};
  ex->body.forward([&](std::string_view d) { bytes += d.size(); return BodyStream::Action::kContinue; },
                   [&](Status st) { ended = st.has_value(); });
  QVERIFY(test::waitFor([&] { return ended.load(); }));
  QCOMPARE(bytes.load(), uint64_t{5});
  QVERIFY(test::waitFor([&] { return test::idleConnections(client) == 1; }));  // implicit recycle
  ex->body.release();  // a second release after forwarding
  QVERIFY(test::waitFor([&] { return log.has(EventKind::kClientWarning, "double-release"); }));
  QCOMPARE(test::idleConnections(client), size_t{1});
}

void TestClientPool::closeDelimitedBody() {
  ClientRawServer server([](int fd, int) {
    if (ClientRawServer::readRequest(fd).empty()) return;
    ClientRawServer::writeAll(fd, "HTTP/1.0 200 OK\r\n\r\nclose-delimited body");
  });
  Client client(quickConfig());
  auto ex = client.fetch(get(server));
  QVERIFY(ex);
  QCOMPARE(readBody(*ex), std::string("close-delimited body"));
  ex->body.release();
  auto again = client.fetch(get(server));
  QVERIFY(again);
  QCOMPARE(QString::fromStdString(again->response.verdict.text()), QString("new connection #2: Connection: close"));
  QCOMPARE(readBody(*again), std::string("close-delimited body"));
  again->body.release();
}

#if __has_include("test_client_pool.moc")
QTEST_APPLESS_MAIN(TestClientPool)
#include "test_client_pool.moc"
#else
SLUICE_TEST_MAIN_WITHOUT_MOC("test_client_pool")
#endif
