// The /sink splice path (ServerConfig::sinkSplice): a Content-Length body goes socket ->
// pipe -> /dev/null without entering user space. Each case runs with splice on and off and
// holds the answer, the server's counters and the request events to the exact bytes sent;
// bodyBytesSpliced tells the two paths apart, so a case that never spliced fails.
#include <QtTest/QtTest>

#include <chrono>
#include <string>
#include <vector>

#include "engine/codec/json.h"
#include "engine/observe/event_buffer.h"
#include "support/raw_client.h"
#include "support/serve_fixture.h"

using namespace std::chrono_literals;
using sluice::server::ServerConfig;
using sluice::test::CliServer;
using sluice::test::InProcessServer;
using sluice::test::RawClient;
using sluice::test::RawResponse;
using sluice::test::makeRequest;

namespace {

constexpr size_t kBig = 8 * 1024 * 1024;

std::string body(size_t n) {
  std::string b(n, '\0');
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<char>('a' + i % 26);
  return b;
}

std::string putHead(size_t length, std::string_view extra = {}) {
  return makeRequest("PUT", "/sink", "Content-Length: " + std::to_string(length) + "\r\n" + std::string(extra));
}

/** The "bytes" figure of a /sink answer; -1 when the body is not the JSON it should be. */
long long sinkBytes(const RawResponse& r) {
  const auto json = sluice::codec::Json::parse(r.body, nullptr, false);
  if (json.is_discarded() || !json.is_object() || !json.contains("bytes") || !json["bytes"].is_number_unsigned()) return -1;
  return json["bytes"].get<long long>();
}

/** The request-finished events the server emitted so far (bounded wait for count of them). */
std::vector<sluice::observe::Event> finishedEvents(InProcessServer& srv, size_t count) {
  std::vector<sluice::observe::Event> all, out;
  const auto deadline = std::chrono::steady_clock::now() + 3s;
  while (out.size() < count && std::chrono::steady_clock::now() < deadline) {
    all.clear();
    srv.server().events().drainWait(all, 100ms);
    for (auto& e : all)
      if (e.kind == sluice::observe::EventKind::kRequestFinished) out.push_back(std::move(e));
  }
  return out;
}

bool startServer(InProcessServer& srv, bool splice, uint64_t maxBody = 0) {
  ServerConfig cfg;
  cfg.sinkSplice = splice;
  cfg.maxBodyBytes = maxBody;
  return srv.start(cfg);
}

}  // namespace

class TestSinkSplice : public QObject {
  Q_OBJECT

 private slots:
  void bigBodyExactOnAndOff_data();
  void bigBodyExactOnAndOff();
  void pipelinedRequestAfterSplicedBody_data();
  void pipelinedRequestAfterSplicedBody();
  void expectContinueThenSplice();
  void shortBodyThenClose_data();
  void shortBodyThenClose();
  void stalledSplicedBodyTimesOut();
  void chunkedBodyTakesTheParserPath();
  void bodyOverTheLimitGets413();
  void cliFlagIsChecked();
};

void TestSinkSplice::bigBodyExactOnAndOff_data() {
  QTest::addColumn<bool>("splice");
  QTest::newRow("splice on") << true;
  QTest::newRow("splice off") << false;
}

void TestSinkSplice::bigBodyExactOnAndOff() {
  QFETCH(bool, splice);
  InProcessServer srv;
  QVERIFY2(startServer(srv, splice), srv.error().c_str());
  RawClient c(srv.port());
  const std::string head = putHead(kBig);
  QVERIFY(c.send(head));
  QVERIFY(c.send(body(kBig), 10s));
  auto r = c.readFinalResponse(10s);
  QVERIFY2(r, c.error().c_str());
  QCOMPARE(r->status, 200);
  QCOMPARE(sinkBytes(*r), static_cast<long long>(kBig));
  QVERIFY(!r->hasHeader("Connection"));  // still keep-alive
  const auto s = srv.server().stats().snapshot();
  QCOMPARE(s.bytesIn, static_cast<uint64_t>(head.size() + kBig));  // every byte the client sent, once
  QCOMPARE(s.requests, uint64_t{1});
  QCOMPARE(s.badRequests, uint64_t{0});
  if (splice) QVERIFY2(s.bodyBytesSpliced > kBig / 2, "the body did not take the splice path");
  else QCOMPARE(s.bodyBytesSpliced, uint64_t{0});
  auto events = finishedEvents(srv, 1);
  QCOMPARE(events.size(), size_t{1});
  QCOMPARE(events[0].bytesIn, static_cast<uint64_t>(kBig));
  QCOMPARE(events[0].code, 200);
  QCOMPARE(events[0].outcome, sluice::observe::RequestOutcome::kComplete);
}

