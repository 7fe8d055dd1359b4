#pragma once
/** A tiny JSON writer: escaped strings and flat objects, enough for server answers. */
#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::codec {

/** Appends s as a JSON string literal (quotes included). Bytes >= 0x80 pass through as UTF-8. */
void appendJsonString(std::string& out, std::string_view s);
std::string jsonString(std::string_view s);

/**
 * Builds one JSON object, member by member, in insertion order:
 *   JsonObject o; o.addString("name", n).addNumber("bytes", b); o.str();
 */
class JsonObject {
 public:
  JsonObject& addString(std::string_view key, std::string_view value);
  JsonObject& addNumber(std::string_view key, uint64_t value);
  JsonObject& addNumber(std::string_view key, int64_t value);
  JsonObject& addDouble(std::string_view key, double value, int decimals = 3);
  JsonObject& addBool(std::string_view key, bool value);
  /** Adds a value that is already JSON (an array or nested object). */
  JsonObject& addRaw(std::string_view key, std::string_view json);
  std::string str() const { return body_ + "}"; }

 private:
  void addKey(std::string_view key);
  std::string body_ = "{";
};

}  // namespace sluice::codec
