#pragma once
/** GET /files/: the upload directory as an HTML page (with an upload form) or JSON. */
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/server/exchange.h"
#include "engine/site/upload/upload_site.h"

namespace sluice::site {

/** One listed file. */
struct ListedFile {
  std::string name;
  uint64_t size = 0;
  int64_t modified = 0;  ///< Unix seconds
};

/**
 * Regular files whose names pass the upload rules, sorted by name. Parts in
 * progress, symlinks, directories and oddly named entries are left out.
 */
Result<std::vector<ListedFile>> listUploadDir(int dirFd);

codec::Json listingJson(const std::vector<ListedFile>& files);
std::string listingHtml(const std::vector<ListedFile>& files, const RouteOptions& options);

/** Answers JSON when the Accept header asks for application/json, HTML otherwise. */
class FilesListingHandler final : public RequestHandler {
 public:
  explicit FilesListingHandler(std::shared_ptr<const UploadSite> site) : site_(std::move(site)) {}
  void onHead(Exchange& ex) override;

 private:
  std::shared_ptr<const UploadSite> site_;
};

}  // namespace sluice::site
