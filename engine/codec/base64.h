#pragma once
/** Base64 (RFC 4648 §4, standard alphabet) through OpenSSL's EVP block coder. */
#include <string>
#include <string_view>

#include "engine/util/error.h"

namespace sluice::codec {

/** Padded base64 of bytes. */
std::string base64Encode(std::string_view bytes);

/**
 * Decodes canonical base64: the standard alphabet only (no whitespace, no
 * URL-safe letters), '=' only as the final one or two characters, and zero
 * pad bits. Unpadded input is accepted (RFC 8941 §4.2.7 asks parsers not to
 * fail on missing padding), wrong padding is refused. The error names the
 * first offending character and its position.
 */
Result<std::string> base64Decode(std::string_view text);

}  // namespace sluice::codec
