#include "engine/site/upload/upload_digest.h"

#include <algorithm>
#include <cstring>

#include "engine/codec/base64.h"

namespace sluice::site {

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
  auto raw = codec::base64Decode(value.substr(1, value.size() - 2));
  if (!raw) return fail(ErrorCode::kParse, "the sha-256 digest is not valid: " + raw.error().message);
  if (raw->size() != 32)
    return fail(ErrorCode::kParse, "the sha-256 digest has " + std::to_string(raw->size()) + " bytes, not 32");
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
  return "sha-256=:" + codec::base64Encode(std::string_view(reinterpret_cast<const char*>(d.data()), d.size())) + ":";
}

}  // namespace sluice::site
