#pragma once
// Fetches a URL with the engine client and keeps every body piece with its arrival time,
// so stream tests can feed parsers and decoders in the pieces the network delivered.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/client/client.h"

namespace sluice::test {

struct TimedPiece {
  std::string data;
  uint64_t us = 0;  ///< microseconds since the request was sent
};

struct TimedBody {
  bool ok = false;
  std::string error;  ///< why it failed, when !ok
  int status = 0;
  http::Headers headers;
  std::vector<TimedPiece> pieces;
  std::string whole() const;
};

/** GET url (with extra headers) and read the whole body within timeout, piece by piece. */
TimedBody fetchTimed(client::Client& client, const std::string& url, const http::Headers& extra = {},
                     std::chrono::milliseconds timeout = std::chrono::seconds(20));

}  // namespace sluice::test
