#include "engine/codec/base64.h"

#include <openssl/evp.h>

namespace sluice::codec {

namespace {
bool inAlphabet(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

size_t trailingPad(std::string_view text) {
  size_t last = text.find_last_not_of('=');
  return last == std::string_view::npos ? text.size() : text.size() - last - 1;
}

// The alphabet and the place of '=': the only characters EVP_DecodeBlock would
// otherwise skip (whitespace) or misread.
Status checkCharacters(std::string_view text) {
  size_t pad = trailingPad(text);
  if (pad > 2) return fail(ErrorCode::kParse, "base64 ends with " + std::to_string(pad) + " '=' (at most 2 are allowed)");
  for (size_t i = 0; i + pad < text.size(); ++i)
    if (!inAlphabet(text[i]))
      return fail(ErrorCode::kParse, "base64 has " + describeByte(text[i]) + " at position " + std::to_string(i + 1) +
                                         " (only A-Z, a-z, 0-9, '+', '/' and final '=' padding are allowed)");
  return {};
}
}  // namespace

std::string base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(n < 0 ? 0 : static_cast<size_t>(n));
  return out;
}

Result<std::string> base64Decode(std::string_view text) {
  if (auto ok = checkCharacters(text); !ok) return unexpected(ok.error());
  std::string padded(text);
  if (padded.size() % 4 == 1)
    return fail(ErrorCode::kParse, "base64 of " + std::to_string(text.size()) + " characters is truncated (a length of 4n+1 cannot be decoded)");
  if (padded.find('=') == std::string::npos) padded.append((4 - padded.size() % 4) % 4, '=');
  if (padded.size() % 4 != 0)
    return fail(ErrorCode::kParse, "base64 padding is wrong: " + std::to_string(text.size()) + " characters are not a multiple of 4");
  std::string out(padded.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(padded.data()), static_cast<int>(padded.size()));
  if (n < 0) return fail(ErrorCode::kParse, "base64 could not be decoded");
  // EVP_DecodeBlock decodes '=' as zero bits and counts them: drop those bytes.
  out.resize(static_cast<size_t>(n) - trailingPad(padded));
  if (base64Encode(out) != padded)
    return fail(ErrorCode::kParse, "base64 is not canonical: the bits after the last full byte must be zero");
  return out;
}

}  // namespace sluice::codec
