#include "engine/site/upload/upload_digest.h"

#include <algorithm>
#include <cstring>

namespace sluice::site {

namespace {
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64Value(char c) {
  const char* p = std::strchr(kAlphabet, c);
  return (c != '\0' && p) ? static_cast<int>(p - kAlphabet) : -1;
}
}  // namespace

std::string base64Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t v = static_cast<uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) v |= static_cast<uint8_t>(bytes[i + 2]);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back(i + 2 < bytes.size() ? kAlphabet[v & 63] : '=');
  }
  return out;
}

std::optional<std::string> base64Decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = base64Value(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

namespace {
/** Calls fn(key, value) for each member of a dictionary field (RFC 8941 §3.2, members split on commas). */
template <typename Fn>
void forEachMember(std::string_view field, Fn fn) {
  while (!field.empty()) {
    size_t comma = field.find(',');
    std::string_view member = http::trimOws(field.substr(0, comma));
    field = comma == std::string_view::npos ? std::string_view{} : field.substr(comma + 1);
    size_t eq = member.find('=');
    if (!member.empty()) fn(member.substr(0, eq), eq == std::string_view::npos ? std::string_view{} : member.substr(eq + 1));
  }
}

Result<codec::Sha256::Digest> decodeSha256(std::string_view value) {
  value = value.substr(0, value.find(';'));  // parameters are allowed and ignored
  if (value.size() < 2 || value.front() != ':' || value.back() != ':')
    return fail(ErrorCode::kParse, "the sha-256 digest must be a byte sequence, like sha-256=:BASE64:");
  auto raw = base64Decode(value.substr(1, value.size() - 2));
  if (!raw || raw->size() != 32) return fail(ErrorCode::kParse, "the sha-256 digest is not 32 bytes of valid base64");
  codec::Sha256::Digest d{};
  std::memcpy(d.data(), raw->data(), 32);
  return d;
}

constexpr const char* kDuplicate =
    "has more than one sha-256 member; RFC 8941 would keep the last, so verifiers disagree: this server refuses duplicates";
}  // namespace

Result<std::optional<codec::Sha256::Digest>> parseSha256Member(std::string_view field) {
  std::optional<codec::Sha256::Digest> found;
  std::optional<Error> error;
  forEachMember(field, [&](std::string_view key, std::string_view value) {
    if (error || key != "sha-256") return;
    if (found) return error = Error{ErrorCode::kParse, kDuplicate}, void();
    auto d = decodeSha256(value);
    if (!d) return error = d.error(), void();
    found = *d;
  });
  if (error) return sluice::unexpected(*error);
  return found;
}

Result<std::optional<codec::Sha256::Digest>> expectedSha256(const http::Headers& headers, std::string_view fieldName) {
  std::optional<codec::Sha256::Digest> found;
  for (const auto& h : headers) {
    if (!http::iequals(h.name, fieldName)) continue;
    auto d = parseSha256Member(h.value);
    if (!d) return sluice::unexpected(Error{d.error().code, std::string(fieldName) + " " + d.error().message});
    if (*d) {
      // Several field lines form one dictionary (RFC 9110 §5.3), so a second line's member is a duplicate too.
      if (found) return fail(ErrorCode::kParse, std::string(fieldName) + " " + kDuplicate);
      found = *d;
    }
  }
  return found;
}

std::string ignoredDigestKeys(const http::Headers& headers) {
  std::string out;
  for (const char* fieldName : {"Repr-Digest", "Content-Digest"}) {
    std::string keys;
    for (const auto& h : headers) {
      if (!http::iequals(h.name, fieldName)) continue;
      forEachMember(h.value, [&](std::string_view key, std::string_view) {
        if (key != "sha-256") keys += (keys.empty() ? "" : " ") + std::string(key);
      });
    }
    if (!keys.empty()) out += (out.empty() ? "" : ", ") + std::string(fieldName) + "=" + keys;
  }
  return out;
}

std::string formatSha256Field(const codec::Sha256::Digest& d) {
  return "sha-256=:" + base64Encode(std::string_view(reinterpret_cast<const char*>(d.data()), d.size())) + ":";
}

}  // namespace sluice::site
