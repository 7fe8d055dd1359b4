// Client timeouts (issue 14, item 4): connect, response head, body idle and the total
// deadline are enforced in the engine with worded errors, against a silent raw server,
// a listener that never accepts, /fault/stall and /drip.
#include <QtTest>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include "engine/client/client.h"
#include "support/client_raw_server.h"
#include "support/serve_fixture.h"

using namespace std::chrono_literals;
using sluice::ErrorCode;
using sluice::client::Client;
using sluice::client::ClientConfig;
using sluice::client::Request;
using sluice::test::ClientRawServer;
using Clock = std::chrono::steady_clock;

namespace {

/** Reads the request, then says nothing until the client goes away. */
void silent(int fd, int) {
  ClientRawServer::readRequest(fd);
  pollfd p{fd, POLLIN, 0};
  ::poll(&p, 1, 10000);
}

/** A listener with a backlog of one that never accepts: once full, connects hang. */
struct FullBacklog {
  int listenFd = -1;
  std::vector<int> fillers;
  uint16_t port = 0;
  FullBacklog() {
    listenFd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listenFd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(listenFd, 0);
    socklen_t len = sizeof a;
    ::getsockname(listenFd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
    for (int i = 0; i < 4; ++i) {  // fill the accept queue; later SYNs are dropped
      int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
      ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
      fillers.push_back(fd);
    }
  }
  ~FullBacklog() {
    for (int fd : fillers) ::close(fd);
    ::close(listenFd);
  }
};

double secondsSince(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

}  // namespace

class TestClientTimeouts : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { QVERIFY2(srv_.start(), srv_.error().c_str()); }
  void cleanupTestCase() { srv_.stop(); }

  void connectTimeoutIsWorded() {
    FullBacklog backlog;
    ClientConfig cfg;
    cfg.connectTimeout = 300ms;
    Client client(cfg);
    auto t0 = Clock::now();
    auto ex = client.fetch(*Request::get("http://127.0.0.1:" + std::to_string(backlog.port) + "/"));
    QVERIFY(!ex);
    QCOMPARE(ex.error().code, ErrorCode::kTimeout);
    QVERIFY2(ex.error().message.find("timed out after 300 ms") != std::string::npos, ex.error().message.c_str());
    QVERIFY(secondsSince(t0) < 3);
  }

  void headTimeoutOnASilentServer() {
    ClientRawServer raw(silent);
    ClientConfig cfg;
    cfg.headTimeout = 300ms;
    Client client(cfg);
    auto t0 = Clock::now();
    auto ex = client.fetch(*Request::get(raw.url("/")));
    QVERIFY(!ex);
    QCOMPARE(ex.error().code, ErrorCode::kTimeout);
    QVERIFY2(ex.error().message.find("no response head within 300 ms") != std::string::npos, ex.error().message.c_str());
    QVERIFY(secondsSince(t0) < 3);
  }

  void totalDeadlineBeforeTheHead() {
    ClientRawServer raw(silent);
    ClientConfig cfg;
    cfg.totalTimeout = 300ms;
    Client client(cfg);
    auto t0 = Clock::now();
    auto ex = client.fetch(*Request::get(raw.url("/")));
    QVERIFY(!ex);
    QCOMPARE(ex.error().code, ErrorCode::kTimeout);
    QVERIFY2(ex.error().message.find("total time limit of 300 ms") != std::string::npos, ex.error().message.c_str());
    QVERIFY(secondsSince(t0) < 3);
  }

  void bodyIdleTimeoutOnAStall() {
    ClientConfig cfg;
    cfg.bodyIdleTimeout = 300ms;
    Client client(cfg);
    auto t0 = Clock::now();
    auto ex = client.fetch(*Request::get(srv_.url("/fault/stall/20000?bytes=100")));
    QVERIFY2(ex, ex ? "" : ex.error().message.c_str());
    QCOMPARE(ex->response.status, 200);
    std::string body;
    auto st = ex->body.readAll(body, 1 << 20, 10000ms);
    QVERIFY(!st);
    QCOMPARE(st.error().code, ErrorCode::kTimeout);
    QVERIFY2(st.error().message.find("no response body byte for 300 ms") != std::string::npos, st.error().message.c_str());
    QCOMPARE(body.size(), size_t(50));
    QVERIFY(secondsSince(t0) < 5);
    ex->body.release();
  }

