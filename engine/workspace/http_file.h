#pragma once
/**
 * The .http request file (JetBrains HTTP Client format; VS Code REST Client and
 * httpyac read it too): a parser and a writer that round-trip byte for byte.
 *
 * A file is a list of blocks separated by lines that start with "###". Each block
 * holds, in order: a preamble (comments, "@var = value" lines, "# @name X" and other
 * "# @tag" lines, pre-request scripts "< {% ... %}" / "< file.js", blank lines), a
 * request line "[METHOD] URL [HTTP/x.y]" with optional indented "?a=b" / "&c=d"
 * continuation lines, headers (comment lines among them survive), a blank line, a body
 * (inline text or "< ./file", streamed when sent), and a tail of response handlers
 * ("> {% ... %}", "> file.js", ">> file", "<> file"). Everything that is not
 * structured (comments, scripts, unknown lines) is kept verbatim. Docs: docs/workspace.md.
 */
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/util/error.h"

namespace sluice::workspace {

/** A header line of a request, or a comment line kept among the headers. */
struct HeaderLine {
  std::string name;
  std::string value;      ///< as written: may hold {{variables}}
  bool comment = false;   ///< a "#" or "//" line kept verbatim in raw
  std::string raw;        ///< the comment line
};

/** A script that sluice does not run, kept verbatim and reported as "not run". */
struct Script {
  enum class Kind { kPreRequest, kResponseHandler };
  Kind kind = Kind::kResponseHandler;
  std::string text;  ///< the script lines as written ("> {% ... %}" or "> file.js")
};

/** One "###" block: usually one request; a block with no request line holds only comments and variables. */
struct HttpRequest {
  std::string separator;              ///< the "###..." line as written; empty for a first block without one
  std::vector<std::string> preamble;  ///< verbatim lines before the request line
  bool hasRequest = false;
  std::string method;                 ///< "GET" when omitted
  bool methodWritten = true;          ///< false: the request line had no method (GET)
  std::string url;                    ///< as written, may hold {{variables}}
  std::vector<std::string> urlContinuation;  ///< indented "?a=b" / "&c=d" lines, verbatim
  std::string version;                ///< "HTTP/1.1" or empty when omitted
  std::vector<HeaderLine> headers;
  bool blankAfterHeaders = false;     ///< a blank line followed the headers
  std::string body;                   ///< body lines as written, joined with '\n' (no final newline)
  std::vector<std::string> tail;      ///< response handlers and references after the body, verbatim
  size_t trailingBlankLines = 0;      ///< blank lines ending the block
  size_t firstLine = 0;               ///< 1-based line of the block in the file (for messages)

  /** "### Name", "# @name Name" or "// @name Name"; empty when unnamed. */
  std::string name() const;
  /** The name, or "METHOD url" when unnamed: what lists and reports show. */
  std::string displayName() const;
  /** Renames: rewrites the "###" line or the "@name" line that held the name (adds "### name" when none). */
  void setName(std::string_view name);
  /** The URL with its continuation lines joined (spaces removed around them). */
  std::string fullUrl() const;
  /** Scripts in this block (pre-request and response handlers), which are never run. */
  std::vector<Script> scripts() const;
  /** The body as sent: the inline text without trailing blank lines. */
  std::string bodyText() const;
  /** "< path" (the body is that file, streamed): the path as written; nullopt for an inline body. */
  std::optional<std::string> bodyFile() const;
};

/** A parsed .http file. */
struct HttpFile {
  std::vector<HttpRequest> blocks;
  bool crlf = false;          ///< lines ended with CRLF
  bool finalNewline = true;   ///< the last line ended with a newline

  /** Indexes of the blocks that hold a request, in file order. */
  std::vector<size_t> requestIndexes() const;
  /** The block holding the request with this name (exact match), or nullptr. */
  const HttpRequest* findByName(std::string_view name) const;
  /** "@name = value" lines of every block up to and including block index, in order. */
  std::vector<std::pair<std::string, std::string>> inPlaceVariables(size_t uptoBlock) const;
};

/** Parses .http text. Errors name the line and say what was expected. */
Result<HttpFile> parseHttpFile(std::string_view text);
/** Writes a file back; text in canonical form comes back byte for byte. */
std::string formatHttpFile(const HttpFile& file);
/** The request line as the writer emits it: "METHOD URL[ HTTP/x.y]" (no method when it was omitted). */
std::string formatRequestLine(const HttpRequest& request);

/** Reads and parses a file from disk. */
Result<HttpFile> loadHttpFile(const std::string& path);
/** Writes a file to disk through a temporary file and a rename. */
Status saveHttpFile(const std::string& path, const HttpFile& file);

}  // namespace sluice::workspace
