// sluice-cli: the engine from the command line.
#include <cstdio>
#include <cstring>
#include <string_view>

#include "app/cli/commands.h"

namespace {
void usage(FILE* out) {
  std::fprintf(out,
               "usage: sluice-cli <command> [options]\n\n"
               "commands:\n"
               "  serve     run the local stream server (upload, files, echo, sink, bytes, faults)\n"
               "  request   send HTTP requests with the streaming client and its pool\n"
               "  run       send the requests of a .http file in order (JUnit and HAR reports)\n"
               "  import    convert a Postman Collection v2.1 into .http files\n\n"
               "Run 'sluice-cli <command> --help' for the options of a command.\n");
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  std::string_view cmd = argv[1];
  if (cmd == "serve") return sluice::cli::runServe(argc - 2, argv + 2);
  if (cmd == "request") return sluice::cli::runRequest(argc - 2, argv + 2);
  if (cmd == "run") return sluice::cli::runRun(argc - 2, argv + 2);
  if (cmd == "import") return sluice::cli::runImport(argc - 2, argv + 2);
  if (cmd == "-h" || cmd == "--help" || cmd == "help") {
    usage(stdout);
    return 0;
  }
  std::fprintf(stderr, "sluice-cli: unknown command '%s'\n\n", argv[1]);
  usage(stderr);
  return 2;
}
