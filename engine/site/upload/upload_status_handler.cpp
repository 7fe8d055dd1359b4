#include "engine/site/upload/upload_status_handler.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/site/json_response.h"
#include "engine/site/upload/name_rules.h"

namespace sluice::site {

void UploadStatusHandler::onHead(Exchange& ex) {
  const RouteOptions& opt = site_->options;
  if (!site_->dir.valid()) return respondJsonError(ex, 500, site_->dirError, opt);
  auto name = decodeFileName(ex.request().path().substr(std::string_view("/upload/").size()));
  if (!name) return respondJsonError(ex, 400, name.error().message, opt);
  std::string part = *name + ".part";
  struct stat st {};
  if (::fstatat(site_->dirFd(), part.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
    return respondJsonError(ex, 404, "there is no interrupted upload of '" + *name + "'", opt);
  if (ex.request().method == "DELETE") {
    ::unlinkat(site_->dirFd(), part.c_str(), 0);
    http::Headers h;
    addCorsHeaders(h, opt);
    return ex.respond(204, std::move(h), {});
  }
  http::Headers h;
  h.add("Upload-Offset", std::to_string(st.st_size));
  codec::Json body{{"name", *name}, {"offset", static_cast<uint64_t>(st.st_size)}, {"complete", false}};
  respondJson(ex, 200, body, opt, std::move(h));
}

}  // namespace sluice::site
