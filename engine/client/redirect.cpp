#include "engine/client/redirect.h"

#include <uriparser/Uri.h>

#include <set>
#include <utility>

namespace sluice::client {

bool isRedirectStatus(int status) { return (status >= 301 && status <= 303) || status == 307 || status == 308; }

std::string urlText(const Url& url) { return url.scheme + "://" + url.authority() + url.target; }

namespace {

/** Owns a parsed uriparser URI. */
struct ParsedUri {
  UriUriA uri{};
  bool ok = false;
  explicit ParsedUri(std::string_view text) {
    const char* err = nullptr;
    ok = uriParseSingleUriExA(&uri, text.data(), text.data() + text.size(), &err) == URI_SUCCESS;
  }
  ~ParsedUri() { uriFreeUriMembersA(&uri); }
  ParsedUri(const ParsedUri&) = delete;
  ParsedUri& operator=(const ParsedUri&) = delete;
};

bool sameOrigin(const Url& a, const Url& b) {
  return a.scheme == b.scheme && http::iequals(a.host, b.host) && a.port == b.port;
}

}  // namespace

Result<std::string> resolveLocation(const Url& base, std::string_view location) {
  std::string baseText = urlText(base);
  ParsedUri b(baseText), ref(location);
  if (!b.ok) return fail(ErrorCode::kInvalidArgument, "cannot resolve against '" + baseText + "'");
  if (!ref.ok || location.empty())
    return fail(ErrorCode::kProtocol, "the redirect's Location '" + std::string(location) + "' is not a valid URI reference");
  UriUriA abs{};
  if (uriAddBaseUriA(&abs, &ref.uri, &b.uri) != URI_SUCCESS) {
    uriFreeUriMembersA(&abs);
    return fail(ErrorCode::kProtocol, "the redirect's Location '" + std::string(location) + "' cannot be resolved");
  }
  abs.fragment.first = abs.fragment.afterLast = nullptr;  // never sent on the wire
  int chars = 0;
  std::string out;
  if (uriToStringCharsRequiredA(&abs, &chars) == URI_SUCCESS) {
    out.resize(static_cast<size_t>(chars) + 1);
    if (uriToStringA(out.data(), &abs, chars + 1, nullptr) != URI_SUCCESS) out.clear();
    else out.resize(static_cast<size_t>(chars));
  }
  uriFreeUriMembersA(&abs);
  if (out.empty()) return fail(ErrorCode::kProtocol, "the redirect's Location '" + std::string(location) + "' cannot be resolved");
  return out;
}

Result<Request> nextRedirectRequest(const Request& sent, int status, std::string_view location, const RedirectPolicy& policy,
                                    std::vector<std::string>* dropped) {
  if (location.empty()) return fail(ErrorCode::kProtocol, "the " + std::to_string(status) + " redirect has no Location header");
  auto target = resolveLocation(sent.url, location);
  if (!target) return unexpected<Error>(target.error());
  auto url = Url::parse(*target);
  if (!url) return fail(ErrorCode::kProtocol, "cannot follow the redirect to '" + *target + "': " + url.error().message);
  Request next = sent;
  next.preparedHead.reset();  // another URL, maybe another method and headers: a head of its own
  next.url = *url;
  bool toGet = (status == 303 && sent.method != "HEAD") || ((status == 301 || status == 302) && sent.method == "POST");
  if (toGet) {
    next.method = "GET";
    next.body = RequestBody::none();
    next.expectContinue = false;
    for (const char* h : {"Content-Type", "Content-Length", "Transfer-Encoding", "Content-Encoding"}) next.headers.remove(h);
  } else if (sent.body.kind == RequestBody::Kind::kPull) {
    return fail(ErrorCode::kInvalidArgument,
                "cannot follow the " + std::to_string(status) + " redirect to " + *target + ": it must resend the " + sent.method +
                    " body, and this body is streamed (stdin or a generator) so it cannot be sent again; send it from a file "
                    "or from memory to follow, or follow the redirect by hand");
  }
  if (!sameOrigin(sent.url, next.url)) {
    next.headers.remove("Host");
    if (!policy.keepCredentialsAcrossOrigins) {
      for (const char* h : {"Authorization", "Cookie", "Proxy-Authorization"}) {
        if (next.headers.has(h)) {
          next.headers.remove(h);
          if (dropped) dropped->emplace_back(h);
        }
      }
    }
  }
  return next;
}

namespace {

RedirectHop hopOf(const Request& req, const Response& r) {
  RedirectHop hop;
  hop.method = req.method;
  hop.url = urlText(req.url);
  hop.status = r.status;
  hop.requestId = r.requestId;
  hop.connectionId = r.connectionId;
  hop.verdict = r.verdict.text();
  if (isRedirectStatus(r.status)) hop.location = std::string(r.headers.get("Location"));
  return hop;
}

std::string chainText(const std::vector<RedirectHop>& hops, const std::string& last) {
  std::string s;
  for (const auto& h : hops) s += h.url + " → ";
  return s + last;
}

}  // namespace

Result<FollowedExchange> fetchFollowing(Client& client, Request request, const RedirectPolicy& policy,
                                        const std::function<void(const RedirectHop&)>& onHop) {
  FollowedExchange out;
  std::set<std::pair<std::string, std::string>> visited;
  std::vector<std::string> dropped;
  for (;;) {
    visited.emplace(request.method, urlText(request.url));
    Request sent = request;
    auto ex = client.fetch(std::move(request));
    if (!ex) return unexpected<Error>(ex.error());
    RedirectHop hop = hopOf(sent, ex->response);
    hop.droppedHeaders = std::exchange(dropped, {});
    out.hops.push_back(hop);
    if (onHop) onHop(hop);
    if (!policy.follow || !isRedirectStatus(ex->response.status)) {
      out.exchange = std::move(*ex);
      return out;
    }
    // The redirect's own body is read and dropped so its connection can serve the next hop.
    std::string ignored;
    if (!ex->body.readAll(ignored, policy.maxRedirectBodyBytes, std::chrono::seconds(30))) ex->body.abort();
    else ex->body.release();
    if (static_cast<int>(out.hops.size()) > policy.maxRedirects)
      return fail(ErrorCode::kLimit, "stopped after " + std::to_string(policy.maxRedirects) +
                                         " redirects (the limit; raise it with --max-redirs): " + chainText(out.hops, "…"));
    auto next = nextRedirectRequest(sent, ex->response.status, hop.location, policy, &dropped);
    if (!next) return unexpected<Error>(next.error());
    std::string nextUrl = urlText(next->url);
    if (visited.contains({next->method, nextUrl}))
      return fail(ErrorCode::kProtocol, "redirect loop: " + chainText(out.hops, nextUrl) + " comes back to " + next->method + " " +
                                            nextUrl + ", which was already answered with a redirect");
    request = std::move(*next);
  }
}

}  // namespace sluice::client
