// The request loop (issue 15, client row): a request sent again unchanged reuses the head
// serialized for its first send (Request::preparedHead), and what goes on the wire stays
// byte for byte what a freshly built request sends; nothing of it leaks into a redirect
// hop or into another client's requests.
#include <QtTest>

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <fstream>
#include <future>
#include <mutex>
#include <string>
#include <vector>

#include "engine/client/client.h"
#include "engine/client/redirect.h"
#include "support/client_raw_server.h"
#include "support/process.h"
#include "support/serve_fixture.h"

using sluice::client::Client;
using sluice::client::ClientConfig;
using sluice::client::PreparedHead;
using sluice::client::Request;
using sluice::client::RequestBody;
using sluice::test::ClientRawServer;

namespace {

/**
 * Reads one request (head and Content-Length body) from fd, keeping bytes that follow it
 * in carry; answers "Expect: 100-continue" with a 100 first. Empty on EOF or a 5 s silence.
 */
std::string readOne(int fd, std::string& carry) {
  char buf[4096];
  auto more = [&] {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 5000) <= 0) return false;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n > 0) carry.append(buf, static_cast<size_t>(n));
    return n > 0;
  };
  while (carry.find("\r\n\r\n") == std::string::npos)
    if (!more()) return {};
  size_t headEnd = carry.find("\r\n\r\n") + 4;
  std::string head = carry.substr(0, headEnd);
  if (head.find("Expect: 100-continue") != std::string::npos) ClientRawServer::writeAll(fd, "HTTP/1.1 100 Continue\r\n\r\n");
  size_t want = headEnd;
  if (auto cl = head.find("Content-Length: "); cl != std::string::npos) want += std::stoul(head.substr(cl + 16));
  while (carry.size() < want)
    if (!more()) return {};
  std::string one = carry.substr(0, want);
  carry.erase(0, want);
  return one;
}

/** A keep-alive server that records every request and answers each with 200 "ok", or with redirectTo for /first. */
struct KeepAliveRecorder {
  std::mutex mutex;
  std::vector<std::string> requests;
  ClientRawServer raw{[this](int fd, int) {
    std::string carry;
    for (std::string req; !(req = readOne(fd, carry)).empty();) {
      {
        std::lock_guard lock(mutex);
        requests.push_back(req);
      }
      if (req.starts_with("GET /first ")) ClientRawServer::writeAll(fd, "HTTP/1.1 302 Found\r\nLocation: /second\r\nContent-Length: 0\r\n\r\n");
      else ClientRawServer::writeAll(fd, ClientRawServer::okResponse("ok"));
    }
  }};
  std::vector<std::string> all() {
    std::lock_guard lock(mutex);
    return requests;
  }
};

/** Sends request with fetch() and reads the body to its end; the status, or -1. */
int fetchWhole(Client& client, Request request) {
  auto ex = client.fetch(std::move(request));
  if (!ex) return -1;
  while (auto chunk = ex->body.next(std::chrono::milliseconds(5000)))
    if (chunk->empty()) break;
  ex->body.release();
  return ex->response.status;
}

Request postRequest(const std::string& url, size_t bodyBytes) {
  auto req = Request::get(url);
  req->method = "POST";
  req->headers.add("X-Trace", "a");
  req->body = RequestBody::fromBytes(std::string(bodyBytes, 'b'));
  return std::move(*req);
}

/**
 * Connection 0 reads one request and says so, waits for answerNow, then answers it and
 * closes at once (a FIN right behind a complete keep-alive response, no Connection:
 * close) and says so; later connections answer every request with 200 "ok".
 */
struct ClosingAfterFirst {
  std::promise<void> gotRequest, answerNow, closed;
  ClientRawServer raw{[this](int fd, int index) {
    std::string carry;
    if (index > 0) {
      for (std::string req; !(req = readOne(fd, carry)).empty();) ClientRawServer::writeAll(fd, ClientRawServer::okResponse("ok"));
      return;
    }
    if (readOne(fd, carry).empty()) return;
    gotRequest.set_value();
    answerNow.get_future().wait_for(std::chrono::seconds(5));
    ClientRawServer::writeAll(fd, ClientRawServer::okResponse("ok"));
    ::shutdown(fd, SHUT_RDWR);
    closed.set_value();
  }};
};

/**
 * The race the liveness check is about: the response and the peer's FIN are both queued
 * when the loop reads, and the next request is taken off the pool in that same turn (as
 * the CLI's loop does, from the end of the previous body), before anything reports the
 * FIN. The loop thread is held in a snapshot callback while the server answers and closes.
 */
