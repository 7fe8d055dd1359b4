#pragma once
/** Parsing and printing of sizes (K/M/G suffixes) and durations (ms/s). */
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/util/error.h"

namespace sluice {

/** "1048576", "64K", "1M", "2G", "1MiB" -> bytes (binary multiples). */
Result<uint64_t> parseSize(std::string_view text);
/** "250ms", "10s", "1.5s", "2m", "10" (seconds) -> milliseconds. */
Result<std::chrono::milliseconds> parseDuration(std::string_view text);
/** 1536 -> "1.5 KiB". */
std::string formatBytes(uint64_t bytes);
/** Parses a decimal unsigned integer; the whole text must be digits. */
bool parseUint(std::string_view text, uint64_t& out);

}  // namespace sluice
