#pragma once
/** Integrity fields (RFC 9530 Repr-Digest / Content-Digest) with sha-256. */
#include <optional>
#include <string>
#include <string_view>

#include "engine/http/message.h"
#include "engine/codec/sha256.h"
#include "engine/util/error.h"

namespace sluice::site {

/**
 * The sha-256 member of a Repr-Digest or Content-Digest dictionary, e.g.
 * "sha-512=:...:, sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:".
 * nullopt when the field has no sha-256 member; an error when that member is
 * malformed (not a byte sequence, not 32 bytes).
 */
Result<std::optional<codec::Sha256::Digest>> parseSha256Member(std::string_view fieldValue);

/**
 * Looks at every instance of the named header. A second sha-256 member (in one line
 * or across lines) is refused: RFC 8941 keeps the last, a naive reader the first.
 */
Result<std::optional<codec::Sha256::Digest>> expectedSha256(const http::Headers& headers, std::string_view fieldName);

/**
 * Members of Repr-Digest and Content-Digest that this server does not check (any key
 * but sha-256, such as "SHA-256" or "md5"), e.g. "Content-Digest=SHA-256 md5"; empty
 * when none. Sent back so an unknown key is never mistaken for a verified one.
 */
std::string ignoredDigestKeys(const http::Headers& headers);

/** "sha-256=:BASE64:" for a response field. */
std::string formatSha256Field(const codec::Sha256::Digest& d);

}  // namespace sluice::site
