// HAR 1.2: export checked against the specification, secrets left out, import round trip.
#include <QtTest>

#include "engine/workspace/har.h"
#include "engine/workspace/resolve.h"
#include "support/har_check.h"

using namespace sluice::workspace;

namespace {

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += s + "\n";
  return out;
}

std::vector<HarEntry> sampleEntries() {
  HarEntry a;
  a.startedMs = 1764628509123;
  a.name = "login";
  a.method = "POST";
  a.url = "http://127.0.0.1:8080/login?user=a&x";
  a.requestHeaders = {{"Content-Type", "application/json"}, {"Authorization", "Basic dXNlcjpwYXNz"}, {"X-Key", "key-s3cret"}};
  a.requestBody = R"({"token": "s3cret"})";
  a.requestBodySize = static_cast<int64_t>(a.requestBody.size());
  a.secretValues = {"s3cret"};
  a.status = 200;
  a.statusText = "OK";
  a.responseHeaders = {{"Content-Type", "text/plain"}, {"Content-Length", "2"}};
  a.responseBody = "ok";
  a.responseBodyKept = true;
  a.responseBodySize = 2;
  a.connection = "1";
  a.serverIPAddress = "127.0.0.1";
  a.timings = {.blocked = -1, .dns = 0.2, .connect = 0.3, .ssl = -1, .send = 0.05, .wait = 1.5, .receive = 0.1};
  a.reuseVerdict = "new connection #1: pool empty";
  a.releasePolicy = "drain up to 262144 bytes within 200 ms";
  HarEntry b;
  b.startedMs = a.startedMs + 10;
  b.method = "GET";
  b.url = "http://127.0.0.1:8080/down";
  b.error = "connection refused";
  return {a, b};
}

}  // namespace

class TestHar : public QObject {
  Q_OBJECT
 private slots:
  void exportFollowsTheSpec() {
    auto text = writeHar(sampleEntries());
    auto problems = sluice::test::checkHar12(text);
    QVERIFY2(problems.empty(), joined(problems).c_str());
    QVERIFY(text.find("\"connection\": \"1\"") != std::string::npos);
    QVERIFY(text.find("\"_sluice\"") != std::string::npos);
    QVERIFY(text.find("\"time\": 2.15") != std::string::npos);  // -1 phases are not summed
  }

  void checkerRefusesBrokenFiles_data() {
    QTest::addColumn<QString>("doc");
    QTest::addColumn<QString>("problem");
    QTest::newRow("no log") << "{}" << "log is missing";
    QTest::newRow("version") << R"({"log":{"version":"1.1","creator":{"name":"x","version":"1"},"entries":[]}})" << "not 1.2";
    QTest::newRow("entry") << R"({"log":{"version":"1.2","creator":{"name":"x","version":"1"},"entries":[{"time":1}]}})"
                           << "startedDateTime is missing";
  }
  void checkerRefusesBrokenFiles() {
    QFETCH(QString, doc);
    QFETCH(QString, problem);
    auto p = joined(sluice::test::checkHar12(doc.toStdString()));
    QVERIFY2(p.find(problem.toStdString()) != std::string::npos, p.c_str());
  }

  void secretsAreLeftOut() {
    auto text = writeHar(sampleEntries());
    QVERIFY(text.find("dXNlcjpwYXNz") == std::string::npos);
    QVERIFY(text.find("s3cret") == std::string::npos);
    QVERIFY(text.find("Basic <redacted>") != std::string::npos);
    QVERIFY(text.find("key-<redacted>") != std::string::npos);
    auto with = writeHar(sampleEntries(), HarOptions{.includeSecrets = true});
    QVERIFY(with.find("Basic dXNlcjpwYXNz") != std::string::npos);
    QVERIFY(with.find("key-s3cret") != std::string::npos);
  }

  void importRoundTrip() {
    auto entries = sampleEntries();
    auto back = readHar(writeHar(entries, HarOptions{.includeSecrets = true}));
    QVERIFY2(back.has_value(), back ? "" : back.error().message.c_str());
    QCOMPARE(back->size(), size_t(2));
    const auto& a = back->at(0);
    QCOMPARE(a.method, std::string("POST"));
    QCOMPARE(a.url, entries[0].url);
    QCOMPARE(a.requestHeaders, entries[0].requestHeaders);
    QCOMPARE(a.requestBody, entries[0].requestBody);
    QCOMPARE(a.status, 200);
    QCOMPARE(a.responseBody, std::string("ok"));
    QCOMPARE(a.connection, std::string("1"));
    QCOMPARE(a.startedMs, entries[0].startedMs);
    QCOMPARE(a.name, std::string("login"));
    // ... and as requests that can be sent again
    auto file = parseHttpFile(formatHttpFile(httpFileFromHar(*back)));
    QVERIFY(file.has_value());
    QCOMPARE(file->requestIndexes().size(), size_t(2));
    auto r = resolveRequest(*file, 0, {});
    QVERIFY2(r.has_value(), r ? "" : r.error().message.c_str());
    QCOMPARE(r->method, std::string("POST"));
    QCOMPARE(r->url, entries[0].url);
    QCOMPARE(r->body, entries[0].requestBody);
    QCOMPARE(r->headers.size(), size_t(3));
  }

  void redactedCredentialsMustBeSupplied() {
    auto back = readHar(writeHar(sampleEntries()));
    auto file = httpFileFromHar(*back);
    auto r = resolveRequest(file, 0, {});
    QVERIFY(!r);
    QVERIFY2(r.error().message.find("{{authorization}}") != std::string::npos, r.error().message.c_str());
    ResolveContext ctx;
    ctx.overrides = {{"authorization", "Bearer t"}, {"secret", "x"}};
    auto ok = resolveRequest(file, 0, ctx);
    QVERIFY(ok && ok->headers.at(1).second == "Bearer t");
  }

  void badHarIsAWordedError() {
    QVERIFY(readHar("nope").error().message.find("not JSON") != std::string::npos);
    QVERIFY(readHar("{\"log\": {}}").error().message.find("entries") != std::string::npos);
    auto e = readHar(R"({"log":{"entries":[{"request":{"method":"GET"}}]}})");
    QVERIFY(!e && e.error().message.find("HAR entry 1") != std::string::npos);
  }
};

QTEST_APPLESS_MAIN(TestHar)
#include "test_har.moc"
