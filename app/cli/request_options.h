#pragma once
/** sluice-cli request: its options (curl's names and meanings) and the bodies they describe. */
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/cli/body_output.h"
#include "engine/client/client.h"
#include "engine/client/multipart_body.h"

namespace sluice::cli {

// ---- bodies (request_bodies.cpp) ---------------------------------------------------
/** -d/--data: "@file" reads the file without CR and LF (as curl does), "@-" stdin; else the text. */
Result<client::RequestBody> bodyFromData(std::string_view arg);
/** --data-binary: "@file" reads the file as is, "@-" streams stdin; else the text. */
Result<client::RequestBody> bodyFromBinary(std::string_view arg);
/** A body streamed from standard input (chunked; cannot be replayed). */
client::RequestBody bodyFromStdin();


enum class ReleaseMode { kLate, kNow, kReset, kDouble, kLeak };

/** Everything the command line said. */
struct RequestOptions {
  std::string method;
  http::Headers headers;
  std::optional<client::RequestBody> body;
  client::MultipartForm form;  ///< -F parts; become the body after parsing
  std::string output;  ///< -o; empty: stdout
  /** -o FILE: bodies are gathered up to this many bytes per write (0: each piece written at once; -N). */
  uint64_t outputBuffer = 64 * 1024;
  int repeat = 1;
  int concurrency = 1;
  ReleaseMode release = ReleaseMode::kLate;
  client::ClientConfig config;
  std::optional<bool> expectContinue;
  bool noReuse = false;
  bool json = false;
  bool verbose = false;
  bool silent = false;
  bool include = false;  ///< -i: the response head goes to the output before the body
  bool headOnly = false; ///< -I: HEAD, the head to the output
  bool upload = false;   ///< -T: PUT by default
  StreamFlags stream;  ///< --compressed, --events, --lines (body_output.h)
  tls::ClientSettings tls;  ///< -k, --cacert, ... (tls_flags.h)
  std::vector<std::string> urls;
};

void printRequestUsage(FILE* out);

/**
 * Parses argv. Returns 0 to go on, -1 when help was printed, or an exit code (2 for a
 * usage error, with the reason on stderr).
 */
int parseRequestOptions(RequestOptions& o, int argc, char** argv);

}  // namespace sluice::cli
