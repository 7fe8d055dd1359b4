// The https:// client against real peers: nginx with TLS and `openssl s_server`, with
// certificates made in the test (tests/support/tls_certs). Bad certificates, a peer
// that does not speak TLS and one that never answers each get a worded error and a
// non-zero exit; -k or the right --cacert succeeds; the second connection resumes the
// session; the pool never shares a connection across differing TLS settings.
#include <QtTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/client/client.h"
#include "support/client_events.h"
#include "support/client_nginx.h"
#include "support/process.h"
#include "support/test_env.h"
#include "support/tls_certs.h"

using namespace sluice;
using namespace sluice::client;
using namespace std::chrono_literals;
using sluice::test::ClientNginx;
using sluice::test::NginxOptions;

namespace {

test::RunResult cli(std::vector<std::string> args) {
  args.insert(args.begin(), {SLUICE_CLI_PATH, "request", "-s"});
  return test::runProcess(args, 30s);
}

NginxOptions tlsNginx(const test::CertFiles& f) {
  NginxOptions o;
  o.tlsCert = f.cert;
  o.tlsKey = f.key;
  return o;
}

std::string readBody(Exchange& ex) { return sluice::test::readBodyOrError(ex); }
ClientConfig quiet() { return sluice::test::quietClientConfig(); }

// A loopback listener that completes TCP handshakes (the kernel does) and never answers.
struct SilentListener {
  int fd = -1;
  uint16_t port = 0;
  SilentListener() {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd, 16);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
  ~SilentListener() { ::close(fd); }
};

}  // namespace

class TestTlsClient : public QObject {
  Q_OBJECT
  std::unique_ptr<test::TlsCerts> certs_;
  std::unique_ptr<ClientNginx> good_;  ///< nginx with the good certificate, shared by the rows

 private slots:
  void initTestCase() {
    certs_ = std::make_unique<test::TlsCerts>();
    QVERIFY2(certs_->ok(), certs_->error().c_str());
    good_ = std::make_unique<ClientNginx>(tlsNginx(certs_->good));
    QVERIFY2(good_->ok(), good_->error().c_str());
  }
  void cleanupTestCase() {
    good_.reset();
    certs_.reset();
  }

  void badCertificatesFailWordedAndPassWithTheFix_data() {
    QTest::addColumn<int>("which");
    QTest::addColumn<QString>("words");
    QTest::addColumn<QString>("fixCa");  // --cacert that makes it pass; empty: only -k
    QTest::newRow("expired") << 0 << "has expired" << "";
    QTest::newRow("wrong host") << 1 << "for another name" << "";
    QTest::newRow("untrusted CA") << 2 << "unknown certificate authority" << "other";
    QTest::newRow("self-signed") << 3 << "self-signed" << "self";
  }
  void badCertificatesFailWordedAndPassWithTheFix() {
    QFETCH(int, which);
    QFETCH(QString, words);
    QFETCH(QString, fixCa);
    const test::CertFiles* files[] = {&certs_->expired, &certs_->wrongHost, &certs_->untrusted, &certs_->selfSigned};
    ClientNginx nginx(tlsNginx(*files[which]));
    QVERIFY2(nginx.ok(), nginx.error().c_str());
    std::string url = nginx.httpsUrl("localhost", "/tls");
    auto bad = cli({"--cacert", certs_->ca.cert, url});
    QVERIFY(bad.started && bad.exit.exited);
    QVERIFY(bad.exit.code != 0);
    QVERIFY2(bad.err.find(words.toStdString()) != std::string::npos, bad.err.c_str());
    QVERIFY2(bad.err.find("OpenSSL: ") != std::string::npos, bad.err.c_str());
    auto insecure = cli({"-k", url});
    QVERIFY2(insecure.ok(), insecure.err.c_str());
    QVERIFY(insecure.out.find("TLSv1.3") != std::string::npos);
    if (!fixCa.isEmpty()) {
      std::string ca = fixCa == "other" ? certs_->otherCa.cert : certs_->selfSigned.cert;
      auto fixed = cli({"--cacert", ca, url});
      QVERIFY2(fixed.ok(), fixed.err.c_str());
    }
  }

  void opensslSServerExpiredAndTrusted() {
    for (const test::CertFiles* f : {&certs_->expired, &certs_->good}) {
      uint16_t port = test::freeLoopbackPort();
      test::ChildProcess server;
      QVERIFY(server.start({"openssl", "s_server", "-quiet", "-www", "-accept", std::to_string(port), "-cert", f->cert, "-key", f->key}));
      QVERIFY(test::waitForPort(port, 5000));
      auto r = cli({"--cacert", certs_->ca.cert, "https://localhost:" + std::to_string(port) + "/"});
      if (f == &certs_->expired) {
        QVERIFY(r.exit.code != 0);
        QVERIFY2(r.err.find("has expired") != std::string::npos, r.err.c_str());
      } else {
        QVERIFY2(r.ok(), (r.err + r.exit.describe()).c_str());
        QVERIFY2(r.out.find("s_server") != std::string::npos, r.out.c_str());  // its -www status page
      }
    }
  }

