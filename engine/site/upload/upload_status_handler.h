#pragma once
/** GET/HEAD /upload/<name> (where an interrupted upload stands) and DELETE /upload/<name> (drop it). */
#include <memory>

#include "engine/server/exchange.h"
#include "engine/site/upload/upload_site.h"

namespace sluice::site {

/**
 * GET/HEAD answers 200 with Upload-Offset (and JSON) when <name>.part exists,
 * so a client knows where to resume with PATCH; 404 otherwise. DELETE removes
 * the part (204), abandoning the upload.
 */
class UploadStatusHandler final : public RequestHandler {
 public:
  explicit UploadStatusHandler(std::shared_ptr<const UploadSite> site) : site_(std::move(site)) {}
  void onHead(Exchange& ex) override;

 private:
  std::shared_ptr<const UploadSite> site_;
};

}  // namespace sluice::site
