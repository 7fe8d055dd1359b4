#pragma once
/**
 * Variables of a .http workspace: environments from http-client.env.json and
 * http-client.private.env.json, in-place "@var = value" lines, values given on the
 * command line, dynamic variables ($uuid, $timestamp, $isoTimestamp, $randomInt,
 * $random.uuid, $random.integer(a, b)), and "{{name}}" substitution.
 *
 * Precedence, highest first (JetBrains documents the environment-over-in-place order,
 * and that public values win over private ones on a name conflict):
 *   1. overrides (sluice-cli run --var k=v);
 *   2. the chosen environment in http-client.env.json;
 *   3. the chosen environment in http-client.private.env.json;
 *   4. "$shared" in http-client.env.json, then "$shared" in the private file;
 *   5. in-place variables of the .http file (a later definition wins).
 * Values from the private file are secrets: masked in the GUI, left out of HAR exports
 * unless "include secrets" is chosen.
 */
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "engine/util/error.h"

namespace sluice::workspace {

inline constexpr const char* kPublicEnvFile = "http-client.env.json";
inline constexpr const char* kPrivateEnvFile = "http-client.private.env.json";

/** Where a variable's value came from. */
enum class VariableSource { kInPlace, kPrivateShared, kShared, kPrivateEnvironment, kEnvironment, kOverride };
const char* variableSourceName(VariableSource s);

struct Variable {
  std::string value;  ///< may itself hold {{references}}
  VariableSource source = VariableSource::kInPlace;
  bool secret = false;  ///< from the private environment file
};

/** Named values; a set() from a higher source replaces a lower one, never the reverse. */
class VariableSet {
 public:
  void set(const std::string& name, std::string value, VariableSource source, bool secret = false);
  const Variable* find(std::string_view name) const;
  const std::map<std::string, Variable, std::less<>>& all() const { return vars_; }

 private:
  std::map<std::string, Variable, std::less<>> vars_;
};

/** The two environment files of a folder (either may be absent). */
class Environments {
 public:
  /** Reads both files from dir. A malformed file is an error naming the file and the problem. */
  static Result<Environments> load(const std::string& dir);
  /** Parses the two files' texts (empty text: the file is absent). */
  static Result<Environments> parse(std::string_view publicJson, std::string_view privateJson);
  /** Environment names in either file, sorted, without "$shared". */
  std::vector<std::string> names() const;
  bool has(std::string_view name) const;
  /** Adds the variables of environment name (and $shared) into set at their precedence. */
  Status apply(std::string_view name, VariableSet& set) const;

 private:
  using Table = std::map<std::string, std::map<std::string, std::string>, std::less<>>;
  Table public_;
  Table private_;
};

/** Limits of substitution; every limit is configurable. */
struct SubstituteLimits {
  int maxDepth = 8;                    ///< nested {{references}} inside values
  size_t maxOutputBytes = 16u << 20;   ///< a substituted text larger than this is refused
};

/** Collects facts while substituting: the secret values that went into the text. */
struct SubstituteTrace {
  std::vector<std::string> secretValues;
};

/**
 * Replaces every {{name}} in text. where ("the URL", "header Authorization", ...) goes
 * into the error when a name is unresolved: "unresolved variable {{host}} in the URL".
 */
Result<std::string> substitute(std::string_view text, const VariableSet& vars, std::string_view where,
                               SubstituteTrace* trace = nullptr, const SubstituteLimits& limits = {});

/** The value of a dynamic variable ("$uuid", "$randomInt", ...), or an error for an unknown one. */
Result<std::string> dynamicVariable(std::string_view name);

/** The {{name}} references in text, in order (names trimmed; dynamic ones keep their '$'). */
struct VariableRef {
  size_t offset = 0;  ///< of "{{"
  size_t length = 0;  ///< through "}}"
  std::string name;
};
std::vector<VariableRef> findVariableRefs(std::string_view text);

}  // namespace sluice::workspace
