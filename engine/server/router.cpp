#include "engine/server/router.h"

namespace sluice::server {

namespace {
class ErrorHandler final : public RequestHandler {
 public:
  ErrorHandler(int status, std::string message) : status_(status), message_(std::move(message)) {}
  void onHead(Exchange& ex) override { ex.respondError(status_, message_); }

 private:
  int status_;
  std::string message_;
};
}  // namespace

std::unique_ptr<RequestHandler> makeErrorHandler(int status, std::string message) {
  return std::make_unique<ErrorHandler>(status, std::move(message));
}

void Router::add(std::string method, std::string path, Match match, HandlerFactory factory) {
  routes_.push_back({std::move(method), std::move(path), match, std::move(factory)});
}

std::unique_ptr<RequestHandler> Router::route(const http::RequestHead& head) const {
  std::string_view path = head.path();
  bool pathMatched = false;
  for (const auto& r : routes_) {
    bool ok = r.match == Match::kExact ? path == r.path : path.starts_with(r.path);
    if (!ok) continue;
    pathMatched = true;
    if (!r.method.empty() && r.method != head.method && !(r.method == "GET" && head.method == "HEAD")) continue;
    if (auto h = r.factory(head)) return h;
  }
  if (pathMatched) return makeErrorHandler(405, "method " + head.method + " is not allowed on " + std::string(path));
  return makeErrorHandler(404, "no handler for " + std::string(path));
}

}  // namespace sluice::server
