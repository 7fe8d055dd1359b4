// Resolution of one .http request: variables, body file, scripts reported as not run.
#include "engine/workspace/resolve.h"

#include <openssl/evp.h>

#include <filesystem>

#include "engine/http/message.h"

namespace sluice::workspace {

Result<VariableSet> variablesFor(const HttpFile& file, size_t blockIndex, const ResolveContext& ctx) {
  VariableSet vars;
  for (auto& [k, v] : file.inPlaceVariables(blockIndex)) vars.set(k, v, VariableSource::kInPlace);
  if (ctx.environments) {
    if (auto st = ctx.environments->apply(ctx.environment, vars); !st) return unexpected(st.error());
  } else if (!ctx.environment.empty()) {
    return fail(ErrorCode::kNotFound, "environment '" + ctx.environment + "' asked for, but no " + kPublicEnvFile + " was found");
  }
  for (auto& [k, v] : ctx.overrides) vars.set(k, v, VariableSource::kOverride);
  return vars;
}

namespace {

// "Basic user password" (two words) becomes "Basic base64(user:password)", as the
// JetBrains client documents; a value that is already one token is left alone.
std::string basicAuth(std::string value) {
  std::string_view v = value;
  if (!v.starts_with("Basic ")) return value;
  auto rest = http::trimOws(v.substr(6));
  auto sp = rest.find(' ');
  if (sp == std::string_view::npos || rest.find(' ', sp + 1) != std::string_view::npos) return value;
  std::string plain = std::string(rest.substr(0, sp)) + ":" + std::string(rest.substr(sp + 1));
  std::string out(4 * ((plain.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(plain.data()),
                          static_cast<int>(plain.size()));
  out.resize(static_cast<size_t>(n));
  return "Basic " + out;
}

Status resolveBody(const HttpRequest& block, const VariableSet& vars, const ResolveContext& ctx, SubstituteTrace& trace,
                   ResolvedRequest& out) {
  const std::string where = "the body of request '" + out.name + "'";
  if (auto file = block.bodyFile()) {
    if (file->starts_with("@"))
      return fail(ErrorCode::kInvalidArgument, "'<@ file' (variables inside a body file) is not supported in " + where +
                                                   "; use '< file' to send the file as it is");
    auto path = substitute(*file, vars, where, &trace, ctx.limits);
    if (!path) return unexpected(path.error());
    std::filesystem::path p(*path);
    if (p.is_relative()) p = std::filesystem::path(ctx.baseDir.empty() ? "." : ctx.baseDir) / p;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(p, ec))
      return fail(ErrorCode::kNotFound, "the body file '" + p.lexically_normal().string() + "' of request '" + out.name + "' does not exist");
    out.bodyFile = p.lexically_normal().string();
    return {};
  }
  auto text = block.bodyText();
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    std::string_view line = std::string_view(text).substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    if (line.starts_with("< ") || line.starts_with("<@"))
      return fail(ErrorCode::kInvalidArgument, "a file inclusion ('" + std::string(line) + "') inside a larger body is not supported in " +
                                                   where + "; only a body that is one '< file' line is sent from a file");
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  auto body = substitute(text, vars, where, &trace, ctx.limits);
  if (!body) return unexpected(body.error());
  out.body = std::move(*body);
  return {};
}

}  // namespace

Result<ResolvedRequest> resolveRequest(const HttpFile& file, size_t blockIndex, const ResolveContext& ctx) {
  if (blockIndex >= file.blocks.size() || !file.blocks[blockIndex].hasRequest)
    return fail(ErrorCode::kNotFound, "block " + std::to_string(blockIndex) + " holds no request");
  const HttpRequest& block = file.blocks[blockIndex];
  auto vars = variablesFor(file, blockIndex, ctx);
  if (!vars) return unexpected(vars.error());
  ResolvedRequest out;
  out.name = block.displayName();
  out.method = block.method;
  SubstituteTrace trace;
  auto url = substitute(block.fullUrl(), *vars, "the URL of request '" + out.name + "'", &trace, ctx.limits);
  if (!url) return unexpected(url.error());
  out.url = std::move(*url);
  for (const auto& h : block.headers) {
    if (h.comment) continue;
    auto v = substitute(h.value, *vars, "header " + h.name + " of request '" + out.name + "'", &trace, ctx.limits);
    if (!v) return unexpected(v.error());
    out.headers.emplace_back(h.name, http::iequals(h.name, "Authorization") ? basicAuth(std::move(*v)) : std::move(*v));
  }
  if (auto st = resolveBody(block, *vars, ctx, trace, out); !st) return unexpected(st.error());
  out.secretValues = std::move(trace.secretValues);
  for (const auto& s : block.scripts()) {
    auto first = s.text.substr(0, s.text.find('\n'));
    out.notRun.push_back(std::string(s.kind == Script::Kind::kPreRequest ? "pre-request script" : "response handler") +
                         " not run: " + first);
  }
  return out;
}

}  // namespace sluice::workspace
