// sluice-cli serve --tls against real clients (curl --cacert, openssl s_client) and
// hostile peers: the stored self-signed certificate, the listening and fingerprint
// lines, a 1 GiB upload checked by SHA-256 (flat memory: test_tls_memory), plain HTTP and garbage
// on the TLS port, and 600 peers stalling mid-handshake that starve nobody.
#include <QtTest>

#include "engine/server/server_config.h"
#include "engine/tls/cert_maker.h"
#include "engine/tls/tls_context.h"
#include "support/process.h"
#include "support/raw_client.h"
#include "support/serve_fixture.h"
#include "support/tls_serve.h"
#include "support/test_env.h"

using namespace sluice;
using namespace std::chrono_literals;

namespace {

using test::TlsServe;

test::RunResult curl(std::vector<std::string> args) {
  args.insert(args.begin(), {"curl", "-sS", "--max-time", "60"});
  return test::runProcess(args, 90s);
}

}  // namespace

class TestTlsServer : public QObject {
  Q_OBJECT
 private slots:
  void autoIoIsEpollForTlsServers() {
    const std::string dir = test::makeTempDir("tls-auto-io");
    auto stored = tls::loadOrCreateLocalCert(dir);
    QVERIFY2(stored, stored ? "" : stored.error().message.c_str());
    tls::ServerSettings settings;
    settings.certFile = stored->certPath;
    settings.keyFile = stored->keyPath;
    auto ctx = tls::TlsContext::server(settings);
    QVERIFY2(ctx, ctx ? "" : ctx.error().message.c_str());
    const char* env = std::getenv("SLUICE_IO");
    const std::string saved = env ? env : "";
    ::unsetenv("SLUICE_IO");
    server::ServerConfig tlsConfig;
    tlsConfig.tls = *ctx;
    server::ServerConfig plainConfig;
    // OpenSSL drives a TLS socket itself: io_uring could only emulate readiness for it.
    QCOMPARE(server::loopBackend(tlsConfig), net::IoBackend::kEpoll);
    QCOMPARE(server::loopBackend(plainConfig), net::resolveIoBackend(net::IoBackend::kAuto));
    ::setenv("SLUICE_IO", "uring", 1);  // the variable, and an explicit choice, still win
    QCOMPARE(server::loopBackend(tlsConfig), net::IoBackend::kUring);
    ::unsetenv("SLUICE_IO");
    tlsConfig.io = net::IoBackend::kUring;
    QCOMPARE(server::loopBackend(tlsConfig), net::IoBackend::kUring);
    if (!saved.empty()) ::setenv("SLUICE_IO", saved.c_str(), 1);
    test::removeTree(dir);
  }

  void selfSignedCertificateIsStoredAndReused() {
    std::string first;
    std::string dataDir = test::makeTempDir("tls-xdg-keep");
    for (int run = 0; run < 2; ++run) {
      TlsServe s(dataDir);
      QVERIFY2(s.start(), s.server.error().c_str());
      QVERIFY(s.server.listeningLine().starts_with("listening on https://127.0.0.1:"));
      QCOMPARE(s.pem, dataDir + "/sluice/cert.pem");
      QCOMPARE(s.fingerprint.size(), size_t{95});
      if (run == 0) first = s.fingerprint;
      else QCOMPARE(s.fingerprint, first);
      auto fp = tls::fingerprintOfPemFile(s.pem);
      QVERIFY(fp && *fp == s.fingerprint);
      for (const std::string host : {"localhost", "127.0.0.1"}) {
        auto r = curl({"--cacert", s.pem, "https://" + host + ":" + std::to_string(s.server.port()) + "/bytes/1000", "-o", "/dev/null",
                       "-w", "%{http_code} %{size_download} %{ssl_verify_result}"});
        QVERIFY2(r.ok(), r.err.c_str());
        QCOMPARE(QString::fromStdString(r.out), QString("200 1000 0"));
      }
    }
    test::removeTree(dataDir);
  }

  void opensslSClientVerifiesAndGetsAnAnswer() {
    TlsServe s;
    QVERIFY2(s.start(), s.server.error().c_str());
    test::SpawnOptions o;
    o.stdinData = "GET /bytes/7 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    o.feedStdin = true;
    auto r = test::runProcess({"openssl", "s_client", "-connect", "127.0.0.1:" + std::to_string(s.server.port()), "-servername",
                               "localhost", "-CAfile", s.pem, "-verify_hostname", "localhost", "-verify_return_error", "-alpn",
                               "http/1.1", "-ign_eof"},
                              20s, o);
    QVERIFY2(r.ok(), (r.err + r.out).c_str());
    QVERIFY2(r.out.find("HTTP/1.1 200") != std::string::npos, r.out.c_str());
    QVERIFY2(r.out.find("Verify return code: 0 (ok)") != std::string::npos, r.out.c_str());
    QVERIFY2(r.out.find("ALPN protocol: http/1.1") != std::string::npos, r.out.c_str());
  }

