// The headline: a 1 GiB upload leaves the server's memory flat (< 16 MiB growth).
#include <QtTest>

#include <filesystem>

#include "support/serve_fixture.h"
#include "support/test_env.h"
#include "support/upload_fixture.h"

using namespace sluice::test;
using namespace std::chrono_literals;

class TestUploadMemory : public QObject {
  Q_OBJECT

 private slots:
  void oneGiBUploadKeepsRssFlat() {
    QVERIFY2(!curlPath().empty(), "curl is required (make deps)");
    const sluice::test::TempDir tmp("upload-mem");  // removed even when a check below fails
    const std::string& root = tmp.path();
    UploadServer s;
    QVERIFY2(s.start(root + "/up", {"--quiet"}), s.error().c_str());
    // Warm up (first-use allocations), then take the baseline.
    RunResult warm = runProcess({"/bin/sh", "-c", "head -c 1048576 /dev/zero | curl -sS -T - " + s.url("/upload/warm.bin")}, 30s);
    QVERIFY(warm.ok());
    auto base = procStatusBytes(s.pid(), "VmRSS");
    QVERIFY(base.has_value());
    // Chunked from a pipe (curl -T -): the server cannot know the size in advance.
    RunResult r = runProcess({"/bin/sh", "-c", "head -c 1073741824 /dev/zero | curl -sS -T - " + s.url("/upload/big.bin")}, 240s);
    QVERIFY2(r.ok(), r.err.c_str());
    // sha256 of 1 GiB of zero bytes
    QVERIFY2(r.out.find("\"sha256\":\"49bc20df15e412a64472421e13fe86ff1c5165e18b2afccf160d4dc19fe68a14\"") != std::string::npos,
             r.out.c_str());
    QCOMPARE(std::filesystem::file_size(root + "/up/big.bin"), 1073741824u);
    auto peak = procStatusBytes(s.pid(), "VmHWM");
    QVERIFY(peak.has_value());
    qInfo("server RSS before %.1f MiB, peak during 1 GiB upload %.1f MiB", *base / 1048576.0, *peak / 1048576.0);
    QVERIFY2(*peak < *base + 16 * 1024 * 1024, "server memory grew by 16 MiB or more during the upload");
    s.stop();
  }
};

#if __has_include("test_upload_memory.moc")
QTEST_MAIN(TestUploadMemory)
#include "test_upload_memory.moc"
#else
SLUICE_TEST_MAIN_WITHOUT_MOC("test_upload_memory")
#endif
