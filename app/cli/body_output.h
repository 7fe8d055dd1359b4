#pragma once
/**
 * How sluice-cli request shows a response body: the bytes as they are (decoded with
 * --compressed), one line per event (--events), one line per JSON record (--lines), one line per chunk (--chunks).
 * The flags live here so cmd_request.cpp only wires them in.
 */
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/client/client.h"
#include "engine/client/redirect.h"
#include "engine/http/content_coding.h"
#include "engine/http/json_lines_parser.h"
#include "engine/http/sse_parser.h"

namespace sluice::cli {

struct StreamFlags {
  bool compressed = false;  ///< --compressed
  bool events = false;      ///< --events
  bool lines = false;       ///< --lines
  bool chunks = false;      ///< --chunks
  bool progress = false;    ///< --progress: progress lines even when stderr is not a terminal
  http::DecodeLimits limits;
  client::RedirectPolicy redirects;  ///< -L, --max-redirs, --location-trusted
  /** True when a request goes through these paths instead of the plain one. */
  bool any() const { return compressed || events || lines || chunks || redirects.follow; }
};

/** Results of parseStreamFlag(). */
inline constexpr int kNotStreamFlag = -1;

/**
 * Parses one of --compressed, --events, --lines, --chunks, --progress, --max-decoded SIZE,
 * --max-ratio N. Returns 0 when taken, 2 on a bad value (message printed), or
 * kNotStreamFlag. value() takes the next argument (nullptr when none).
 */
int parseStreamFlag(StreamFlags& flags, std::string_view arg, const std::function<const char*()>& value);
/**
 * Sends request, following redirects when -L asked for it. Each redirect hop prints a
 * line on stderr unless quiet ("* 302 http://a/x -> /y (request #3, reused connection #1)").
 */
Result<client::Exchange> fetchWithFlags(const StreamFlags& flags, client::Client& client, client::Request request, bool quiet);
/** The --help lines for these flags. */
const char* streamFlagsHelp();
/** Adds Accept-Encoding for --compressed (unless the user set one). */
void applyStreamFlags(const StreamFlags& flags, client::Request& request);

/** One response body's output. Not thread-safe; one per response. */
class BodyOutput {
 public:
  using Write = std::function<void(std::string_view)>;
  /** start: when the request was sent; arrival times print as "+<ms>ms" since then. */
  BodyOutput(const StreamFlags& flags, const client::Response& response, std::chrono::steady_clock::time_point start, Write write);
  ~BodyOutput();
  /** One piece of wire bytes. An error (a corrupt body, a bomb, a parser limit) ends the output. */
  Status feed(std::string_view wire);
  /** --chunks: one line per chunk header ("+12ms chunk 4096 bytes ext=;name=v"). */
  void showChunks(const std::vector<client::ChunkBoundary>& chunks);
  /** The body ended: flushes the decoder and parsers. */
  Status finish();
  uint64_t decodedBytes() const;

 private:
  Status show(std::string_view decoded);
  uint64_t sinceStartUs() const;
  std::string stamp(uint64_t us) const;

  const StreamFlags& flags_;
  std::chrono::steady_clock::time_point start_;
  Write write_;
  std::unique_ptr<http::ContentDecoder> decoder_;
  std::unique_ptr<http::SseParser> sse_;
  std::unique_ptr<http::JsonLinesParser> records_;
  std::string decoded_;
  std::string line_;
  uint64_t plainBytes_ = 0;
};

}  // namespace sluice::cli
