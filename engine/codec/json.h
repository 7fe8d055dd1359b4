#pragma once
/**
 * JSON that the engine writes, through one library (nlohmann-json): every
 * answer body, every error body. Output is locale-free (numbers never pass
 * through printf or iostreams), and bytes that are not UTF-8 become U+FFFD
 * instead of throwing, so no name read from disk or the network can make
 * writing a body fail.
 */
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace sluice::codec {

/** A JSON value whose object members keep their insertion order. */
using Json = nlohmann::ordered_json;

/** Compact JSON text of value (no trailing newline). */
std::string jsonText(const Json& value);

/** The one shape of an error body: {"error": message, "status": status}. Add members to it for context. */
Json errorObject(int status, std::string_view message);

/** jsonText(errorObject(status, message)) plus a newline: the body of every JSON error response. */
std::string errorBody(int status, std::string_view message);

/** Seconds as a JSON number rounded to the microsecond (what a timer here can resolve). */
double jsonSeconds(double seconds);

}  // namespace sluice::codec
