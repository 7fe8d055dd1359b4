// The upload server through real clients: curl uploads checked with sha256sum,
// names, conflicts, digests, limits, aborts, resume and a full disk.
#include <QtTest>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "support/raw_client.h"
#include "support/serve_fixture.h"
#include "support/test_env.h"
#include "support/upload_fixture.h"

using namespace sluice::test;
using namespace std::chrono_literals;

namespace {
std::string jsonField(const std::string& json, const std::string& key) {
  auto at = json.find("\"" + key + "\":");
  if (at == std::string::npos) return {};
  at += key.size() + 3;
  if (json[at] == '"') return json.substr(at + 1, json.find('"', at + 1) - at - 1);
  return json.substr(at, json.find_first_of(",}", at) - at);
}

std::string digestHeader(const std::string& path) {
  RunResult r = runProcess({"/bin/sh", "-c", "openssl dgst -sha256 -binary '" + path + "' | base64"}, 30s);
  return "sha-256=:" + r.out.substr(0, r.out.find('\n')) + ":";
}

bool noPartFiles(const std::string& dir) {
  for (const auto& n : dirEntries(dir))
    if (n.ends_with(".part")) return false;
  return true;
}
}  // namespace

class TestUploadServer : public QObject {
  Q_OBJECT
  std::string root_, dir_, src_;
  UploadServer server_;

 private slots:
  void initTestCase() {
    QVERIFY2(!curlPath().empty(), "curl is required (make deps)");
    root_ = makeTempDir("upload");
    dir_ = root_ + "/up";
    src_ = root_ + "/src";
    std::filesystem::create_directories(src_);
    QVERIFY2(server_.start(dir_, {"--quiet", "--shutdown-grace", "300ms"}), server_.error().c_str());
  }
  void cleanupTestCase() {
    server_.stop();
    removeTree(root_);
  }

  void putMatchesSha256sum_data() {
    QTest::addColumn<qulonglong>("size");
    QTest::newRow("empty") << 0ull;
    QTest::newRow("one byte") << 1ull;
    QTest::newRow("5 MB") << 5'000'003ull;
  }
  void putMatchesSha256sum() {
    QFETCH(qulonglong, size);
    std::string name = "put-" + std::to_string(size) + ".bin";
    std::string src = src_ + "/" + name;
    QVERIFY(writeRandomFile(src, size, static_cast<uint32_t>(size)));
    RunResult r = curl({"-T", src, "-w", "\n%{http_code}", server_.url("/upload/" + name)});
    QCOMPARE(curlStatus(r), 201);
    std::string want = sha256sumOf(src);
    QCOMPARE(jsonField(r.out, "sha256"), want);
    QCOMPARE(jsonField(r.out, "bytes"), std::to_string(size));
    QVERIFY(!jsonField(r.out, "seconds").empty() && !jsonField(r.out, "bytes_per_second").empty());
    QCOMPARE(sha256sumOf(dir_ + "/" + name), want);
    QVERIFY(noPartFiles(dir_));
  }

  void multipartStoresEveryFile() {
    std::string a = src_ + "/mp-a.bin", b = src_ + "/mp b.txt";
    QVERIFY(writeRandomFile(a, 3'000'000, 11));
    QVERIFY(writeRandomFile(b, 777, 12));
    RunResult r = curl({"-F", "note=hello", "-F", "one=@" + a, "-F", "two=@" + b, "-w", "\n%{http_code}", server_.url("/upload")});
    QCOMPARE(curlStatus(r), 201);
    QVERIFY(r.out.find(sha256sumOf(a)) != std::string::npos);
    QVERIFY(r.out.find(sha256sumOf(b)) != std::string::npos);
    QCOMPARE(sha256sumOf(dir_ + "/mp-a.bin"), sha256sumOf(a));
    QCOMPARE(sha256sumOf(dir_ + "/mp b.txt"), sha256sumOf(b));
    QVERIFY(noPartFiles(dir_));
  }

