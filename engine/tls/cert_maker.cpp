#include "engine/tls/cert_maker.h"

#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "engine/tls/cert_info.h"
#include "engine/tls/tls_error.h"

namespace sluice::tls {

namespace {

template <typename T, void (*F)(T*)>
struct Free {
  void operator()(T* p) const { F(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Free<EVP_PKEY, EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Free<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Free<BIO, BIO_free_all>>;

std::string bioText(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(n > 0 ? n : 0));
}

Result<CertPtr> certFromPem(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  CertPtr x(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!x) return sluice::unexpected(setupError("cannot read a PEM certificate"));
  return x;
}

Result<KeyPtr> keyFromPem(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  KeyPtr k(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!k) return sluice::unexpected(setupError("cannot read a PEM private key"));
  return k;
}

bool addExt(X509* x, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, issuer, x, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value.c_str());
  if (!ext) return false;
  bool ok = X509_add_ext(x, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

bool setSerial(X509* x) {
  BIGNUM* bn = BN_new();
  bool ok = bn && BN_rand(bn, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1 &&
            BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != nullptr;
  BN_free(bn);
  return ok;
}

Status fillCert(X509* x, EVP_PKEY* key, const CertSpec& spec, X509* issuerCert) {
  X509_NAME* name = X509_get_subject_name(x);
  if (X509_set_version(x, 2) != 1 || !setSerial(x) ||
      !X509_gmtime_adj(X509_getm_notBefore(x), spec.notBeforeSeconds) || !X509_gmtime_adj(X509_getm_notAfter(x), spec.notAfterSeconds) ||
      X509_set_pubkey(x, key) != 1 ||
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(spec.commonName.c_str()), -1, -1, 0) != 1 ||
      X509_set_issuer_name(x, issuerCert ? X509_get_subject_name(issuerCert) : name) != 1)
    return sluice::unexpected(setupError("cannot fill in the certificate"));
  X509* iss = issuerCert ? issuerCert : x;
  std::string sans;
  for (const auto& s : spec.sans) sans += (sans.empty() ? "" : ",") + s;
  bool ok = addExt(x, iss, NID_basic_constraints, spec.isCa ? "critical,CA:TRUE" : "critical,CA:FALSE") &&
            addExt(x, iss, NID_key_usage, spec.isCa ? "critical,keyCertSign,cRLSign,digitalSignature" : "critical,digitalSignature") &&
            addExt(x, iss, NID_subject_key_identifier, "hash") &&
            (spec.isCa || addExt(x, iss, NID_ext_key_usage, "serverAuth,clientAuth")) && (sans.empty() || addExt(x, iss, NID_subject_alt_name, sans));
  if (ok && issuerCert) ok = addExt(x, iss, NID_authority_key_identifier, "keyid:always");
  if (!ok) return sluice::unexpected(setupError("cannot add the certificate extensions (SANs '" + sans + "')"));
  return {};
}

}  // namespace

Result<CertPair> makeCertificate(const CertSpec& spec) {
  ERR_clear_error();
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return sluice::unexpected(setupError("cannot generate an ECDSA P-256 key"));
  CertPtr x(X509_new());
  CertPtr issuerCert;
  KeyPtr issuerKey;
  if (spec.issuer) {
    auto c = certFromPem(spec.issuer->certPem);
    auto k = keyFromPem(spec.issuer->keyPem);
    if (!c) return sluice::unexpected(c.error());
    if (!k) return sluice::unexpected(k.error());
    issuerCert = std::move(*c);
    issuerKey = std::move(*k);
  }
  if (auto st = fillCert(x.get(), key.get(), spec, issuerCert.get()); !st) return sluice::unexpected(st.error());
  if (X509_sign(x.get(), issuerKey ? issuerKey.get() : key.get(), EVP_sha256()) <= 0)
    return sluice::unexpected(setupError("cannot sign the certificate"));
  BioPtr certBio(BIO_new(BIO_s_mem())), keyBio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_X509(certBio.get(), x.get()) != 1 ||
      PEM_write_bio_PrivateKey(keyBio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return sluice::unexpected(setupError("cannot encode the certificate as PEM"));
  return CertPair{bioText(certBio.get()), bioText(keyBio.get()), fingerprintSha256(x.get())};
}

Status writeWholeFile(const std::string& path, const std::string& data, unsigned mode) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return sluice::unexpected(Error::system("cannot write '" + tmp + "'", errno));
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      return sluice::unexpected(Error::system("cannot write '" + tmp + "'", err));
    }
    off += static_cast<size_t>(n);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return sluice::unexpected(Error::system("cannot rename '" + tmp + "'", errno));
  return {};
}

std::string appDataDir() {
  const char* xdg = std::getenv("XDG_DATA_HOME");
  if (xdg && *xdg == '/') return std::string(xdg) + "/sluice";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : "/tmp") + "/.local/share/sluice";
}

Result<std::string> fingerprintOfPemFile(const std::string& path) {
  ERR_clear_error();
  BioPtr bio(BIO_new_file(path.c_str(), "r"));
  if (!bio) return sluice::unexpected(setupError("cannot open '" + path + "'"));
  CertPtr x(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!x) return sluice::unexpected(setupError("'" + path + "' holds no PEM certificate"));
  return fingerprintSha256(x.get());
}

namespace {
// True when the stored certificate stays valid for at least another day.
bool storedStillValid(const std::string& certPath) {
  BioPtr bio(BIO_new_file(certPath.c_str(), "r"));
  if (!bio) return false;
  CertPtr x(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!x) return false;
  time_t inADay = time(nullptr) + 24 * 3600;
  return X509_cmp_time(X509_get0_notAfter(x.get()), &inADay) > 0;
}

Status makeDirs(const std::string& dir) {
  for (size_t pos = 1; pos != std::string::npos;) {
    pos = dir.find('/', pos + 1);
    std::string part = dir.substr(0, pos);
    if (::mkdir(part.c_str(), 0700) != 0 && errno != EEXIST)
      return sluice::unexpected(Error::system("cannot create the folder '" + part + "'", errno));
  }
  return {};
}
}  // namespace

Result<StoredCert> loadOrCreateLocalCert(const std::string& dir) {
  StoredCert s{dir + "/cert.pem", dir + "/key.pem", {}, false};
  if (::access(s.keyPath.c_str(), R_OK) == 0 && storedStillValid(s.certPath)) {
    auto fp = fingerprintOfPemFile(s.certPath);
    if (!fp) return sluice::unexpected(fp.error());
    s.sha256 = *fp;
    return s;
  }
  if (auto st = makeDirs(dir); !st) return sluice::unexpected(st.error());
  auto pair = makeCertificate(CertSpec{});
  if (!pair) return sluice::unexpected(pair.error());
  if (auto st = writeWholeFile(s.keyPath, pair->keyPem, 0600); !st) return sluice::unexpected(st.error());
  if (auto st = writeWholeFile(s.certPath, pair->certPem, 0644); !st) return sluice::unexpected(st.error());
  s.sha256 = pair->sha256;
  s.created = true;
  return s;
}

}  // namespace sluice::tls