  void plainHttpOnTheTlsPortGetsAWorded400() {
    TlsServe s;
    QVERIFY2(s.start(), s.server.error().c_str());
    test::RawClient c(s.server.port());
    QVERIFY(c.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
    QVERIFY(c.readUntilClose(3s) != test::RawClient::PeerState::kOpen);
    QVERIFY2(c.received().starts_with("HTTP/1.1 400"), c.received().c_str());
    QVERIFY2(c.received().find("This port speaks HTTPS") != std::string::npos, c.received().c_str());
  }

  void garbageInsteadOfClientHelloIsClosedAndLogged() {
    TlsServe s;
    QVERIFY2(s.start(), s.server.error().c_str());
    std::mt19937 rng(7);
    std::string junk(300, '\0');
    for (char& ch : junk) ch = static_cast<char>(rng());
    junk[0] = 0x42;  // not a TLS record type, not an HTTP method
    test::RawClient c(s.server.port());
    QVERIFY(c.send(junk));
    auto t0 = std::chrono::steady_clock::now();
    QVERIFY(c.readUntilClose(2s) != test::RawClient::PeerState::kOpen);
    QVERIFY(std::chrono::steady_clock::now() - t0 < 1s);  // at once, not at a timeout
    QVERIFY2(s.server.process().waitForStderr(" tls: TLS handshake from 127.0.0.1 failed", 3s), s.server.process().stderrText().c_str());
  }

  void stallingHandshakesAreDroppedAndStarveNobody() {
    TlsServe s;
    QVERIFY2(s.start({"--header-timeout", "1500ms"}), s.server.error().c_str());
    std::vector<test::RawClient> stalled;
    stalled.reserve(600);
    for (int i = 0; i < 600; ++i) {
      stalled.emplace_back(s.server.port());
      QVERIFY(stalled.back().connected());
      // A TLS record header announcing a ClientHello that never comes.
      QVERIFY(stalled.back().send(std::string("\x16\x03\x01\x02\x00\x01", 6)));
    }
    auto t0 = std::chrono::steady_clock::now();
    auto r = curl({"--cacert", s.pem, s.url("/bytes/100"), "-o", "/dev/null", "-w", "%{http_code}"});
    QVERIFY2(r.ok() && r.out == "200", (r.out + r.err).c_str());
    QVERIFY2(std::chrono::steady_clock::now() - t0 < 1500ms, "a client waited behind the stalled handshakes");
    // Every stalled peer is dropped at the header timeout.
    for (auto& c : stalled) QVERIFY(c.readUntilClose(5s) != test::RawClient::PeerState::kOpen);
  }

  void proxyForwardsToAnHttpsUpstream() {
    TlsServe upstream;
    QVERIFY2(upstream.start(), upstream.server.error().c_str());
    TlsServe proxy(upstream.dataDir);  // the same stored certificate
    QVERIFY2(proxy.start({"--proxy", upstream.url(""), "--proxy-cacert", upstream.pem}), proxy.server.error().c_str());
    auto r = curl({"--cacert", proxy.pem, proxy.url("/bytes/300000"), "-o", "/dev/null", "-w", "%{http_code} %{size_download}"});
    QVERIFY2(r.ok(), r.err.c_str());
    QCOMPARE(QString::fromStdString(r.out), QString("200 300000"));
    // Without trust in the upstream's certificate: a 502 that says why.
    TlsServe untrusting(upstream.dataDir);
    QVERIFY2(untrusting.start({"--proxy", upstream.url("")}), untrusting.server.error().c_str());
    auto bad = curl({"--cacert", untrusting.pem, untrusting.url("/bytes/10")});
    QVERIFY2(bad.out.find("self-signed") != std::string::npos, bad.out.c_str());
  }

  void oneGibUploadOverTlsIsStoredIntact() {
    // 1 GiB of a deterministic pseudo-random stream (AES-CTR over zeros), uploaded
    // chunked by curl: the server's SHA-256 of what it stored equals the stream's.
    TlsServe s;
    QVERIFY2(s.start(), s.server.error().c_str());
    const std::string stream = "openssl enc -aes-128-ctr -nosalt -pbkdf2 -pass pass:sluice -in /dev/zero 2>/dev/null | head -c 1073741824";
    auto expected = test::runProcess({"bash", "-c", stream + " | sha256sum"}, 120s);
    QVERIFY2(expected.ok() && expected.out.size() >= 64, expected.err.c_str());
    auto r = test::runProcess({"bash", "-c", stream + " | curl -sS --max-time 120 --cacert '" + s.pem + "' -T - '" +
                                                 s.url("/upload/big.bin") + "' -w ' %{http_code}'"},
                              150s);
    QVERIFY2(r.out.ends_with(" 201"), (r.out + r.err).c_str());
    QVERIFY2(r.out.find("\"sha256\":\"" + expected.out.substr(0, 64) + "\"") != std::string::npos, r.out.c_str());
    QVERIFY2(r.out.find("\"size\":1073741824") != std::string::npos || r.out.find("1073741824") != std::string::npos, r.out.c_str());
  }
};

QTEST_APPLESS_MAIN(TestTlsServer)
#include "test_tls_server.moc"
