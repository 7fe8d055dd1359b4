#include "engine/site/files/files_download_handler.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <charconv>

#include "engine/http/http_date.h"
#include "engine/http/serializer.h"
#include "engine/site/json_response.h"
#include "engine/site/upload/name_rules.h"
#include "engine/util/units.h"

namespace sluice::site {

namespace {
constexpr std::string_view kFilesPrefix = "/files/";

std::string hex(uint64_t v) {
  char buf[16];
  return std::string(buf, std::to_chars(buf, buf + sizeof buf, v, 16).ptr);
}

std::string etagOf(const struct stat& st) {
  uint64_t nanos = static_cast<uint64_t>(st.st_mtim.tv_sec) * 1000000000ull + static_cast<uint64_t>(st.st_mtim.tv_nsec);
  return "\"" + hex(static_cast<uint64_t>(st.st_size)) + "-" + hex(nanos) + "\"";
}

// If-None-Match: "*" or a list of entity tags; weak comparison (RFC 9110 §13.1.2).
bool etagListMatches(std::string_view list, std::string_view etag) {
  if (http::trimOws(list) == "*") return true;
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view tag = http::trimOws(list.substr(0, comma));
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == etag) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

bool notModified(const http::Headers& h, std::string_view etag, int64_t mtime) {
  if (const std::string* inm = h.find("If-None-Match")) return etagListMatches(*inm, etag);
  if (const std::string* ims = h.find("If-Modified-Since")) {
    auto since = http::parseHttpDate(http::trimOws(*ims));
    return since && mtime <= *since;
  }
  return false;
}

// If-Range: the range applies only while the validator still matches (strong comparison).
bool ifRangeHolds(const http::Headers& h, std::string_view etag, int64_t mtime) {
  const std::string* ir = h.find("If-Range");
  if (!ir) return true;
  std::string_view v = http::trimOws(*ir);
  if (v.starts_with('"')) return v == etag;
  auto date = http::parseHttpDate(v);
  return date && *date == mtime;
}
}  // namespace

std::optional<ByteRange> resolveRange(std::string_view header, uint64_t size) {
  header = http::trimOws(header);
  if (!header.starts_with("bytes=")) return std::nullopt;
  std::string_view spec = http::trimOws(header.substr(6));
  if (spec.find(',') != std::string_view::npos) return std::nullopt;  // several ranges: the whole file (allowed)
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  std::string_view a = spec.substr(0, dash), b = spec.substr(dash + 1);
  uint64_t first = 0, last = 0;
  if (a.empty()) {  // suffix: the last n bytes
    if (!parseUint(b, last)) return std::nullopt;
    if (last == 0 || size == 0) return ByteRange{0, 0};
    uint64_t n = std::min(last, size);
    return ByteRange{size - n, n};
  }
  if (!parseUint(a, first)) return std::nullopt;
  if (b.empty()) last = size ? size - 1 : 0;
  else if (!parseUint(b, last) || last < first) return std::nullopt;
  if (first >= size) return ByteRange{0, 0};
  last = std::min(last, size - 1);
  return ByteRange{first, last - first + 1};
}

std::string_view contentTypeFor(std::string_view name) {
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {".txt", "text/plain; charset=utf-8"}, {".log", "text/plain; charset=utf-8"}, {".md", "text/markdown; charset=utf-8"},
      {".csv", "text/csv; charset=utf-8"}, {".html", "text/html; charset=utf-8"}, {".htm", "text/html; charset=utf-8"},
      {".css", "text/css"}, {".js", "text/javascript"}, {".json", "application/json"}, {".xml", "application/xml"},
      {".png", "image/png"}, {".jpg", "image/jpeg"}, {".jpeg", "image/jpeg"}, {".gif", "image/gif"},
      {".svg", "image/svg+xml"}, {".webp", "image/webp"}, {".pdf", "application/pdf"}, {".zip", "application/zip"},
      {".gz", "application/gzip"}, {".tar", "application/x-tar"}, {".mp4", "video/mp4"}, {".webm", "video/webm"},
      {".mp3", "audio/mpeg"}, {".wasm", "application/wasm"}};
  size_t dot = name.rfind('.');
  if (dot != std::string_view::npos) {
    std::string_view ext = name.substr(dot);
    for (const auto& [e, type] : kTypes)
      if (http::iequals(e, ext)) return type;
  }
  return "application/octet-stream";
}

void FilesDownloadHandler::onHead(Exchange& ex) {
  const RouteOptions& opt = site_->options;
  if (!site_->dir.valid()) return respondJsonError(ex, 500, site_->dirError, opt);
  auto name = decodeFileName(ex.request().path().substr(kFilesPrefix.size()));
  if (!name) return respondJsonError(ex, 400, name.error().message, opt);
  // O_NONBLOCK: opening a FIFO planted in the directory must not hang the loop.
  int fd = ::openat(site_->dirFd(), name->c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    int err = errno;
    if (err == ELOOP) return respondJsonError(ex, 403, "'" + *name + "' is a symbolic link; links are never followed", opt);
    if (err == ENOENT || err == ENOTDIR) return respondJsonError(ex, 404, "no file named '" + *name + "'", opt);
    return respondJsonError(ex, err == EACCES ? 403 : 500, Error::system("cannot open '" + *name + "'", err).message, opt);
  }
  file_ = std::make_shared<net::Fd>(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
    return respondJsonError(ex, 404, "'" + *name + "' is not a regular file", opt);
  auto size = static_cast<uint64_t>(st.st_size);
  std::string etag = etagOf(st);
  int64_t mtime = st.st_mtim.tv_sec;
  http::Headers h;
  h.add("ETag", etag);
  h.add("Last-Modified", http::formatHttpDate(mtime));
  h.add("Accept-Ranges", "bytes");
  h.add("Cache-Control", "no-cache");
  if (notModified(ex.request().headers, etag, mtime)) return reply(ex, 304, std::move(h), 0, 0);
  h.add("Content-Type", std::string(contentTypeFor(*name)));
  // Uploaded content is served as inert: no sniffing, and a sandboxed origin
  // for HTML so an uploaded page cannot drive this server from the browser.
  h.add("X-Content-Type-Options", "nosniff");
  h.add("Content-Security-Policy", "sandbox");
  if (ex.request().queryParam("download").value_or("0") == "1")
    h.add("Content-Disposition", "attachment; filename*=UTF-8''" + encodeFileName(*name));
  const std::string* rangeHeader = ex.request().headers.find("Range");
  std::optional<ByteRange> range;
  if (rangeHeader && ifRangeHolds(ex.request().headers, etag, mtime)) range = resolveRange(*rangeHeader, size);
  if (range && range->length == 0) {
    h.add("Content-Range", "bytes */" + std::to_string(size));
    return respondJsonError(ex, 416, "the range is outside the file (" + std::to_string(size) + " bytes)", opt, std::move(h));
  }
  if (range) {
    h.add("Content-Range", "bytes " + std::to_string(range->first) + "-" + std::to_string(range->first + range->length - 1) +
                               "/" + std::to_string(size));
    return reply(ex, 206, std::move(h), range->first, range->length);
  }
  reply(ex, 200, std::move(h), 0, size);
}

void FilesDownloadHandler::reply(Exchange& ex, int status, http::Headers headers, uint64_t offset, uint64_t length) {
  addCorsHeaders(headers, site_->options);
  if (status == 304) {
    ex.respond(304, std::move(headers), {});
    return;
  }
  ex.startResponse(status, std::move(headers), length);
  if (!ex.request().isHead() && length > 0) ex.writeFile(file_, offset, length);
  ex.end();
}

}  // namespace sluice::site
