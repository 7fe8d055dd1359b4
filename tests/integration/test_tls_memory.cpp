// Memory stays flat over TLS, on both sides, for 2 GiB each way (issue 10):
// - the server (`sluice-cli serve --tls`) under a 2 GiB curl upload to /sink and a
//   2 GiB curl download of /bytes: its peak RSS grows by at most 16 MiB;
// - the client (`sluice-cli request`) downloading and uploading 2 GiB over TLS: its
//   peak RSS is at most 16 MiB above the same command's for a 10-byte body.
// Every byte is counted on the far side, so a short transfer fails the test too.
#include <QtTest>

#include <nlohmann/json.hpp>

#include "support/process.h"
#include "support/test_env.h"
#include "support/tls_serve.h"

using namespace sluice;
using namespace std::chrono_literals;

namespace {

constexpr uint64_t kTwoGiB = 2ull << 30;
constexpr uint64_t kFlat = 16ull << 20;

std::string mib(uint64_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

// The --json summary line of a sluice-cli request run (the last stdout line).
nlohmann::json summaryOf(const test::RunResult& r) {
  auto end = r.out.find_last_not_of('\n');
  auto start = r.out.rfind('\n', end);
  auto j = nlohmann::json::parse(r.out.substr(start == std::string::npos ? 0 : start + 1), nullptr, false);
  return j.is_object() && j.contains("summary") ? j["summary"] : nlohmann::json();
}

}  // namespace

class TestTlsMemory : public QObject {
  Q_OBJECT

  test::TlsServe serve_;
  std::string dir_;
  uint64_t clientBaseline_ = 0;

  uint64_t serverPeak() { return test::procStatusBytes(serve_.server.pid(), "VmHWM").value_or(0); }

  test::RunResult cli(std::vector<std::string> args, const std::string& output = "/dev/null") {
    args.insert(args.begin(), {SLUICE_CLI_PATH, "request", "--json", "--cacert", serve_.pem, "-o", output});
    return test::runProcess(args, 180s);
  }

 private slots:
  void initTestCase() {
    QVERIFY2(serve_.start(), serve_.server.error().c_str());
    dir_ = test::makeTempDir("tls-memory");
    auto small = cli({serve_.url("/bytes/10")});
    auto s = summaryOf(small);
    QVERIFY2(small.ok() && s.is_object(), (small.out + small.err).c_str());
    clientBaseline_ = s.value("peak_rss_bytes", uint64_t{0});
    QVERIFY(clientBaseline_ > 0);
  }
  void cleanupTestCase() { test::removeTree(dir_); }

  void serverUploadOfTwoGibIsFlat() {
    uint64_t before = serverPeak();
    auto r = test::runProcess({"bash", "-c", "head -c " + std::to_string(kTwoGiB) + " /dev/zero | curl -sS --max-time 150 --cacert '" +
                                                 serve_.pem + "' -T - '" + serve_.url("/sink") + "'"},
                              180s);
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    QVERIFY2(r.ok() && j.is_object() && j.value("bytes", uint64_t{0}) == kTwoGiB, (r.out + r.err).c_str());
    uint64_t grew = serverPeak() - before;
    QVERIFY2(grew <= kFlat, ("server peak RSS grew by " + mib(grew)).c_str());
    qInfo("server, 2 GiB upload over TLS: peak RSS grew by %llu KiB", static_cast<unsigned long long>(grew >> 10));
  }

  void serverDownloadOfTwoGibIsFlat() {
    uint64_t before = serverPeak();
    auto r = test::runProcess({"curl", "-sS", "--max-time", "150", "--cacert", serve_.pem, "-o", "/dev/null", "-w",
                               "%{http_code} %{size_download}", serve_.url("/bytes/" + std::to_string(kTwoGiB))},
                              180s);
    QVERIFY2(r.ok() && r.out == "200 " + std::to_string(kTwoGiB), (r.out + r.err).c_str());
    uint64_t grew = serverPeak() - before;
    QVERIFY2(grew <= kFlat, ("server peak RSS grew by " + mib(grew)).c_str());
    qInfo("server, 2 GiB download over TLS: peak RSS grew by %llu KiB", static_cast<unsigned long long>(grew >> 10));
  }

  void clientDownloadOfTwoGibIsFlat() {
    auto r = cli({serve_.url("/bytes/" + std::to_string(kTwoGiB))});
    auto s = summaryOf(r);
    QVERIFY2(r.ok() && s.is_object(), (r.out + r.err).c_str());
    QCOMPARE(s.value("body_bytes", uint64_t{0}), kTwoGiB);
    uint64_t peak = s.value("peak_rss_bytes", uint64_t{0});
    QVERIFY2(peak <= clientBaseline_ + kFlat, ("client peak RSS " + mib(peak) + " vs " + mib(clientBaseline_) + " for 10 bytes").c_str());
    qInfo("client, 2 GiB download over TLS: peak RSS %llu KiB (10-byte run: %llu KiB)", static_cast<unsigned long long>(peak >> 10),
          static_cast<unsigned long long>(clientBaseline_ >> 10));
  }

  void clientUploadOfTwoGibIsFlat() {
    // A sparse 2 GiB file: read as zeros, no disk used.
    std::string file = dir_ + "/two-gib.bin";
    QVERIFY(test::runProcess({"truncate", "-s", std::to_string(kTwoGiB), file}, 10s).ok());
    std::string answer = dir_ + "/sink.json";
    test::RunResult r = cli({"-T", file, serve_.url("/sink")}, answer);
    QVERIFY2(r.ok(), (r.out + r.err).c_str());
    auto sink = nlohmann::json::parse(test::readFile(answer), nullptr, false);
    QVERIFY2(sink.is_object() && sink.value("bytes", uint64_t{0}) == kTwoGiB, sink.dump().c_str());
    auto s = summaryOf(r);
    uint64_t peak = s.value("peak_rss_bytes", uint64_t{0});
    QVERIFY2(peak > 0 && peak <= clientBaseline_ + kFlat, ("client peak RSS " + mib(peak) + " vs " + mib(clientBaseline_)).c_str());
    qInfo("client, 2 GiB upload over TLS: peak RSS %llu KiB", static_cast<unsigned long long>(peak >> 10));
  }
};

QTEST_APPLESS_MAIN(TestTlsMemory)
#include "test_tls_memory.moc"
