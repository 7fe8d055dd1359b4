#include "engine/site/upload/multipart_upload_handler.h"

#include "engine/site/json_response.h"
#include "engine/site/upload/name_rules.h"
#include "engine/site/upload/upload_digest.h"

namespace sluice::site {

namespace {
constexpr size_t kMaxFieldBytes = 1024;
}

void MultipartUploadHandler::refuse(Exchange& ex, const Refusal& r) {
  finished_ = true;
  current_ = nullptr;
  files_.clear();  // each PartFile removes its part
  respondRefusal(ex, r, site_->options);
}

void MultipartUploadHandler::onHead(Exchange& ex) {
  if (!site_->dir.valid()) return refuse(ex, {500, site_->dirError});
  auto boundary = MultipartParser::boundaryOf(ex.request().headers.get("Content-Type"));
  if (!boundary) return refuse(ex, {415, boundary.error().message});
  if (auto len = ex.bodyLength()) {
    if (auto r = checkBodySize(*site_, *len, true)) return refuse(ex, *r);
  }
  for (const char* field : {"Content-Digest", "Repr-Digest"}) {
    auto d = expectedSha256(ex.request().headers, field);
    if (!d) return refuse(ex, {400, d.error().message});
    if (*d && bodyDigest_ && **d != *bodyDigest_) return refuse(ex, {400, "Content-Digest and Repr-Digest disagree"});
    if (*d) bodyDigest_ = *d;
  }
  overwrite_ = wantsOverwrite(ex.request());
  parser_.emplace(std::move(*boundary), static_cast<MultipartSink&>(*this));
  ex.setBulkReads();  // parts go straight to disk without pausing
}

Status MultipartUploadHandler::onPartBegin(const MultipartPart& part) {
  current_ = nullptr;
  fieldName_.clear();
  fieldValue_.clear();
  if (!part.fileName) {  // a plain form field: remember small ones (overwrite)
    fieldName_ = part.fieldName;
    return {};
  }
  if (part.fileName->empty()) return {};  // a browser's file input with no file chosen
  if (auto ok = checkFileName(*part.fileName); !ok) {
    partRefusal_ = Refusal{400, "file name '" + *part.fileName + "': " + ok.error().message};
    return ok;
  }
  auto digest = expectedSha256(part.headers, "Content-Digest");
  if (digest && !*digest) digest = expectedSha256(part.headers, "Repr-Digest");
  if (!digest) {
    partRefusal_ = Refusal{400, digest.error().message};
    return sluice::unexpected(digest.error());
  }
  auto started = startPart(*site_, *part.fileName, overwrite_);
  if (!started) {
    partRefusal_ = started.error();
    return fail(ErrorCode::kInvalidArgument, started.error().message);
  }
  files_.push_back(StoredFile{std::move(*started), *digest, {}});
  current_ = &files_.back();
  return {};
}

Status MultipartUploadHandler::onPartData(std::string_view data) {
  if (current_) {
    if (auto st = current_->part.write(data); !st) {
      partRefusal_ = refusalFor(st.error(), current_->part.name());
      return st;
    }
  } else if (!fieldName_.empty() && fieldValue_.size() + data.size() <= kMaxFieldBytes) {
    fieldValue_.append(data);
  }
  return {};
}

Status MultipartUploadHandler::onPartEnd() {
  if (current_) {
    current_->digest = current_->part.digest();
    if (current_->expected && *current_->expected != current_->digest) {
      partRefusal_ = Refusal{400, "the digest sent with '" + current_->part.name() + "' does not match (sha-256 is " +
                                      codec::Sha256::hex(current_->digest) + "); nothing was stored"};
      return fail(ErrorCode::kInvalidArgument, partRefusal_->message);
    }
  } else if (fieldName_ == "overwrite") {
    overwrite_ = fieldValue_ == "1" || fieldValue_ == "on" || fieldValue_ == "true" || fieldValue_ == "yes";
  }
  current_ = nullptr;
  return {};
}

void MultipartUploadHandler::onBody(Exchange& ex, std::string_view chunk) {
  if (finished_ || !parser_) return;
  bodyBytes_ += chunk.size();
  if (auto r = checkBodySize(*site_, bodyBytes_, false)) return refuse(ex, *r);
  if (bodyDigest_) bodySha_.update(chunk);
  if (auto st = parser_->feed(chunk); !st) {
    Refusal r = partRefusal_.value_or(Refusal{400, st.error().message, true});
    return refuse(ex, r);
  }
}

void MultipartUploadHandler::onBodyEnd(Exchange& ex) {
  if (finished_ || !parser_) return;
  if (auto st = parser_->finish(); !st) return refuse(ex, {400, st.error().message});
  if (bodyDigest_ && *bodyDigest_ != bodySha_.finish())
    return refuse(ex, {400, "the request's Content-Digest does not match the multipart body; nothing was stored"});
  if (files_.empty()) return refuse(ex, {400, "the form has no file in it (use curl -F name=@file)"});
  commitAll(ex);
}

void MultipartUploadHandler::commitAll(Exchange& ex) {
  finished_ = true;
  codec::Json stored = codec::Json::array();
  std::string failed;
  bool anyReplaced = false;
  for (auto& f : files_) {
    bool replacing = entryKind(site_->dirFd(), f.part.name()) == EntryKind::kRegular;
    if (auto st = f.part.commit(overwrite_); !st) {
      failed += (failed.empty() ? "" : "; ") + refusalFor(st.error(), f.part.name()).message;
      continue;
    }
    anyReplaced |= replacing;
    stored.push_back(storedFileJson(f.part.name(), f.part.size(), f.digest, ex.started(), f.part.size()));
  }
  files_.clear();
  if (!failed.empty()) {
    codec::Json body = codec::errorObject(409, failed + " (the other files were stored)");
    body["files"] = std::move(stored);
    return respondJson(ex, 409, body, site_->options);
  }
  respondStored(ex, std::move(stored), anyReplaced);
}

void MultipartUploadHandler::respondStored(Exchange& ex, codec::Json stored, bool anyReplaced) {
  codec::Json json{{"files", std::move(stored)}};
  int status = anyReplaced ? 200 : 201;
  // A browser form post gets a page to read and a way back; programs get JSON.
  std::string_view accept = ex.request().headers.get("Accept");
  if (accept.find("text/html") == std::string_view::npos) return respondJson(ex, status, json, site_->options);
  http::Headers h;
  h.add("Content-Type", "text/html; charset=utf-8");
  addCorsHeaders(h, site_->options);
  std::string page = "<!doctype html><meta charset=utf-8><title>Uploaded</title><p>Stored. <a href=\"/files/\">Back to the files</a></p><pre>";
  for (char c : codec::jsonText(json)) {
    if (c == '<') page += "&lt;";
    else if (c == '&') page += "&amp;";
    else page.push_back(c);
  }
  page += "</pre>\n";
  ex.respond(status, std::move(h), page);
}

void MultipartUploadHandler::onAbort(Exchange&, const Error&) {
  finished_ = true;
  current_ = nullptr;
  files_.clear();
}

}  // namespace sluice::site
