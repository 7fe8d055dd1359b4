#pragma once
/** Writes HTTP/1.1 heads and chunk framing into a byte string. */
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/http/http_date.h"  // httpDate() for the Date header
#include "engine/http/message.h"

namespace sluice::http {

/** Appends "HTTP/1.1 200 OK\r\n", the headers, and the blank line. */
void appendResponseHead(std::string& out, int versionMinor, int status, std::string_view reason, const Headers& headers);
/** Appends "GET /x HTTP/1.1\r\n", the headers, and the blank line. */
void appendRequestHead(std::string& out, std::string_view method, std::string_view target, const Headers& headers);
/** Appends one chunk: size line, data, CRLF. Empty data appends nothing. */
void appendChunk(std::string& out, std::string_view data);
/** Appends the chunk size line for a chunk of n bytes. */
void appendChunkHeader(std::string& out, uint64_t n);
/** Appends the last chunk and the empty trailer. */
void appendLastChunk(std::string& out);

}  // namespace sluice::http
