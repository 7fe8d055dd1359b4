#pragma once
/** JSON answers from the surface handlers, with CORS headers when configured. */
#include <string>
#include <string_view>

#include "engine/codec/json.h"
#include "engine/server/exchange.h"
#include "engine/site/site_options.h"

namespace sluice::site {

struct Refusal;

/** Responds with a JSON body (Content-Type: application/json). */
void respondJson(Exchange& ex, int status, const codec::Json& json, const RouteOptions& options, http::Headers headers = {});
/** codec::errorObject(status, message); closes the connection when close is set. */
void respondJsonError(Exchange& ex, int status, std::string_view message, const RouteOptions& options,
                      http::Headers headers = {}, bool close = false);
void respondRefusal(Exchange& ex, const Refusal& r, const RouteOptions& options, http::Headers headers = {});

}  // namespace sluice::site
