#pragma once
/** PUT /upload/<name> (raw body) and PATCH /upload/<name> (resume an interrupted upload). */
#include <memory>
#include <optional>
#include <string>

#include "engine/server/exchange.h"
#include "engine/codec/sha256.h"
#include "engine/site/upload/upload_part_file.h"
#include "engine/site/upload/upload_site.h"

namespace sluice::site {

/**
 * Streams one request body into <name>.part, hashing as it goes, and renames
 * it to <name> when the body is complete and any Repr-Digest/Content-Digest
 * matches. PUT removes the part on any failure. PATCH (Content-Range:
 * bytes S-E/T, or X-Update-Range: append) continues an existing part and keeps
 * it when interrupted, so the client can resume again from its new size.
 */
class UploadHandler final : public RequestHandler {
 public:
  enum class Mode { kPut, kPatch };
  UploadHandler(std::shared_ptr<const UploadSite> site, Mode mode) : site_(std::move(site)), mode_(mode) {}

  void onHead(Exchange& ex) override;
  void onBody(Exchange& ex, std::string_view chunk) override;
  void onBodyEnd(Exchange& ex) override;
  void onAbort(Exchange& ex, const Error& why) override;

 private:
  bool readHead(Exchange& ex);
  bool openPatch(Exchange& ex);
  bool parseContentRange(std::string_view value);
  void rehashSome(Exchange& ex);
  bool finishRehash(Exchange& ex);
  void finish(Exchange& ex);
  bool verifyDigests(Exchange& ex);
  void respondStored(Exchange& ex, const codec::Sha256::Digest& digest);
  void refuse(Exchange& ex, const Refusal& r, http::Headers headers = {}, bool cutBack = false);
  /** PATCH: keeps the part for a resume (cut back to this request's start when cutBack). */
  void rollBack(bool cutBack);

  std::shared_ptr<const UploadSite> site_;
  Mode mode_;
  std::string name_;
  bool overwrite_ = false;
  bool replacing_ = false;
  PartFile part_;
  std::optional<codec::Sha256::Digest> reprDigest_;
  std::optional<codec::Sha256::Digest> contentDigest_;
  std::string digestIgnored_;  ///< digest members not checked, reported back (Digest-Ignored)
  codec::Sha256 bodySha_;  // this request's body alone (PATCH Content-Digest)
  uint64_t startOffset_ = 0;
  uint64_t bodyBytes_ = 0;
  std::optional<uint64_t> rangeLength_;  // Content-Range: E - S + 1
  std::optional<uint64_t> total_;        // Content-Range: T (PATCH completes when reached)
  bool appendMode_ = false;              // X-Update-Range: append (completes at body end)
  bool finished_ = false;
  bool rehashing_ = false;
  bool bodyEnded_ = false;
};

}  // namespace sluice::site