  void totalDeadlineStopsATrickle() {
    ClientConfig cfg;
    cfg.totalTimeout = 600ms;
    cfg.bodyIdleTimeout = 300ms;  // a byte every 50 ms never trips the idle timeout
    Client client(cfg);
    auto t0 = Clock::now();
    auto ex = client.fetch(*Request::get(srv_.url("/drip?bytes=1000&interval=50")));
    QVERIFY2(ex, ex ? "" : ex.error().message.c_str());
    std::string body;
    auto st = ex->body.readAll(body, 1 << 20, 10000ms);
    QVERIFY(!st);
    QCOMPARE(st.error().code, ErrorCode::kTimeout);
    QVERIFY2(st.error().message.find("total time limit of 600 ms") != std::string::npos, st.error().message.c_str());
    QVERIFY(!body.empty());
    QVERIFY(body.size() < 1000);
    QVERIFY(secondsSince(t0) < 5);
    ex->body.release();
  }

  // Also a regression test for a stall: a pause at the last body byte left the message
  // end owed until more input came, so the stream never ended on a kept-alive connection.
  void aSlowReaderIsNotABodyIdleTimeout() {
    ClientConfig cfg;
    cfg.bodyIdleTimeout = 200ms;
    cfg.streamBufferBytes = 64 * 1024;
    Client client(cfg);
    auto ex = client.fetch(*Request::get(srv_.url("/bytes/4194304")));
    QVERIFY2(ex, ex ? "" : ex.error().message.c_str());
    std::this_thread::sleep_for(600ms);  // the reader is away; the client stopped reading for it
    std::string body;
    auto st = ex->body.readAll(body, 8 << 20, 10000ms);
    QVERIFY2(st, st ? "" : (st.error().message + " after " + std::to_string(body.size())).c_str());
    QCOMPARE(body.size(), size_t(4194304));
    ex->body.release();
  }

  void aRequestsOwnTotalTimeoutWins() {
    ClientRawServer raw(silent);
    Client client;
    auto req = Request::get(raw.url("/"));
    req->totalTimeout = 200ms;
    auto ex = client.fetch(std::move(*req));
    QVERIFY(!ex);
    QCOMPARE(ex.error().code, ErrorCode::kTimeout);
    QVERIFY(ex.error().message.find("200 ms") != std::string::npos);
  }

  // The GUI sets connect and body idle limits per request: they win over the client's.
  void aRequestsOwnConnectTimeoutWins() {
    FullBacklog backlog;
    Client client;  // default connect timeout: 5 s
    auto req = Request::get("http://127.0.0.1:" + std::to_string(backlog.port) + "/");
    req->connectTimeout = 250ms;
    auto t0 = Clock::now();
    auto ex = client.fetch(std::move(*req));
    QVERIFY(!ex);
    QCOMPARE(ex.error().code, ErrorCode::kTimeout);
    QVERIFY2(ex.error().message.find("timed out after 250 ms") != std::string::npos, ex.error().message.c_str());
    QVERIFY(secondsSince(t0) < 3);
  }

  void aRequestsOwnBodyIdleTimeoutWins() {
    Client client;  // default body idle timeout: 30 s
    auto req = Request::get(srv_.url("/fault/stall/20000?bytes=100"));
    req->bodyIdleTimeout = 250ms;
    auto ex = client.fetch(std::move(*req));
    QVERIFY2(ex, ex ? "" : ex.error().message.c_str());
    std::string body;
    auto st = ex->body.readAll(body, 1 << 20, 10000ms);
    QVERIFY(!st);
    QVERIFY2(st.error().message.find("no response body byte for 250 ms") != std::string::npos, st.error().message.c_str());
    ex->body.release();
  }

 private:
  sluice::test::InProcessServer srv_;
};

QTEST_APPLESS_MAIN(TestClientTimeouts)
#include "test_client_timeouts.moc"
