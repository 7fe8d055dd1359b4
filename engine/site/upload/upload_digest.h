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

/** Looks at every instance of the named header. */
Result<std::optional<codec::Sha256::Digest>> expectedSha256(const http::Headers& headers, std::string_view fieldName);

/** "sha-256=:BASE64:" for a response field. */
std::string formatSha256Field(const codec::Sha256::Digest& d);

}  // namespace sluice::site
