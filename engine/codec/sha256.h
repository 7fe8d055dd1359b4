#pragma once
/** SHA-256 (FIPS 180-4), streaming, with a SHA-NI fast path on x86-64. */
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::codec {

/**
 * Incremental SHA-256: update() with any number of byte runs, then finish().
 * The compression function uses the x86 SHA extensions when the CPU has them
 * (checked once at run time) and portable C++ otherwise.
 */
class Sha256 {
 public:
  using Digest = std::array<uint8_t, 32>;

  Sha256() { reset(); }
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
  /** True when the SHA-NI path is in use (for logs and benchmarks). */
  static bool hardwareAccelerated();

 private:
  void compress(const uint8_t* blocks, size_t count);

  std::array<uint32_t, 8> state_{};
  std::array<uint8_t, 64> buffer_{};
  size_t buffered_ = 0;
  uint64_t totalBytes_ = 0;
};

}  // namespace sluice::codec
