// The Host allow-list, the token, and CORS only when asked for.
#include <QtTest>

#include "support/raw_client.h"
#include "support/serve_fixture.h"
#include "support/test_env.h"
#include "support/upload_fixture.h"

using namespace sluice::test;
using namespace std::chrono_literals;

namespace {
std::string req(const std::string& method, const std::string& target, const std::string& host, const std::string& extra = {},
                const std::string& body = {}) {
  std::string r = method + " " + target + " HTTP/1.1\r\nHost: " + host + "\r\n" + extra;
  if (!body.empty() || method == "PUT") r += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  return r + "\r\n" + body;
}
}  // namespace

class TestAccessChecks : public QObject {
  Q_OBJECT
  std::string root_;

 private slots:
  void initTestCase() { root_ = makeTempDir("access"); }
  void cleanupTestCase() { removeTree(root_); }

  void hostAllowList() {
    UploadServer s;
    QVERIFY2(s.start(root_ + "/h", {"--quiet", "--allow-host", "files.example"}), s.error().c_str());
    std::string port = std::to_string(s.port());
    for (const std::string& host : std::vector<std::string>{"localhost", "localhost:" + port, "127.0.0.1:" + port, "[::1]:" + port, "files.example"}) {
      auto r = fetch(s.port(), req("GET", "/files/", host));
      QVERIFY(r);
      QVERIFY2(r->status == 200, host.c_str());
    }
    for (const std::string& host : std::vector<std::string>{"evil.example", "evil.example:" + port, "localhost.evil.example"}) {
      auto r = fetch(s.port(), req("GET", "/files/", host));
      QVERIFY(r);
      QVERIFY2(r->status == 403, host.c_str());
    }
  }

  void tokenForUploads() {
    UploadServer s;
    QVERIFY2(s.start(root_ + "/t", {"--quiet", "--token", "s3cret"}), s.error().c_str());
    auto none = fetch(s.port(), req("PUT", "/upload/a.txt", "localhost", {}, "hi"));
    QVERIFY(none);
    QCOMPARE(none->status, 401);
    QVERIFY(none->header("WWW-Authenticate").value_or("").starts_with("Bearer"));
    auto wrong = fetch(s.port(), req("PUT", "/upload/a.txt", "localhost", "Authorization: Bearer nope\r\n", "hi"));
    QVERIFY(wrong);
    QCOMPARE(wrong->status, 401);
    auto good = fetch(s.port(), req("PUT", "/upload/a.txt", "localhost", "Authorization: Bearer s3cret\r\n", "hi"));
    QVERIFY(good);
    QCOMPARE(good->status, 201);
    auto download = fetch(s.port(), req("GET", "/files/a.txt", "localhost"));
    QVERIFY(download);
    QCOMPARE(download->status, 200);  // downloads are open without --token-all
  }

  void tokenAllCoversDownloads() {
    UploadServer s;
    QVERIFY2(s.start(root_ + "/ta", {"--quiet", "--token", "s3cret", "--token-all"}), s.error().c_str());
    auto none = fetch(s.port(), req("GET", "/files/", "localhost"));
    QVERIFY(none);
    QCOMPARE(none->status, 401);
    auto good = fetch(s.port(), req("GET", "/files/", "localhost", "Authorization: Bearer s3cret\r\n"));
    QVERIFY(good);
    QCOMPARE(good->status, 200);
  }

  void corsOnlyWhenAsked() {
    UploadServer plain;
    QVERIFY2(plain.start(root_ + "/c1", {"--quiet"}), plain.error().c_str());
    auto r = fetch(plain.port(), req("GET", "/files/", "localhost", "Origin: http://app.example\r\n"));
    QVERIFY(r);
    QVERIFY(!r->hasHeader("Access-Control-Allow-Origin"));

    UploadServer cors;
    QVERIFY2(cors.start(root_ + "/c2", {"--quiet", "--cors", "http://app.example"}), cors.error().c_str());
    auto got = fetch(cors.port(), req("GET", "/files/", "localhost", "Origin: http://app.example\r\n"));
    QVERIFY(got);
    QCOMPARE(got->header("Access-Control-Allow-Origin").value_or(""), std::string("http://app.example"));
    auto pre = fetch(cors.port(), req("OPTIONS", "/upload/x", "localhost",
                                      "Origin: http://app.example\r\nAccess-Control-Request-Method: PUT\r\n"));
    QVERIFY(pre);
    QCOMPARE(pre->status, 204);
    QVERIFY(pre->header("Access-Control-Allow-Methods").value_or("").find("PUT") != std::string::npos);
  }
};

#if __has_include("test_access_checks.moc")
QTEST_MAIN(TestAccessChecks)
#include "test_access_checks.moc"
#else
SLUICE_TEST_MAIN_WITHOUT_MOC("test_access_checks")
#endif
