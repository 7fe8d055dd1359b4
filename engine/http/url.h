#pragma once
/**
 * The one parser for URLs and authorities (RFC 3986 through uriparser, with
 * the HTTP rules of RFC 9110 §4.2 on top). Everything that reads a URL, a Host
 * header or a listen address goes through here, so CR, LF, spaces and other
 * control characters are refused in one place, with an error that names the
 * character and its position.
 */
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/util/error.h"

namespace sluice::http {

/** host[:port]: a Host header value or a listen address. */
struct Authority {
  std::string host;              ///< lower case; an IPv6 literal without its brackets
  std::optional<uint16_t> port;  ///< absent when the text has no port (or an empty one)
  bool ipv6 = false;             ///< the host was a bracketed IPv6 literal
};

/** An absolute http:// or https:// URL, split for a request. */
struct Url {
  std::string scheme = "http";  ///< "http" or "https", lower case
  std::string host;             ///< lower case; an IPv6 literal without its brackets
  uint16_t port = 80;           ///< the explicit port, else the scheme's default
  bool explicitPort = false;    ///< the URL spelled a port
  std::string target = "/";     ///< origin-form (RFC 9112 §3.2.1): path and query; the fragment is dropped
  std::optional<std::string> userinfo;  ///< "user:pass" as written (still percent-encoded), when present

  /** "host[:port]" as the Host header carries it: brackets around IPv6, the port only when not the default. */
  std::string authority() const;
};

/**
 * Parses an absolute URL: scheme http or https, a non-empty host (name, IPv4
 * or bracketed IPv6), an optional port 1-65535, then path, query and fragment.
 * Refuses control characters, spaces and bytes >= 0x80 (percent-encode them).
 */
Result<Url> parseUrl(std::string_view text);

/**
 * Parses "host[:port]" (RFC 9110 §7.2 Host = uri-host [ ":" port ]): no
 * userinfo, no path, a non-empty host, a port 0-65535 of digits only.
 */
Result<Authority> parseAuthority(std::string_view text);

/** "host:port" with brackets around an IPv6 host; without ":port" when port is empty. */
std::string formatAuthority(std::string_view host, std::optional<uint16_t> port);

/** The port a scheme implies: 80 for http, 443 for https, 0 for anything else. */
uint16_t defaultPort(std::string_view scheme);

}  // namespace sluice::http
