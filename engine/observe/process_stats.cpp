#include "engine/observe/process_stats.h"

#include <dirent.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

namespace sluice::observe {

namespace {
uint64_t statusField(const std::string& path, const char* field) {
  std::ifstream in(path);
  std::string line;
  size_t len = std::strlen(field);
  while (std::getline(in, line)) {
    if (line.compare(0, len, field) == 0 && line.size() > len && line[len] == ':') {
      std::istringstream ss(line.substr(len + 1));
      uint64_t kb = 0;
      ss >> kb;
      return kb * 1024;
    }
  }
  return 0;
}

uint64_t countDir(const char* path) {
  DIR* d = ::opendir(path);
  if (!d) return 0;
  uint64_t n = 0;
  while (dirent* e = ::readdir(d))
    if (e->d_name[0] != '.') ++n;
  ::closedir(d);
  return n > 0 ? n - 1 : 0;  // minus the descriptor opendir itself holds
}

uint64_t countTimeWaitIn(const char* path, uint16_t port) {
  FILE* f = std::fopen(path, "r");
  if (!f) return 0;
  char line[512];
  uint64_t n = 0;
  bool header = true;
  while (std::fgets(line, sizeof line, f)) {
    if (header) {
      header = false;
      continue;
    }
    char local[128], remote[128];
    unsigned state = 0;
    if (std::sscanf(line, "%*d: %127s %127s %x", local, remote, &state) != 3) continue;
    if (state != 0x06) continue;  // TCP_TIME_WAIT
    if (port != 0) {
      const char* colon = std::strrchr(remote, ':');
      if (!colon || std::strtoul(colon + 1, nullptr, 16) != port) continue;
    }
    ++n;
  }
  std::fclose(f);
  return n;
}
}  // namespace

ProcessStats readProcessStats() {
  ProcessStats s;
  s.rssBytes = statusField("/proc/self/status", "VmRSS");
  s.peakRssBytes = statusField("/proc/self/status", "VmHWM");
  s.openFds = countDir("/proc/self/fd");
  return s;
}

uint64_t rssOfPid(int pid) { return statusField("/proc/" + std::to_string(pid) + "/status", "VmRSS"); }
uint64_t peakRssOfPid(int pid) { return statusField("/proc/" + std::to_string(pid) + "/status", "VmHWM"); }

uint64_t countTimeWait(uint16_t port) { return countTimeWaitIn("/proc/net/tcp", port) + countTimeWaitIn("/proc/net/tcp6", port); }

}  // namespace sluice::observe
