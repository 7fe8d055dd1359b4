// engine/tls without the network: certificates made with the OpenSSL API, contexts
// from settings (and their worded errors), the pool key per setting, and real
// non-blocking handshakes between our client and server sessions over a socketpair.
#include <QtTest>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <set>

#include "engine/tls/cert_maker.h"
#include "engine/tls/tls_context.h"
#include "engine/tls/tls_error.h"
#include "engine/tls/tls_session.h"
#include "support/test_env.h"
#include "support/tls_certs.h"

using namespace sluice;
using namespace sluice::tls;

namespace {

struct Outcome {
  bool clientOk = false;
  bool serverOk = false;
  Error clientError;
  Error serverError;
  ConnectionInfo info;
};

// Drives both ends of a socketpair until each side is done or failed (bounded: 5 s).
Outcome handshakePair(const ClientSettings& cs, const ServerSettings& ss, const std::string& host,
                      std::shared_ptr<TlsContext> clientCtx = nullptr, std::shared_ptr<TlsContext> serverCtxIn = nullptr) {
  Outcome o;
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0) return o;
  if (!clientCtx) clientCtx = *TlsContext::client(cs);
  auto serverCtx = serverCtxIn ? Result<std::shared_ptr<TlsContext>>(serverCtxIn) : TlsContext::server(ss);
  if (!serverCtx) {
    o.serverError = serverCtx.error();
    ::close(fds[0]), ::close(fds[1]);
    return o;
  }
  auto c = TlsSession::client(clientCtx, fds[0], host, 443);
  auto s = TlsSession::server(*serverCtx, fds[1]);
  bool cDone = false, sDone = false;
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while ((!cDone || !sDone) && std::chrono::steady_clock::now() < end) {
    if (!cDone) {
      auto st = (*c)->handshake();
      if (st == TlsSession::Step::kDone) cDone = o.clientOk = true;
      if (st == TlsSession::Step::kFailed) cDone = true, o.clientError = (*c)->error(), ::shutdown(fds[0], SHUT_RDWR);
    }
    if (!sDone) {
      auto st = (*s)->handshake();
      if (st == TlsSession::Step::kDone) sDone = o.serverOk = true;
      if (st == TlsSession::Step::kFailed) sDone = true, o.serverError = (*s)->error(), ::shutdown(fds[1], SHUT_RDWR);
    }
    pollfd p[2] = {{fds[0], POLLIN, 0}, {fds[1], POLLIN, 0}};
    ::poll(p, 2, 10);
  }
  if (o.clientOk) {
    // TLS 1.3 tickets arrive after the handshake: let the client read them.
    char buf[16];
    (void)(*s)->write("x", 1);
    for (int i = 0; i < 50; ++i) {
      auto r = (*c)->read(buf, sizeof buf);
      if (r.n > 0) break;
      pollfd p{fds[0], POLLIN, 0};
      ::poll(&p, 1, 10);
    }
    o.info = (*c)->info();
    (*c)->shutdown();  // a clean close keeps the session resumable
  }
  c->reset(), s->reset();
  ::close(fds[0]), ::close(fds[1]);
  return o;
}

ServerSettings serverWith(const test::CertFiles& f) {
  ServerSettings s;
  s.certFile = f.cert;
  s.keyFile = f.key;
  return s;
}

}  // namespace

class TestTls : public QObject {
  Q_OBJECT
  std::unique_ptr<test::TlsCerts> certs_;

  ClientSettings trusting() const {
    ClientSettings c;
    c.caFile = certs_->ca.cert;
    return c;
  }

 private slots:
  void initTestCase() {
    certs_ = std::make_unique<test::TlsCerts>();
    QVERIFY2(certs_->ok(), certs_->error().c_str());
  }
  void cleanupTestCase() { certs_.reset(); }

  void selfSignedIsEcdsaP256WithLocalSans() {
    auto p = makeCertificate(CertSpec{});
    QVERIFY(p);
    QVERIFY(p->certPem.starts_with("-----BEGIN CERTIFICATE-----"));
    QCOMPARE(p->sha256.size(), size_t{95});
    std::string dir = test::makeTempDir("tls-cert");
    QVERIFY(writeWholeFile(dir + "/c.pem", p->certPem, 0644));
    auto fp = fingerprintOfPemFile(dir + "/c.pem");
    test::removeTree(dir);
    QVERIFY(fp);
    QCOMPARE(*fp, p->sha256);
    // Its details, as a peer sees them.
    auto o = handshakePair(ClientSettings{.verify = false}, [&] {
      ServerSettings s;
      s.certFile = certs_->selfSigned.cert, s.keyFile = certs_->selfSigned.key;
      return s;
    }(), "localhost");
    QVERIFY(o.clientOk);
    QCOMPARE(o.info.chain.size(), size_t{1});
    const CertInfo& leaf = o.info.chain.front();
    QCOMPARE(leaf.keyType, std::string("EC P-256"));
    QCOMPARE(leaf.keyBits, 256);
    QCOMPARE(leaf.signatureAlgorithm, std::string("ecdsa-with-SHA256"));
    QVERIFY(std::find(leaf.sans.begin(), leaf.sans.end(), "IP:::1") != leaf.sans.end());
    QVERIFY(std::find(leaf.sans.begin(), leaf.sans.end(), "DNS:localhost") != leaf.sans.end());
    QCOMPARE(leaf.sha256, certs_->selfSigned.sha256);
    QCOMPARE(o.info.alpn, std::string("http/1.1"));
    QVERIFY(!o.info.verified);
  }

