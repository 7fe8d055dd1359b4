#include "engine/site/json_response.h"

#include "engine/codec/json_writer.h"
#include "engine/site/upload/upload_site.h"

namespace sluice::site {

void respondJson(Exchange& ex, int status, std::string_view json, const RouteOptions& options, http::Headers headers) {
  headers.set("Content-Type", "application/json");
  headers.set("Cache-Control", "no-store");
  addCorsHeaders(headers, options);
  std::string body(json);
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
  codec::JsonObject o;
  o.addString("error", message).addNumber("status", static_cast<uint64_t>(status));
  respondJson(ex, status, o.str(), options, std::move(headers));
}

void respondRefusal(Exchange& ex, const Refusal& r, const RouteOptions& options, http::Headers headers) {
  respondJsonError(ex, r.status, r.message, options, std::move(headers), r.close);
}

}  // namespace sluice::site
