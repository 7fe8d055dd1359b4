#pragma once
// Split points for the fuzz targets: the first two input bytes choose a stride
// and a phase, and the rest of the input is cut into pieces at those points, so
// every target also runs incrementally.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace sluice::fuzz {

inline std::vector<std::string_view> splitAt(std::string_view input, uint8_t strideByte, uint8_t phaseByte) {
  size_t stride = 1 + strideByte % 61;
  size_t phase = phaseByte % stride;
  std::vector<std::string_view> pieces;
  size_t pos = 0, next = phase ? phase : stride;
  while (pos < input.size()) {
    size_t n = std::min(next, input.size() - pos);
    pieces.push_back(input.substr(pos, n));
    pos += n;
    next = stride;
  }
  return pieces;
}

}  // namespace sluice::fuzz
