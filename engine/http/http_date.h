#pragma once
/**
 * HTTP dates (RFC 9110 §5.6.7): written as IMF-fixdate from fixed English day
 * and month tables, read in all three forms a recipient must accept. Nothing
 * here consults the process locale (no strftime, no strptime).
 */
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::http {

/** "Sun, 06 Nov 1994 08:49:37 GMT" for a Unix time. */
std::string formatHttpDate(int64_t unixSeconds);

/** The current time as an IMF-fixdate, cached per second per thread. */
std::string_view httpDate();

/**
 * Parses IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), the obsolete RFC 850
 * form ("Sunday, 06-Nov-94 08:49:37 GMT") and asctime ("Sun Nov  6 08:49:37
 * 1994"). Case-sensitive, as the RFC says. A two-digit RFC 850 year that
 * would lie more than 50 years after nowUnixSeconds means the century before.
 * nullopt for anything else (recipients ignore an invalid date).
 */
std::optional<int64_t> parseHttpDate(std::string_view text, int64_t nowUnixSeconds);
/** parseHttpDate against the current time. */
std::optional<int64_t> parseHttpDate(std::string_view text);

/** ISO 8601 in UTC, "1994-11-06T08:49:37Z" (for JSON and pages). */
std::string formatIsoUtc(int64_t unixSeconds);

}  // namespace sluice::http
