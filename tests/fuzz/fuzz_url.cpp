// The URL and authority parser (engine/http/url.h) and the HTTP date parser
// (engine/http/http_date.h). Input: [selector] then text.
//  - parseUrl: an accepted URL has no control byte, space or non-ASCII byte
//    anywhere (so no CR/LF can reach a request line), a non-empty host, a
//    port 1-65535, a target that starts with '/' and has no '#'; its
//    authority() parses back, through parseAuthority, to the same host.
//  - parseAuthority: the same byte rules; no '@', '/', '?' or '#'.
//  - parseHttpDate: an accepted date formats back to an IMF-fixdate that
//    parses to the same instant.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "engine/http/http_date.h"
#include "engine/http/url.h"

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

bool cleanBytes(std::string_view s) {
  for (unsigned char c : s)
    if (c <= 0x20 || c >= 0x7f) return false;
  return true;
}

void checkUrl(std::string_view text) {
  auto url = sluice::http::parseUrl(text);
  if (!url) {
    require(!url.error().message.empty());
    return;
  }
  require(cleanBytes(text));
  require(!url->host.empty() && url->port != 0);
  require(url->scheme == "http" || url->scheme == "https");
  require(!url->target.empty() && url->target.front() == '/' && url->target.find('#') == std::string::npos);
  require(cleanBytes(url->target));
  auto back = sluice::http::parseAuthority(url->authority());
  require(back.has_value() && back->host == url->host);
  require(back->port.value_or(sluice::http::defaultPort(url->scheme)) == url->port);
}

void checkAuthority(std::string_view text) {
  auto a = sluice::http::parseAuthority(text);
  if (!a) return;
  require(cleanBytes(text) && !a->host.empty());
  require(text.find_first_of("@/?#") == std::string_view::npos);
}

void checkDate(std::string_view text) {
  auto t = sluice::http::parseHttpDate(text, 1795000000);
  if (!t) return;
  std::string imf = sluice::http::formatHttpDate(*t);
  require(imf.size() == 29);
  require(sluice::http::parseHttpDate(imf, 1795000000) == t);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 3) {
    case 0: checkUrl(text); break;
    case 1: checkAuthority(text); break;
    default: checkDate(text); break;
  }
  return 0;
}
