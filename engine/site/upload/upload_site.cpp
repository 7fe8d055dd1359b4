#include "engine/site/upload/upload_site.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <system_error>

#include "engine/site/upload/name_rules.h"
#include "engine/util/units.h"

namespace sluice::site {

std::shared_ptr<const UploadSite> UploadSite::open(const RouteOptions& options) {
  auto site = std::make_shared<UploadSite>();
  site->options = options;
  std::error_code ec;
  std::filesystem::create_directories(options.uploadDir, ec);
  int fd = ::open(options.uploadDir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    site->dirError = Error::system("cannot open the upload directory " + options.uploadDir.string(), errno).message;
    if (ec) site->dirError += " (creating it failed: " + ec.message() + ")";
  }
  site->dir.reset(fd);
  return site;
}

std::optional<Refusal> checkBodySize(const UploadSite& site, uint64_t bytes, bool declared) {
  uint64_t max = site.options.maxBodyBytes;
  if (max > 0 && bytes > max) {
    std::string msg = (declared ? "the body is " : "the body grew past ") + formatBytes(declared ? bytes : max) +
                      (declared ? "; the limit (--max-body) is " + formatBytes(max) : " (--max-body)");
    return Refusal{413, msg, true};
  }
  if (declared && site.dir.valid() && bytes > freeBytes(site.dirFd()))
    return Refusal{507, "the upload needs " + formatBytes(bytes) + " but the disk has " + formatBytes(freeBytes(site.dirFd())) + " free", true};
  return std::nullopt;
}

sluice::expected<PartFile, Refusal> startPart(const UploadSite& site, const std::string& name, bool overwrite) {
  if (!site.dir.valid()) return sluice::unexpected(Refusal{500, site.dirError});
  EntryKind kind = entryKind(site.dirFd(), name);
  if (kind == EntryKind::kOther)
    return sluice::unexpected(Refusal{409, "'" + name + "' exists and is not a regular file; it is never replaced"});
  if (kind == EntryKind::kRegular && !overwrite)
    return sluice::unexpected(Refusal{409, "'" + name + "' already exists; add ?overwrite=1 to replace it"});
  auto part = PartFile::create(site.dirFd(), name);
  if (!part) {
    if (part.error().code == ErrorCode::kExists)
      return sluice::unexpected(Refusal{409, "an upload of '" + name + "' is already in progress (" + name +
                                              ".part exists); resume it with PATCH or remove it with DELETE /upload/" +
                                              encodeFileName(name)});
    return sluice::unexpected(refusalFor(part.error(), name));
  }
  return std::move(*part);
}

Refusal refusalFor(const Error& e, std::string_view name) {
  if (e.code == ErrorCode::kNoSpace)
    return Refusal{507, "no room left on the disk (or over the file-size limit) while storing '" + std::string(name) +
                            "': " + e.message + "; the partial file was removed", true};
  if (e.code == ErrorCode::kExists)
    return Refusal{409, "'" + std::string(name) + "' was created by someone else during the upload; add ?overwrite=1 to replace it"};
  return Refusal{500, e.message, true};
}

bool wantsOverwrite(const http::RequestHead& head) {
  auto v = head.queryParam("overwrite");
  return v && (*v == "1" || *v == "true" || *v == "yes" || *v == "on");
}

codec::Json storedFileJson(const std::string& name, uint64_t bytes, const codec::Sha256::Digest& digest,
                           std::chrono::steady_clock::time_point started, uint64_t bytesThisRequest) {
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  double rate = seconds > 0 ? static_cast<double>(bytesThisRequest) / seconds : 0.0;
  return codec::Json{{"name", name},
                     {"bytes", bytes},
                     {"sha256", codec::Sha256::hex(digest)},
                     {"seconds", codec::jsonSeconds(seconds)},
                     {"bytes_per_second", static_cast<uint64_t>(rate)},
                     {"url", "/files/" + encodeFileName(name)}};
}

}  // namespace sluice::site
