// sluice-cli request: request bodies from the command line (-d, --data-binary, -T -); -F is client::MultipartForm.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "app/cli/request_options.h"
#include "engine/client/multipart_body.h"

namespace sluice::cli {

using client::RequestBody;

namespace {

/** Reads fd until its end, piece by piece; blocks the client loop while stdin has nothing. */
client::PullSource pullFromFd(int fd) {
  return [fd](std::span<char> buf) -> Result<size_t> {
    for (;;) {
      ssize_t n = ::read(fd, buf.data(), buf.size());
      if (n >= 0) return static_cast<size_t>(n);
      if (errno != EINTR) return fail(ErrorCode::kSystem, std::string("reading standard input failed: ") + std::strerror(errno));
    }
  };
}

}  // namespace

RequestBody bodyFromStdin() { return RequestBody::fromPull(pullFromFd(0)); }

Result<RequestBody> bodyFromData(std::string_view arg) {
  if (arg == "@-") {
    std::ostringstream ss;  // curl -d @- reads all of stdin, then strips line breaks
    ss << std::cin.rdbuf();
    std::string text = ss.str();
    std::erase_if(text, [](char c) { return c == '\r' || c == '\n'; });
    return RequestBody::fromBytes(std::move(text));
  }
  if (!arg.empty() && arg.front() == '@') {
    auto text = client::readFileBytes(std::string(arg.substr(1)));
    if (!text) return sluice::unexpected(text.error());
    std::erase_if(*text, [](char c) { return c == '\r' || c == '\n'; });
    return RequestBody::fromBytes(std::move(*text));
  }
  return RequestBody::fromBytes(std::string(arg));
}

Result<RequestBody> bodyFromBinary(std::string_view arg) {
  if (arg == "@-") return bodyFromStdin();
  if (!arg.empty() && arg.front() == '@') {
    auto text = client::readFileBytes(std::string(arg.substr(1)));
    if (!text) return sluice::unexpected(text.error());
    return RequestBody::fromBytes(std::move(*text));
  }
  return RequestBody::fromBytes(std::string(arg));
}

}  // namespace sluice::cli
