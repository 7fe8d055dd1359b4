#pragma once
/** Maps a request to a handler by method and path prefix. */
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/server/exchange.h"

namespace sluice::server {

using HandlerFactory = std::function<std::unique_ptr<RequestHandler>(const http::RequestHead&)>;

/**
 * Routes are matched in the order added. A prefix route "/bytes/" matches
 * "/bytes/10"; an exact route "/sink" matches "/sink" only (query ignored).
 * Unmatched requests get 404. The router is read-only once the server starts.
 */
class Router {
 public:
  enum class Match { kExact, kPrefix };
  /** method "" matches any method. */
  void add(std::string method, std::string path, Match match, HandlerFactory factory);
  std::unique_ptr<RequestHandler> route(const http::RequestHead& head) const;

  /** Runs before every handler's onHead; returns false after responding to refuse. */
  using Guard = std::function<bool(Exchange&)>;
  void setGuard(Guard guard) { guard_ = std::move(guard); }
  bool admit(Exchange& ex) const { return !guard_ || guard_(ex); }

  /** Headers added to every response that does not set them itself (CORS, for example). */
  void setResponseHeaders(http::Headers headers) { responseHeaders_ = std::move(headers); }
  const http::Headers& responseHeaders() const { return responseHeaders_; }

 private:
  Guard guard_;
  http::Headers responseHeaders_;
  struct Route {
    std::string method;
    std::string path;
    Match match;
    HandlerFactory factory;
  };
  std::vector<Route> routes_;
};

/** A handler that answers one fixed status with a JSON error body. */
std::unique_ptr<RequestHandler> makeErrorHandler(int status, std::string message);

}  // namespace sluice::server