  void storedCertIsMadeOnceAndReused() {
    std::string dir = test::makeTempDir("tls-store");
    auto a = loadOrCreateLocalCert(dir + "/sluice");
    auto b = loadOrCreateLocalCert(dir + "/sluice");
    struct stat st{};
    bool keyPrivate = ::stat((dir + "/sluice/key.pem").c_str(), &st) == 0 && (st.st_mode & 077) == 0;
    test::removeTree(dir);
    QVERIFY(a && b);
    QVERIFY(a->created);
    QVERIFY(!b->created);
    QCOMPARE(a->sha256, b->sha256);
    QVERIFY(keyPrivate);
  }

  void appDataDirFollowsXdg() {
    QByteArray old = qgetenv("XDG_DATA_HOME");
    qputenv("XDG_DATA_HOME", "/x/data");
    QCOMPARE(appDataDir(), std::string("/x/data/sluice"));
    if (old.isEmpty()) qunsetenv("XDG_DATA_HOME");
    else qputenv("XDG_DATA_HOME", old);
  }

  void verifiedHandshakeGivesDetails() {
    auto o = handshakePair(trusting(), serverWith(certs_->good), "localhost");
    QVERIFY2(o.clientOk, o.clientError.message.c_str());
    QVERIFY(o.info.verified);
    QCOMPARE(o.info.verifyResult, std::string("ok"));
    QCOMPARE(o.info.version, std::string("TLSv1.3"));
    QCOMPARE(o.info.sni, std::string("localhost"));
    QVERIFY(o.info.chain.front().issuer.find("Sluice Test CA") != std::string::npos);
    QVERIFY(!o.info.resumed);
  }

  void ipLiteralIsCheckedAgainstIpSans() {
    auto o = handshakePair(trusting(), serverWith(certs_->good), "127.0.0.1");
    QVERIFY2(o.clientOk, o.clientError.message.c_str());
    QVERIFY(o.info.sni.empty());  // no SNI for IP literals (RFC 6066)
    o = handshakePair(trusting(), serverWith(certs_->good), "127.0.0.2");
    QVERIFY(!o.clientOk);
    QCOMPARE(classify(o.clientError), FailureKind::kHostnameMismatch);
  }

  void badCertificatesAreWorded_data() {
    QTest::addColumn<int>("which");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("words");
    QTest::newRow("expired") << 0 << int(FailureKind::kExpired) << "has expired";
    QTest::newRow("not yet valid") << 1 << int(FailureKind::kNotYetValid) << "not yet valid";
    QTest::newRow("wrong host") << 2 << int(FailureKind::kHostnameMismatch) << "for another name";
    QTest::newRow("self-signed") << 3 << int(FailureKind::kSelfSigned) << "--cacert";
    QTest::newRow("untrusted CA") << 4 << int(FailureKind::kUnknownCa) << "unknown certificate authority";
  }
  void badCertificatesAreWorded() {
    QFETCH(int, which);
    QFETCH(int, kind);
    QFETCH(QString, words);
    const test::CertFiles* files[] = {&certs_->expired, &certs_->notYetValid, &certs_->wrongHost, &certs_->selfSigned, &certs_->untrusted};
    auto o = handshakePair(trusting(), serverWith(*files[which]), "localhost");
    QVERIFY(!o.clientOk);
    QCOMPARE(int(classify(o.clientError)), kind);
    QVERIFY2(o.clientError.message.find(words.toStdString()) != std::string::npos, o.clientError.message.c_str());
    QVERIFY2(o.clientError.message.find("OpenSSL: ") != std::string::npos, o.clientError.message.c_str());
    QCOMPARE(o.clientError.code, ErrorCode::kTls);
    // ... and -k lets it through.
    auto k = handshakePair(ClientSettings{.verify = false}, serverWith(*files[which]), "localhost");
    QVERIFY2(k.clientOk, k.clientError.message.c_str());
    QVERIFY(!k.info.verified);
  }