void TestSinkSplice::pipelinedRequestAfterSplicedBody_data() { bigBodyExactOnAndOff_data(); }

// The second request sits right behind the first body in the same send: splice must stop
// at the body's end and the parser must start the next request cleanly.
void TestSinkSplice::pipelinedRequestAfterSplicedBody() {
  QFETCH(bool, splice);
  InProcessServer srv;
  QVERIFY2(startServer(srv, splice), srv.error().c_str());
  RawClient c(srv.port());
  const size_t first = 3 * 1024 * 1024 + 17, second = 100'000;
  const std::string wire = putHead(first) + body(first) + putHead(second) + body(second) +
                           makeRequest("GET", "/status/204");
  QVERIFY(c.send(wire, 10s));
  for (size_t expected : {first, second}) {
    auto r = c.readFinalResponse(10s);
    QVERIFY2(r, c.error().c_str());
    QCOMPARE(r->status, 200);
    QCOMPARE(sinkBytes(*r), static_cast<long long>(expected));
  }
  auto last = c.readFinalResponse(5s);
  QVERIFY2(last, c.error().c_str());
  QCOMPARE(last->status, 204);
  const auto s = srv.server().stats().snapshot();
  QCOMPARE(s.bytesIn, static_cast<uint64_t>(wire.size()));
  QCOMPARE(s.requests, uint64_t{3});
  QCOMPARE(s.connectionsAccepted, uint64_t{1});
  if (splice) QVERIFY2(s.bodyBytesSpliced > first / 2, "the first body did not take the splice path");
  else QCOMPARE(s.bodyBytesSpliced, uint64_t{0});
  QVERIFY(s.bodyBytesSpliced <= first + second);
}

void TestSinkSplice::expectContinueThenSplice() {
  InProcessServer srv;
  QVERIFY2(startServer(srv, true), srv.error().c_str());
  RawClient c(srv.port());
  const size_t n = 2 * 1024 * 1024;
  QVERIFY(c.send(putHead(n, "Expect: 100-continue\r\n")));
  auto interim = c.readResponse(3s);
  QVERIFY2(interim, c.error().c_str());
  QCOMPARE(interim->status, 100);
  QVERIFY(c.send(body(n), 10s));
  auto r = c.readFinalResponse(10s);
  QVERIFY2(r, c.error().c_str());
  QCOMPARE(r->status, 200);
  QCOMPARE(sinkBytes(*r), static_cast<long long>(n));
  // Nothing of the body came with the head: under epoll all of it but the last byte (which
  // ends the message in the parser) is spliced. Under io_uring the first bytes land in a ring
  // buffer through the receive that was already waiting, and splice takes the rest.
  const uint64_t spliced = srv.server().stats().snapshot().bodyBytesSpliced;
  if (srv.server().ioBackend() == sluice::net::IoBackend::kEpoll)
    QCOMPARE(spliced, static_cast<uint64_t>(n - 1));
  else
    QVERIFY2(spliced >= n / 2 && spliced <= n - 1, std::to_string(spliced).c_str());
}

void TestSinkSplice::shortBodyThenClose_data() { bigBodyExactOnAndOff_data(); }

void TestSinkSplice::shortBodyThenClose() {
  QFETCH(bool, splice);
  InProcessServer srv;
  QVERIFY2(startServer(srv, splice), srv.error().c_str());
  RawClient c(srv.port());
  const std::string head = putHead(4 * 1024 * 1024);
  const size_t sent = 1024 * 1024;
  QVERIFY(c.send(head));
  QVERIFY(c.send(body(sent), 10s));
  QVERIFY(srv.waitBytesIn(head.size() + sent, 5s));
  c.shutdownWrite();
  // No answer: the connection closes, and the request is logged with the bytes it had.
  QCOMPARE(c.readUntilClose(5s), RawClient::PeerState::kClosed);
  QVERIFY2(c.received().empty(), c.received().c_str());
  auto events = finishedEvents(srv, 1);
  QCOMPARE(events.size(), size_t{1});
  // 499, as nginx logs a client that went away before the response (the outcome field
  // says complete: no response byte was pending, so the finish is reported as sent).
  QCOMPARE(events[0].code, 499);
  QCOMPARE(events[0].bytesIn, static_cast<uint64_t>(sent));
  QCOMPARE(events[0].bytesOut, uint64_t{0});
  const auto s = srv.server().stats().snapshot();
  QCOMPARE(s.bytesIn, static_cast<uint64_t>(head.size() + sent));
  QVERIFY(splice ? s.bodyBytesSpliced > 0 : s.bodyBytesSpliced == 0);
}

