// The upload-name rules (engine/server/name_rules.h).
//
// Input: [stride][phase] then a name. The name is checked raw (checkFileName)
// and percent-decoded (decodeFileName). Whatever is accepted must be one plain
// entry in one directory: not empty, not "." or "..", at most 255 bytes, no
// '/', '\\', NUL, C0/C1 control or DEL, well-formed shortest-form UTF-8 (RFC
// 3629 §4 byte table, written here independently of the engine), not ending in
// ".part"; joined to a directory it stays directly under it. An accepted name
// survives encodeFileName + decodeFileName unchanged. The split: the encoded
// form is reassembled from its pieces with a %-escape for each piece's first
// byte, which must decode to the same name.
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "engine/site/upload/name_rules.h"
#include "fuzz_split.h"

namespace {

#define CHECK(c) \
  do {           \
    if (!(c)) std::abort(); \
  } while (0)

// RFC 3629 §4 well-formed sequences, as byte ranges.
bool wellFormedUtf8(std::string_view s) {
  auto in = [](uint8_t b, uint8_t lo, uint8_t hi) { return b >= lo && b <= hi; };
  for (size_t i = 0; i < s.size();) {
    auto b = [&](size_t k) { return static_cast<uint8_t>(i + k < s.size() ? s[i + k] : 0); };
    size_t left = s.size() - i;
    if (b(0) <= 0x7F) { i += 1; continue; }
    if (in(b(0), 0xC2, 0xDF) && left >= 2 && in(b(1), 0x80, 0xBF)) { i += 2; continue; }
    if (left >= 3) {
      if ((b(0) == 0xE0 && in(b(1), 0xA0, 0xBF)) || (in(b(0), 0xE1, 0xEC) && in(b(1), 0x80, 0xBF)) ||
          (b(0) == 0xED && in(b(1), 0x80, 0x9F)) || (in(b(0), 0xEE, 0xEF) && in(b(1), 0x80, 0xBF))) {
        if (!in(b(2), 0x80, 0xBF)) return false;
        i += 3;
        continue;
      }
    }
    if (left >= 4) {
      if ((b(0) == 0xF0 && in(b(1), 0x90, 0xBF)) || (in(b(0), 0xF1, 0xF3) && in(b(1), 0x80, 0xBF)) ||
          (b(0) == 0xF4 && in(b(1), 0x80, 0x8F))) {
        if (!in(b(2), 0x80, 0xBF) || !in(b(3), 0x80, 0xBF)) return false;
        i += 4;
        continue;
      }
    }
    return false;
  }
  return true;
}

void checkAccepted(std::string_view name) {
  CHECK(!name.empty() && name != "." && name != "..");
  CHECK(name.size() <= sluice::site::kMaxNameBytes);
  for (size_t i = 0; i < name.size(); ++i) {
    auto c = static_cast<uint8_t>(name[i]);
    CHECK(c != '/' && c != '\\' && c != 0 && c >= 0x20 && c != 0x7F);
    // C1 controls U+0080..U+009F are C2 80..C2 9F in UTF-8.
    if (c == 0xC2 && i + 1 < name.size()) CHECK(static_cast<uint8_t>(name[i + 1]) > 0x9F);
  }
  CHECK(wellFormedUtf8(name));
  CHECK(!name.ends_with(".part"));
  std::filesystem::path dir("/srv/uploads");
  auto joined = (dir / std::string(name)).lexically_normal();
  CHECK(joined.parent_path() == dir);
  CHECK(joined.filename() == std::string(name));
  // The URL form of the name comes back as the same name.
  auto back = sluice::site::decodeFileName(sluice::site::encodeFileName(name));
  CHECK(back && *back == name);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  std::string_view name(reinterpret_cast<const char*>(data + 2), size - 2);

  auto raw = sluice::site::checkFileName(name);
  if (raw) checkAccepted(name);
  else CHECK(raw.error().code == sluice::ErrorCode::kInvalidArgument && !raw.error().message.empty());

  auto decoded = sluice::site::decodeFileName(name);
  if (decoded) checkAccepted(*decoded);
  else CHECK(decoded.error().code == sluice::ErrorCode::kInvalidArgument && !decoded.error().message.empty());

  // Same name, escaped differently at the split points: same verdict, same name.
  // A byte that neither is '%' nor follows one within two places is a literal;
  // escaping it must not change the decoded name.
  std::string reencoded;
  static constexpr char kHex[] = "0123456789ABCDEF";
  size_t at = 0;
  for (auto piece : sluice::fuzz::splitAt(name, data[0], data[1])) {
    auto c = static_cast<uint8_t>(piece[0]);
    bool literal = c != '%' && (at < 1 || name[at - 1] != '%') && (at < 2 || name[at - 2] != '%');
    if (literal) {
      reencoded += '%';
      reencoded += kHex[c >> 4];
      reencoded += kHex[c & 15];
      reencoded.append(piece.substr(1));
    } else {
      reencoded.append(piece);
    }
    at += piece.size();
  }
  auto again = sluice::site::decodeFileName(reencoded);
  CHECK(again.has_value() == decoded.has_value());
  if (again) CHECK(*again == *decoded);
  return 0;
}
