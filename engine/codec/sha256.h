#pragma once
/** SHA-256 (FIPS 180-4), streaming, through OpenSSL's EVP digest interface. */
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace sluice::codec {

/**
 * Incremental SHA-256: update() with any number of byte runs, then finish().
 * A thin wrapper over OpenSSL's EVP_MD_CTX (which picks the CPU's SHA
 * extensions itself). Copying copies the running state, so a copy can be
 * finished to read the digest so far while the original keeps hashing.
 */
class Sha256 {
 public:
  using Digest = std::array<uint8_t, 32>;

  Sha256();
  Sha256(const Sha256& other);
  Sha256& operator=(const Sha256& other);
  ~Sha256();

  void reset();
  void update(std::string_view data);
  void update(const void* data, size_t len) { update(std::string_view(static_cast<const char*>(data), len)); }
  /** Pads and returns the digest. The object must be reset() before reuse. */
  Digest finish();

  uint64_t bytesHashed() const { return totalBytes_; }

  /** Lower-case hex of a digest (64 characters). */
  static std::string hex(const Digest& d);
  /** One-shot digest of data. */
  static Digest of(std::string_view data);

 private:
  evp_md_ctx_st* ctx_ = nullptr;
  uint64_t totalBytes_ = 0;
};

}  // namespace sluice::codec