// The body idle timeout runs from the last spliced byte, as from the last read one.
void TestSinkSplice::stalledSplicedBodyTimesOut() {
  InProcessServer srv;
  ServerConfig cfg;
  cfg.bodyIdleTimeout = 300ms;
  QVERIFY2(srv.start(cfg), srv.error().c_str());
  RawClient c(srv.port());
  const std::string head = putHead(4 * 1024 * 1024);
  QVERIFY(c.send(head));
  QVERIFY(srv.waitBytesIn(head.size(), 3s));  // the head alone first: what follows can be spliced
  QVERIFY(c.send(body(1024 * 1024), 10s));
  QVERIFY(srv.waitBytesIn(head.size() + 1024 * 1024, 3s));
  const auto stalled = std::chrono::steady_clock::now();
  auto r = c.readFinalResponse(5s);
  QVERIFY2(r, c.error().c_str());
  QCOMPARE(r->status, 408);
  QVERIFY(std::chrono::steady_clock::now() - stalled < 3s);
  const auto s = srv.server().stats().snapshot();
  QVERIFY2(s.bodyBytesSpliced > 0, "the body did not take the splice path");
  QCOMPARE(s.timeouts, uint64_t{1});
}

void TestSinkSplice::chunkedBodyTakesTheParserPath() {
  InProcessServer srv;
  QVERIFY2(startServer(srv, true), srv.error().c_str());
  RawClient c(srv.port());
  std::string wire = makeRequest("PUT", "/sink", "Transfer-Encoding: chunked\r\n");
  size_t total = 0;
  for (size_t piece : {70'000u, 1u, 300'000u, 5u}) {
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", piece);
    wire += size + body(piece) + "\r\n";
    total += piece;
  }
  wire += "0\r\n\r\n";
  QVERIFY(c.send(wire, 10s));
  auto r = c.readFinalResponse(10s);
  QVERIFY2(r, c.error().c_str());
  QCOMPARE(r->status, 200);
  QCOMPARE(sinkBytes(*r), static_cast<long long>(total));
  const auto s = srv.server().stats().snapshot();
  QCOMPARE(s.bodyBytesSpliced, uint64_t{0});
  QCOMPARE(s.bytesIn, static_cast<uint64_t>(wire.size()));
}

void TestSinkSplice::bodyOverTheLimitGets413() {
  InProcessServer srv;
  QVERIFY2(startServer(srv, true, 1024 * 1024), srv.error().c_str());
  RawClient c(srv.port());
  QVERIFY(c.send(putHead(2 * 1024 * 1024)));
  auto r = c.readFinalResponse(5s);
  QVERIFY2(r, c.error().c_str());
  QCOMPARE(r->status, 413);
  QVERIFY2(r->body.find("larger than the limit of 1048576 bytes") != std::string::npos, r->body.c_str());
  QCOMPARE(srv.server().stats().snapshot().bodyBytesSpliced, uint64_t{0});
}

void TestSinkSplice::cliFlagIsChecked() {
  CliServer bad;
  QVERIFY(!bad.start({"--sink-splice", "sometimes"}));
  QVERIFY2(bad.error().find("bad value 'sometimes' for --sink-splice") != std::string::npos, bad.error().c_str());
  CliServer off;
  QVERIFY2(off.start({"--sink-splice", "off"}), off.error().c_str());
  RawClient c(off.port());
  QVERIFY(c.send(putHead(300'000) + body(300'000)));
  auto r = c.readFinalResponse(5s);
  QVERIFY2(r, c.error().c_str());
  QCOMPARE(sinkBytes(*r), 300'000LL);
  const auto exit = off.stop();
  QVERIFY2(exit.exited && exit.code == 0, exit.describe().c_str());
}

QTEST_APPLESS_MAIN(TestSinkSplice)
#include "test_sink_splice.moc"
