// Upload-site defects from hostile use (issue 14, items 8, 9 and 11): duplicate digest
// members are refused, unknown digest keys are reported back and never counted as
// verified, two Authorization lines on a --token server get 400, and PATCH onto a
// planted .part symlink gets 409 like PUT.
#include <QtTest/QtTest>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "engine/codec/sha256.h"
#include "engine/site/upload/upload_digest.h"
#include "support/raw_client.h"
#include "support/test_env.h"
#include "support/upload_fixture.h"

using namespace std::chrono_literals;
using sluice::test::fetch;
using sluice::test::makeRequest;

namespace {

std::string sha256Field(std::string_view body) {
  sluice::codec::Sha256 h;
  h.update(body);
  return sluice::site::formatSha256Field(h.finish());
}

std::string putWith(std::string_view headers, std::string_view body, const std::string& name) {
  return makeRequest("PUT", "/upload/" + name, std::string(headers) + "Content-Length: " + std::to_string(body.size()) + "\r\n",
                     body);
}

}  // namespace

class TestUploadIntegrity : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    root_ = sluice::test::makeTempDir("upload-integrity");
    QVERIFY2(server_.start(root_ + "/up", {"--quiet"}), server_.error().c_str());
    QVERIFY2(tokenServer_.start(root_ + "/tok", {"--quiet", "--token", "s3cret"}), tokenServer_.error().c_str());
  }
  void cleanupTestCase() {
    server_.stop();
    tokenServer_.stop();
    sluice::test::removeTree(root_);
  }

  void duplicateDigestMembersAreRefused_data() {
    QTest::addColumn<QString>("headers");
    const std::string good = sha256Field("payload"), wrong = sha256Field("other");
    QTest::newRow("good then wrong, one line")
        << QString::fromStdString("Content-Digest: " + good + ", " + wrong + "\r\n");
    QTest::newRow("wrong then good, one line")
        << QString::fromStdString("Content-Digest: " + wrong + ", " + good + "\r\n");
    QTest::newRow("good twice, one line") << QString::fromStdString("Content-Digest: " + good + ", " + good + "\r\n");
    QTest::newRow("good then wrong, two lines")
        << QString::fromStdString("Repr-Digest: " + good + "\r\nRepr-Digest: " + wrong + "\r\n");
  }
  void duplicateDigestMembersAreRefused() {
    QFETCH(QString, headers);
    std::string name = "dup-" + std::to_string(++counter_);
    auto r = fetch(server_.port(), putWith(headers.toStdString(), "payload", name));
    QVERIFY(r);
    QVERIFY2(r->status == 400, (std::to_string(r->status) + " " + r->body).c_str());
    QVERIFY2(r->body.find("more than one sha-256 member") != std::string::npos, r->body.c_str());
    QVERIFY(!std::filesystem::exists(root_ + "/up/" + name));
  }

  void unknownDigestKeysAreReportedNotVerified() {
    std::string upper = "SHA-256=:" + sha256Field("other").substr(9);  // a key sha-256 is not (keys are lowercase)
    auto r = fetch(server_.port(), putWith("Content-Digest: " + upper + ", md5=:AAAA:\r\n", "payload", "unknown-keys"));
    QVERIFY(r);
    QVERIFY2(r->status == 201, (std::to_string(r->status) + " " + r->body).c_str());
    QCOMPARE(r->header("Digest-Checked").value_or(""), std::string("none"));
    QCOMPARE(r->header("Digest-Ignored").value_or(""), std::string("Content-Digest=SHA-256 md5"));

    r = fetch(server_.port(), putWith("Content-Digest: " + sha256Field("payload") + "\r\n", "payload", "known-key"));
    QVERIFY(r);
    QCOMPARE(r->status, 201);
    QCOMPARE(r->header("Digest-Checked").value_or(""), std::string("Content-Digest=sha-256"));
    QVERIFY(!r->hasHeader("Digest-Ignored"));
  }

  void twoAuthorizationLinesAreRefused() {
    auto r = fetch(tokenServer_.port(),
                   putWith("Authorization: Bearer s3cret\r\nAuthorization: Bearer wrong\r\n", "x", "two-auth"));
    QVERIFY(r);
    QVERIFY2(r->status == 400, (std::to_string(r->status) + " " + r->body).c_str());
    QVERIFY(r->body.find("more than one Authorization header") != std::string::npos);
    QVERIFY(!std::filesystem::exists(root_ + "/tok/two-auth"));
    r = fetch(tokenServer_.port(), putWith("Authorization: Bearer s3cret\r\n", "x", "one-auth"));
    QVERIFY(r);
    QCOMPARE(r->status, 201);
  }

  void patchOntoAPlantedPartSymlinkIs409() {
    std::string target = root_ + "/outside.txt";
    { std::ofstream(target) << "keep"; }
    QVERIFY(::symlink(target.c_str(), (root_ + "/up/victim.part").c_str()) == 0);
    for (const char* method : {"PATCH", "PUT"}) {
      std::string req = makeRequest(method, "/upload/victim",
                                    std::string(std::string_view(method) == "PATCH" ? "X-Update-Range: append\r\n" : "") +
                                        "Content-Length: 4\r\n",
                                    "evil");
      auto r = fetch(server_.port(), req);
      QVERIFY(r);
      QVERIFY2(r->status == 409, (std::string(method) + " " + std::to_string(r->status) + " " + r->body).c_str());
    }
    std::ifstream in(target);
    std::string kept((std::istreambuf_iterator<char>(in)), {});
    QCOMPARE(kept, std::string("keep"));
  }

 private:
  std::string root_;
  int counter_ = 0;
  sluice::test::UploadServer server_;
  sluice::test::UploadServer tokenServer_;
};

QTEST_APPLESS_MAIN(TestUploadIntegrity)
#include "test_upload_integrity.moc"
