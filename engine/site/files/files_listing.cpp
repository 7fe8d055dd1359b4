#include "engine/site/files/files_listing.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "engine/http/http_date.h"
#include "engine/site/json_response.h"
#include "engine/site/upload/name_rules.h"
#include "engine/util/units.h"

namespace sluice::site {

namespace {
std::string htmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

constexpr std::string_view kPageHead = R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sluice files</title>
<style>
body{font:15px/1.4 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%}th,td{padding:.3rem .6rem;border-bottom:1px solid #ddd;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}form{margin:1.5rem 0;padding:1rem;background:#f4f6f8;border-radius:6px}
code{background:#eee;padding:0 .2rem}
</style></head><body>
<h1>Files</h1>
)";
}  // namespace

Result<std::vector<ListedFile>> listUploadDir(int dirFd) {
  int fd = ::openat(dirFd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return sluice::unexpected(Error::system("cannot read the upload directory", errno));
  DIR* dir = ::fdopendir(fd);
  if (!dir) {
    ::close(fd);
    return sluice::unexpected(Error::system("cannot read the upload directory", errno));
  }
  std::vector<ListedFile> files;
  while (struct dirent* e = ::readdir(dir)) {
    std::string_view name = e->d_name;
    if (!checkFileName(name)) continue;  // also drops "." "..", and *.part
    struct stat st {};
    if (::fstatat(dirFd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) continue;
    files.push_back({std::string(name), static_cast<uint64_t>(st.st_size), static_cast<int64_t>(st.st_mtim.tv_sec)});
  }
  ::closedir(dir);
  std::sort(files.begin(), files.end(), [](const ListedFile& a, const ListedFile& b) { return a.name < b.name; });
  return files;
}

codec::Json listingJson(const std::vector<ListedFile>& files) {
  codec::Json list = codec::Json::array();
  uint64_t total = 0;
  for (const auto& f : files) {
    list.push_back({{"name", f.name},
                    {"size", f.size},
                    {"modified", f.modified},
                    {"modified_iso", http::formatIsoUtc(f.modified)},
                    {"url", "/files/" + encodeFileName(f.name)}});
    total += f.size;
  }
  return {{"files", std::move(list)}, {"count", static_cast<uint64_t>(files.size())}, {"total_bytes", total}};
}

std::string listingHtml(const std::vector<ListedFile>& files, const RouteOptions& options) {
  std::string page(kPageHead);
  page += "<form method=\"post\" action=\"/upload\" enctype=\"multipart/form-data\">\n"
          "<label><input type=\"checkbox\" name=\"overwrite\" value=\"1\"> replace existing files</label><br>\n"
          "<input type=\"file\" name=\"file\" multiple required> <button type=\"submit\">Upload</button>";
  if (options.maxBodyBytes) page += " <small>limit " + formatBytes(options.maxBodyBytes) + " per request</small>";
  if (!options.token.empty()) page += "<br><small>This server needs a token for uploads: use <code>curl -H 'Authorization: Bearer TOKEN' -T file URL/upload/NAME</code>.</small>";
  page += "\n</form>\n<table><thead><tr><th>Name</th><th>Size</th><th>Bytes</th><th>Modified (UTC)</th></tr></thead><tbody>\n";
  uint64_t total = 0;
  for (const auto& f : files) {
    std::string url = "/files/" + encodeFileName(f.name);
    page += "<tr><td><a href=\"" + url + "\">" + htmlEscape(f.name) + "</a> <small>(<a href=\"" + url +
            "?download=1\">download</a>)</small></td><td class=\"n\">" + formatBytes(f.size) + "</td><td class=\"n\">" +
            std::to_string(f.size) + "</td><td>" + http::formatIsoUtc(f.modified) + "</td></tr>\n";
    total += f.size;
  }
  if (files.empty()) page += "<tr><td colspan=\"4\"><em>No files yet.</em></td></tr>\n";
  page += "</tbody></table>\n<p><small>" + std::to_string(files.size()) + " files, " + formatBytes(total) +
          ". JSON: <code>curl -H 'Accept: application/json' URL/files/</code>. Upload: <code>curl -T FILE URL/upload/NAME</code>.</small></p>\n</body></html>\n";
  return page;
}

void FilesListingHandler::onHead(Exchange& ex) {
  const RouteOptions& opt = site_->options;
  if (!site_->dir.valid()) return respondJsonError(ex, 500, site_->dirError, opt);
  auto files = listUploadDir(site_->dirFd());
  if (!files) return respondJsonError(ex, 500, files.error().message, opt);
  std::string_view accept = ex.request().headers.get("Accept");
  bool json = accept.find("application/json") != std::string_view::npos || ex.request().queryParam("format") == "json";
  if (json) return respondJson(ex, 200, listingJson(*files), opt);
  http::Headers h;
  h.add("Content-Type", "text/html; charset=utf-8");
  h.add("Cache-Control", "no-store");
  h.add("X-Content-Type-Options", "nosniff");
  h.add("Vary", "Accept");
  addCorsHeaders(h, opt);
  ex.respond(200, std::move(h), listingHtml(*files, opt));
}

}  // namespace sluice::site
