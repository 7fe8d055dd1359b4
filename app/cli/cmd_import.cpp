// sluice-cli import: a Postman Collection v2.1 into .http files, with a report of what was left behind.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "app/cli/commands.h"
#include "engine/workspace/postman.h"

namespace sluice::cli {

int runImport(int argc, char** argv) {
  if (argc == 1 && (std::string(argv[0]) == "-h" || std::string(argv[0]) == "--help")) {
    std::printf("usage: sluice-cli import COLLECTION.json DIR\n\n"
                "Converts a Postman Collection v2.1 into .http files under DIR (folders become folders)\n"
                "and lists everything that was not carried over.\n");
    return 0;
  }
  if (argc != 2) return std::fprintf(stderr, "usage: sluice-cli import COLLECTION.json DIR\n"), 2;
  std::ifstream in(argv[0], std::ios::binary);
  if (!in) return std::fprintf(stderr, "sluice-cli import: cannot read '%s'\n", argv[0]), 2;
  std::ostringstream ss;
  ss << in.rdbuf();
  auto im = workspace::importPostman(ss.str());
  if (!im) return std::fprintf(stderr, "sluice-cli import: %s: %s\n", argv[0], im.error().message.c_str()), 2;
  if (auto st = workspace::writePostmanImport(*im, argv[1]); !st)
    return std::fprintf(stderr, "sluice-cli import: %s\n", st.error().message.c_str()), 2;
  for (const auto& f : im->files) std::printf("wrote %s/%s\n", argv[1], f.path.c_str());
  std::printf("%zu requests in %zu files\n", im->requests, im->files.size());
  if (!im->notCarriedOver.empty()) {
    std::printf("not carried over:\n");
    for (const auto& n : im->notCarriedOver) std::printf("  %s\n", n.c_str());
  }
  return 0;
}

}  // namespace sluice::cli
