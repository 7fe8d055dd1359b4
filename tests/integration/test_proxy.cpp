// Reverse proxy mode: requests forwarded through the client engine, the upstream
// body pushed into the server response (the implicit recycle of the release path).
#include <QtTest>

#include <filesystem>
#include <fstream>

#include "support/process.h"
#include "support/serve_fixture.h"
#include "support/test_env.h"

using namespace std::chrono_literals;
using sluice::test::InProcessServer;

namespace {
struct CurlResult {
  int exitCode = -1;
  std::string out;
  std::string err;
};

CurlResult curl(const std::vector<std::string>& args) {
  std::vector<std::string> argv{sluice::test::curlPath(), "-s", "--max-time", "20"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = sluice::test::runProcess(argv, 30s);
  return {r.exit.code, r.out, r.err};
}

std::string sha256Of(const std::string& path) {
  auto r = sluice::test::runProcess({"sha256sum", path}, 10s);
  return r.out.substr(0, 64);
}
}  // namespace

class TestProxy : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() {
    QVERIFY2(!sluice::test::curlPath().empty(), "curl is missing: run make deps");
    QVERIFY2(upstream_.start(), upstream_.error().c_str());
    const std::string base = "http://127.0.0.1:" + std::to_string(upstream_.port());
    QVERIFY2(proxy_.start({}, [&](sluice::site::RouteOptions& o) { o.proxyUpstream = base; }), proxy_.error().c_str());
  }
  void cleanupTestCase() {
    proxy_.stop();
    upstream_.stop();
  }

  void bodiesArriveByteForByte() {
    auto direct = curl({upstream_.url("/bytes/3000000")});
    auto viaProxy = curl({"-D", "-", proxy_.url("/bytes/3000000")});
    QCOMPARE(direct.exitCode, 0);
    QCOMPARE(viaProxy.exitCode, 0);
    auto split = viaProxy.out.find("\r\n\r\n");
    QVERIFY(split != std::string::npos);
    std::string head = viaProxy.out.substr(0, split);
    QVERIFY2(head.find("Via: 1.1 sluice") != std::string::npos, head.c_str());
    QVERIFY2(head.find("Content-Length: 3000000") != std::string::npos, head.c_str());
    QVERIFY(viaProxy.out.substr(split + 4) == direct.out);
  }

  void chunkedUpstreamStaysChunked() {
    auto r = curl({"-D", "-", proxy_.url("/bytes/100000?chunked=1")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.find("Transfer-Encoding: chunked") != std::string::npos);
    QCOMPARE(r.out.size() - (r.out.find("\r\n\r\n") + 4), size_t(100000));
  }

  void upstreamConnectionsAreReused() {
    auto before = upstream_.server().stats().snapshot().connectionsAccepted;
    // 30 requests from 30 separate curl runs: 30 downstream connections, but the
    // proxy's pool keeps reusing one upstream connection (forward() releases it).
    for (int i = 0; i < 30; ++i) QCOMPARE(curl({"-o", "/dev/null", proxy_.url("/bytes/2000")}).exitCode, 0);
    auto opened = upstream_.server().stats().snapshot().connectionsAccepted - before;
    QVERIFY2(opened <= 1, qPrintable(QString("upstream connections opened: %1").arg(opened)));
  }

  void uploadsPassThrough() {
    const sluice::test::TempDir tmp("proxy-up");  // removed even when a check below fails
    const std::string& dir = tmp.path();
    std::string src = dir + "/src.bin";
    {
      std::ofstream f(src, std::ios::binary);
      for (int i = 0; i < 200000; ++i) f << "line " << i << "\n";
    }
    auto r = curl({"-T", src, proxy_.url("/upload/through-proxy.txt")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.find("\"sha256\":\"" + sha256Of(src) + "\"") != std::string::npos, r.out.c_str());
    QCOMPARE(sha256Of(upstream_.uploadDir() + "/through-proxy.txt"), sha256Of(src));
  }

  void deadUpstreamGets502InWords() {
    InProcessServer orphan;
    QVERIFY(orphan.start({}, [](sluice::site::RouteOptions& o) { o.proxyUpstream = "http://127.0.0.1:1"; }));
    auto r = curl({"-w", "%{http_code}", orphan.url("/anything")});
    QVERIFY2(r.out.ends_with("502"), r.out.c_str());
    QVERIFY2(r.out.find("upstream") != std::string::npos, r.out.c_str());
  }

 private:
  InProcessServer upstream_;
  InProcessServer proxy_;
};

QTEST_APPLESS_MAIN(TestProxy)
#include "test_proxy.moc"
