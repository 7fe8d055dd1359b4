#pragma once
/**
 * Following redirects, as curl -L does, with the rules of RFC 9110 section 15.4:
 *  - off unless asked; at most maxRedirects hops (10 by default);
 *  - 303 turns any method but HEAD into GET without a body; 301 and 302 turn POST into
 *    GET without a body (curl and browsers); 307 and 308 keep method and body: bytes are
 *    sent again, a file is re-read from its start, a pull source (stdin, a generator)
 *    cannot be replayed and ends the chain with an error that says so;
 *  - Authorization, Cookie and Proxy-Authorization are not sent to another origin
 *    (curl CVE-2018-1000007) unless keepCredentialsAcrossOrigins;
 *  - a hop back to a (method, URL) already visited is a loop, named in the error.
 * Each hop is a request of its own (own request id, reuse verdict); the redirect
 * responses' bodies are read and discarded so their connections go back to the pool,
 * and the final response's body stream is handed over untouched.
 */
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/client/client.h"

namespace sluice::client {

struct RedirectPolicy {
  bool follow = false;
  int maxRedirects = 10;
  bool keepCredentialsAcrossOrigins = false;
  uint64_t maxRedirectBodyBytes = 1u << 20;  ///< a redirect's own body is discarded up to this, else its connection closes
};

/** One answered request of a chain. */
struct RedirectHop {
  std::string method;
  std::string url;
  int status = 0;
  std::string location;  ///< the Location as sent; empty for the final response
  uint64_t requestId = 0;
  uint64_t connectionId = 0;
  std::string verdict;
  std::vector<std::string> droppedHeaders;  ///< credentials not sent to this hop (another origin)
};

/** 301, 302, 303, 307 or 308. */
bool isRedirectStatus(int status);

/**
 * The pure part: given the request just sent and its redirect response, the next
 * request, or an error (bad Location, unsupported scheme, non-replayable body).
 * dropped receives the names of credential headers left out.
 */
Result<Request> nextRedirectRequest(const Request& sent, int status, std::string_view location, const RedirectPolicy& policy,
                                    std::vector<std::string>* dropped = nullptr);
/** Resolves a Location reference against the URL it answered (RFC 3986 section 5). */
Result<std::string> resolveLocation(const Url& base, std::string_view location);
/** "http://host:port/target" */
std::string urlText(const Url& url);

/** The final exchange of a chain and every hop, the final one last. */
struct FollowedExchange {
  Exchange exchange;
  std::vector<RedirectHop> hops;
};

/**
 * Blocking: sends request and follows redirects by policy. onHop runs (on the calling
 * thread) for each answered hop as it comes, the final one included. Not from the loop thread.
 */
Result<FollowedExchange> fetchFollowing(Client& client, Request request, const RedirectPolicy& policy,
                                        const std::function<void(const RedirectHop&)>& onHop = {});

}  // namespace sluice::client
