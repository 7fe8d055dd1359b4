#pragma once
/** /drip?bytes=n&interval=ms&chunk=k: a slow response, k bytes every ms. */
#include <memory>

#include "engine/endpoints/endpoints.h"

namespace sluice::endpoints {

/** Sends bytes (default 10) in pieces of chunk (default 1), interval ms apart (default 100). */
class DripHandler final : public RequestHandler {
 public:
  DripHandler(uint64_t bytes, uint64_t intervalMs, uint64_t chunk) : left_(bytes), total_(bytes), intervalMs_(intervalMs), chunk_(chunk) {}
  void onHead(Exchange& ex) override;

 private:
  void tick(Exchange& ex);
  uint64_t left_;
  uint64_t total_;
  uint64_t intervalMs_;
  uint64_t chunk_;
};

/** Router factory: 400 for out-of-range parameters. */
std::unique_ptr<RequestHandler> makeDripHandler(const http::RequestHead& head);

}  // namespace sluice::endpoints