  void conflictThenOverwrite() {
    std::string src = src_ + "/c.txt";
    QVERIFY(writeRandomFile(src, 1000, 5));
    QCOMPARE(curlStatus(curl({"-T", src, "-w", "\n%{http_code}", server_.url("/upload/c.txt")})), 201);
    QVERIFY(writeRandomFile(src, 2000, 6));
    QCOMPARE(curlStatus(curl({"-T", src, "-w", "\n%{http_code}", server_.url("/upload/c.txt")})), 409);
    QCOMPARE(std::filesystem::file_size(dir_ + "/c.txt"), 1000u);
    QCOMPARE(curlStatus(curl({"-T", src, "-w", "\n%{http_code}", server_.url("/upload/c.txt?overwrite=1")})), 200);
    QCOMPARE(sha256sumOf(dir_ + "/c.txt"), sha256sumOf(src));
    // multipart honours the same rule
    QCOMPARE(curlStatus(curl({"-F", "f=@" + src, "-w", "\n%{http_code}", server_.url("/upload")})), 409);
    QVERIFY(noPartFiles(dir_));
  }

  void hostileNamesNeverEscape_data() {
    QTest::addColumn<QString>("target");
    QTest::addColumn<int>("status");
    for (const char* t : {"/upload/..", "/upload/%2e%2e", "/upload/..%2f..%2fescape", "/upload/%2fetc%2fescape",
                          "/upload/..%5cescape", "/upload/a%00b", "/upload/a%0ab", "/upload/", "/upload/%c0%ae%c0%ae",
                          "/upload/x.part", "/upload/%ff"})
      QTest::newRow(t) << QString(t) << 400;
    QTest::newRow("too long") << QString("/upload/") + QString(256, 'n') << 400;
    QTest::newRow("double encoded is a literal name") << QString("/upload/%252e%252e") << 201;
  }
  void hostileNamesNeverEscape() {
    QFETCH(QString, target);
    QFETCH(int, status);
    auto before = dirEntries(root_);
    auto resp = fetch(server_.port(), makeRequest("PUT", target.toStdString(), "Content-Length: 5\r\n", "evil\n"));
    QVERIFY(resp);
    QCOMPARE(resp->status, status);
    QCOMPARE(dirEntries(root_), before);  // nothing appeared next to the upload folder
    if (status == 201) QVERIFY(dirEntries(dir_).count("%2e%2e"));
    QVERIFY(noPartFiles(dir_));
  }

  void symlinksAreNeverFollowed() {
    std::string outside = root_ + "/outside.txt";
    QVERIFY(writeRandomFile(outside, 10, 1));
    std::string before = sha256sumOf(outside);
    QCOMPARE(::symlink(outside.c_str(), (dir_ + "/link.txt").c_str()), 0);
    QCOMPARE(::symlink(outside.c_str(), (dir_ + "/planted.part").c_str()), 0);
    for (const char* target : {"/upload/link.txt", "/upload/link.txt?overwrite=1", "/upload/planted"}) {
      auto resp = fetch(server_.port(), makeRequest("PUT", target, "Content-Length: 5\r\n", "evil\n"));
      QVERIFY(resp);
      QCOMPARE(resp->status, 409);
    }
    auto get = fetch(server_.port(), makeRequest("GET", "/files/link.txt"));
    QVERIFY(get);
    QCOMPARE(get->status, 403);
    QCOMPARE(sha256sumOf(outside), before);
    ::unlink((dir_ + "/link.txt").c_str());
    ::unlink((dir_ + "/planted.part").c_str());
  }

