// Upload-name attacks beyond tests/integration/test_upload_server.cpp: more double
// and triple percent-encodings, overlong UTF-8 in 2, 3 and 4 bytes, and the same
// attacks as multipart filenames (filename="..." and filename*=UTF-8''...). Every
// row checks that no byte landed outside the upload folder (the whole tree around
// it is compared), that no .part file is left, and that an accepted name is stored
// under exactly the expected literal name.
#include <QtTest/QtTest>

#include <filesystem>
#include <string>

#include "support/raw_client.h"
#include "support/test_env.h"
#include "support/upload_fixture.h"

using namespace std::chrono_literals;
using sluice::test::fetch;
using sluice::test::makeRequest;

namespace {

std::set<std::string> treeOf(const std::string& root) {
  std::set<std::string> out;
  for (auto& e : std::filesystem::recursive_directory_iterator(root))
    out.insert(std::filesystem::relative(e.path(), root).string());
  return out;
}

std::string multipartBody(const std::string& dispositionTail, const std::string& content) {
  return "--XyZ\r\nContent-Disposition: form-data; name=\"f\"; " + dispositionTail +
         "\r\nContent-Type: application/octet-stream\r\n\r\n" + content + "\r\n--XyZ--\r\n";
}

}  // namespace

class TestHostileUploads : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    root_ = sluice::test::makeTempDir("hostile-uploads");
    dir_ = root_ + "/up";
    std::filesystem::create_directories(root_ + "/sibling");
    QVERIFY2(server_.start(dir_, {"--quiet"}), server_.error().c_str());
  }
  void cleanupTestCase() {
    server_.stop();
    sluice::test::removeTree(root_);
  }
  void init() { before_ = treeOf(root_); }

  void rawPutNames_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("stored");  // the literal name on disk when accepted
    for (const char* n : {"%2E%2E", ".%2e", "%2e.", "%2e%2e%2f%2e%2e%2fsibling%2fx", "..%2F..%2Fsibling%2Fx",
                          "%c0%ae%c0%ae", "%C0%AE.", "%e0%80%ae%e0%80%ae", "%f0%80%80%ae%f0%80%80%ae", "a%c0%afb",
                          "a%e0%80%afb", "a%c1%9cb", "%c0%80", "a%ed%a0%80b", "a%f4%90%80%80b", "a%c2%85b", "a%7fb",
                          "a%5c..%5csibling", "%00", "a%zzb", "a%2", "x.PART%00", "ok.part"})
      QTest::newRow(n) << QString(n) << 400 << QByteArray();
    QTest::newRow("%252e%252e is the literal %2e%2e") << QString("%252e%252e") << 201 << QByteArray("%2e%2e");
    QTest::newRow("%25252e is the literal %252e") << QString("%25252e") << 201 << QByteArray("%252e");
    QTest::newRow("%252f is the literal %2f") << QString("a%252fb") << 201 << QByteArray("a%2fb");
    QTest::newRow("%255c is the literal %5c") << QString("a%255cb") << 201 << QByteArray("a%5cb");
    QTest::newRow("mixed %2e%252e") << QString(".%252e") << 201 << QByteArray(".%2e");
    QTest::newRow("valid 3-byte UTF-8") << QString("%e2%82%ac.txt") << 201 << QByteArray("\xe2\x82\xac.txt");
  }
  void rawPutNames() {
    QFETCH(QString, name);
    QFETCH(int, status);
    QFETCH(QByteArray, stored);
    auto r = fetch(server_.port(), makeRequest("PUT", "/upload/" + name.toStdString(), "Content-Length: 5\r\n", "evil\n"));
    QVERIFY(r);
    QCOMPARE(r->status, status);
    if (status >= 400) QVERIFY2(r->body.find("name") != std::string::npos, r->body.c_str());  // says what is wrong
    expectOnly(stored.toStdString());
  }

  void multipartNames_data() {
    QTest::addColumn<QByteArray>("disposition");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("stored");
    QTest::newRow("filename=\"..\"") << QByteArray("filename=\"..\"") << 400 << QByteArray();
    QTest::newRow("filename=\"../sibling/x\"") << QByteArray("filename=\"../sibling/x\"") << 400 << QByteArray();
    QTest::newRow("filename=\"/etc/x\"") << QByteArray("filename=\"/etc/x\"") << 400 << QByteArray();
    QTest::newRow("filename=\"..\\\\sibling\"") << QByteArray("filename=\"..\\\\sibling\"") << 400 << QByteArray();
    // As a browser sends a Windows path: the backslashes are raw inside the quotes.
    QTest::newRow("filename=\"..\\..\\x\" raw") << QByteArray("filename=\"..\\..\\x\"") << 400 << QByteArray();
    QTest::newRow("filename=\"a\\b\" raw") << QByteArray("filename=\"a\\b\"") << 400 << QByteArray();
    QTest::newRow("filename*= overlong dots") << QByteArray("filename*=UTF-8''%c0%ae%c0%ae") << 400 << QByteArray();
    QTest::newRow("filename*= overlong slash") << QByteArray("filename*=UTF-8''a%c0%afb") << 400 << QByteArray();
    QTest::newRow("filename*= encoded slash") << QByteArray("filename*=UTF-8''..%2f..%2fsibling%2fx") << 400 << QByteArray();
    QTest::newRow("filename*= NUL") << QByteArray("filename*=UTF-8''a%00b") << 400 << QByteArray();
    QTest::newRow("filename*= 3-byte overlong dot") << QByteArray("filename*=UTF-8''%e0%80%ae.") << 400 << QByteArray();
    QTest::newRow("filename with a control byte") << QByteArray("filename=\"a\x01" "b\"") << 400 << QByteArray();
    QTest::newRow("filename=\"x.part\"") << QByteArray("filename=\"x.part\"") << 400 << QByteArray();
    QTest::newRow("filename=\"%2e%2e\" is literal") << QByteArray("filename=\"%2e%2e\"") << 201 << QByteArray("%2e%2e");
    QTest::newRow("filename*= double encoded") << QByteArray("filename*=UTF-8''%252e%252e") << 201 << QByteArray("%2e%2e");
  }
  void multipartNames() {
    QFETCH(QByteArray, disposition);
    QFETCH(int, status);
    QFETCH(QByteArray, stored);
    std::string body = multipartBody(disposition.toStdString(), "evil\n");
    auto r = fetch(server_.port(), makeRequest("POST", "/upload",
                                               "Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: " +
                                                   std::to_string(body.size()) + "\r\n",
                                               body));
    QVERIFY(r);
    QVERIFY2(r->status == status, (std::to_string(r->status) + " " + r->body).c_str());
    expectOnly(stored.toStdString());
  }

 private:
  // Nothing changed around the upload folder; inside it at most the one stored name, no part.
  void expectOnly(const std::string& stored) {
    auto after = treeOf(root_);
    std::set<std::string> expected = before_;
    if (!stored.empty()) expected.insert("up/" + stored);
    for (auto& e : after) QVERIFY2(expected.count(e), ("unexpected entry: " + e).c_str());
    QCOMPARE(after.size(), expected.size());
    if (!stored.empty()) {
      QCOMPARE(std::filesystem::file_size(dir_ + "/" + stored), uintmax_t(5));
      std::filesystem::remove(dir_ + "/" + stored);
    }
  }

  sluice::test::UploadServer server_;
  std::string root_, dir_;
  std::set<std::string> before_;
};

QTEST_APPLESS_MAIN(TestHostileUploads)
#include "test_hostile_uploads.moc"
