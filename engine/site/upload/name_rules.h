#pragma once
/** Upload and download names: what a file in the upload directory may be called. */
#include <string>
#include <string_view>

#include "engine/util/error.h"

namespace sluice::site {

/** Longest accepted name in bytes (the common NAME_MAX). */
inline constexpr size_t kMaxNameBytes = 255;
/** Suffix of a file still being written; names ending in it are reserved. */
inline constexpr std::string_view kPartSuffix = ".part";

/**
 * Checks a decoded name. Refused (kInvalidArgument, with a message for the
 * user): empty, "." or "..", longer than 255 bytes, containing '/', '\\', NUL
 * or a control character (C0, DEL, C1), invalid or overlong UTF-8, or ending
 * in ".part". Anything accepted is one plain entry in one directory.
 */
Status checkFileName(std::string_view name);

/** Percent-decodes once (no '+' to space), then checkFileName. */
Result<std::string> decodeFileName(std::string_view encoded);

/** Percent-encodes a name for use in a URL path (unreserved characters kept). */
std::string encodeFileName(std::string_view name);

}  // namespace sluice::site
