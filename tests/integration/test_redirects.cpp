// Following redirects against our server and nginx: every status with a file body,
// credentials across origins, loops, the limit, a body that cannot be replayed, and
// the final body stream handed over whole (Hertz issue 1423).
#include <QtTest>

#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/client/redirect.h"
#include "support/client_nginx.h"
#include "support/process.h"
#include "support/serve_fixture.h"
#include "support/test_env.h"

using namespace sluice;
using namespace sluice::client;
using namespace sluice::test;
using namespace std::chrono_literals;

namespace {

RedirectPolicy follow(int max = 10) {
  RedirectPolicy p;
  p.follow = true;
  p.maxRedirects = max;
  return p;
}

/** Follows and reads the final JSON body; the hops go to hops. */
Result<nlohmann::json> followJson(Client& c, Request req, const RedirectPolicy& p, std::vector<RedirectHop>* hops = nullptr) {
  auto f = fetchFollowing(c, std::move(req), p);
  if (!f) return unexpected<Error>(f.error());
  std::string body;
  auto n = f->exchange.body.readAll(body, 1 << 20, 10s);
  f->exchange.body.release();
  if (!n) return unexpected<Error>(n.error());
  if (hops) *hops = f->hops;
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded()) return fail(ErrorCode::kParse, "not JSON: " + body);
  return j;
}

}  // namespace

class TestRedirects : public QObject {
  Q_OBJECT
  InProcessServer server_;
  std::unique_ptr<ClientNginx> nginx_;
  std::unique_ptr<Client> client_;
  std::string dir_;
  std::string file_;

  Request postFile(const std::string& url) {
    auto r = Request::get(url);
    r->method = "POST";
    r->body = RequestBody::fromFile(file_);
    r->headers.add("Content-Type", "application/octet-stream");
    return *r;
  }

 private slots:
  void initTestCase() {
    dir_ = makeTempDir("redirects");
    file_ = dir_ + "/body.bin";
    std::ofstream(file_, std::ios::binary) << std::string(300000, 'f');
    QVERIFY2(server_.start(), server_.error().c_str());
    // nginx answers each status by sending the client to our server: another origin.
    NginxOptions o;
    for (int s : {301, 302, 303, 307, 308})
      o.extraLocations += "    location = /r/" + std::to_string(s) + " { return " + std::to_string(s) + " " +
                          server_.url("/redirect/0") + "; }\n";
    nginx_ = std::make_unique<ClientNginx>(o);
    QVERIFY2(nginx_->ok(), nginx_->error().c_str());
    client_ = std::make_unique<Client>();
  }
  void cleanupTestCase() {
    client_.reset();
    nginx_.reset();
    server_.stop();
    removeTree(dir_);
  }

  void fileBodyPerStatus_data() {
    QTest::addColumn<int>("status");
    QTest::addColumn<bool>("viaNginx");
    QTest::addColumn<QString>("method");
    QTest::addColumn<int>("bodyBytes");
    for (bool n : {false, true}) {
      const char* who = n ? "nginx" : "sluice";
      QTest::addRow("%s 301", who) << 301 << n << "GET" << 0;
      QTest::addRow("%s 302", who) << 302 << n << "GET" << 0;
      QTest::addRow("%s 303", who) << 303 << n << "GET" << 0;
      QTest::addRow("%s 307", who) << 307 << n << "POST" << 300000;
      QTest::addRow("%s 308", who) << 308 << n << "POST" << 300000;
    }
  }
  void fileBodyPerStatus() {
    QFETCH(int, status);
    QFETCH(bool, viaNginx);
    QFETCH(QString, method);
    QFETCH(int, bodyBytes);
    std::string start = viaNginx ? nginx_->url("/r/" + std::to_string(status))
                                 : server_.url("/redirect/2?status=" + std::to_string(status));
    std::vector<RedirectHop> hops;
    auto j = followJson(*client_, postFile(start), follow(), &hops);
    QVERIFY2(j.has_value(), j ? "" : j.error().message.c_str());
    QCOMPARE(QString::fromStdString((*j)["method"].get<std::string>()), method);
    QCOMPARE((*j)["body_bytes"].get<int>(), bodyBytes);  // the file re-read from its start on every hop
    QCOMPARE(hops.size(), size_t(viaNginx ? 2 : 3));
    QCOMPARE(hops.back().status, 200);
    for (size_t i = 0; i + 1 < hops.size(); ++i) QCOMPARE(hops[i].status, status);
    QVERIFY(hops.front().requestId != hops.back().requestId);  // each hop is a request of its own
  }

