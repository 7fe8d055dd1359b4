// GET /files/ through both body paths (sendfile and read/write through a buffer) and the
// automatic choice between them (read/write on tmpfs): byte-exact bodies, whole and ranged,
// read slowly enough that the socket takes partial writes.
#include <QtTest>

#include <linux/magic.h>
#include <sys/socket.h>
#include <sys/vfs.h>

#include <filesystem>
#include <fstream>

#include "support/raw_client.h"
#include "support/serve_fixture.h"
#include "support/test_env.h"
#include "support/upload_fixture.h"

using namespace sluice::test;
using namespace std::chrono_literals;

namespace {
constexpr uint64_t kFileBytes = 2'500'000;  // 2.4 buffers of 1 MiB

bool onTmpfs(const std::string& dir) {
  struct statfs fs {};
  return ::statfs(dir.c_str(), &fs) == 0 && static_cast<unsigned long>(fs.f_type) == TMPFS_MAGIC;
}

std::string fileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The bytes [first, first + length) of a file, hashed by sha256sum.
std::string sliceSha(const std::string& path, uint64_t first, uint64_t length) {
  RunResult r = runProcess({"/bin/sh", "-c", "tail -c +" + std::to_string(first + 1) + " '" + path + "' | head -c " +
                                                 std::to_string(length) + " | sha256sum"},
                           10s);
  return r.out.substr(0, 64);
}
}  // namespace

class TestFilesSendPaths : public QObject {
  Q_OBJECT

 private slots:
  void bodiesAreByteExact_data() {
    QTest::addColumn<QString>("mode");
    QTest::addColumn<bool>("shm");  // the folder under /dev/shm (tmpfs) instead of the temp folder
    QTest::newRow("sendfile") << "sendfile" << false;
    QTest::newRow("read/write") << "readwrite" << false;
    QTest::newRow("auto, temp folder") << "auto" << false;
    QTest::newRow("auto, /dev/shm") << "auto" << true;
  }
  void bodiesAreByteExact() {
    QFETCH(QString, mode);
    QFETCH(bool, shm);
    if (shm) QVERIFY2(std::filesystem::is_directory("/dev/shm"), "/dev/shm is required (a tmpfs on every Linux)");
    std::string root = shm ? std::string(::mkdtemp(std::string("/dev/shm/sluice-files-XXXXXX").data())) : makeTempDir("filepaths");
    QVERIFY(!root.empty());
    struct Cleanup {
      std::string path;
      ~Cleanup() { removeTree(path); }
    } cleanup{root};
    std::string dir = root + "/up";
    std::filesystem::create_directories(dir);
    QVERIFY(writeRandomFile(dir + "/data.bin", kFileBytes, 91));
    const bool wantReadWrite = mode == "readwrite" || (mode == "auto" && onTmpfs(dir));

    UploadServer server;
    QVERIFY2(server.start(dir, {"--quiet", "--file-send", mode.toStdString(), "--file-buffer", "1M"}), server.error().c_str());
    // A 16 KiB receive buffer keeps the window small, so the server meets partial writes.
    RawClient slow;
    const int rcvbuf = 16 * 1024;
    QVERIFY(slow.connect(server.port()));
    QVERIFY(::setsockopt(slow.fd(), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) == 0);
    QVERIFY(slow.send(makeRequest("GET", "/files/data.bin")));
    auto resp = slow.readResponse(20s);
    QVERIFY2(resp, slow.error().c_str());
    QCOMPARE(resp->status, 200);
    QCOMPARE(resp->body.size(), kFileBytes);
    QVERIFY(resp->body == fileBytes(dir + "/data.bin"));
    std::string part = root + "/part.bin";
    // A range that starts and ends inside buffers, across many of them.
    RunResult r = curl({"-r", "70000-2200000", "-o", part, "-w", "%{http_code}", server.url("/files/data.bin")});
    QCOMPARE(curlStatus(r), 206);
    QCOMPARE(std::filesystem::file_size(part), 2'130'001u);
    QCOMPARE(sha256sumOf(part), sliceSha(dir + "/data.bin", 70000, 2'130'001));

    QVERIFY(server.stop().exited);
    const std::string err = server.process().stderrText();
    const uint64_t sent = kFileBytes + 2'130'001;
    const std::string want = wantReadWrite ? "file bodies: 0 bytes by sendfile, " + std::to_string(sent) + " bytes by read/write"
                                           : "file bodies: " + std::to_string(sent) + " bytes by sendfile, 0 bytes by read/write";
    QVERIFY2(err.find(want) != std::string::npos, ("want '" + want + "' in: " + err).c_str());
  }

  void badValuesAreRefused_data() {
    QTest::addColumn<QString>("flag");
    QTest::addColumn<QString>("value");
    QTest::newRow("unknown path") << "--file-send" << "splice";
    QTest::newRow("buffer below 4K") << "--file-buffer" << "1K";
    QTest::newRow("bulk read below 4K") << "--bulk-read" << "2K";
  }
  void badValuesAreRefused() {
    QFETCH(QString, flag);
    QFETCH(QString, value);
    RunResult r = runProcess({cliPath(), "serve", "--listen", "127.0.0.1:0", flag.toStdString(), value.toStdString()}, 10s);
    QVERIFY(r.exit.exited);
    QCOMPARE(r.exit.code, 2);
    const std::string want = "bad value '" + value.toStdString() + "' for " + flag.toStdString();
    QVERIFY2(r.err.find(want) != std::string::npos, r.err.c_str());
  }
};

QTEST_APPLESS_MAIN(TestFilesSendPaths)
#include "test_files_send_paths.moc"
