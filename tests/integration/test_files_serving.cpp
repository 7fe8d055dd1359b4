// GET /files/: listings (HTML, JSON), downloads with Range, ETag and 304.
#include <QtTest>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "support/raw_client.h"
#include "support/serve_fixture.h"
#include "support/test_env.h"
#include "support/upload_fixture.h"

using namespace sluice::test;
using namespace std::chrono_literals;

class TestFilesServing : public QObject {
  Q_OBJECT
  std::string root_, dir_;
  UploadServer server_;
  std::string data_;

 private slots:
  void initTestCase() {
    QVERIFY2(!curlPath().empty(), "curl is required (make deps)");
    root_ = makeTempDir("files");
    dir_ = root_ + "/up";
    std::filesystem::create_directories(dir_);
    QVERIFY(writeRandomFile(dir_ + "/data.bin", 1'000'000, 77));
    QVERIFY(writeRandomFile(dir_ + "/a <b>&.txt", 10, 78));
    QVERIFY(writeRandomFile(dir_ + "/pending.part", 10, 79));
    std::filesystem::create_directories(dir_ + "/subdir");
    QVERIFY2(server_.start(dir_, {"--quiet"}), server_.error().c_str());
  }
  void cleanupTestCase() {
    server_.stop();
    removeTree(root_);
  }

  void wholeDownloadMatches() {
    std::string out = root_ + "/dl.bin";
    RunResult r = curl({"-o", out, "-w", "%{http_code}", server_.url("/files/data.bin")});
    QCOMPARE(curlStatus(r), 200);
    QCOMPARE(sha256sumOf(out), sha256sumOf(dir_ + "/data.bin"));
  }

  void rangesAnswer206And416() {
    std::string out = root_ + "/range.bin";
    RunResult r = curl({"-r", "1000-1999", "-o", out, "-w", "%{http_code}", server_.url("/files/data.bin")});
    QCOMPARE(curlStatus(r), 206);
    QCOMPARE(std::filesystem::file_size(out), 1000u);
    RunResult want = runProcess({"/bin/sh", "-c", "tail -c +1001 '" + dir_ + "/data.bin' | head -c 1000 | sha256sum"}, 10s);
    QCOMPARE(sha256sumOf(out), want.out.substr(0, 64));

    auto suffix = fetch(server_.port(), makeRequest("GET", "/files/data.bin", "Range: bytes=-10\r\n"));
    QVERIFY(suffix);
    QCOMPARE(suffix->status, 206);
    QCOMPARE(suffix->header("Content-Range").value_or(""), std::string("bytes 999990-999999/1000000"));
    QCOMPARE(suffix->body.size(), 10u);

    auto beyond = fetch(server_.port(), makeRequest("GET", "/files/data.bin", "Range: bytes=2000000-\r\n"));
    QVERIFY(beyond);
    QCOMPARE(beyond->status, 416);
    QCOMPARE(beyond->header("Content-Range").value_or(""), std::string("bytes */1000000"));

    auto multi = fetch(server_.port(), makeRequest("GET", "/files/data.bin", "Range: bytes=0-1,5-6\r\n"));
    QVERIFY(multi);
    QCOMPARE(multi->status, 200);  // several ranges: the whole file, as RFC 9110 allows
    QCOMPARE(multi->body.size(), 1'000'000u);
  }

  void conditionalRequests() {
    auto first = fetch(server_.port(), makeRequest("HEAD", "/files/data.bin"), 3s, true);
    QVERIFY(first);
    QCOMPARE(first->status, 200);
    QCOMPARE(first->header("Content-Length").value_or(""), std::string("1000000"));
    std::string etag = first->header("ETag").value_or("");
    std::string modified = first->header("Last-Modified").value_or("");
    QVERIFY(!etag.empty() && !modified.empty());
    auto inm = fetch(server_.port(), makeRequest("GET", "/files/data.bin", "If-None-Match: " + etag + "\r\n"));
    QVERIFY(inm);
    QCOMPARE(inm->status, 304);
    auto ims = fetch(server_.port(), makeRequest("GET", "/files/data.bin", "If-Modified-Since: " + modified + "\r\n"));
    QVERIFY(ims);
    QCOMPARE(ims->status, 304);
    auto stale = fetch(server_.port(), makeRequest("GET", "/files/data.bin", "If-None-Match: \"other\"\r\n"));
    QVERIFY(stale);
    QCOMPARE(stale->status, 200);
    auto ifRange = fetch(server_.port(), makeRequest("GET", "/files/data.bin", "Range: bytes=0-9\r\nIf-Range: \"other\"\r\n"));
    QVERIFY(ifRange);
    QCOMPARE(ifRange->status, 200);
  }

  void readPathIsSafe_data() {
    QTest::addColumn<QString>("target");
    QTest::addColumn<int>("status");
    QTest::newRow("traversal") << "/files/..%2f..%2fetc%2fpasswd" << 400;
    QTest::newRow("dotdot") << "/files/%2e%2e" << 400;
    QTest::newRow("part file") << "/files/pending.part" << 400;
    QTest::newRow("directory") << "/files/subdir" << 404;
    QTest::newRow("missing") << "/files/nope" << 404;
    QTest::newRow("symlink") << "/files/passwd-link" << 403;
  }
  void readPathIsSafe() {
    QFETCH(QString, target);
    QFETCH(int, status);
    ::symlink("/etc/passwd", (dir_ + "/passwd-link").c_str());
    auto resp = fetch(server_.port(), makeRequest("GET", target.toStdString()));
    QVERIFY(resp);
    QCOMPARE(resp->status, status);
    QVERIFY(resp->body.find("root:") == std::string::npos);
  }

  void jsonListing() {
    RunResult r = curl({"-H", "Accept: application/json", server_.url("/files/")});
    QVERIFY(r.ok());
    QVERIFY(r.out.starts_with("{\"files\":["));
    QVERIFY(r.out.find("\"name\":\"data.bin\",\"size\":1000000") != std::string::npos);
    QVERIFY(r.out.find("\"name\":\"a <b>&.txt\"") != std::string::npos);
    QVERIFY(r.out.find("pending") == std::string::npos);   // parts in progress are not listed
    QVERIFY(r.out.find("subdir") == std::string::npos);
    QVERIFY(r.out.find("passwd-link") == std::string::npos);  // nor symlinks
  }

  void htmlListing() {
    RunResult r = curl({"-D", "-", server_.url("/files/")});
    QVERIFY(r.ok());
    QVERIFY(r.out.find("Content-Type: text/html") != std::string::npos);
    QVERIFY(r.out.find("<form method=\"post\" action=\"/upload\" enctype=\"multipart/form-data\"") != std::string::npos);
    QVERIFY(r.out.find("href=\"/files/data.bin\"") != std::string::npos);
    QVERIFY(r.out.find("1000000") != std::string::npos);                    // exact size
    QVERIFY(r.out.find("a &lt;b&gt;&amp;.txt") != std::string::npos);      // escaped name
    QVERIFY(r.out.find("href=\"/files/a%20%3Cb%3E%26.txt\"") != std::string::npos);
  }
};

#if __has_include("test_files_serving.moc")
QTEST_MAIN(TestFilesServing)
#include "test_files_serving.moc"
#else
SLUICE_TEST_MAIN_WITHOUT_MOC("test_files_serving")
#endif
