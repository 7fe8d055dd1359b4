// The redirect rules without a network: method and body per status, Location resolution,
// credentials across origins, a body that cannot be replayed.
#include <QtTest/QtTest>

#include "engine/client/redirect.h"

using namespace sluice::client;

namespace {

Request post(const char* url, RequestBody body) {
  auto r = Request::get(url);
  r->method = "POST";
  r->body = std::move(body);
  r->headers.add("Content-Type", "text/plain");
  r->headers.add("Authorization", "Bearer t");
  r->headers.add("Cookie", "a=1");
  r->headers.add("Proxy-Authorization", "Basic x");
  r->headers.add("X-Keep", "1");
  return *r;
}

}  // namespace

class TestRedirectRules : public QObject {
  Q_OBJECT

 private slots:
  void methodAndBodyByStatus_data() {
    QTest::addColumn<QString>("method");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("nextMethod");
    QTest::addColumn<bool>("keepsBody");
    QTest::newRow("POST 301") << "POST" << 301 << "GET" << false;
    QTest::newRow("POST 302") << "POST" << 302 << "GET" << false;
    QTest::newRow("POST 303") << "POST" << 303 << "GET" << false;
    QTest::newRow("POST 307") << "POST" << 307 << "POST" << true;
    QTest::newRow("POST 308") << "POST" << 308 << "POST" << true;
    QTest::newRow("PUT 301 keeps PUT") << "PUT" << 301 << "PUT" << true;
    QTest::newRow("PUT 303") << "PUT" << 303 << "GET" << false;
    QTest::newRow("HEAD 303 stays HEAD") << "HEAD" << 303 << "HEAD" << false;
    QTest::newRow("DELETE 307") << "DELETE" << 307 << "DELETE" << true;
  }
  void methodAndBodyByStatus() {
    QFETCH(QString, method);
    QFETCH(int, status);
    QFETCH(QString, nextMethod);
    QFETCH(bool, keepsBody);
    Request r = post("http://a.test/x", method == "HEAD" ? RequestBody::none() : RequestBody::fromBytes("hello"));
    r.method = method.toStdString();
    auto next = nextRedirectRequest(r, status, "/y", {});
    QVERIFY(next.has_value());
    QCOMPARE(QString::fromStdString(next->method), nextMethod);
    QCOMPARE(next->url.target, std::string("/y"));
    QCOMPARE(next->body.kind != RequestBody::Kind::kNone, keepsBody);
    if (method != "HEAD") QCOMPARE(next->headers.has("Content-Type"), keepsBody);
    QVERIFY(next->headers.has("Authorization"));  // same origin: credentials stay
  }

  void fileBodyKeptForReplay() {
    Request r = post("http://a.test/x", RequestBody::fromFile("/tmp/some-file"));
    auto next = nextRedirectRequest(r, 308, "/y", {});
    QVERIFY(next.has_value());
    QCOMPARE(next->body.kind, RequestBody::Kind::kFile);
    QCOMPARE(next->body.filePath, std::string("/tmp/some-file"));  // opened again, from its start
  }

  void pullBodyCannotBeReplayed() {
    Request r = post("http://a.test/x", RequestBody::fromPull([](std::span<char>) -> sluice::Result<size_t> { return 0; }));
    auto next = nextRedirectRequest(r, 307, "/y", {});
    QVERIFY(!next);
    QVERIFY2(next.error().message.find("cannot be sent again") != std::string::npos, next.error().message.c_str());
    // ... but a 303 needs no body, so it is fine.
    QVERIFY(nextRedirectRequest(r, 303, "/y", {}).has_value());
  }

  void credentialsStayHome() {
    Request r = post("http://a.test/x", RequestBody::fromBytes("b"));
    std::vector<std::string> dropped;
    auto next = nextRedirectRequest(r, 307, "http://b.test/y", {}, &dropped);
    QVERIFY(next.has_value());
    QVERIFY(!next->headers.has("Authorization") && !next->headers.has("Cookie") && !next->headers.has("Proxy-Authorization"));
    QVERIFY(next->headers.has("X-Keep"));
    QCOMPARE(dropped.size(), size_t(3));
    // Another port is another origin too.
    QVERIFY(!nextRedirectRequest(r, 302, "http://a.test:8080/y", {})->headers.has("Authorization"));
    RedirectPolicy trusted;
    trusted.keepCredentialsAcrossOrigins = true;
    QVERIFY(nextRedirectRequest(r, 307, "http://b.test/y", trusted)->headers.has("Authorization"));
  }

  void locationResolution_data() {
    QTest::addColumn<QString>("location");
    QTest::addColumn<QString>("resolved");
    QTest::newRow("absolute path") << "/b/c?q=1" << "http://h.test:81/b/c?q=1";
    QTest::newRow("relative") << "c" << "http://h.test:81/a/c";
    QTest::newRow("dot segments") << "../z" << "http://h.test:81/z";
    QTest::newRow("query only") << "?n=2" << "http://h.test:81/a/b?n=2";
    QTest::newRow("network path") << "//other.test/p" << "http://other.test/p";
    QTest::newRow("fragment dropped") << "/f#frag" << "http://h.test:81/f";
    QTest::newRow("absolute") << "http://x.test:9/" << "http://x.test:9/";
  }
  void locationResolution() {
    QFETCH(QString, location);
    QFETCH(QString, resolved);
    auto base = Url::parse("http://h.test:81/a/b?q=0");
    auto r = resolveLocation(*base, location.toStdString());
    QVERIFY2(r.has_value(), r ? "" : r.error().message.c_str());
    QCOMPARE(QString::fromStdString(*r), resolved);
  }

  void badLocations() {
    Request r = *Request::get("http://a.test/x");
    QVERIFY(nextRedirectRequest(r, 302, "", {}).error().message.find("no Location") != std::string::npos);
    QVERIFY(nextRedirectRequest(r, 302, "http://a b/", {}).error().message.find("not a valid URI") != std::string::npos);
    QVERIFY(nextRedirectRequest(r, 302, "ftp://a.test/", {}).error().message.find("cannot follow the redirect") != std::string::npos);
  }
};

QTEST_APPLESS_MAIN(TestRedirectRules)
#include "test_redirect_rules.moc"
