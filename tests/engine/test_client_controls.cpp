// Client controls used by the GUI: cancelling a request before its head, and
// changing pool limits on a live client.
#include <QtTest>

#include <chrono>
#include <future>

#include "engine/client/client.h"
#include "support/serve_fixture.h"

using namespace std::chrono_literals;
using sluice::ErrorCode;
using sluice::client::Client;
using sluice::client::ClientConfig;
using sluice::client::Exchange;
using sluice::client::Request;

namespace {
using HeadResult = sluice::Result<Exchange>;

std::future<HeadResult> sendAsync(Client& c, const std::string& url, uint64_t* idOut = nullptr) {
  auto p = std::make_shared<std::promise<HeadResult>>();
  auto f = p->get_future();
  uint64_t id = c.send(*Request::get(url), [p](HeadResult r) { p->set_value(std::move(r)); });
  if (idOut) *idOut = id;
  return f;
}
}  // namespace

class TestClientControls : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { QVERIFY2(srv_.start(), srv_.error().c_str()); }
  void cleanupTestCase() { srv_.stop(); }

  void cancelBeforeTheHeadFailsTheRequestAtOnce() {
    Client client;
    uint64_t id = 0;
    auto t0 = std::chrono::steady_clock::now();
    auto f = sendAsync(client, srv_.url("/delay/3000"), &id);
    std::this_thread::sleep_for(100ms);
    client.cancel(id);
    QCOMPARE(f.wait_for(2s), std::future_status::ready);
    HeadResult r = f.get();
    QVERIFY(!r);
    QCOMPARE(r.error().code, ErrorCode::kCancelled);
    QVERIFY(std::chrono::steady_clock::now() - t0 < 2s);
    // The cancelled connection is closed, never pooled: the next request opens a new one.
    auto next = client.fetch(*Request::get(srv_.url("/status/204")));
    QVERIFY2(next, next ? "" : next.error().message.c_str());
    QCOMPARE(next->response.status, 204);
    QVERIFY(!next->response.verdict.reused);
    next->body.release();
  }

  void cancelOfAWaitingRequestLeavesOthersAlone() {
    ClientConfig cfg;
    cfg.pool.maxConnsPerHost = 1;
    cfg.pool.connWaitTimeout = 5000ms;
    Client client(cfg);
    auto held = client.fetch(*Request::get(srv_.url("/bytes/10")));  // holds the only slot
    QVERIFY(held);
    uint64_t id = 0;
    auto waiting = sendAsync(client, srv_.url("/status/200"), &id);
    QCOMPARE(waiting.wait_for(200ms), std::future_status::timeout);
    client.cancel(id);
    QCOMPARE(waiting.wait_for(2s), std::future_status::ready);
    auto r = waiting.get();
    QVERIFY(!r);
    QCOMPARE(r.error().code, ErrorCode::kCancelled);
    std::string body;
    QVERIFY(held->body.readAll(body, 1024, 2000ms));
    QCOMPARE(body.size(), size_t(10));
    held->body.release();
  }

  void raisingMaxConnsLetsAWaiterGo() {
    ClientConfig cfg;
    cfg.pool.maxConnsPerHost = 1;
    cfg.pool.connWaitTimeout = 5000ms;
    Client client(cfg);
    auto held = client.fetch(*Request::get(srv_.url("/bytes/10")));
    QVERIFY(held);
    auto waiting = sendAsync(client, srv_.url("/status/201"));
    QCOMPARE(waiting.wait_for(200ms), std::future_status::timeout);
    auto limits = client.poolLimits();
    QCOMPARE(limits.maxConnsPerHost, size_t(1));
    limits.maxConnsPerHost = 2;
    client.setPoolLimits(limits);
    QCOMPARE(waiting.wait_for(2s), std::future_status::ready);
    auto r = waiting.get();
    QVERIFY2(r, r ? "" : r.error().message.c_str());
    QCOMPARE(r->response.status, 201);
    QCOMPARE(client.poolLimits().maxConnsPerHost, size_t(2));
    r->body.release();
    held->body.release();
  }

  void loweringMaxIdleClosesTheOldestIdle() {
    Client client;
    auto a = client.fetch(*Request::get(srv_.url("/status/200")));
    auto b = client.fetch(*Request::get(srv_.url("/status/200")));  // a second connection while a is held
    QVERIFY(a && b);
    QVERIFY(a->body.discardAll(2000ms) && b->body.discardAll(2000ms));
    a->body.release();
    b->body.release();
    QTRY_COMPARE_WITH_TIMEOUT(client.snapshot().hosts.at(0).connections.size(), size_t(2), 2000);
    auto limits = client.poolLimits();
    limits.maxIdlePerHost = 1;
    client.setPoolLimits(limits);
    QTRY_COMPARE_WITH_TIMEOUT(client.snapshot().hosts.at(0).connections.size(), size_t(1), 2000);
  }

 private:
  sluice::test::InProcessServer srv_;
};

QTEST_APPLESS_MAIN(TestClientControls)
#include "test_client_controls.moc"
