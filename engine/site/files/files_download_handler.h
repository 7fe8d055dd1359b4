#pragma once
/** GET/HEAD /files/<name>: a file from the upload directory, sent with sendfile, or read/write on tmpfs (ServerConfig::fileSend). */
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "engine/server/exchange.h"
#include "engine/site/upload/upload_site.h"

namespace sluice::site {

/** A byte range resolved against a file size: [first, first + length). */
struct ByteRange {
  uint64_t first = 0;
  uint64_t length = 0;
};

/**
 * Resolves a Range header against size (RFC 9110 §14.1.2). nullopt means
 * "send the whole file" (no header, not bytes=, malformed, or several ranges);
 * a ByteRange with length 0 means unsatisfiable (416).
 */
std::optional<ByteRange> resolveRange(std::string_view header, uint64_t size);

/**
 * Serves one regular file: opened relative to the upload directory with
 * O_NOFOLLOW (a symlink is refused, never followed), with ETag and
 * Last-Modified, 304 for If-None-Match / If-Modified-Since, a single Range
 * (206, 416, If-Range), and the body sent from the page cache by sendfile (read and
 * write through a buffer on tmpfs, where that is faster: docs/performance.md).
 */
class FilesDownloadHandler final : public RequestHandler {
 public:
  explicit FilesDownloadHandler(std::shared_ptr<const UploadSite> site) : site_(std::move(site)) {}
  void onHead(Exchange& ex) override;

 private:
  void reply(Exchange& ex, int status, http::Headers headers, uint64_t offset, uint64_t length);

  std::shared_ptr<const UploadSite> site_;
  std::shared_ptr<net::Fd> file_;
};

/** The Content-Type for a file name, by its extension. */
std::string_view contentTypeFor(std::string_view name);

}  // namespace sluice::site
