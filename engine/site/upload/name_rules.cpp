#include "engine/site/upload/name_rules.h"

#include "engine/http/message.h"

namespace sluice::site {

namespace {

Status refuse(std::string msg) { return fail(ErrorCode::kInvalidArgument, std::move(msg)); }

// Length of the UTF-8 sequence at s[i] (1-4), or 0 when it is invalid,
// overlong (e.g. C0 AE, a disguised '.'), a surrogate or above U+10FFFF.
// Stores the code point in cp.
size_t utf8Sequence(std::string_view s, size_t i, uint32_t& cp) {
  auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  uint8_t b0 = byte(i);
  size_t len = 0;
  uint32_t min = 0;
  if (b0 < 0x80) { cp = b0; return 1; }
  if ((b0 & 0xE0) == 0xC0) { len = 2; cp = b0 & 0x1F; min = 0x80; }
  else if ((b0 & 0xF0) == 0xE0) { len = 3; cp = b0 & 0x0F; min = 0x800; }
  else if ((b0 & 0xF8) == 0xF0) { len = 4; cp = b0 & 0x07; min = 0x10000; }
  else return 0;
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

}  // namespace

Status checkFileName(std::string_view name) {
  if (name.empty()) return refuse("the file name is empty");
  if (name == "." || name == "..") return refuse("'" + std::string(name) + "' is not a file name");
  if (name.size() > kMaxNameBytes)
    return refuse("the file name is " + std::to_string(name.size()) + " bytes long; the limit is 255");
  for (size_t i = 0; i < name.size();) {
    char c = name[i];
    if (c == '/' || c == '\\') return refuse("the file name contains a path separator; names are plain, one directory level");
    if (c == '\0') return refuse("the file name contains a NUL byte");
    uint32_t cp = 0;
    size_t len = utf8Sequence(name, i, cp);
    if (len == 0) return refuse("the file name is not valid UTF-8 (or uses an overlong encoding)");
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) return refuse("the file name contains a control character");
    i += len;
  }
  if (name.ends_with(kPartSuffix) )
    return refuse("names ending in '.part' are reserved for uploads in progress");
  return {};
}

Result<std::string> decodeFileName(std::string_view encoded) {
  auto decoded = http::percentDecode(encoded, false);
  if (!decoded) return fail(ErrorCode::kInvalidArgument, "the file name has a malformed %-escape");
  if (auto ok = checkFileName(*decoded); !ok) return sluice::unexpected(ok.error());
  return std::move(*decoded);
}

std::string encodeFileName(std::string_view name) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(name.size());
  for (char ch : name) {
    auto c = static_cast<unsigned char>(ch);
    bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
                 c == '_' || c == '~';
    if (plain) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace sluice::site
