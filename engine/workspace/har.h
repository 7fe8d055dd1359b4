#pragma once
/**
 * HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/): the export written by both
 * `sluice-cli run --har` and the GUI's File → Export HAR…, and the import that turns a
 * HAR file's entries back into requests.
 *
 * Each entry carries `connection` (the pool's connection id, as Chrome writes it),
 * `serverIPAddress` when known, `timings` with -1 for phases that did not happen, and
 * `_sluice` extras: the reuse verdict and its reason, the release policy, the bytes
 * drained. Secrets (Authorization credentials, private environment values) are left
 * out unless HarOptions::includeSecrets is set.
 */
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/util/error.h"
#include "engine/workspace/http_file.h"

namespace sluice::workspace {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

/** HAR timings in milliseconds; -1 where the phase did not happen. */
struct HarTimings {
  double blocked = -1;
  double dns = -1;
  double connect = -1;
  double ssl = -1;
  double send = 0;
  double wait = 0;
  double receive = 0;
  /** The sum of the phases that happened: the entry's `time`. */
  double total() const;
};

/** Phase ends in microseconds since the request was submitted (0: did not happen), as the client reports them. */
struct PhaseEnds {
  uint64_t dnsUs = 0;
  uint64_t connectUs = 0;
  uint64_t writtenUs = 0;
  uint64_t firstByteUs = 0;
  uint64_t completeUs = 0;
};
/** HAR timings from phase ends: dns and connect are -1 on a reused connection (or when they did not happen). */
HarTimings harTimingsFrom(const PhaseEnds& ends, bool reused);

/** One request/response pair, as plain data filled by the CLI or the GUI. */
struct HarEntry {
  int64_t startedMs = 0;  ///< wall clock, ms since the epoch
  std::string method = "GET";
  std::string url;
  std::string httpVersion = "HTTP/1.1";
  HeaderList requestHeaders;
  std::string requestBody;      ///< text sent (empty for none or a file body)
  int64_t requestBodySize = 0;  ///< bytes sent; -1 unknown
  int status = 0;               ///< 0: no response (transport error)
  std::string statusText;
  std::string responseVersion = "HTTP/1.1";
  HeaderList responseHeaders;
  std::string responseBody;     ///< kept text; empty when not kept
  bool responseBodyKept = false;
  int64_t responseBodySize = -1;
  std::string serverIPAddress;  ///< empty: left out
  std::string connection;       ///< the pool's connection id
  HarTimings timings;
  // _sluice extras
  bool reused = false;
  std::string reuseVerdict;     ///< "reused connection #3, idle for 12 ms" / "new connection #4: pool empty"
  std::string releasePolicy;    ///< "drain up to 262144 bytes within 200 ms"
  uint64_t bytesDrained = 0;
  std::string error;            ///< transport error, when status is 0
  std::string name;             ///< the .http request name, when there is one
  std::vector<std::string> secretValues;  ///< private values inside this entry (redacted on export)
};

struct HarOptions {
  bool includeSecrets = false;
  std::string creatorName = "sluice";
  std::string creatorVersion = "0.1.0";
};

/** The HAR 1.2 JSON document for entries. */
std::string writeHar(const std::vector<HarEntry>& entries, const HarOptions& options = {});
/** Parses a HAR file. Entries missing required fields are errors naming the entry and the field. */
Result<std::vector<HarEntry>> readHar(std::string_view json);

/**
 * A HAR entry as a .http request that can be sent again (named after the entry's
 * comment, else its method and URL). A redacted credential becomes {{authorization}},
 * so sending it stops with a worded "unresolved variable" error until it is defined.
 */
HttpRequest requestFromHarEntry(const HarEntry& entry);
/** Every entry of a HAR file as one .http file, one "###" block per entry. */
HttpFile httpFileFromHar(const std::vector<HarEntry>& entries);

/** "Basic <redacted>": an Authorization value with its credentials left out. */
std::string redactAuthorization(std::string_view value);
/** RFC 3339 / ISO 8601 with milliseconds and 'Z', locale-free. */
std::string isoTime(int64_t msSinceEpoch);

}  // namespace sluice::workspace
