#include "support/test_env.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace sluice::test {

std::string makeTempDir(const std::string& tag) {
  const char* base = std::getenv("SLUICE_TEST_TMP");
  std::filesystem::path root = base && *base ? base : std::filesystem::temp_directory_path().string();
  std::error_code ec;
  std::filesystem::create_directories(root, ec);
  std::string templ = (root / ("sluice-" + tag + "-XXXXXX")).string();
  char* made = ::mkdtemp(templ.data());
  return made ? std::string(made) : std::string();
}

void removeTree(const std::string& path) {
  std::error_code ec;
  if (!path.empty()) std::filesystem::remove_all(path, ec);
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace sluice::test