  void credentialsNotSentToAnotherOrigin() {
    for (bool trusted : {false, true}) {
      auto r = Request::get(nginx_->url("/r/302"));
      r->headers.add("Authorization", "Bearer secret");
      r->headers.add("Cookie", "session=1");
      auto p = follow();
      p.keepCredentialsAcrossOrigins = trusted;
      std::vector<RedirectHop> hops;
      auto j = followJson(*client_, std::move(*r), p, &hops);
      QVERIFY2(j.has_value(), j ? "" : j.error().message.c_str());
      QCOMPARE((*j)["authorization"].get<bool>(), trusted);
      QCOMPARE((*j)["cookie"].get<bool>(), trusted);
      QCOMPARE(hops.back().droppedHeaders.size(), size_t(trusted ? 0 : 2));
    }
    // Same origin: kept.
    auto r = Request::get(server_.url("/redirect/1"));
    r->headers.add("Authorization", "Bearer secret");
    auto j = followJson(*client_, std::move(*r), follow());
    QVERIFY(j.has_value());
    QVERIFY((*j)["authorization"].get<bool>());
  }

  void loopDetectedAndNamed() {
    auto f = fetchFollowing(*client_, *Request::get(server_.url("/redirect-loop/3")), follow(50));
    QVERIFY(!f);
    QVERIFY2(f.error().message.starts_with("redirect loop: "), f.error().message.c_str());
    QVERIFY(f.error().message.find("/redirect-loop/3?at=2") != std::string::npos);
    QVERIFY(f.error().message.find("comes back to GET " + server_.url("/redirect-loop/3")) != std::string::npos);
  }

  void limitStopsTheChain() {
    auto f = fetchFollowing(*client_, *Request::get(server_.url("/redirect/5")), follow(3));
    QVERIFY(!f);
    QVERIFY2(f.error().message.starts_with("stopped after 3 redirects"), f.error().message.c_str());
    QVERIFY(fetchFollowing(*client_, *Request::get(server_.url("/redirect/3")), follow(3)).has_value());
  }

  void offByDefault() {
    auto f = fetchFollowing(*client_, *Request::get(server_.url("/redirect/1")), RedirectPolicy{});
    QVERIFY(f.has_value());
    QCOMPARE(f->exchange.response.status, 302);
    f->exchange.body.release();
  }

  void streamedBodyCannotBeReplayed() {
    auto r = Request::get(server_.url("/redirect/1?status=307"));
    r->method = "POST";
    auto left = std::make_shared<int>(3);
    r->body = RequestBody::fromPull([left](std::span<char> buf) -> Result<size_t> {
      if ((*left)-- <= 0) return size_t(0);
      buf[0] = 'x';
      return size_t(1);
    });
    auto f = fetchFollowing(*client_, std::move(*r), follow());
    QVERIFY(!f);
    QVERIFY2(f.error().message.find("cannot be sent again") != std::string::npos, f.error().message.c_str());
  }

  void finalBodyStreamNotLost() {
    std::vector<RedirectHop> hops;
    auto f = fetchFollowing(*client_, *Request::get(server_.url("/redirect-to?url=%2Fbytes%2F2000000&status=301")), follow());
    QVERIFY(f.has_value());
    QCOMPARE(f->exchange.response.status, 200);
    auto n = f->exchange.body.discardAll(10s);
    f->exchange.body.release();
    QVERIFY(n.has_value());
    QCOMPARE(*n, uint64_t(2000000));
    QCOMPARE(f->hops.size(), size_t(2));
  }

  void cliFollowsWithL() {
    auto run = runProcess({cliPath(), "request", "-L", "-H", "Authorization: Bearer x", nginx_->url("/r/307"), "-d", "hey"}, 20s);
    QVERIFY2(run.ok(), run.err.c_str());
    auto j = nlohmann::json::parse(run.out);
    QCOMPARE(j["method"].get<std::string>(), std::string("POST"));
    QCOMPARE(j["body_bytes"].get<int>(), 3);
    QVERIFY(!j["authorization"].get<bool>());
    QVERIFY2(run.err.find("* 307 POST " + nginx_->url("/r/307") + " -> " + server_.url("/redirect/0")) != std::string::npos,
             run.err.c_str());
    QVERIFY2(run.err.find("not sent to this origin: Authorization") != std::string::npos, run.err.c_str());
    auto loop = runProcess({cliPath(), "request", "-L", server_.url("/redirect-loop/2")}, 20s);
    QCOMPARE(loop.exit.code, 1);
    QVERIFY2(loop.err.find("redirect loop") != std::string::npos, loop.err.c_str());
  }
};

QTEST_APPLESS_MAIN(TestRedirects)
#include "test_redirects.moc"
