#include "engine/codec/sha256.h"

#include <openssl/evp.h>

#include <cstdlib>
#include <cstdio>

namespace sluice::codec {

namespace {
// The only failures EVP reports here are allocation failures or a missing
// default provider: a broken process, not bad input, so there is no error
// value to return and continuing would hash garbage.
void require(int ok, const char* what) {
  if (ok == 1) return;
  std::fprintf(stderr, "sluice: OpenSSL %s failed for SHA-256\n", what);
  std::abort();
}

EVP_MD_CTX* newContext() {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  require(ctx != nullptr, "EVP_MD_CTX_new");
  return ctx;
}
}  // namespace

Sha256::Sha256() : ctx_(newContext()) { reset(); }

Sha256::Sha256(const Sha256& other) : ctx_(newContext()), totalBytes_(other.totalBytes_) {
  require(EVP_MD_CTX_copy_ex(ctx_, other.ctx_), "EVP_MD_CTX_copy_ex");
}

Sha256& Sha256::operator=(const Sha256& other) {
  if (this != &other) {
    require(EVP_MD_CTX_copy_ex(ctx_, other.ctx_), "EVP_MD_CTX_copy_ex");
    totalBytes_ = other.totalBytes_;
  }
  return *this;
}

Sha256::~Sha256() { EVP_MD_CTX_free(ctx_); }

void Sha256::reset() {
  require(EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr), "EVP_DigestInit_ex");
  totalBytes_ = 0;
}

void Sha256::update(std::string_view data) {
  require(EVP_DigestUpdate(ctx_, data.data(), data.size()), "EVP_DigestUpdate");
  totalBytes_ += data.size();
}

Sha256::Digest Sha256::finish() {
  Digest d{};
  unsigned int len = 0;
  require(EVP_DigestFinal_ex(ctx_, d.data(), &len), "EVP_DigestFinal_ex");
  require(len == d.size(), "EVP_DigestFinal_ex length");
  return d;
}

std::string Sha256::hex(const Digest& d) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(d.size() * 2);
  for (uint8_t b : d) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

Sha256::Digest Sha256::of(std::string_view data) {
  Digest d{};
  unsigned int len = 0;
  require(EVP_Digest(data.data(), data.size(), d.data(), &len, EVP_sha256(), nullptr), "EVP_Digest");
  return d;
}

}  // namespace sluice::codec
