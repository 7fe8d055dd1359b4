#include "support/tls_certs.h"

#include <sys/stat.h>

#include "engine/tls/cert_maker.h"
#include "support/process.h"
#include "support/test_env.h"

namespace sluice::test {

namespace {
using tls::CertPair;
using tls::CertSpec;

bool save(const std::string& dir, const std::string& name, const CertPair& p, CertFiles& out, std::string& error) {
  out.cert = dir + "/" + name + ".pem";
  out.key = dir + "/" + name + "-key.pem";
  out.sha256 = p.sha256;
  auto a = tls::writeWholeFile(out.cert, p.certPem, 0644);
  auto b = tls::writeWholeFile(out.key, p.keyPem, 0600);
  if (!a || !b) error = "cannot write " + name;
  return a && b;
}
}  // namespace

TlsCerts::TlsCerts() {
  dir_ = makeTempDir("tls-certs");
  const long day = 24 * 3600;
  CertSpec caSpec;
  caSpec.commonName = "Sluice Test CA";
  caSpec.isCa = true;
  caSpec.sans.clear();
  auto caPair = tls::makeCertificate(caSpec);
  CertSpec otherSpec = caSpec;
  otherSpec.commonName = "Untrusted Test CA";
  auto otherPair = tls::makeCertificate(otherSpec);
  if (!caPair || !otherPair) {
    error_ = "cannot make the test CAs";
    return;
  }
  struct Leaf {
    const char* name;
    CertFiles* out;
    CertSpec spec;
  };
  CertSpec base;
  base.commonName = "localhost";
  base.sans = {"DNS:localhost", "IP:127.0.0.1", "IP:::1"};
  base.issuer = &*caPair;
  CertSpec exp = base, nyv = base, wrong = base, self = base, untr = base, cli = base;
  exp.notBeforeSeconds = -30 * day, exp.notAfterSeconds = -day;
  nyv.notBeforeSeconds = day, nyv.notAfterSeconds = 30 * day;
  wrong.commonName = "other.example", wrong.sans = {"DNS:other.example"};
  self.issuer = nullptr;
  untr.issuer = &*otherPair;
  cli.commonName = "sluice test client", cli.sans = {"email:client@example.test"};
  Leaf leaves[] = {{"good", &good, base},          {"expired", &expired, exp},        {"not-yet-valid", &notYetValid, nyv},
                   {"wrong-host", &wrongHost, wrong}, {"self-signed", &selfSigned, self}, {"untrusted", &untrusted, untr},
                   {"client", &client, cli}};
  if (!save(dir_, "ca", *caPair, ca, error_) || !save(dir_, "other-ca", *otherPair, otherCa, error_)) return;
  for (auto& l : leaves) {
    auto p = tls::makeCertificate(l.spec);
    if (!p) {
      error_ = std::string("cannot make ") + l.name + ": " + p.error().message;
      return;
    }
    if (!save(dir_, l.name, *p, *l.out, error_)) return;
  }
  caDir = dir_ + "/capath";
  ::mkdir(caDir.c_str(), 0755);
  auto hash = runProcess({"openssl", "x509", "-noout", "-subject_hash", "-in", ca.cert}, std::chrono::seconds(10));
  std::string h = hash.out.substr(0, hash.out.find('\n'));
  if (!hash.ok() || h.empty()) {
    error_ = "openssl x509 -subject_hash failed: " + hash.err;
    return;
  }
  if (::symlink(ca.cert.c_str(), (caDir + "/" + h + ".0").c_str()) != 0) error_ = "cannot link the CA into the capath folder";
}

TlsCerts::~TlsCerts() { removeTree(dir_); }

}  // namespace sluice::test
