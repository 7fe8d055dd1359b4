#pragma once
/**
 * Turns one request of a .http file into what goes on the wire: every {{variable}}
 * substituted (or a worded error naming the unresolved one: nothing half-resolved is
 * ever sent), the body file made absolute, and the scripts listed as "not run".
 */
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/workspace/http_file.h"
#include "engine/workspace/variables.h"

namespace sluice::workspace {

/** A request ready to send. Plain data: the CLI and the GUI build their client request from it. */
struct ResolvedRequest {
  std::string name;    ///< displayName() of the block
  std::string method;
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;                     ///< inline body text (empty with bodyFile)
  std::optional<std::string> bodyFile;  ///< absolute path of a "< ./file" body, streamed when sent
  std::vector<std::string> secretValues;  ///< private values that went into it (left out of HAR exports)
  std::vector<std::string> notRun;        ///< one line per script that is not run
};

/** What a resolution needs besides the file. */
struct ResolveContext {
  std::string baseDir;          ///< folder of the .http file: relative body files start here
  const Environments* environments = nullptr;
  std::string environment;      ///< empty: $shared only
  std::vector<std::pair<std::string, std::string>> overrides;  ///< --var k=v
  SubstituteLimits limits;
};

/** The variables seen by block index of file (see variables.h for the precedence). */
Result<VariableSet> variablesFor(const HttpFile& file, size_t blockIndex, const ResolveContext& ctx);

/** Resolves block index of file. */
Result<ResolvedRequest> resolveRequest(const HttpFile& file, size_t blockIndex, const ResolveContext& ctx);

}  // namespace sluice::workspace
