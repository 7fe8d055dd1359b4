#pragma once
/** What the upload, files and fault handlers share: the options and the upload directory. */
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "engine/codec/json.h"
#include "engine/net/socket.h"
#include "engine/site/site_options.h"
#include "engine/site/upload/upload_part_file.h"

namespace sluice::site {

/** The upload directory, opened once; every file operation is relative to its descriptor. */
struct UploadSite {
  RouteOptions options;
  net::Fd dir;
  std::string dirError;  ///< why the directory could not be opened (then dir is invalid)

  /** Creates the directory if missing and opens it. */
  static std::shared_ptr<const UploadSite> open(const RouteOptions& options);
  int dirFd() const { return dir.get(); }
};

/** A refused request: the status and the message for the user. */
struct Refusal {
  int status = 400;
  std::string message;
  bool close = false;  ///< close the connection instead of draining the body
};

/** 413 when a declared or counted body size is over --max-body; 507 when the disk has no room for it. */
std::optional<Refusal> checkBodySize(const UploadSite& site, uint64_t bytes, bool declared);

/**
 * Starts a new upload of name: 409 when the final name exists (unless
 * overwrite) or another upload of it is in progress, 507/500 on other errors.
 */
sluice::expected<PartFile, Refusal> startPart(const UploadSite& site, const std::string& name, bool overwrite);

/** Maps a write, open or rename error to a status (507 for a full disk). */
Refusal refusalFor(const Error& e, std::string_view name);

/** True for ?overwrite=1 (or true/yes). */
bool wantsOverwrite(const http::RequestHead& head);

/** The JSON object that reports one stored file. */
codec::Json storedFileJson(const std::string& name, uint64_t bytes, const codec::Sha256::Digest& digest,
                           std::chrono::steady_clock::time_point started, uint64_t bytesThisRequest);

}  // namespace sluice::site