sluice::client::ReuseVerdict reuseAfterPeerClose(const ClientConfig& config, Request second, uint64_t& retries) {
  ClosingAfterFirst srv;
  Client client(config);
  second.url = Request::get(srv.raw.url("/b"))->url;
  std::promise<sluice::Result<sluice::client::Exchange>> answer;
  std::unique_ptr<sluice::client::Exchange> first;
  auto sendSecond = [&] {
    client.send(std::move(second), [&](sluice::Result<sluice::client::Exchange> ex) {
      if (ex) ex->body.release();
      answer.set_value(std::move(ex));
    });
  };
  client.send(*Request::get(srv.raw.url("/a")), [&](sluice::Result<sluice::client::Exchange> ex) {
    if (!ex) return answer.set_value(std::move(ex));
    first = std::make_unique<sluice::client::Exchange>(std::move(*ex));
    first->body.setCallbacks([](std::string_view) { return sluice::client::BodyStream::Action::kContinue; },
                             [&](sluice::Status) {
                               first->body.release();
                               sendSecond();
                             });
  });
  srv.gotRequest.get_future().wait_for(std::chrono::seconds(5));
  std::promise<void> hold, held;
  client.snapshotAsync([&](sluice::client::PoolSnapshot) {
    held.set_value();
    hold.get_future().wait_for(std::chrono::seconds(5));
  });
  held.get_future().wait_for(std::chrono::seconds(5));
  srv.answerNow.set_value();
  srv.closed.get_future().wait_for(std::chrono::seconds(5));
  hold.set_value();
  auto got = answer.get_future();
  got.wait_for(std::chrono::seconds(5));
  auto ex = got.get();
  retries = client.stats().retries;
  (void)client.snapshot();  // the first exchange's callbacks have returned
  first.reset();
  if (!ex) return sluice::client::ReuseVerdict{};
  return ex->response.verdict;
}

}  // namespace

class TestClientRepeat : public QObject {
  Q_OBJECT
 private slots:
  void repeatsSendTheSameBytesAsAFreshRequest_data() {
    QTest::addColumn<int>("bodyBytes");
    QTest::addColumn<bool>("expect");
    QTest::newRow("POST, small body") << 5 << false;
    QTest::newRow("POST, body above the Expect threshold") << 4096 << true;
  }
  void repeatsSendTheSameBytesAsAFreshRequest() {
    QFETCH(int, bodyBytes);
    QFETCH(bool, expect);
    KeepAliveRecorder srv;
    ClientConfig config;
    config.expectContinueBytes = 1024;
    Client client(config);
    QCOMPARE(fetchWhole(client, postRequest(srv.raw.url("/p"), static_cast<size_t>(bodyBytes))), 200);  // built fresh
    Request repeated = postRequest(srv.raw.url("/p"), static_cast<size_t>(bodyBytes));
    repeated.preparedHead = std::make_shared<PreparedHead>();
    for (int i = 0; i < 3; ++i) QCOMPARE(fetchWhole(client, repeated), 200);
    QVERIFY2(repeated.preparedHead->builtBy != nullptr, "the first send did not keep its head");
    auto got = srv.all();
    QCOMPARE(got.size(), size_t{4});
    for (size_t i = 1; i < got.size(); ++i) QCOMPARE(got[i], got[0]);
    QCOMPARE(got[0].find("Expect: 100-continue") != std::string::npos, expect);
    QVERIFY(got[0].ends_with(std::string(static_cast<size_t>(bodyBytes), 'b')));
    QCOMPARE(client.stats().connectionsOpened, uint64_t{1});
  }

  void anotherClientBuildsItsOwnHead() {
    KeepAliveRecorder srv;
    ClientConfig a, b;
    a.userAgent = "client-a";
    b.userAgent = "client-b";
    Client first(a), second(b);
    auto req = Request::get(srv.raw.url("/x"));
    req->preparedHead = std::make_shared<PreparedHead>();
    QCOMPARE(fetchWhole(first, *req), 200);
    QCOMPARE(fetchWhole(second, *req), 200);
    auto got = srv.all();
    QCOMPARE(got.size(), size_t{2});
    QVERIFY2(got[0].find("User-Agent: client-a\r\n") != std::string::npos, got[0].c_str());
    QVERIFY2(got[1].find("User-Agent: client-b\r\n") != std::string::npos, got[1].c_str());
  }

  void aRedirectHopGetsAHeadOfItsOwn() {
    KeepAliveRecorder srv;
    Client client;
    auto req = Request::get(srv.raw.url("/first"));
    req->preparedHead = std::make_shared<PreparedHead>();
    sluice::client::RedirectPolicy follow;
    follow.follow = true;
    for (int i = 0; i < 2; ++i) {
      auto done = sluice::client::fetchFollowing(client, *req, follow);
      QVERIFY2(done, done ? "" : done.error().message.c_str());
      QCOMPARE(done->exchange.response.status, 200);
      done->exchange.body.release();
    }
    auto got = srv.all();
    QCOMPARE(got.size(), size_t{4});
    for (size_t i = 0; i < got.size(); ++i)
      QVERIFY2(got[i].starts_with(i % 2 == 0 ? "GET /first HTTP/1.1\r\n" : "GET /second HTTP/1.1\r\n"), got[i].c_str());
  }

