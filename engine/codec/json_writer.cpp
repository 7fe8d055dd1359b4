#include "engine/codec/json_writer.h"

#include <cmath>
#include <cstdio>

namespace sluice::codec {

void appendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 15]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

std::string jsonString(std::string_view s) {
  std::string out;
  appendJsonString(out, s);
  return out;
}

void JsonObject::addKey(std::string_view key) {
  if (body_.size() > 1) body_.push_back(',');
  appendJsonString(body_, key);
  body_.push_back(':');
}

JsonObject& JsonObject::addString(std::string_view key, std::string_view value) {
  addKey(key);
  appendJsonString(body_, value);
  return *this;
}

JsonObject& JsonObject::addNumber(std::string_view key, uint64_t value) {
  addKey(key);
  body_ += std::to_string(value);
  return *this;
}

JsonObject& JsonObject::addNumber(std::string_view key, int64_t value) {
  addKey(key);
  body_ += std::to_string(value);
  return *this;
}

JsonObject& JsonObject::addDouble(std::string_view key, double value, int decimals) {
  addKey(key);
  if (!std::isfinite(value)) {
    body_ += "null";
    return *this;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  body_ += buf;
  return *this;
}

JsonObject& JsonObject::addBool(std::string_view key, bool value) {
  addKey(key);
  body_ += value ? "true" : "false";
  return *this;
}

JsonObject& JsonObject::addRaw(std::string_view key, std::string_view json) {
  addKey(key);
  body_ += json;
  return *this;
}

}  // namespace sluice::codec
