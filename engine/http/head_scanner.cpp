#include "engine/http/head_scanner.h"

#include <cstdint>
#include <cstring>

namespace sluice::http {

void HeadScanner::reset() {
  bytes_ = 0;
  lineLen_ = 0;
  leading_ = true;
  firstLine_ = true;
  prevCR_ = false;
  errorStatus_ = 0;
  errorMessage_.clear();
}

HeadScanner::Verdict HeadScanner::failWith(int status, std::string message) {
  errorStatus_ = status;
  errorMessage_ = std::move(message);
  return Verdict::kError;
}

namespace {
// Bytes that need a closer look: CR, LF and NUL. Everything else is counted in bulk.
struct SpecialTable {
  bool v[256] = {};
  constexpr SpecialTable() { v[static_cast<unsigned char>('\r')] = v[static_cast<unsigned char>('\n')] = v[0] = true; }
};
constexpr SpecialTable kSpecial;

// Index of the first CR, LF or NUL in [i, n), eight bytes at a time (SWAR).
size_t nextSpecial(const char* p, size_t i, size_t n) {
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHighs = 0x8080808080808080ull;
  constexpr uint64_t kCR = kOnes * '\r', kLF = kOnes * '\n';
  auto hasZero = [](uint64_t v) { return (v - kOnes) & ~v & kHighs; };
  while (i + 8 <= n) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    if (hasZero(w) | hasZero(w ^ kCR) | hasZero(w ^ kLF)) break;
    i += 8;
  }
  while (i < n && !kSpecial.v[static_cast<unsigned char>(p[i])]) ++i;
  return i;
}
}  // namespace

HeadScanner::Verdict HeadScanner::scan(std::string_view data, size_t& end) {
  const char* p = data.data();
  const size_t n = data.size();
  size_t i = 0;
  while (i < n) {
    const char c = p[i];
    if (!kSpecial.v[static_cast<unsigned char>(c)] && !prevCR_) {
      if (leading_) leading_ = false;
      if (lineLen_ == 0 && !firstLine_ && (c == ' ' || c == '\t'))
        return failWith(400, "obsolete line folding (a header line starting with whitespace) is not accepted");
      // Run to the next special byte, counting the line and the head as we go.
      size_t j = nextSpecial(p, i + 1, n);
      size_t run = j - i;
      lineLen_ += run;
      bytes_ += run;
      if (firstLine_ && lineLen_ > maxStartLine_)
        return failWith(414, "start line too long: over " + std::to_string(maxStartLine_) + " bytes");
      if (bytes_ > maxHeadBytes_)
        return failWith(431, "header section too large: the head exceeds " + std::to_string(maxHeadBytes_) + " bytes");
      i = j;
      continue;
    }
    ++bytes_;
    ++i;
    if (bytes_ > maxHeadBytes_)
      return failWith(431, "header section too large: the head exceeds " + std::to_string(maxHeadBytes_) + " bytes");
    if (prevCR_) {
      if (c != '\n') return failWith(400, "bare CR in message head: lines must end with CRLF");
      prevCR_ = false;
      if (leading_) continue;
      if (lineLen_ == 0 && !firstLine_) {
        end = i;
        return Verdict::kHeadEnd;
      }
      firstLine_ = false;
      lineLen_ = 0;
      continue;
    }
    if (c == '\r') {
      prevCR_ = true;
      continue;
    }
    if (c == '\n') return failWith(400, "bare LF in message head: lines must end with CRLF");
    return failWith(400, "NUL byte in message head");
  }
  return Verdict::kNeedMore;
}

}  // namespace sluice::http
