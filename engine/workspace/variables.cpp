// Variables: environments, precedence, {{name}} substitution and dynamic variables.
#include "engine/workspace/variables.h"
#include "engine/http/message.h"

#include "engine/workspace/har.h"

#include <openssl/rand.h>

#include <charconv>
#include <chrono>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace sluice::workspace {
namespace {

using Table = std::map<std::string, std::map<std::string, std::string>, std::less<>>;

// {"dev": {"host": "x", "port": 8080}, ...}: scalar values become text; objects (per-environment
// settings such as SSLConfiguration) are not variables and are skipped.
Result<Table> parseTable(std::string_view text, const char* file) {
  Table out;
  if (text.empty()) return out;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return fail(ErrorCode::kParse, std::string(file) + " is not a JSON object of environments ({\"dev\": {\"host\": \"...\"}})");
  for (const auto& [env, vars] : j.items()) {
    if (!vars.is_object())
      return fail(ErrorCode::kParse, std::string(file) + ": environment '" + env + "' must be an object of variables");
    auto& t = out[env];
    for (const auto& [k, v] : vars.items()) {
      if (v.is_string()) t[k] = v.get<std::string>();
      else if (v.is_number() || v.is_boolean()) t[k] = v.dump();
    }
  }
  return out;
}

std::string readFile(const std::string& path, bool& found) {
  std::ifstream in(path, std::ios::binary);
  found = static_cast<bool>(in);
  if (!found) return {};
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

uint64_t randomU64() {
  uint64_t v = 0;
  RAND_bytes(reinterpret_cast<unsigned char*>(&v), sizeof v);
  return v;
}

std::string uuidV4() {
  unsigned char b[16];
  RAND_bytes(b, sizeof b);
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[b[i] >> 4];
    out += kHex[b[i] & 15];
  }
  return out;
}

std::string isoNow() {
  auto now = std::chrono::system_clock::now();
  return isoTime(std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count());
}

bool parseInt(std::string_view s, int64_t& out) {
  s = http::trimOws(s);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

// "$random.integer(a, b)": a <= n < b, as JetBrains documents.
Result<std::string> randomInteger(std::string_view args) {
  auto comma = args.find(',');
  int64_t lo = 0, hi = 0;
  if (comma == std::string_view::npos || !parseInt(args.substr(0, comma), lo) || !parseInt(args.substr(comma + 1), hi) || hi <= lo)
    return fail(ErrorCode::kInvalidArgument, "{{$random.integer(from, to)}} needs two integers with from < to");
  auto span = static_cast<uint64_t>(hi - lo);
  return std::to_string(lo + static_cast<int64_t>(randomU64() % span));
}

}  // namespace

const char* variableSourceName(VariableSource s) {
  switch (s) {
    case VariableSource::kInPlace: return "in-place";
    case VariableSource::kPrivateShared: return "private $shared";
    case VariableSource::kShared: return "$shared";
    case VariableSource::kPrivateEnvironment: return "private environment";
    case VariableSource::kEnvironment: return "environment";
    case VariableSource::kOverride: return "override";
  }
  return "?";
}

void VariableSet::set(const std::string& name, std::string value, VariableSource source, bool secret) {
  auto it = vars_.find(name);
  if (it != vars_.end() && it->second.source > source) return;
  vars_[name] = Variable{std::move(value), source, secret};
}

const Variable* VariableSet::find(std::string_view name) const {
  auto it = vars_.find(name);
  return it == vars_.end() ? nullptr : &it->second;
}

Result<Environments> Environments::parse(std::string_view publicJson, std::string_view privateJson) {
  Environments e;
  auto pub = parseTable(publicJson, kPublicEnvFile);
  if (!pub) return unexpected(pub.error());
  auto priv = parseTable(privateJson, kPrivateEnvFile);
  if (!priv) return unexpected(priv.error());
  e.public_ = std::move(*pub);
  e.private_ = std::move(*priv);
  return e;
}

Result<Environments> Environments::load(const std::string& dir) {
  bool found = false;
  std::string pub = readFile(dir + "/" + kPublicEnvFile, found);
  std::string priv = readFile(dir + "/" + kPrivateEnvFile, found);
  auto e = parse(pub, priv);
  if (!e) return fail(e.error().code, dir + "/" + e.error().message);
  return e;
}

std::vector<std::string> Environments::names() const {
  std::map<std::string, int> seen;
  for (const auto& [k, v] : public_) seen[k];
  for (const auto& [k, v] : private_) seen[k];
  std::vector<std::string> out;
  for (const auto& [k, v] : seen)
    if (k != "$shared") out.push_back(k);
  return out;
}

bool Environments::has(std::string_view name) const { return public_.count(name) > 0 || private_.count(name) > 0; }

Status Environments::apply(std::string_view name, VariableSet& set) const {
  if (!name.empty() && !has(name)) {
    std::string known;
    for (const auto& n : names()) known += (known.empty() ? "" : ", ") + n;
    return fail(ErrorCode::kNotFound, "no environment '" + std::string(name) + "' in " + kPublicEnvFile + " or " + kPrivateEnvFile +
                                          (known.empty() ? " (no environments defined)" : " (known: " + known + ")"));
  }
  auto add = [&](const Table& t, std::string_view env, VariableSource src, bool secret) {
    auto it = t.find(env);
    if (it == t.end()) return;
    for (const auto& [k, v] : it->second) set.set(k, v, src, secret);
  };
  add(public_, "$shared", VariableSource::kShared, false);
  add(private_, "$shared", VariableSource::kPrivateShared, true);
  if (!name.empty()) {
    add(public_, name, VariableSource::kEnvironment, false);
    add(private_, name, VariableSource::kPrivateEnvironment, true);
  }
  return {};
}

Result<std::string> dynamicVariable(std::string_view name) {
  if (name == "$uuid" || name == "$random.uuid") return uuidV4();
  if (name == "$timestamp") {
    auto s = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    return std::to_string(s);
  }
  if (name == "$isoTimestamp") return isoNow();
  if (name == "$randomInt") return std::to_string(randomU64() % 1001);  // 0..1000, as JetBrains documents
  if (name.starts_with("$random.integer(") && name.ends_with(")"))
    return randomInteger(name.substr(16, name.size() - 17));
  return fail(ErrorCode::kNotFound, "unknown dynamic variable {{" + std::string(name) +
                                        "}} (known: $uuid, $timestamp, $isoTimestamp, $randomInt, $random.uuid, $random.integer(a, b))");
}

std::vector<VariableRef> findVariableRefs(std::string_view text) {
  std::vector<VariableRef> out;
  size_t pos = 0;
  while ((pos = text.find("{{", pos)) != std::string_view::npos) {
    size_t close = text.find("}}", pos + 2);
    if (close == std::string_view::npos) break;
    out.push_back({pos, close + 2 - pos, std::string(http::trimOws(text.substr(pos + 2, close - pos - 2)))});
    pos = close + 2;
  }
  return out;
}

namespace {

Result<std::string> substituteAt(std::string_view text, const VariableSet& vars, std::string_view where, SubstituteTrace* trace,
                                 const SubstituteLimits& limits, int depth) {
  if (depth > limits.maxDepth)
    return fail(ErrorCode::kLimit, "variables nest deeper than " + std::to_string(limits.maxDepth) + " levels in " +
                                       std::string(where) + " (a variable that refers to itself?)");
  std::string out;
  size_t last = 0;
  for (const auto& ref : findVariableRefs(text)) {
    out.append(text.substr(last, ref.offset - last));
    last = ref.offset + ref.length;
    if (!ref.name.empty() && ref.name.front() == '$') {
      auto v = dynamicVariable(ref.name);
      if (!v) return fail(v.error().code, v.error().message + " in " + std::string(where));
      out += *v;
      continue;
    }
    const Variable* v = vars.find(ref.name);
    if (!v)
      return fail(ErrorCode::kNotFound, "unresolved variable {{" + ref.name + "}} in " + std::string(where) +
                                            ": define it with '@" + ref.name + " = value', in " + kPublicEnvFile + ", or with --var " +
                                            ref.name + "=value");
    auto inner = substituteAt(v->value, vars, where, trace, limits, depth + 1);
    if (!inner) return inner;
    if (v->secret && trace && !inner->empty()) trace->secretValues.push_back(*inner);
    out += *inner;
    if (out.size() > limits.maxOutputBytes)
      return fail(ErrorCode::kLimit, std::string(where) + " grows past " + std::to_string(limits.maxOutputBytes) + " bytes after substitution");
  }
  out.append(text.substr(last));
  return out;
}

}  // namespace

Result<std::string> substitute(std::string_view text, const VariableSet& vars, std::string_view where, SubstituteTrace* trace,
                               const SubstituteLimits& limits) {
  return substituteAt(text, vars, where, trace, limits, 0);
}

}  // namespace sluice::workspace
