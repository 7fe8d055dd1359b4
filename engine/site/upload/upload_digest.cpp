#include "engine/site/upload/upload_digest.h"

#include <cstring>

#include "engine/codec/base64.h"

namespace sluice::site {

Result<std::optional<codec::Sha256::Digest>> parseSha256Member(std::string_view field) {
  while (!field.empty()) {
    size_t comma = field.find(',');
    std::string_view member = http::trimOws(field.substr(0, comma));
    field = comma == std::string_view::npos ? std::string_view{} : field.substr(comma + 1);
    size_t eq = member.find('=');
    if (eq == std::string_view::npos || member.substr(0, eq) != "sha-256") continue;
    std::string_view value = member.substr(eq + 1);
    value = value.substr(0, value.find(';'));  // parameters are allowed and ignored
    if (value.size() < 2 || value.front() != ':' || value.back() != ':')
      return fail(ErrorCode::kParse, "the sha-256 digest must be a byte sequence, like sha-256=:BASE64:");
    auto raw = codec::base64Decode(value.substr(1, value.size() - 2));
    if (!raw) return fail(ErrorCode::kParse, "the sha-256 digest is not valid: " + raw.error().message);
    if (raw->size() != 32)
      return fail(ErrorCode::kParse, "the sha-256 digest has " + std::to_string(raw->size()) + " bytes, not 32");
    codec::Sha256::Digest d{};
    std::memcpy(d.data(), raw->data(), 32);
    return d;
  }
  return std::optional<codec::Sha256::Digest>{};
}

Result<std::optional<codec::Sha256::Digest>> expectedSha256(const http::Headers& headers, std::string_view fieldName) {
  std::optional<codec::Sha256::Digest> found;
  for (const auto& h : headers) {
    if (!http::iequals(h.name, fieldName)) continue;
    auto d = parseSha256Member(h.value);
    if (!d) return sluice::unexpected(Error{d.error().code, std::string(fieldName) + ": " + d.error().message});
    if (*d) {
      if (found && *found != **d)
        return fail(ErrorCode::kParse, std::string(fieldName) + " carries two different sha-256 values");
      found = *d;
    }
  }
  return found;
}

std::string formatSha256Field(const codec::Sha256::Digest& d) {
  return "sha-256=:" + codec::base64Encode(std::string_view(reinterpret_cast<const char*>(d.data()), d.size())) + ":";
}

}  // namespace sluice::site
