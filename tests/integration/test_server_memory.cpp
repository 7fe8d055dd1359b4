// Stream mode against buffered mode memory, measured from /proc of a sluice-cli child:
// a 512 MiB upload to /sink keeps the server's peak RSS growth under 16 MiB in stream
// mode, and grows it by hundreds of MiB in buffered mode (so the measurement can fail).
#include <QtTest/QtTest>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/process.h"
#include "support/raw_client.h"
#include "support/serve_fixture.h"
#include "support/test_env.h"

using namespace std::chrono_literals;
using sluice::test::CliServer;

namespace {

constexpr uint64_t kUpload = 512ull * 1024 * 1024;
constexpr uint64_t kMiB = 1024 * 1024;

struct Growth {
  uint64_t baseline = 0;  // VmRSS after startup and a warm-up request
  uint64_t peak = 0;      // VmHWM after the upload
  uint64_t growth() const { return peak > baseline ? peak - baseline : 0; }
};

}  // namespace

class TestServerMemory : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase();
  void cleanupTestCase();
  void streamModeStaysFlat();
  void bufferedModeGrowsWithTheBody();

 private:
  /** Uploads the sparse file to /sink of a fresh server started with args; fills g. */
  bool upload(const std::vector<std::string>& args, Growth& g);

  std::string curl_;
  std::string dir_;
  std::string file_;
};

void TestServerMemory::initTestCase() {
  curl_ = sluice::test::curlPath();
  if (curl_.empty()) QFAIL("curl is required for these tests and was not found (make deps installs it)");
  dir_ = sluice::test::makeTempDir("memory");
  QVERIFY(!dir_.empty());
  file_ = dir_ + "/upload.bin";
  { std::ofstream(file_, std::ios::binary); }
  std::error_code ec;
  std::filesystem::resize_file(file_, kUpload, ec);  // sparse: no disk space, reads as zeros
  QVERIFY2(!ec, ec.message().c_str());
}

void TestServerMemory::cleanupTestCase() { sluice::test::removeTree(dir_); }

bool TestServerMemory::upload(const std::vector<std::string>& args, Growth& g) {
  CliServer s;
  if (!s.start(args)) {
    qWarning("%s", s.error().c_str());
    return false;
  }
  // Warm up: first request, so lazily created buffers count in the baseline.
  auto warm = sluice::test::fetch(s.port(), sluice::test::makeRequest("POST", "/sink", "Content-Length: 5\r\n", "hello"));
  if (!warm || warm->status != 200) {
    qWarning("warm-up request failed");
    return false;
  }
  auto base = sluice::test::procStatusBytes(s.pid(), "VmRSS");
  if (!base) {
    qWarning("cannot read /proc/%d/status", int(s.pid()));
    return false;
  }
  g.baseline = *base;
  auto r = sluice::test::runProcess({curl_, "-sS", "--fail", "-T", file_, s.url("/sink")}, 120s);
  if (!r.ok()) {
    qWarning("curl upload failed: %s %s", r.exit.describe().c_str(), r.err.c_str());
    return false;
  }
  if (r.out.find("\"bytes\":" + std::to_string(kUpload)) == std::string::npos) {
    qWarning("unexpected /sink answer: %s", r.out.c_str());
    return false;
  }
  auto peak = sluice::test::procStatusBytes(s.pid(), "VmHWM");
  if (!peak) return false;
  g.peak = *peak;
  auto exit = s.stop();
  return exit.exited && exit.code == 0;
}

void TestServerMemory::streamModeStaysFlat() {
  Growth g;
  QVERIFY(upload({"--quiet", "--mode", "stream"}, g));
  qInfo("stream mode: baseline RSS %.1f MiB, peak RSS %.1f MiB, growth %.2f MiB for a %llu MiB upload",
        double(g.baseline) / kMiB, double(g.peak) / kMiB, double(g.growth()) / kMiB,
        static_cast<unsigned long long>(kUpload / kMiB));
  QVERIFY2(g.growth() < 16 * kMiB, qPrintable(QString("peak RSS grew by %1 MiB").arg(double(g.growth()) / kMiB)));
}

void TestServerMemory::bufferedModeGrowsWithTheBody() {
  Growth g;
  QVERIFY(upload({"--quiet", "--mode", "buffered"}, g));
  qInfo("buffered mode: baseline RSS %.1f MiB, peak RSS %.1f MiB, growth %.2f MiB for a %llu MiB upload",
        double(g.baseline) / kMiB, double(g.peak) / kMiB, double(g.growth()) / kMiB,
        static_cast<unsigned long long>(kUpload / kMiB));
  QVERIFY2(g.growth() >= 400 * kMiB, qPrintable(QString("peak RSS grew by only %1 MiB").arg(double(g.growth()) / kMiB)));
}

QTEST_APPLESS_MAIN(TestServerMemory)
#include "test_server_memory.moc"
