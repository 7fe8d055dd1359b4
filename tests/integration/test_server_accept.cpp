// The accept loop survives running out of descriptors (EMFILE): a sluice-cli child runs
// with a low RLIMIT_NOFILE, more clients connect than it may accept, and it must neither
// spin (CPU measured from /proc/<pid>/stat) nor stay deaf once descriptors free up.
// A server that cannot start listening says so: Server::start fails in words, and so does the CLI.
#include <QtTest/QtTest>

#include <cerrno>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/process.h"
#include "support/raw_client.h"
#include "support/serve_fixture.h"
#include "engine/net/event_loop.h"
#include "engine/server/server.h"

using namespace std::chrono_literals;
using sluice::test::CliServer;
using sluice::test::RawClient;
using sluice::test::makeRequest;

class TestServerAccept : public QObject {
  Q_OBJECT

 private slots:
  void descriptorExhaustionDoesNotSpinAndRecovers();
  void listenerWatchFailureIsAStartError();
  void cliReportsLoopSetupFailureInWords();
};

namespace {
class FixedHandler final : public sluice::server::RequestHandler {
 public:
  void onHead(sluice::server::Exchange& ex) override { ex.respond(204, {}, {}); }
};
}  // namespace

void TestServerAccept::listenerWatchFailureIsAStartError() {
  using namespace sluice;
  auto router = std::make_shared<server::Router>();
  router->add("", "/", server::Router::Match::kPrefix, [](const http::RequestHead&) { return std::make_unique<FixedHandler>(); });
  server::ServerConfig cfg;
  cfg.listen = "127.0.0.1:0";
  server::Server failing(cfg, router);
  net::EventLoop::failNextAdds(1, ENOSPC);  // as epoll_ctl does at fs.epoll.max_user_watches
  auto st = failing.start();
  net::EventLoop::failNextAdds(0, 0);
  QVERIFY2(!st, "start() succeeded although the listener could not be watched");
  QVERIFY2(st.error().message.find("cannot watch the listening socket") != std::string::npos, st.error().message.c_str());
  QVERIFY2(st.error().message.find(std::strerror(ENOSPC)) != std::string::npos, st.error().message.c_str());
  QVERIFY(!failing.running());

  // Nothing was left half-started: the same server starts and answers afterwards.
  QVERIFY2(failing.start(), "second start failed");
  auto r = sluice::test::fetch(failing.port(), makeRequest("GET", "/x"));
  QVERIFY(r && r->status == 204);
  failing.stop();
}

void TestServerAccept::cliReportsLoopSetupFailureInWords() {
  // Lowest limits first: each one leaves the CLI fewer descriptors. Some limit lets the
  // listening socket open but not the loop's epoll or eventfd descriptor.
  bool sawLoopError = false;
  for (uint64_t limit = 3; limit <= 24 && !sawLoopError; ++limit) {
    sluice::test::SpawnOptions opts;
    opts.maxOpenFiles = limit;
    CliServer s;
    if (s.start({"--workers", "1"}, opts, 3s)) {
      s.stop();
      break;  // enough descriptors from here on
    }
    auto exit = s.process().wait(3s);
    const bool loaderFailed = s.process().stderrText().find("error while loading shared libraries") != std::string::npos;
    if (exit && exit->exited && exit->code == 127 && loaderFailed) continue;  // too few even to load libstdc++
    QVERIFY2(exit && exit->exited && exit->code == 1, ("limit " + std::to_string(limit) + ": " + s.error()).c_str());
    const std::string err = s.process().stderrText();
    QVERIFY2(err.find("sluice-cli serve: ") != std::string::npos && err.find("Too many open files") != std::string::npos,
             err.c_str());
    sawLoopError = err.find("event loop") != std::string::npos;
  }
  QVERIFY2(sawLoopError, "no descriptor limit made the event loop setup fail");
}

void TestServerAccept::descriptorExhaustionDoesNotSpinAndRecovers() {
  constexpr uint64_t kFdLimit = 32;
  constexpr int kClients = 120;
  sluice::test::SpawnOptions opts;
  opts.maxOpenFiles = kFdLimit;
  CliServer s;
  QVERIFY2(s.start({"--workers", "1"}, opts), s.error().c_str());
  const size_t baseFds = sluice::test::procOpenFds(s.pid());
  qInfo("server pid %d: %zu descriptors open at start, RLIMIT_NOFILE %llu", int(s.pid()), baseFds,
        static_cast<unsigned long long>(kFdLimit));
  QVERIFY(baseFds > 0 && baseFds < kFdLimit);

  // A normal request works before the flood.
  auto before = sluice::test::fetch(s.port(), makeRequest("GET", "/status/200"));
  QVERIFY(before && before->status == 200);

  // Flood: far more connections than descriptors. The kernel completes the handshakes
  // (backlog), the server can accept only up to its limit.
  std::vector<std::unique_ptr<RawClient>> clients;
  for (int i = 0; i < kClients; ++i) {
    auto c = std::make_unique<RawClient>();
    QVERIFY2(c->connect(s.port(), 2s), c->error().c_str());
    // Half of them send a partial head, so accepted ones stay busy.
    if (i % 2) c->send("GET /status/200 HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    clients.push_back(std::move(c));
  }
  QVERIFY2(s.process().waitForStderr("accept paused", 3s),
           ("the server never ran out of descriptors: " + s.process().stderrText()).c_str());
  QVERIFY2(sluice::test::procOpenFds(s.pid()) <= kFdLimit, "more descriptors than the limit");

  // Over about a second of held flood the server must stay nearly idle (no busy accept loop).
  auto cpu0 = sluice::test::procCpuSeconds(s.pid());
  auto t0 = std::chrono::steady_clock::now();
  QVERIFY(cpu0);
  std::this_thread::sleep_for(1000ms);
  auto cpu1 = sluice::test::procCpuSeconds(s.pid());
  QVERIFY(cpu1);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double share = (*cpu1 - *cpu0) / wall;
  qInfo("during the flood: %.3f s CPU over %.3f s (%.1f%% of one core), %zu descriptors open", *cpu1 - *cpu0, wall,
        share * 100, sluice::test::procOpenFds(s.pid()));
  QVERIFY2(share < 0.30, qPrintable(QString("server used %1% of a core while out of descriptors").arg(share * 100)));

  // Release the descriptors: the server answers again.
  clients.clear();
  std::optional<sluice::test::RawResponse> after;
  for (int attempt = 0; attempt < 20 && !after; ++attempt) {
    after = sluice::test::fetch(s.port(), makeRequest("GET", "/status/201"), 1s);
    if (!after) std::this_thread::sleep_for(100ms);
  }
  QVERIFY2(after, "no answer after the clients closed");
  QCOMPARE(after->status, 201);
  auto exit = s.stop();
  QVERIFY2(exit.exited && exit.code == 0, exit.describe().c_str());
}

QTEST_APPLESS_MAIN(TestServerAccept)
#include "test_server_accept.moc"