  void digestMatchAndMismatch() {
    std::string src = src_ + "/d.bin";
    QVERIFY(writeRandomFile(src, 100'000, 9));
    std::string good = digestHeader(src);
    QCOMPARE(curlStatus(curl({"-T", src, "-H", "Repr-Digest: " + good, "-w", "\n%{http_code}", server_.url("/upload/d1.bin")})), 201);
    QCOMPARE(curlStatus(curl({"-T", src, "-H", "Content-Digest: sha-512=:AAAA:, " + good, "-w", "\n%{http_code}", server_.url("/upload/d2.bin")})), 201);
    std::string other = src_ + "/other.bin";
    QVERIFY(writeRandomFile(other, 10, 10));
    std::string bad = digestHeader(other);
    QCOMPARE(curlStatus(curl({"-T", src, "-H", "Repr-Digest: " + bad, "-w", "\n%{http_code}", server_.url("/upload/d3.bin")})), 400);
    QCOMPARE(curlStatus(curl({"-T", src, "-H", "Content-Digest: " + bad, "-w", "\n%{http_code}", server_.url("/upload/d4.bin")})), 400);
    QCOMPARE(curlStatus(curl({"-F", "f=@" + src, "-H", "Content-Digest: " + bad, "-w", "\n%{http_code}", server_.url("/upload")})), 400);
    auto names = dirEntries(dir_);
    QVERIFY(names.count("d1.bin") && names.count("d2.bin"));
    QVERIFY(!names.count("d3.bin") && !names.count("d4.bin") && !names.count("d.bin"));
    QVERIFY(noPartFiles(dir_));
  }

  void abortedUploadsLeaveNothing_data() {
    QTest::addColumn<bool>("multipart");
    QTest::newRow("raw PUT") << false;
    QTest::newRow("multipart") << true;
  }
  void abortedUploadsLeaveNothing() {
    QFETCH(bool, multipart);
    std::string src = src_ + "/abort.bin";
    QVERIFY(writeRandomFile(src, 40'000'000, 21));
    ChildProcess client;
    std::vector<std::string> argv = {curlPath(), "-sS", "--limit-rate", "4M"};
    if (multipart) argv.insert(argv.end(), {"-F", "f=@" + src, server_.url("/upload")});
    else argv.insert(argv.end(), {"-T", src, server_.url("/upload/abort.bin")});
    QVERIFY(client.start(argv));
    QVERIFY(waitUntil([&] { return dirEntries(dir_).count("abort.bin.part") > 0; }, 10s));
    client.signal(SIGKILL);
    client.wait(5s);
    QVERIFY(waitUntil([&] { return noPartFiles(dir_); }, 5s));
    QVERIFY(!dirEntries(dir_).count("abort.bin"));
  }

  void limitsAnswer413() {
    std::string dir = root_ + "/limited";
    UploadServer limited;
    QVERIFY2(limited.start(dir, {"--quiet", "--max-body", "1M"}), limited.error().c_str());
    std::string src = src_ + "/big.bin";
    QVERIFY(writeRandomFile(src, 3'000'000, 4));
    // Content-Length tells: refused before the body (curl sends Expect: 100-continue).
    QCOMPARE(curlStatus(curl({"-T", src, "-w", "\n%{http_code}", limited.url("/upload/big.bin")})), 413);
    // Chunked: refused mid-stream.
    SpawnOptions o;
    o.stdinFile = src;
    RunResult r = runProcess({curlPath(), "-sS", "-T", "-", "-w", "\n%{http_code}", limited.url("/upload/big2.bin")}, 30s, o);
    QCOMPARE(curlStatus(r), 413);
    QVERIFY(dirEntries(dir).empty());
  }

  void expectContinueRefusedBeforeBody_data() {
    QTest::addColumn<QString>("target");
    QTest::addColumn<int>("status");
    QTest::newRow("exists") << "/upload/c.txt" << 409;
    QTest::newRow("bad name") << "/upload/..%2fx" << 400;
  }
  void expectContinueRefusedBeforeBody() {
    QFETCH(QString, target);
    QFETCH(int, status);
    RawClient c(server_.port());
    QVERIFY(c.send(makeRequest("PUT", target.toStdString(), "Content-Length: 1000000\r\nExpect: 100-continue\r\n")));
    std::vector<int> interim;
    auto resp = c.readFinalResponse(3s, false, &interim);
    QVERIFY(resp);
    QCOMPARE(resp->status, status);
    QVERIFY(interim.empty());  // no 100 Continue: the client never sends the body
  }

  void resumeAfterAbort() {
    const uint64_t size = 12'000'000;
    std::string src = src_ + "/resume.bin";
    QVERIFY(writeRandomFile(src, size, 33));
    std::string range = "Content-Range: bytes 0-" + std::to_string(size - 1) + "/" + std::to_string(size);
    ChildProcess client;
    QVERIFY(client.start({curlPath(), "-sS", "--limit-rate", "3M", "-X", "PATCH", "-H", range, "--data-binary", "@" + src,
                          server_.url("/upload/resume.bin")}));
    QVERIFY(waitUntil([&] {
      std::error_code ec;
      return std::filesystem::file_size(dir_ + "/resume.bin.part", ec) > 1'000'000 && !ec;
    }, 10s));
    client.signal(SIGKILL);
    client.wait(5s);
    // The part stays for the resume; the server tells where it stands.
    RunResult head = curl({"-I", server_.url("/upload/resume.bin")});
    auto at = head.out.find("Upload-Offset: ");
    QVERIFY2(at != std::string::npos, head.out.c_str());
    uint64_t offset = std::stoull(head.out.substr(at + 15));
    QVERIFY(offset > 0 && offset < size);
    std::string rest = src_ + "/rest.bin";
    QVERIFY(runProcess({"/bin/sh", "-c", "tail -c +" + std::to_string(offset + 1) + " '" + src + "' > '" + rest + "'"}, 30s).ok());
    RunResult r = curl({"-X", "PATCH", "-H", "Content-Range: bytes " + std::to_string(offset) + "-" + std::to_string(size - 1) + "/" +
                        std::to_string(size), "-H", "Repr-Digest: " + digestHeader(src), "--data-binary", "@" + rest,
                        "-w", "\n%{http_code}", server_.url("/upload/resume.bin")});
    QCOMPARE(curlStatus(r), 201);
    QCOMPARE(jsonField(r.out, "sha256"), sha256sumOf(src));
    QCOMPARE(sha256sumOf(dir_ + "/resume.bin"), sha256sumOf(src));
    QVERIFY(noPartFiles(dir_));
  }

  void diskFullAnswers507AndRecovers() {
    // RLIMIT_FSIZE (1 MiB) on the server child with SIGXFSZ ignored: writes past
    // it fail with EFBIG, which the server treats like ENOSPC. Works unprivileged.
    std::string dir = root_ + "/full";
    UploadServer small;
    QVERIFY2(small.start(dir, {"--quiet"}, 1024 * 1024), small.error().c_str());
    std::string src = src_ + "/toobig.bin";
    QVERIFY(writeRandomFile(src, 3'000'000, 8));
    QCOMPARE(curlStatus(curl({"-T", src, "-w", "\n%{http_code}", small.url("/upload/toobig.bin")})), 507);
    QCOMPARE(curlStatus(curl({"-F", "f=@" + src, "-w", "\n%{http_code}", small.url("/upload")})), 507);
    QVERIFY(waitUntil([&] { return dirEntries(dir).empty(); }, 3s));
    std::string ok = src_ + "/fits.bin";
    QVERIFY(writeRandomFile(ok, 100'000, 2));
    QCOMPARE(curlStatus(curl({"-T", ok, "-w", "\n%{http_code}", small.url("/upload/fits.bin")})), 201);
    QCOMPARE(sha256sumOf(dir + "/fits.bin"), sha256sumOf(ok));
  }

  void serverStopMidUploadLeavesNothing() {
    std::string dir = root_ + "/stopping";
    UploadServer s;
    QVERIFY2(s.start(dir, {"--quiet", "--shutdown-grace", "200ms"}), s.error().c_str());
    std::string src = src_ + "/abort.bin";
    ChildProcess client;
    QVERIFY(client.start({curlPath(), "-sS", "--limit-rate", "4M", "-T", src, s.url("/upload/stop.bin")}));
    QVERIFY(waitUntil([&] { return dirEntries(dir).count("stop.bin.part") > 0; }, 10s));
    s.stop();
    QVERIFY(dirEntries(dir).empty());
    client.terminate(2s);
  }
};

#if __has_include("test_upload_server.moc")
QTEST_MAIN(TestUploadServer)
#include "test_upload_server.moc"
#else
SLUICE_TEST_MAIN_WITHOUT_MOC("test_upload_server")
#endif
