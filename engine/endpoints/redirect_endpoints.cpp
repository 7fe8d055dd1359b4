#include "engine/endpoints/redirect_endpoints.h"

#include <nlohmann/json.hpp>

#include "engine/util/units.h"

namespace sluice::endpoints {

namespace {

constexpr uint64_t kMaxHops = 1000;

class RedirectHandler final : public RequestHandler {
 public:
  RedirectHandler(int status, std::string location) : status_(status), location_(std::move(location)) {}
  void onHead(Exchange& ex) override {
    http::Headers h;
    h.add("Location", location_);
    h.add("Content-Type", "application/json");
    nlohmann::json body = {{"status", status_}, {"location", location_}};
    ex.respond(status_, std::move(h), body.dump() + "\n");
  }

 private:
  int status_;
  std::string location_;
};

/** The end of a chain: reads the body and says what arrived, so a client test sees method and body. */
class ChainEndHandler final : public RequestHandler {
 public:
  void onHead(Exchange& ex) override { ex.setBulkReads(); }
  void onBodyEnd(Exchange& ex) override {
    const auto& req = ex.request();
    nlohmann::json body = {{"method", req.method},
                           {"body_bytes", ex.bodyBytesRead()},
                           {"content_type", std::string(req.headers.get("Content-Type"))},
                           {"authorization", req.headers.has("Authorization")},
                           {"cookie", req.headers.has("Cookie")}};
    http::Headers h;
    h.add("Content-Type", "application/json");
    ex.respond(200, std::move(h), body.dump() + "\n");
  }
};

/** ?status=, 302 when absent; 0 when not a redirect status. */
int redirectStatus(const http::RequestHead& head) {
  auto v = head.queryParam("status");
  if (!v) return 302;
  uint64_t s = 0;
  if (!parseUint(*v, s)) return 0;
  return (s >= 301 && s <= 303) || s == 307 || s == 308 ? static_cast<int>(s) : 0;
}

constexpr const char* kStatusHelp = "status must be 301, 302, 303, 307 or 308";

std::string tail(const http::RequestHead& head, std::string_view prefix) { return std::string(head.path().substr(prefix.size())); }

std::unique_ptr<RequestHandler> makeChain(const http::RequestHead& head) {
  uint64_t n = 0;
  if (!parseUint(tail(head, "/redirect/"), n) || n > kMaxHops)
    return makeErrorHandler(400, "use /redirect/<n> with n from 0 to " + std::to_string(kMaxHops));
  int status = redirectStatus(head);
  if (status == 0) return makeErrorHandler(400, kStatusHelp);
  if (n == 0) return std::make_unique<ChainEndHandler>();
  std::string query = head.queryParam("status") ? "?status=" + std::to_string(status) : "";
  return std::make_unique<RedirectHandler>(status, "/redirect/" + std::to_string(n - 1) + query);
}

/** A path on this server, or an absolute http URL whose authority is the Host this request named. */
bool sameOrigin(std::string_view url, const http::RequestHead& head) {
  if (url.starts_with("/")) return !url.starts_with("//") && !url.starts_with("/\\");
  std::string_view host = head.headers.get("Host");
  constexpr std::string_view kScheme = "http://";
  if (host.empty() || url.size() < kScheme.size() || !http::iequals(url.substr(0, kScheme.size()), kScheme)) return false;
  std::string_view rest = url.substr(kScheme.size());
  size_t end = rest.find_first_of("/?#");
  return http::iequals(rest.substr(0, end), host);
}

std::unique_ptr<RequestHandler> makeRedirectTo(const http::RequestHead& head, const EndpointOptions& options) {
  auto url = head.queryParam("url");
  if (!url || url->empty()) return makeErrorHandler(400, "use /redirect-to?url=U&status=S");
  for (unsigned char c : *url) {
    if (c <= 0x20 || c == 0x7F) return makeErrorHandler(400, "url holds a space or control character");
  }
  int status = redirectStatus(head);
  if (status == 0) return makeErrorHandler(400, kStatusHelp);
  if (!options.allowOpenRedirect && !sameOrigin(*url, head))
    return makeErrorHandler(403, "redirects go to this server's own origin only; start the server with "
                                 "--allow-open-redirect to redirect elsewhere");
  return std::make_unique<RedirectHandler>(status, *url);
}

std::unique_ptr<RequestHandler> makeLoop(const http::RequestHead& head) {
  uint64_t k = 0, at = 0;
  auto atParam = head.queryParam("at");
  if (!parseUint(tail(head, "/redirect-loop/"), k) || k == 0 || k > kMaxHops || (atParam && (!parseUint(*atParam, at) || at >= k)))
    return makeErrorHandler(400, "use /redirect-loop/<k>?at=<i> with k from 1 to 1000 and i below k");
  uint64_t next = (at + 1) % k;
  std::string location = "/redirect-loop/" + std::to_string(k) + (next ? "?at=" + std::to_string(next) : "");
  return std::make_unique<RedirectHandler>(302, std::move(location));
}

}  // namespace

void addRedirectRoutes(Router& router, const EndpointOptions& options) {
  router.add("", "/redirect/", Router::Match::kPrefix, makeChain);
  router.add("", "/redirect-to", Router::Match::kExact,
             [options](const http::RequestHead& head) { return makeRedirectTo(head, options); });
  router.add("", "/redirect-loop/", Router::Match::kPrefix, makeLoop);
}

}  // namespace sluice::endpoints
