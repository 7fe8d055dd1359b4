#include "engine/codec/sha256.h"

#include <cstring>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

namespace sluice::codec {

namespace {

// FIPS 180-4 §4.2.2 and §5.3.3 define the constants as the first 32 bits of the
// fractional parts of the cube roots (K) and square roots (H0) of the first
// primes. We derive them here with exact integer roots instead of a typed table.
__extension__ typedef unsigned __int128 U128;

constexpr U128 integerRoot(U128 x, int degree) {
  // Largest r with r^degree <= x, by bisection (exact; compile time only).
  U128 lo = 0, hi = U128(1) << 43;
  while (lo < hi) {
    U128 mid = (lo + hi + 1) / 2;
    U128 p = degree == 2 ? mid * mid : mid * mid * mid;
    if (p <= x) lo = mid; else hi = mid - 1;
  }
  return lo;
}

constexpr std::array<uint32_t, 64> firstPrimes() {
  std::array<uint32_t, 64> primes{};
  uint32_t n = 2;
  for (size_t found = 0; found < 64; ++n) {
    bool prime = true;
    for (uint32_t d = 2; d * d <= n; ++d)
      if (n % d == 0) prime = false;
    if (prime) primes[found++] = n;
  }
  return primes;
}

constexpr std::array<uint32_t, 64> makeK() {
  std::array<uint32_t, 64> k{};
  auto primes = firstPrimes();
  for (size_t i = 0; i < 64; ++i)  // frac(cbrt(p)) * 2^32 == cbrt(p * 2^96) mod 2^32
    k[i] = static_cast<uint32_t>(integerRoot(U128(primes[i]) << 96, 3));
  return k;
}

constexpr std::array<uint32_t, 8> makeH0() {
  std::array<uint32_t, 8> h{};
  auto primes = firstPrimes();
  for (size_t i = 0; i < 8; ++i)  // frac(sqrt(p)) * 2^32 == sqrt(p * 2^64) mod 2^32
    h[i] = static_cast<uint32_t>(integerRoot(U128(primes[i]) << 64, 2));
  return h;
}

constexpr auto kK = makeK();
constexpr auto kH0 = makeH0();
static_assert(kK[0] == 0x428a2f98u && kK[63] == 0xc67178f2u);
static_assert(kH0[0] == 0x6a09e667u && kH0[7] == 0x5be0cd19u);

constexpr uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

uint32_t loadBigEndian(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

// FIPS 180-4 §6.2.2, one block at a time.
void compressPortable(uint32_t* state, const uint8_t* blocks, size_t count) {
  for (; count > 0; --count, blocks += 64) {
    uint32_t w[64];
    for (int t = 0; t < 16; ++t) w[t] = loadBigEndian(blocks + 4 * t);
    for (int t = 16; t < 64; ++t) {
      uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
      uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
      w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
    for (int t = 0; t < 64; ++t) {
      uint32_t bigS1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
      uint32_t ch = (e & f) ^ (~e & g);
      uint32_t t1 = h + bigS1 + ch + kK[t] + w[t];
      uint32_t bigS0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
      uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
      uint32_t t2 = bigS0 + maj;
      h = g; g = f; f = e; e = d + t1;
      d = c; c = b; b = a; a = t1 + t2;
    }
    state[0] += a; state[1] += b; state[2] += c; state[3] += d;
    state[4] += e; state[5] += f; state[6] += g; state[7] += h;
  }
}

#if defined(__x86_64__)
// The SHA extensions keep the state as two registers, ABEF and CDGH; each
// sha256rnds2 does two rounds, and msg1/msg2 compute the message schedule.
__attribute__((target("sha,sse4.1,ssse3"))) void compressShaNi(uint32_t* state, const uint8_t* blocks, size_t count) {
  const __m128i byteSwap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  __m128i tmp = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(state)), 0xB1);  // CDAB
  __m128i efgh = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(state + 4)), 0x1B);
  __m128i abef = _mm_alignr_epi8(tmp, efgh, 8);
  __m128i cdgh = _mm_blend_epi16(efgh, tmp, 0xF0);
  for (; count > 0; --count, blocks += 64) {
    const __m128i abefSaved = abef, cdghSaved = cdgh;
    __m128i w[4];
#pragma GCC unroll 16
    for (int g = 0; g < 16; ++g) {
      if (g < 4) {
        w[g] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(blocks + 16 * g)), byteSwap);
      } else {
        __m128i next = _mm_sha256msg1_epu32(w[g % 4], w[(g - 3) % 4]);
        next = _mm_add_epi32(next, _mm_alignr_epi8(w[(g - 1) % 4], w[(g - 2) % 4], 4));
        w[g % 4] = _mm_sha256msg2_epu32(next, w[(g - 1) % 4]);
      }
      __m128i msg = _mm_add_epi32(w[g % 4], _mm_loadu_si128(reinterpret_cast<const __m128i*>(kK.data() + 4 * g)));
      cdgh = _mm_sha256rnds2_epu32(cdgh, abef, msg);
      abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(msg, 0x0E));
    }
    abef = _mm_add_epi32(abef, abefSaved);
    cdgh = _mm_add_epi32(cdgh, cdghSaved);
  }
  tmp = _mm_shuffle_epi32(abef, 0x1B);  // FEBA
  cdgh = _mm_shuffle_epi32(cdgh, 0xB1);  // DCHG
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state), _mm_blend_epi16(tmp, cdgh, 0xF0));      // DCBA
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state + 4), _mm_alignr_epi8(cdgh, tmp, 8));     // HGFE
}

