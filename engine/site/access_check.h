#pragma once
/** Who may use the server: the Host allow-list, the token and the loopback rule. */
#include <string_view>

#include "engine/site/site_options.h"

namespace sluice::site {

/**
 * True when host (as http::parseAuthority gives it: lower case, no brackets,
 * no port) names this server: localhost (and *.localhost), 127.0.0.1, ::1,
 * the bound address, the address the client reached, or an --allow-host entry
 * (".example.org" allows subdomains, "*" allows all).
 */
bool hostAllowed(std::string_view host, const RouteOptions& options, const net::SocketAddress& local);

/** "Authorization: Bearer <token>", compared in constant time. */
bool bearerMatches(std::string_view authorization, std::string_view token);

/** Uploads and their management: the /upload paths with a method other than GET/HEAD. */
bool isWriteRequest(const http::RequestHead& head);

}  // namespace sluice::site
