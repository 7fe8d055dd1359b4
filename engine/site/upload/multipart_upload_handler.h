#pragma once
/** POST /upload: multipart/form-data with any number of files, streamed to disk. */
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/server/exchange.h"
#include "engine/site/upload/multipart_parser.h"
#include "engine/codec/sha256.h"
#include "engine/site/upload/upload_part_file.h"
#include "engine/site/upload/upload_site.h"

namespace sluice::site {

/**
 * Each file part streams into its own <name>.part as it arrives. The request
 * is all or nothing: the parts are renamed only after the closing boundary,
 * so a broken or refused request leaves no file and no part behind. Small
 * form fields before the files may set "overwrite". A Content-Digest or
 * Repr-Digest on the request covers the whole multipart body; one on a part
 * covers that file.
 */
class MultipartUploadHandler final : public RequestHandler, private MultipartSink {
 public:
  explicit MultipartUploadHandler(std::shared_ptr<const UploadSite> site) : site_(std::move(site)) {}

  void onHead(Exchange& ex) override;
  void onBody(Exchange& ex, std::string_view chunk) override;
  void onBodyEnd(Exchange& ex) override;
  void onAbort(Exchange& ex, const Error& why) override;

 private:
  struct StoredFile {
    PartFile part;
    std::optional<codec::Sha256::Digest> expected;
    codec::Sha256::Digest digest{};
  };

  Status onPartBegin(const MultipartPart& part) override;
  Status onPartData(std::string_view data) override;
  Status onPartEnd() override;

  void refuse(Exchange& ex, const Refusal& r);
  void commitAll(Exchange& ex);
  void respondStored(Exchange& ex, codec::Json stored, bool anyReplaced);

  std::shared_ptr<const UploadSite> site_;
  std::optional<MultipartParser> parser_;
  std::vector<StoredFile> files_;
  StoredFile* current_ = nullptr;   // the file part being written, if any
  std::string fieldName_;           // the form field being read (not a file)
  std::string fieldValue_;
  bool overwrite_ = false;
  std::optional<codec::Sha256::Digest> bodyDigest_;
  codec::Sha256 bodySha_;
  uint64_t bodyBytes_ = 0;
  std::optional<Refusal> partRefusal_;  // why a sink callback stopped the parser
  bool finished_ = false;
};

}  // namespace sluice::site
