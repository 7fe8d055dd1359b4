#include "engine/util/units.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace sluice {

bool parseUint(std::string_view text, uint64_t& out) {
  if (text.empty()) return false;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && p == text.data() + text.size();
}

namespace {
bool parseNumber(std::string_view text, double& out, std::string_view& rest) {
  size_t i = 0;
  while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.')) ++i;
  if (i == 0) return false;
  auto [p, ec] = std::from_chars(text.data(), text.data() + i, out);
  if (ec != std::errc{} || p != text.data() + i) return false;
  rest = text.substr(i);
  return std::isfinite(out) && out >= 0;
}
}  // namespace

Result<uint64_t> parseSize(std::string_view text) {
  double n = 0;
  std::string_view unit;
  if (!parseNumber(text, n, unit)) return fail(ErrorCode::kInvalidArgument, "not a size: '" + std::string(text) + "' (use e.g. 64K, 1M, 2G)");
  double mul = 1;
  std::string u;
  for (char c : unit) u += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (u.empty() || u == "B") mul = 1;
  else if (u == "K" || u == "KB" || u == "KIB") mul = 1024.0;
  else if (u == "M" || u == "MB" || u == "MIB") mul = 1024.0 * 1024;
  else if (u == "G" || u == "GB" || u == "GIB") mul = 1024.0 * 1024 * 1024;
  else if (u == "T" || u == "TB" || u == "TIB") mul = 1024.0 * 1024 * 1024 * 1024;
  else return fail(ErrorCode::kInvalidArgument, "unknown size unit '" + std::string(unit) + "' in '" + std::string(text) + "' (use K, M or G)");
  double v = n * mul;
  if (v > 1.8e19) return fail(ErrorCode::kInvalidArgument, "size too large: " + std::string(text));
  return static_cast<uint64_t>(v);
}

Result<std::chrono::milliseconds> parseDuration(std::string_view text) {
  double n = 0;
  std::string_view unit;
  if (!parseNumber(text, n, unit)) return fail(ErrorCode::kInvalidArgument, "not a duration: '" + std::string(text) + "' (use e.g. 250ms, 10s)");
  double ms = 0;
  if (unit.empty() || unit == "s") ms = n * 1000;
  else if (unit == "ms") ms = n;
  else if (unit == "m" || unit == "min") ms = n * 60000;
  else if (unit == "h") ms = n * 3600000;
  else return fail(ErrorCode::kInvalidArgument, "unknown duration unit '" + std::string(unit) + "' in '" + std::string(text) + "' (use ms or s)");
  return std::chrono::milliseconds(static_cast<int64_t>(ms));
}

std::string formatBytes(uint64_t bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) { v /= 1024; ++u; }
  // std::to_chars, not printf: the text goes into pages, and the GUI sets a locale with a decimal comma.
  char buf[32];
  auto r = u == 0 ? std::to_chars(buf, buf + sizeof buf, bytes) : std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 1);
  return std::string(buf, r.ptr) + " " + kUnits[u];
}

}  // namespace sluice
