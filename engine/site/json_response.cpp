#include "engine/site/json_response.h"

#include "engine/site/upload/upload_site.h"

namespace sluice::site {

void respondJson(Exchange& ex, int status, const codec::Json& json, const RouteOptions& options, http::Headers headers) {
  headers.set("Content-Type", "application/json");
  headers.set("Cache-Control", "no-store");
  addCorsHeaders(headers, options);
  std::string body = codec::jsonText(json);
  body.push_back('\n');
  ex.respond(status, std::move(headers), body);
}

void respondJsonError(Exchange& ex, int status, std::string_view message, const RouteOptions& options,
                      http::Headers headers, bool close) {
  if (ex.responseStarted()) {  // too late for a status: all we can do is cut the connection
    ex.abortConnection(false);
    return;
  }
  if (close) ex.closeAfterResponse();
  respondJson(ex, status, codec::errorObject(status, message), options, std::move(headers));
}

void respondRefusal(Exchange& ex, const Refusal& r, const RouteOptions& options, http::Headers headers) {
  respondJsonError(ex, r.status, r.message, options, std::move(headers), r.close);
}

}  // namespace sluice::site
