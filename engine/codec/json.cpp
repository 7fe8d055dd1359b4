#include "engine/codec/json.h"

#include <cmath>

namespace sluice::codec {

std::string jsonText(const Json& value) {
  // error_handler replace: invalid UTF-8 in a string becomes U+FFFD rather than an exception.
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Json errorObject(int status, std::string_view message) {
  Json o = Json::object();
  o["error"] = message;
  o["status"] = status;
  return o;
}

std::string errorBody(int status, std::string_view message) { return jsonText(errorObject(status, message)) + "\n"; }

double jsonSeconds(double seconds) { return std::round(seconds * 1e6) / 1e6; }

}  // namespace sluice::codec
