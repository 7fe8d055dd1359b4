#include "engine/site/upload/upload_handler.h"

#include "engine/site/json_response.h"
#include "engine/site/upload/name_rules.h"
#include "engine/site/upload/upload_digest.h"
#include "engine/util/units.h"

namespace sluice::site {

namespace {
constexpr std::string_view kUploadPrefix = "/upload/";
constexpr uint64_t kRehashSliceBytes = 8ull << 20;  // ~4 ms of SHA-NI per loop turn

http::Headers offsetHeader(uint64_t offset) {
  http::Headers h;
  h.add("Upload-Offset", std::to_string(offset));
  return h;
}
}  // namespace

void UploadHandler::refuse(Exchange& ex, const Refusal& r, http::Headers headers, bool cutBack) {
  finished_ = true;
  if (mode_ == Mode::kPut) part_.discard();
  else rollBack(cutBack);
  respondRefusal(ex, r, site_->options, std::move(headers));
}

void UploadHandler::rollBack(bool cutBack) {
  if (!part_.isOpen()) return;
  // What arrived is a clean prefix and stays for a resume, unless it failed
  // verification (cutBack): then the part goes back to where this request began.
  if (cutBack && part_.size() > startOffset_) (void)part_.truncateTo(startOffset_);
  if (part_.size() == 0) part_.discard();
  else part_.keep();
}

bool UploadHandler::readHead(Exchange& ex) {
  std::string_view path = ex.request().path();
  auto name = decodeFileName(path.substr(kUploadPrefix.size()));
  if (!name) return refuse(ex, {400, name.error().message}), false;
  name_ = std::move(*name);
  overwrite_ = wantsOverwrite(ex.request());
  if (auto len = ex.bodyLength()) {
    if (auto r = checkBodySize(*site_, *len, true)) return refuse(ex, *r), false;
  }
  auto repr = expectedSha256(ex.request().headers, "Repr-Digest");
  auto content = expectedSha256(ex.request().headers, "Content-Digest");
  if (!repr) return refuse(ex, {400, repr.error().message}), false;
  if (!content) return refuse(ex, {400, content.error().message}), false;
  reprDigest_ = *repr;
  contentDigest_ = *content;
  digestIgnored_ = ignoredDigestKeys(ex.request().headers);
  replacing_ = entryKind(site_->dirFd(), name_) == EntryKind::kRegular;
  return true;
}

void UploadHandler::onHead(Exchange& ex) {
  if (!site_->dir.valid()) return refuse(ex, {500, site_->dirError});
  if (!readHead(ex)) return;
  if (mode_ == Mode::kPatch) {
    if (!openPatch(ex)) return;
  } else {
    auto part = startPart(*site_, name_, overwrite_);
    if (!part) return refuse(ex, part.error());
    part_ = std::move(*part);
  }
  // Returning without a response lets the body (and any 100 Continue) flow. Chunks
  // go straight to disk without pausing, so the body can be read in big pieces.
  ex.setBulkReads();
}

bool UploadHandler::parseContentRange(std::string_view v) {
  // "bytes S-E/T" or "bytes S-E/*" (RFC 9110 §14.4).
  if (!v.starts_with("bytes ")) return false;
  v.remove_prefix(6);
  size_t dash = v.find('-'), slash = v.find('/');
  if (dash == std::string_view::npos || slash == std::string_view::npos || slash < dash) return false;
  uint64_t s = 0, e = 0, t = 0;
  if (!parseUint(v.substr(0, dash), s) || !parseUint(v.substr(dash + 1, slash - dash - 1), e) || e < s) return false;
  std::string_view total = v.substr(slash + 1);
  if (total != "*") {
    if (!parseUint(total, t) || e >= t) return false;
    total_ = t;
  }
  startOffset_ = s;
  rangeLength_ = e - s + 1;
  return true;
}

bool UploadHandler::openPatch(Exchange& ex) {
  const auto& h = ex.request().headers;
  if (const std::string* cr = h.find("Content-Range")) {
    if (!parseContentRange(*cr))
      return refuse(ex, {400, "Content-Range must be 'bytes START-END/TOTAL' (or /*), got '" + *cr + "'"}), false;
  } else if (http::iequals(h.get("X-Update-Range"), "append")) {
    appendMode_ = true;
  } else {
    return refuse(ex, {400, "PATCH needs Content-Range: bytes START-END/TOTAL or X-Update-Range: append"}), false;
  }
  if (rangeLength_ && ex.bodyLength() && *ex.bodyLength() != *rangeLength_)
    return refuse(ex, {400, "Content-Length does not match the Content-Range"}), false;
  if (total_) {
    if (auto r = checkBodySize(*site_, *total_, false); r && r->status == 413) return refuse(ex, *r), false;
  }
  if (entryKind(site_->dirFd(), name_) != EntryKind::kNone && !overwrite_)
    return refuse(ex, {409, "'" + name_ + "' already exists; add ?overwrite=1 to replace it"}), false;
  if (!appendMode_ && startOffset_ == 0 && entryKind(site_->dirFd(), name_ + ".part") == EntryKind::kNone) {
    auto part = startPart(*site_, name_, overwrite_);
    if (!part) return refuse(ex, part.error()), false;
    part_ = std::move(*part);
    return true;
  }
  auto part = PartFile::openExisting(site_->dirFd(), name_);
  if (!part) {
    Refusal r{404, "there is no interrupted upload of '" + name_ + "' to resume; start with PUT or PATCH Content-Range: bytes 0-..."};
    if (part.error().code == ErrorCode::kInvalidArgument) r = {409, part.error().message + "; it is never written through"};
    else if (part.error().code != ErrorCode::kNotFound) r = {500, part.error().message};
    return refuse(ex, r), false;
  }
  part_ = std::move(*part);
  if (appendMode_) startOffset_ = part_.size();
  if (startOffset_ != part_.size()) {
    uint64_t have = part_.size();
    finished_ = true;
    part_.keep();
    codec::Json body = codec::errorObject(409, "the upload of '" + name_ + "' is at byte " + std::to_string(have) +
                                                   "; resume with Content-Range: bytes " + std::to_string(have) + "-...");
    body["offset"] = have;
    respondJson(ex, 409, body, site_->options, offsetHeader(have));
    return false;
  }
  // The new bytes extend a digest that must first cover the old ones: hash
  // the existing part in slices between loop turns, with the body paused.
  rehashing_ = part_.size() > 0;
  if (rehashing_) {
    ex.pauseBody();
    rehashSome(ex);
  }
  return true;
}

void UploadHandler::rehashSome(Exchange& ex) {
  auto done = part_.rehashStep(kRehashSliceBytes);
  if (!done) return refuse(ex, {500, done.error().message});
  if (!*done) {
    ex.runAfter(std::chrono::milliseconds(0), [this, &ex] { if (rehashing_ && !finished_) rehashSome(ex); });
    return;
  }
  rehashing_ = false;
  if (bodyEnded_) finish(ex);
  else ex.resumeBody();
}

bool UploadHandler::finishRehash(Exchange& ex) {
  if (!rehashing_) return true;
  auto done = part_.rehashStep(UINT64_MAX);
  if (!done) return refuse(ex, {500, done.error().message}), false;
  rehashing_ = false;
  return true;
}

void UploadHandler::onBody(Exchange& ex, std::string_view chunk) {
  if (finished_ || !part_.isOpen()) return;
  if (!finishRehash(ex)) return;
  bodyBytes_ += chunk.size();
  if (auto r = checkBodySize(*site_, bodyBytes_, false)) return refuse(ex, *r);
  if (rangeLength_ && bodyBytes_ > *rangeLength_) return refuse(ex, {400, "the body is longer than its Content-Range", true});
  if (mode_ == Mode::kPatch) bodySha_.update(chunk);
  if (auto st = part_.write(chunk); !st) {
    Refusal r = refusalFor(st.error(), name_);
    if (mode_ == Mode::kPatch) r.message = "could not store the appended bytes: " + st.error().message;
    return refuse(ex, r);
  }
}

void UploadHandler::onBodyEnd(Exchange& ex) {
  bodyEnded_ = true;
  if (finished_ || rehashing_) return;  // rehashSome() finishes when it is done
  finish(ex);
}

bool UploadHandler::verifyDigests(Exchange& ex) {
  codec::Sha256::Digest whole = part_.digest();
  if (mode_ == Mode::kPut) {
    for (const auto& [field, want] : {std::pair{"Repr-Digest", reprDigest_}, std::pair{"Content-Digest", contentDigest_}}) {
      if (want && *want != whole)
        return refuse(ex, {400, std::string(field) + " does not match: the body's sha-256 is " + codec::Sha256::hex(whole) +
                                    ", expected " + codec::Sha256::hex(*want) + "; the file was discarded"}), false;
    }
    return true;
  }
  if (contentDigest_ && *contentDigest_ != codec::Sha256(bodySha_).finish())
    return refuse(ex, {400, "Content-Digest does not match this request's body; the appended bytes were discarded"},
                  offsetHeader(startOffset_)), false;
  return true;
}

void UploadHandler::finish(Exchange& ex) {
  if (finished_) return;
  if (!part_.isOpen()) return;
  if (!verifyDigests(ex)) return;
  if (rangeLength_ && bodyBytes_ != *rangeLength_)
    return refuse(ex, {400, "the body is shorter than its Content-Range"}, offsetHeader(startOffset_));
  bool complete = mode_ == Mode::kPut || appendMode_ || (total_ && part_.size() == *total_);
  if (!complete) {
    finished_ = true;
    uint64_t offset = part_.size();
    part_.keep();
    codec::Json body{{"name", name_}, {"offset", offset}, {"complete", false}, {"bytes", bodyBytes_}};
    return respondJson(ex, 200, body, site_->options, offsetHeader(offset));
  }
  codec::Sha256::Digest whole = part_.digest();
  if (mode_ == Mode::kPatch && reprDigest_ && *reprDigest_ != whole) {
    finished_ = true;
    part_.discard();
    return respondJsonError(ex, 400, "Repr-Digest does not match the whole file (sha-256 " + codec::Sha256::hex(whole) +
                                         "); the partial upload was discarded", site_->options);
  }
  finished_ = true;
  if (auto st = part_.commit(overwrite_); !st) return respondRefusal(ex, refusalFor(st.error(), name_), site_->options);
  respondStored(ex, whole);
}

void UploadHandler::respondStored(Exchange& ex, const codec::Sha256::Digest& digest) {
  http::Headers h;
  h.add("Location", "/files/" + encodeFileName(name_));
  h.add("Repr-Digest", formatSha256Field(digest));
  std::string checked;
  for (const auto& [field, want] : {std::pair{"Repr-Digest", reprDigest_}, std::pair{"Content-Digest", contentDigest_}})
    if (want) checked += (checked.empty() ? "" : ", ") + std::string(field) + "=sha-256";
  h.add("Digest-Checked", checked.empty() ? "none" : checked);
  if (!digestIgnored_.empty()) h.add("Digest-Ignored", digestIgnored_);
  codec::Json json = storedFileJson(name_, part_.size(), digest, ex.started(), bodyBytes_);
  if (mode_ == Mode::kPatch) json["resumed_from"] = startOffset_;
  respondJson(ex, replacing_ ? 200 : 201, json, site_->options, std::move(h));
}

void UploadHandler::onAbort(Exchange&, const Error&) {
  finished_ = true;
  rehashing_ = false;
  // PUT: nothing of an interrupted upload stays. PATCH: what arrived is a
  // clean prefix of the file, kept so the client can resume from it.
  if (mode_ == Mode::kPut) part_.discard();
  else part_.keep();
}

}  // namespace sluice::site
