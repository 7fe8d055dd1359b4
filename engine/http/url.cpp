// URLs and authorities through uriparser (RFC 3986), with HTTP's rules on top.
#include "engine/http/url.h"

#include <uriparser/Uri.h>

#include <algorithm>
#include <charconv>

namespace sluice::http {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; });
  return out;
}

std::string_view range(const UriTextRangeA& r) {
  return r.first ? std::string_view(r.first, static_cast<size_t>(r.afterLast - r.first)) : std::string_view{};
}

std::string at(size_t index) { return " at position " + std::to_string(index + 1); }

// Before the grammar: bytes that must never pass, named for the reader. The
// text itself is not echoed when it holds a control byte (it could be CR LF).
Status checkBytes(std::string_view text, std::string_view what) {
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c <= 0x20 || c == 0x7f)
      return fail(ErrorCode::kInvalidArgument, std::string(what) + " has " + describeByte(text[i]) + at(i) +
                                                   ": control characters and spaces are not allowed (percent-encode a space as %20)");
    if (c >= 0x80)
      return fail(ErrorCode::kInvalidArgument, std::string(what) + " '" + std::string(text) + "' has " + describeByte(text[i]) + at(i) +
                                                   ": only ASCII is allowed (percent-encode other bytes)");
  }
  if (text.empty()) return fail(ErrorCode::kInvalidArgument, std::string(what) + " is empty");
  return {};
}

/** A parsed uriparser tree that frees itself. */
class ParsedUri {
 public:
  ParsedUri() = default;
  ~ParsedUri() { uriFreeUriMembersA(&uri_); }
  ParsedUri(const ParsedUri&) = delete;
  ParsedUri& operator=(const ParsedUri&) = delete;

  /** Empty on success; else the 0-based offset in text where the grammar broke. */
  std::optional<size_t> parse(std::string_view text) {
    const char* errorPos = nullptr;
    int rc = uriParseSingleUriExA(&uri_, text.data(), text.data() + text.size(), &errorPos);
    if (rc == URI_SUCCESS) return std::nullopt;
    return errorPos ? static_cast<size_t>(errorPos - text.data()) : text.size();
  }
  const UriUriA& uri() const { return uri_; }

 private:
  UriUriA uri_{};
};

// uriparser backtracks through "user:pass@" before it gives up on a bad port,
// so its error position lands past the port: name the port's first bad byte instead.
std::optional<size_t> badPortByte(std::string_view text, size_t authorityStart) {
  std::string_view auth = text.substr(authorityStart);
  auth = auth.substr(0, auth.find_first_of("/?#"));
  size_t hostStart = auth.find('@') == std::string_view::npos ? 0 : auth.find('@') + 1;
  size_t colon = auth.substr(hostStart).starts_with('[') ? auth.find("]:", hostStart) : auth.find(':', hostStart);
  if (colon == std::string_view::npos) return std::nullopt;
  colon += auth[colon] == ']' ? 1 : 0;
  for (size_t i = colon + 1; i < auth.size(); ++i)
    if (auth[i] < '0' || auth[i] > '9') return authorityStart + i;
  return std::nullopt;
}

Error grammarError(std::string_view what, std::string_view text, size_t pos, size_t authorityStart) {
  if (auto port = badPortByte(text, authorityStart))
    return Error{ErrorCode::kInvalidArgument, std::string(what) + " '" + std::string(text) + "' has " + describeByte(text[*port]) +
                                                  at(*port) + " in its port: a port is digits only" +
                                                  (text[*port] == ':' ? " (put an IPv6 address in brackets, like [::1]:8080)" : "")};
  std::string where = pos < text.size() ? "unexpected " + describeByte(text[pos]) + at(pos) : "it ends too early";
  return Error{ErrorCode::kInvalidArgument, std::string(what) + " '" + std::string(text) + "' is not valid (RFC 3986): " + where};
}

Result<std::optional<uint16_t>> parsePort(std::string_view digits, std::string_view what, std::string_view text) {
  if (digits.empty()) return std::optional<uint16_t>{};  // "host:" means the default port (RFC 3986 §3.2.3)
  unsigned long p = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), p);
  if (ec != std::errc{} || ptr != digits.data() + digits.size() || p > 65535)
    return fail(ErrorCode::kInvalidArgument, std::string(what) + " '" + std::string(text) + "' has port " + std::string(digits) +
                                                 ", outside 0-65535");
  return std::optional<uint16_t>(static_cast<uint16_t>(p));
}