bool cpuHasShaNi() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
  bool sha = (b >> 29) & 1;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
  bool ssse3 = (c >> 9) & 1, sse41 = (c >> 19) & 1;
  return sha && ssse3 && sse41;
}
#endif

using CompressFn = void (*)(uint32_t*, const uint8_t*, size_t);

CompressFn pickCompress() {
#if defined(__x86_64__)
  if (cpuHasShaNi()) return compressShaNi;
#endif
  return compressPortable;
}

const CompressFn kCompress = pickCompress();

}  // namespace

void Sha256::reset() {
  std::copy(kH0.begin(), kH0.end(), state_.begin());
  buffered_ = 0;
  totalBytes_ = 0;
}

void Sha256::compress(const uint8_t* blocks, size_t count) { kCompress(state_.data(), blocks, count); }

void Sha256::update(std::string_view data) {
  auto p = reinterpret_cast<const uint8_t*>(data.data());
  size_t len = data.size();
  totalBytes_ += len;
  if (buffered_ > 0) {
    size_t take = std::min(len, 64 - buffered_);
    std::memcpy(buffer_.data() + buffered_, p, take);
    buffered_ += take;
    p += take;
    len -= take;
    if (buffered_ < 64) return;
    compress(buffer_.data(), 1);
    buffered_ = 0;
  }
  if (len >= 64) {
    compress(p, len / 64);
    p += len / 64 * 64;
    len %= 64;
  }
  if (len > 0) {
    std::memcpy(buffer_.data(), p, len);
    buffered_ = len;
  }
}

Sha256::Digest Sha256::finish() {
  // §5.1.1: a 1 bit, zeros, then the message length in bits as 64-bit big endian.
  uint64_t bits = totalBytes_ * 8;
  uint8_t pad[72] = {0x80};
  size_t padLen = (buffered_ < 56 ? 56 : 120) - buffered_;
  for (int i = 0; i < 8; ++i) pad[padLen + i] = static_cast<uint8_t>(bits >> (56 - 8 * i));
  uint64_t total = totalBytes_;
  update(std::string_view(reinterpret_cast<const char*>(pad), padLen + 8));
  totalBytes_ = total;
  Digest out{};
  for (size_t i = 0; i < 8; ++i)
    for (size_t j = 0; j < 4; ++j) out[4 * i + j] = static_cast<uint8_t>(state_[i] >> (24 - 8 * j));
  return out;
}

std::string Sha256::hex(const Digest& d) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(64);
  for (uint8_t b : d) {
    s.push_back(kHex[b >> 4]);
    s.push_back(kHex[b & 15]);
  }
  return s;
}

Sha256::Digest Sha256::of(std::string_view data) {
  Sha256 h;
  h.update(data);
  return h.finish();
}

bool Sha256::hardwareAccelerated() { return kCompress != compressPortable; }

}  // namespace sluice::codec