  // Events are collected per loop turn and pushed in one batch: none may be lost or
  // late. Every request's head event is in the buffer when its head reaches the caller,
  // and everything recorded is in it once the client has settled.
  void batchedEventsAreCompleteAndInOrder() {
    KeepAliveRecorder srv;
    Client client;
    auto req = Request::get(srv.raw.url("/e"));
    req->preparedHead = std::make_shared<PreparedHead>();
    constexpr int kRequests = 50;
    std::vector<sluice::observe::Event> events;
    for (int i = 0; i < kRequests; ++i) {
      // Drained inside the head callback, on the loop thread, before that turn ends.
      std::promise<bool> headEventSeen;
      client.send(*req, [&](sluice::Result<sluice::client::Exchange> ex) {
        client.events().drain(events);
        bool seen = ex && !events.empty() && events.back().kind == sluice::observe::EventKind::kClientRequest &&
                    events.back().requestId == ex->response.requestId && events.back().code == 200;
        if (ex) ex->body.release();
        headEventSeen.set_value(seen);
      });
      auto seen = headEventSeen.get_future();
      QVERIFY(seen.wait_for(std::chrono::seconds(5)) == std::future_status::ready);
      QVERIFY2(seen.get(), "the head event was not in the buffer when the head was delivered");
    }
    QVERIFY(client.settle(std::chrono::milliseconds(5000)));
    client.events().drain(events);
    auto count = [&](sluice::observe::EventKind kind, const std::string& text) {
      return std::count_if(events.begin(), events.end(), [&](const auto& e) { return e.kind == kind && e.text == text; });
    };
    using K = sluice::observe::EventKind;
    QCOMPARE(count(K::kClientRequest, "complete"), kRequests);
    QCOMPARE(count(K::kClientConnState, "writing request"), kRequests);
    QCOMPARE(count(K::kClientConnState, "awaiting head"), kRequests);
    QCOMPARE(count(K::kClientConnState, "idle"), kRequests);
    QCOMPARE(client.events().dropped(), uint64_t{0});
    for (size_t i = 1; i < events.size(); ++i) QVERIFY2(events[i].timeNs >= events[i - 1].timeNs, "events out of order");
    QCOMPARE(client.stats().reused, uint64_t{kRequests - 1});
  }

  // A replayable request skips the MSG_PEEK and meets the closed connection: the retry
  // rule sends it again on a new connection, and says so.
  void aReplayableRequestIsRetriedWithoutAPeek() {
    uint64_t retries = 0;
    auto v = reuseAfterPeerClose(ClientConfig{}, *Request::get("http://127.0.0.1:1/"), retries);
    QVERIFY2(v.text() == "new connection #2: peer closed while idle (retried)", v.text().c_str());
    QCOMPARE(retries, uint64_t{1});
  }

  // A POST could not be retried, so the idle connection is peeked at first: the FIN is
  // seen and the POST goes on a new connection, never onto the closed one.
  void aRequestThatCannotBeRetriedIsPeekedFirst() {
    uint64_t retries = 0;
    Request post = postRequest("http://127.0.0.1:1/", 3);
    auto v = reuseAfterPeerClose(ClientConfig{}, std::move(post), retries);
    QVERIFY2(v.text() == "new connection #2: peer closed while idle", v.text().c_str());
    QCOMPARE(retries, uint64_t{0});
  }

  void probingBeforeEveryReuseIsAChoice() {
    ClientConfig config;
    config.probeIdleBeforeEveryReuse = true;
    uint64_t retries = 0;
    auto v = reuseAfterPeerClose(config, *Request::get("http://127.0.0.1:1/"), retries);
    QVERIFY2(v.text() == "new connection #2: peer closed while idle", v.text().c_str());
    QCOMPARE(retries, uint64_t{0});
  }

  // -o FILE gathers bodies into larger writes: every body is in the file, in order, when
  // the run ends, with the buffer, with -N, and with a buffer smaller than one response.
  void gatheredOutputIsCompleteAndInOrder_data() {
    QTest::addColumn<QStringList>("flags");
    QTest::newRow("default buffer") << QStringList{};
    QTest::newRow("-N") << QStringList{"-N"};
    QTest::newRow("buffer smaller than a head") << QStringList{"--output-buffer", "7"};
  }
  void gatheredOutputIsCompleteAndInOrder() {
    QFETCH(QStringList, flags);
    KeepAliveRecorder srv;
    QTemporaryDir dir;
    std::string out = dir.filePath("bodies").toStdString();
    std::vector<std::string> args{sluice::test::cliPath(), "request", "-s", "-i", "--repeat", "40", "-o", out};
    for (const auto& f : flags) args.push_back(f.toStdString());
    args.push_back(srv.raw.url("/r"));
    auto run = sluice::test::runProcess(args, std::chrono::seconds(20));
    QVERIFY2(run.ok(), run.err.c_str());
    std::ifstream in(out, std::ios::binary);
    std::string got((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string one = ClientRawServer::okResponse("ok");
    std::string want;
    for (int i = 0; i < 40; ++i) want += one.substr(0, one.find("\r\n\r\n") + 4) + "ok";
    QCOMPARE(got.size(), want.size());
    QVERIFY(got == want);
  }
};

QTEST_APPLESS_MAIN(TestClientRepeat)
#include "test_client_repeat.moc"
