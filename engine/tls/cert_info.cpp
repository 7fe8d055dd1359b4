#include "engine/tls/cert_info.h"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <ctime>

namespace sluice::tls {

namespace {

std::string nameText(const X509_NAME* name) {
  if (!name) return {};
  BIO* bio = BIO_new(BIO_s_mem());
  X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string s(data, static_cast<size_t>(n > 0 ? n : 0));
  BIO_free(bio);
  return s;
}

// Locale-free "YYYY-MM-DD hh:mm:ss UTC".
std::string timeText(const ASN1_TIME* t) {
  std::tm tm{};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return "?";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d UTC", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec);
  return buf;
}

std::vector<std::string> sanList(X509* cert) {
  std::vector<std::string> out;
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (!names) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* g = sk_GENERAL_NAME_value(names, i);
    if (g->type == GEN_DNS) {
      const ASN1_STRING* s = g->d.dNSName;
      out.push_back("DNS:" + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), static_cast<size_t>(ASN1_STRING_length(s))));
    } else if (g->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* s = g->d.iPAddress;
      char buf[INET6_ADDRSTRLEN] = "?";
      int len = ASN1_STRING_length(s);
      if (len == 4 || len == 16) inet_ntop(len == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(s), buf, sizeof buf);
      out.push_back(std::string("IP:") + buf);
    } else if (g->type == GEN_EMAIL) {
      const ASN1_STRING* s = g->d.rfc822Name;
      out.push_back("email:" + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), static_cast<size_t>(ASN1_STRING_length(s))));
    } else if (g->type == GEN_URI) {
      const ASN1_STRING* s = g->d.uniformResourceIdentifier;
      out.push_back("URI:" + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), static_cast<size_t>(ASN1_STRING_length(s))));
    }
  }
  GENERAL_NAMES_free(names);
  return out;
}

void keyText(X509* cert, CertInfo& info) {
  EVP_PKEY* key = X509_get0_pubkey(cert);
  if (!key) return;
  info.keyBits = EVP_PKEY_get_bits(key);
  const char* type = EVP_PKEY_get0_type_name(key);
  info.keyType = type ? type : "?";
  char group[64];
  size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len) == 1) {
    std::string g(group, len);
    if (g == "prime256v1") g = "P-256";
    else if (g == "secp384r1") g = "P-384";
    else if (g == "secp521r1") g = "P-521";
    info.keyType += " " + g;
  }
}

}  // namespace

std::string fingerprintSha256(X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (!cert || X509_digest(cert, EVP_sha256(), md, &n) != 1) return {};
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string s;
  for (unsigned i = 0; i < n; ++i) {
    if (i) s += ':';
    s += kHex[md[i] >> 4];
    s += kHex[md[i] & 15];
  }
  return s;
}

CertInfo describeCert(X509* cert) {
  CertInfo info;
  if (!cert) return info;
  info.subject = nameText(X509_get_subject_name(cert));
  info.issuer = nameText(X509_get_issuer_name(cert));
  info.sans = sanList(cert);
  info.notBefore = timeText(X509_get0_notBefore(cert));
  info.notAfter = timeText(X509_get0_notAfter(cert));
  info.sha256 = fingerprintSha256(cert);
  keyText(cert, info);
  int nid = X509_get_signature_nid(cert);
  info.signatureAlgorithm = nid != NID_undef ? OBJ_nid2ln(nid) : "?";
  return info;
}

ConnectionInfo describeConnection(SSL* ssl, bool verifyEnabled) {
  ConnectionInfo c;
  c.version = SSL_get_version(ssl);
  if (const SSL_CIPHER* ci = SSL_get_current_cipher(ssl)) c.cipher = SSL_CIPHER_get_name(ci);
  const unsigned char* alpn = nullptr;
  unsigned alpnLen = 0;
  SSL_get0_alpn_selected(ssl, &alpn, &alpnLen);
  if (alpn) c.alpn.assign(reinterpret_cast<const char*>(alpn), alpnLen);
  if (const char* sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name)) c.sni = sni;
  c.resumed = SSL_session_reused(ssl) == 1;
  c.verifyEnabled = verifyEnabled;
  long vr = SSL_get_verify_result(ssl);
  X509* leaf = SSL_get0_peer_certificate(ssl);
  c.verified = verifyEnabled && vr == X509_V_OK && leaf;
  c.verifyResult = !leaf ? "no certificate" : vr == X509_V_OK ? "ok" : X509_verify_cert_error_string(vr);
  // The chain the peer sent (a resumed session keeps only the leaf).
  STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl);
  bool leafInChain = false;
  for (int i = 0; chain && i < sk_X509_num(chain); ++i) {
    X509* x = sk_X509_value(chain, i);
    if (leaf && X509_cmp(x, leaf) == 0) leafInChain = true;
    c.chain.push_back(describeCert(x));
  }
  if (leaf && !leafInChain) c.chain.insert(c.chain.begin(), describeCert(leaf));
  return c;
}

std::string ConnectionInfo::summary() const {
  std::string s = version + ", " + cipher + ", ALPN " + (alpn.empty() ? "none" : alpn) + (resumed ? ", session resumed" : ", full handshake");
  if (!chain.empty()) {
    const CertInfo& leaf = chain.front();
    s += "\npeer: " + leaf.subject + "; issuer: " + leaf.issuer + "; valid until " + leaf.notAfter + "; " + leaf.keyType + " " +
         std::to_string(leaf.keyBits) + " bits; SHA-256 " + leaf.sha256;
  }
  s += "\nverification: ";
  s += !verifyEnabled ? "OFF (--insecure): " + verifyResult : verifyResult;
  return s;
}

}  // namespace sluice::tls