  void capathTrustsTheCa() {
    ClientSettings c;
    c.caPath = certs_->caDir;
    auto o = handshakePair(c, serverWith(certs_->good), "localhost");
    QVERIFY2(o.clientOk, o.clientError.message.c_str());
  }

  void versionBoundsAreApplied() {
    ClientSettings c = trusting();
    c.maxVersion = Version::k1_2;
    auto o = handshakePair(c, serverWith(certs_->good), "localhost");
    QVERIFY(o.clientOk);
    QCOMPARE(o.info.version, std::string("TLSv1.2"));
    ServerSettings s = serverWith(certs_->good);
    s.minVersion = Version::k1_3;
    o = handshakePair(c, s, "localhost");
    QVERIFY(!o.clientOk);
    QCOMPARE(classify(o.clientError), FailureKind::kProtocol);
  }

  void cipherListsAreApplied() {
    ClientSettings c = trusting();
    c.tls13Ciphers = "TLS_CHACHA20_POLY1305_SHA256";
    auto o = handshakePair(c, serverWith(certs_->good), "localhost");
    QVERIFY(o.clientOk);
    QCOMPARE(o.info.cipher, std::string("TLS_CHACHA20_POLY1305_SHA256"));
    c = trusting();
    c.maxVersion = Version::k1_2;
    c.ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256";
    o = handshakePair(c, serverWith(certs_->good), "localhost");
    QVERIFY(o.clientOk);
    QCOMPARE(o.info.cipher, std::string("ECDHE-ECDSA-AES128-GCM-SHA256"));
  }

  void sessionIsResumedOnTheSecondConnection() {
    auto ctx = TlsContext::client(trusting());
    QVERIFY(ctx);
    ServerSettings s = serverWith(certs_->good);
    // One server context for both connections, as a server keeps one.
    auto serverCtx = TlsContext::server(s);
    QVERIFY(serverCtx);
    auto first = handshakePair(trusting(), s, "localhost", *ctx, *serverCtx);
    QVERIFY(first.clientOk);
    QVERIFY(!first.info.resumed);
    QCOMPARE((*ctx)->cachedSessions(), size_t{1});
    auto second = handshakePair(trusting(), s, "localhost", *ctx, *serverCtx);
    QVERIFY(second.clientOk);
    QVERIFY(second.info.resumed);
    QVERIFY(second.info.verified);
    // Another origin does not get it.
    auto other = handshakePair(trusting(), s, "127.0.0.1", *ctx, *serverCtx);
    QVERIFY(other.clientOk);
    QVERIFY(!other.info.resumed);
  }

  void badSettingsAreWorded() {
    ClientSettings c;
    c.caFile = "/nonexistent/ca.pem";
    auto ctx = TlsContext::client(c);
    QVERIFY(!ctx);
    QVERIFY(ctx.error().message.find("/nonexistent/ca.pem") != std::string::npos);
    c = {};
    c.ciphers = "NO-SUCH-CIPHER";
    ctx = TlsContext::client(c);
    QVERIFY(!ctx);
    QVERIFY(ctx.error().message.find("cipher") != std::string::npos);
    c = {};
    c.minVersion = Version::k1_3, c.maxVersion = Version::k1_2;
    QVERIFY(!TlsContext::client(c));
    c = {};
    c.certFile = certs_->client.cert, c.keyFile = certs_->good.key;
    ctx = TlsContext::client(c);
    QVERIFY(!ctx);
    QVERIFY(ctx.error().message.find("does not match") != std::string::npos);
    QVERIFY(!parseVersion("1.1"));
    QCOMPARE(*parseVersion("TLSv1.3"), Version::k1_3);
  }

  void keyHasEveryTrustSetting() {
    ClientSettings base;
    QVERIFY(base.key().empty());
    std::vector<ClientSettings> variants(9, base);
    variants[0].verify = false;
    variants[1].caFile = "/a/ca.pem";
    variants[2].caPath = "/a";
    variants[3].certFile = "/a/c.pem";
    variants[4].keyFile = "/a/k.pem";
    variants[5].minVersion = Version::k1_3;
    variants[6].maxVersion = Version::k1_2;
    variants[7].ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256";
    variants[8].tls13Ciphers = "TLS_AES_128_GCM_SHA256";
    std::set<std::string> keys;
    for (const auto& v : variants) keys.insert(v.key());
    QCOMPARE(keys.size(), variants.size());
    QVERIFY(!keys.count(""));
    // Paths differing only in case are different files (CVE-2021-22924).
    ClientSettings upper = base, lower = base;
    upper.caFile = "/a/CA.pem", lower.caFile = "/a/ca.pem";
    QVERIFY(upper.key() != lower.key());
  }
};

QTEST_APPLESS_MAIN(TestTls)
#include "test_tls.moc"