  void plainHttpPeerIsNotTls() {
    ClientNginx nginx;
    QVERIFY2(nginx.ok(), nginx.error().c_str());
    auto r = cli({"https://127.0.0.1:" + std::to_string(nginx.port()) + "/"});
    QVERIFY(r.exit.code != 0);
    QVERIFY2(r.err.find("does not speak TLS") != std::string::npos, r.err.c_str());
  }

  void silentPeerTimesOut() {
    SilentListener silent;
    auto r = cli({"--tls-timeout", "300", "https://127.0.0.1:" + std::to_string(silent.port) + "/"});
    QVERIFY(r.exit.code != 0);
    QVERIFY2(r.err.find("did not finish within 300 ms") != std::string::npos, r.err.c_str());
  }

  void secondConnectionResumesAndReuseSaysWhatItSaved() {
    ClientNginx& nginx = *good_;
    auto r = cli({"-v", "--cacert", certs_->ca.cert, "--no-reuse", "--repeat", "2", nginx.httpsUrl("localhost", "/tls")});
    QVERIFY2(r.ok(), r.err.c_str());
    QVERIFY2(r.err.find("new connection #1: reuse disabled; full TLS handshake") != std::string::npos, r.err.c_str());
    QVERIFY2(r.err.find("new connection #2: reuse disabled; TLS session resumed") != std::string::npos, r.err.c_str());
    QVERIFY2(r.out.ends_with(" r\n"), r.out.c_str());  // nginx's $ssl_session_reused on the second
    QVERIFY2(r.err.find("tls_handshake ") != std::string::npos, r.err.c_str());
    QVERIFY2(r.err.find("* verification: ok") != std::string::npos, r.err.c_str());
    auto reuse = cli({"-v", "--cacert", certs_->ca.cert, "--repeat", "2", nginx.httpsUrl("localhost", "/tls")});
    QVERIFY2(reuse.ok(), reuse.err.c_str());
    QRegularExpression saved("reused connection #1, idle for \\d+ ms: saved \\d+\\.\\d ms connect \\+ \\d+\\.\\d ms TLS handshake");
    QVERIFY2(saved.match(QString::fromStdString(reuse.err)).hasMatch(), reuse.err.c_str());
    auto json = cli({"--json", "--cacert", certs_->ca.cert, nginx.httpsUrl("localhost", "/tls")});
    QVERIFY2(json.ok(), json.err.c_str());
    QVERIFY2(json.out.find("\"tls_handshake\":") != std::string::npos, json.out.c_str());
    QVERIFY2(json.out.find("\"tls_handshake_ms\":") != std::string::npos, json.out.c_str());
  }

  // One setting changed at a time: a connection made under other settings is never reused.
  void poolNeverSharesAcrossTlsSettings_data() {
    QTest::addColumn<int>("variant");
    const char* names[] = {"verify off", "CA file", "CA path", "client cert", "min 1.3", "max 1.2", "ciphers", "TLS 1.3 suites", "SNI name"};
    for (int i = 0; i < 9; ++i) QTest::newRow(names[i]) << i;
  }
  void poolNeverSharesAcrossTlsSettings() {
    QFETCH(int, variant);
    ClientNginx& nginx = *good_;
    Client client(quiet());
    auto base = *Request::get(nginx.httpsUrl("localhost", "/tls"));
    base.tls.caFile = certs_->ca.cert;
    auto other = base;
    switch (variant) {
      case 0: other.tls.verify = false; break;
      case 1: other.tls.caFile = certs_->caDir + "/../ca.pem"; break;  // the same file under another name
      case 2: other.tls.caFile.clear(), other.tls.caPath = certs_->caDir; break;
      case 3: other.tls.certFile = certs_->client.cert, other.tls.keyFile = certs_->client.key; break;
      case 4: other.tls.minVersion = tls::Version::k1_3; break;
      case 5: other.tls.maxVersion = tls::Version::k1_2; break;
      case 6: other.tls.ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256"; break;
      case 7: other.tls.tls13Ciphers = "TLS_AES_128_GCM_SHA256"; break;
      case 8: other = *Request::get(nginx.httpsUrl("127.0.0.1", "/tls")), other.tls = base.tls; break;
    }
    auto a = client.fetch(base);
    QVERIFY2(a, a ? "" : a.error().message.c_str());
    QVERIFY(!readBody(*a).starts_with("ERROR"));
    a->body.release();
    auto b = client.fetch(other);
    QVERIFY2(b, b ? "" : b.error().message.c_str());
    QVERIFY(!readBody(*b).starts_with("ERROR"));
    b->body.release();
    QVERIFY2(!b->response.verdict.reused, b->response.verdict.text().c_str());
    QVERIFY(b->response.connectionId != a->response.connectionId);
    // ... while the same settings do reuse.
    auto c = client.fetch(base);
    QVERIFY(c);
    QVERIFY(!readBody(*c).starts_with("ERROR"));
    c->body.release();
    QVERIFY2(c->response.verdict.reused, c->response.verdict.text().c_str());
    QCOMPARE(c->response.connectionId, a->response.connectionId);
    QVERIFY(c->response.tls && c->response.tls->verified);
    QCOMPARE(client.stats().connectionsOpened, uint64_t{2});
  }
};

QTEST_APPLESS_MAIN(TestTlsClient)
#include "test_tls_client.moc"
