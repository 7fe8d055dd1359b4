// Multipart bodies from curl-style -F specifications. Hand-written: no Debian library
// builds streamed multipart/form-data request bodies.
#include "engine/client/multipart_body.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>

namespace sluice::client {

Result<std::string> readFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorCode::kNotFound, "cannot read '" + path + "': " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

namespace {
/** A quoted-string for a Content-Disposition parameter (curl escapes the same two characters). */
std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}
}  // namespace

Status MultipartForm::add(std::string_view spec) {
  if (boundary_.empty()) {
    std::random_device rd;
    char buf[48];
    std::snprintf(buf, sizeof buf, "------------------------%08x%08x", rd(), rd());
    boundary_ = buf;
  }
  auto eq = spec.find('=');
  if (eq == std::string_view::npos || eq == 0)
    return fail(ErrorCode::kInvalidArgument, "-F '" + std::string(spec) + "' is not name=value, name=@file or name=<file");
  std::string name(spec.substr(0, eq));
  std::string_view value = spec.substr(eq + 1);
  Part part;
  std::string disposition = "Content-Disposition: form-data; name=" + quoted(name);
  if (!value.empty() && (value.front() == '@' || value.front() == '<')) {
    bool asFile = value.front() == '@';
    std::string_view rest = value.substr(1);
    std::string path(rest.substr(0, rest.find(';'))), type, filename;
    for (size_t at = rest.find(';'); at != std::string_view::npos;) {
      size_t next = rest.find(';', at + 1);
      std::string_view attr = rest.substr(at + 1, next == std::string_view::npos ? next : next - at - 1);
      if (attr.starts_with("type=")) type = attr.substr(5);
      else if (attr.starts_with("filename=")) filename = attr.substr(9);
      else return fail(ErrorCode::kInvalidArgument, "-F: unknown attribute '" + std::string(attr) + "' (type= and filename= are supported)");
      at = next;
    }
    struct stat st{};
    errno = 0;
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
      return fail(ErrorCode::kNotFound, "-F: cannot read the file '" + path + "'" + (errno ? std::string(": ") + std::strerror(errno) : ""));
    if (asFile) {
      if (filename.empty()) filename = path.substr(path.rfind('/') + 1);
      disposition += "; filename=" + quoted(filename);
      part.filePath = path;
      if (type.empty()) type = "application/octet-stream";
    } else {
      auto text = readFileBytes(path);
      if (!text) return sluice::unexpected(text.error());
      part.value = std::move(*text);
    }
    part.head = disposition + "\r\n" + (type.empty() ? "" : "Content-Type: " + type + "\r\n");
  } else {
    part.value = std::string(value);
    part.head = disposition + "\r\n";
  }
  part.head = "--" + boundary_ + "\r\n" + part.head + "\r\n";
  parts_.push_back(std::move(part));
  return {};
}

namespace {
/** Streams the parts: each head, then its value or its file piece by piece, then the closing boundary. */
struct FormStream {
  std::vector<std::pair<std::string, std::string>> pieces;  ///< (text, file path) in order
  size_t index = 0;
  size_t offset = 0;
  int fd = -1;
  ~FormStream() {
    if (fd >= 0) ::close(fd);
  }
  Result<size_t> pull(std::span<char> buf) {
    while (index < pieces.size()) {
      auto& [text, path] = pieces[index];
      if (path.empty()) {
        size_t n = std::min(buf.size(), text.size() - offset);
        std::memcpy(buf.data(), text.data() + offset, n);
        offset += n;
        if (offset == text.size()) ++index, offset = 0;
        if (n > 0) return n;
        continue;
      }
      if (fd < 0 && (fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC)) < 0)
        return fail(ErrorCode::kSystem, "-F: cannot open '" + path + "': " + std::strerror(errno));
      ssize_t n = ::read(fd, buf.data(), buf.size());
      if (n < 0) return fail(ErrorCode::kSystem, "-F: reading '" + path + "' failed: " + std::strerror(errno));
      if (n > 0) return static_cast<size_t>(n);
      ::close(fd), fd = -1, ++index;
    }
    return size_t{0};
  }
};
}  // namespace

RequestBody MultipartForm::body() const {
  auto stream = std::make_shared<FormStream>();
  for (size_t i = 0; i < parts_.size(); ++i) {
    const Part& p = parts_[i];
    stream->pieces.emplace_back((i ? "\r\n" : "") + p.head + p.value, "");
    if (!p.filePath.empty()) stream->pieces.emplace_back("", p.filePath);
  }
  stream->pieces.emplace_back("\r\n--" + boundary_ + "--\r\n", "");
  return RequestBody::fromPull([stream](std::span<char> buf) { return stream->pull(buf); });
}

}  // namespace sluice::client
