#include "support/upload_fixture.h"

#include <dirent.h>

#include <cstring>
#include <fstream>
#include <random>

#include "support/serve_fixture.h"

namespace sluice::test {

bool UploadServer::start(const std::string& dir, const std::vector<std::string>& args,
                         std::optional<uint64_t> fileSizeLimitBytes) {
  std::vector<std::string> argv;
  if (fileSizeLimitBytes) {
    // bash's ulimit -f counts 1024-byte blocks; trap '' makes SIGXFSZ ignored
    // across exec, so the server gets EFBIG instead of being killed.
    std::string script = "trap '' XFSZ; ulimit -f " + std::to_string(*fileSizeLimitBytes / 1024) + " && exec \"$@\"";
    argv = {"/bin/bash", "-c", script, "sluice-serve"};
  }
  argv.insert(argv.end(), {cliPath(), "serve", "--listen", "127.0.0.1:0", "--dir", dir});
  argv.insert(argv.end(), args.begin(), args.end());
  if (!proc_.start(argv)) {
    error_ = "cannot start sluice-cli: " + proc_.error();
    return false;
  }
  started_ = true;
  auto line = proc_.readStdoutLine(std::chrono::seconds(5));
  const std::string marker = "listening on http://";
  if (!line || line->find(marker) == std::string::npos) {
    error_ = "no 'listening on' line; stderr: " + proc_.stderrText();
    return false;
  }
  port_ = static_cast<uint16_t>(std::stoi(line->substr(line->rfind(':') + 1)));
  return port_ != 0;
}

std::string UploadServer::url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

ExitInfo UploadServer::stop(std::chrono::milliseconds grace) {
  if (!started_) return {};
  started_ = false;
  return proc_.terminate(grace);
}

RunResult curl(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
  std::vector<std::string> argv = {curlPath(), "-sS", "--max-time", std::to_string(timeout.count() / 1000)};
  argv.insert(argv.end(), args.begin(), args.end());
  return runProcess(argv, timeout + std::chrono::seconds(5));
}

int curlStatus(const RunResult& r) {
  size_t nl = r.out.find_last_not_of("\n");
  if (nl == std::string::npos) return 0;
  size_t start = r.out.rfind('\n', nl);
  std::string last = r.out.substr(start == std::string::npos ? 0 : start + 1, nl + 1 - (start == std::string::npos ? 0 : start + 1));
  try {
    return std::stoi(last);
  } catch (...) {
    return 0;
  }
}

std::string sha256sumOf(const std::string& path) {
  RunResult r = runProcess({"sha256sum", path}, std::chrono::seconds(120));
  if (!r.ok() || r.out.size() < 64) return {};
  return r.out.substr(0, 64);
}

bool writeRandomFile(const std::string& path, uint64_t size, uint32_t seed) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  std::mt19937_64 rng(seed);
  std::string block(1 << 16, '\0');
  while (size > 0 && out) {
    for (size_t i = 0; i + 8 <= block.size(); i += 8) {
      uint64_t v = rng();
      std::memcpy(block.data() + i, &v, 8);
    }
    size_t n = static_cast<size_t>(std::min<uint64_t>(size, block.size()));
    out.write(block.data(), static_cast<std::streamsize>(n));
    size -= n;
  }
  return static_cast<bool>(out);
}

std::set<std::string> dirEntries(const std::string& dir) {
  std::set<std::string> names;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (struct dirent* e = ::readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") names.insert(n);
    }
    ::closedir(d);
  }
  return names;
}

}  // namespace sluice::test
