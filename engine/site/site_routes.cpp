// The workbench's surface: upload (PUT/POST/PATCH), file listing and download,
// the redirects to /files/. checkAccess and addCorsHeaders live in access_check.cpp.
#include <cstdio>

#include "engine/site/files/files_download_handler.h"
#include "engine/site/files/files_listing.h"
#include "engine/site/upload/multipart_upload_handler.h"
#include "engine/site/site_options.h"
#include "engine/site/upload/upload_handler.h"
#include "engine/site/upload/upload_site.h"
#include "engine/site/upload/upload_status_handler.h"

namespace sluice::site {

namespace {
class RedirectHandler final : public RequestHandler {
 public:
  explicit RedirectHandler(std::string to) : to_(std::move(to)) {}
  void onHead(Exchange& ex) override {
    http::Headers h;
    h.add("Location", to_);
    ex.respond(301, std::move(h), {});
  }

 private:
  std::string to_;
};

std::unique_ptr<RequestHandler> redirectTo(std::string to) { return std::make_unique<RedirectHandler>(std::move(to)); }
}  // namespace

void addSurfaceRoutes(Router& router, const RouteOptions& options) {
  using M = Router::Match;
  std::shared_ptr<const UploadSite> site = UploadSite::open(options);
  if (!site->dir.valid()) std::fprintf(stderr, "sluice: %s; uploads and /files/ will answer 500\n", site->dirError.c_str());

  router.add("PUT", "/upload/", M::kPrefix, [site](const http::RequestHead&) {
    return std::make_unique<UploadHandler>(site, UploadHandler::Mode::kPut);
  });
  router.add("PATCH", "/upload/", M::kPrefix, [site](const http::RequestHead&) {
    return std::make_unique<UploadHandler>(site, UploadHandler::Mode::kPatch);
  });
  for (const char* method : {"GET", "DELETE"})
    router.add(method, "/upload/", M::kPrefix, [site](const http::RequestHead&) { return std::make_unique<UploadStatusHandler>(site); });
  for (const char* path : {"/upload", "/upload/"})
    router.add("POST", path, M::kExact, [site](const http::RequestHead&) { return std::make_unique<MultipartUploadHandler>(site); });

  router.add("GET", "/files/", M::kPrefix, [site](const http::RequestHead& head) -> std::unique_ptr<RequestHandler> {
    if (head.path() == "/files/") return std::make_unique<FilesListingHandler>(site);
    return std::make_unique<FilesDownloadHandler>(site);
  });
  router.add("GET", "/files", M::kExact, [](const http::RequestHead&) { return redirectTo("/files/"); });
  router.add("GET", "/", M::kExact, [](const http::RequestHead&) { return redirectTo("/files/"); });

}

}  // namespace sluice::site