// The host part both grammars share: present, not IPvFuture, not percent-encoded.
Result<Authority> hostOf(const UriUriA& uri, std::string_view what, std::string_view text) {
  std::string_view host = range(uri.hostText);
  if (!uri.hostText.first || host.empty())
    return fail(ErrorCode::kInvalidArgument, std::string(what) + " '" + std::string(text) + "' has no host");
  if (uri.hostData.ipFuture.first)
    return fail(ErrorCode::kInvalidArgument, std::string(what) + " '" + std::string(text) + "' has an IPvFuture host, which is not supported");
  if (host.find('%') != std::string_view::npos)
    return fail(ErrorCode::kInvalidArgument, std::string(what) + " '" + std::string(text) + "' has a percent-encoded host name, which is not supported");
  auto port = parsePort(range(uri.portText), what, text);
  if (!port) return sluice::unexpected(port.error());
  return Authority{lower(host), *port, uri.hostData.ip6 != nullptr};
}

}  // namespace

uint16_t defaultPort(std::string_view scheme) {
  if (scheme == "http") return 80;
  if (scheme == "https") return 443;
  return 0;
}

std::string formatAuthority(std::string_view host, std::optional<uint16_t> port) {
  std::string out = host.find(':') != std::string_view::npos ? "[" + std::string(host) + "]" : std::string(host);
  if (port) out += ":" + std::to_string(*port);
  return out;
}

std::string Url::authority() const {
  return formatAuthority(host, port == defaultPort(scheme) ? std::nullopt : std::optional<uint16_t>(port));
}

Result<Url> parseUrl(std::string_view text) {
  constexpr std::string_view kWhat = "the URL";
  if (auto ok = checkBytes(text, kWhat); !ok) return sluice::unexpected(ok.error());
  ParsedUri parsed;
  if (auto pos = parsed.parse(text)) {
    size_t slashes = text.find("//");
    return sluice::unexpected(grammarError(kWhat, text, *pos, slashes == std::string_view::npos ? text.size() : slashes + 2));
  }
  const UriUriA& uri = parsed.uri();
  Url url;
  url.scheme = lower(range(uri.scheme));
  if (url.scheme != "http" && url.scheme != "https")
    return fail(ErrorCode::kInvalidArgument, "the URL '" + std::string(text) + "' must start with http:// or https://" +
                                                 (url.scheme.empty() ? std::string() : " (not " + url.scheme + "://)"));
  auto authority = hostOf(uri, kWhat, text);
  if (!authority) return sluice::unexpected(authority.error());
  if (authority->port == 0)
    return fail(ErrorCode::kInvalidArgument, "the URL '" + std::string(text) + "' has port 0, which cannot be connected to");
  url.host = std::move(authority->host);
  url.explicitPort = authority->port.has_value();
  url.port = authority->port.value_or(defaultPort(url.scheme));
  if (uri.userInfo.first) url.userinfo = std::string(range(uri.userInfo));
  // The grammar is checked: the target is what follows the authority, up to the fragment.
  std::string_view rest = text.substr(text.find("//") + 2);
  rest = rest.substr(std::min(rest.size(), rest.find_first_of("/?#")));
  rest = rest.substr(0, rest.find('#'));
  url.target = rest.empty() || rest.front() == '?' ? "/" + std::string(rest) : std::string(rest);
  return url;
}

Result<Authority> parseAuthority(std::string_view text) {
  constexpr std::string_view kWhat = "the authority";
  if (auto ok = checkBytes(text, kWhat); !ok) return sluice::unexpected(ok.error());
  if (size_t bad = text.find_first_of("/?#@"); bad != std::string_view::npos)
    return fail(ErrorCode::kInvalidArgument, "the authority '" + std::string(text) + "' has " + describeByte(text[bad]) + at(bad) +
                                                 ": expected host[:port] with no user, path or query");
  // The authority grammar is the URI's: parse it inside one and map positions back.
  constexpr std::string_view kPrefix = "http://";
  std::string uriText = std::string(kPrefix) + std::string(text);
  ParsedUri parsed;
  if (auto pos = parsed.parse(uriText))
    return sluice::unexpected(grammarError(kWhat, text, *pos >= kPrefix.size() ? *pos - kPrefix.size() : 0, 0));
  return hostOf(parsed.uri(), kWhat, text);
}

}  // namespace sluice::http
