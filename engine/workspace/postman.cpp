// Postman Collection v2.1 -> .http files.
#include "engine/workspace/postman.h"

#include <filesystem>
#include <nlohmann/json.hpp>

namespace sluice::workspace {
namespace {

using Json = nlohmann::json;

struct Ctx {
  PostmanImport out;
  std::vector<std::string> collectionVars;  // "@k = v" lines
};

std::string str(const Json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

// A file or folder name from a Postman name: path separators and control characters become '_'.
std::string safeName(std::string name) {
  for (char& c : name)
    if (c == '/' || c == '\\' || static_cast<unsigned char>(c) < 0x20) c = '_';
  if (name.empty() || name == "." || name == "..") name = "unnamed";
  return name;
}

// A variable-name slug from a request name.
std::string slug(std::string_view name) {
  std::string out;
  for (char c : name) out += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_';
  return out.empty() ? "request" : out;
}

std::string urlOf(const Json& url) {
  if (url.is_string()) return url.get<std::string>();
  return str(url, "raw");
}

std::string authParam(const Json& auth, const char* type, const char* key) {
  if (!auth.contains(type)) return {};
  const Json& p = auth[type];
  if (p.is_array()) {
    for (const auto& kv : p)
      if (str(kv, "key") == key) return kv.contains("value") && kv["value"].is_string() ? kv["value"].get<std::string>() : kv.value("value", Json()).dump();
  } else if (p.is_object()) {
    return str(p, key);
  }
  return {};
}

// A value that is already "{{var}}" is used as it is; a literal goes into an in-place variable.
std::string asVariable(const std::string& value, const std::string& var, HttpRequest& r) {
  if (value.starts_with("{{") && value.ends_with("}}") && value.find("{{", 2) == std::string::npos) return value;
  r.preamble.push_back("@" + var + " = " + value);
  return "{{" + var + "}}";
}

void applyAuth(const Json& auth, const std::string& name, HttpRequest& r, Ctx& ctx) {
  std::string type = str(auth, "type");
  if (type.empty() || type == "noauth" || type == "inherit") return;
  auto add = [&](std::string value) { r.headers.push_back({.name = "Authorization", .value = std::move(value), .comment = false, .raw = {}}); };
  std::string s = slug(name);
  if (type == "bearer") {
    add("Bearer " + asVariable(authParam(auth, "bearer", "token"), s + "_token", r));
  } else if (type == "basic") {
    // "Basic user password" (two words) is encoded by the sender, as the JetBrains client does.
    std::string user = asVariable(authParam(auth, "basic", "username"), s + "_username", r);
    std::string password = asVariable(authParam(auth, "basic", "password"), s + "_password", r);
    add("Basic " + user + " " + password);
  } else {
    ctx.out.notCarriedOver.push_back("auth of type '" + type + "' of request '" + name + "'");
  }
}

void addBodyLines(HttpRequest& r, const std::string& body) {
  r.blankAfterHeaders = true;
  r.body = body;
}

bool hasHeader(const HttpRequest& r, std::string_view name) {
  for (const auto& h : r.headers)
    if (!h.comment && h.name.size() == name.size() && std::equal(h.name.begin(), h.name.end(), name.begin(),
                                                                   [](char a, char b) { return std::tolower(a) == std::tolower(b); }))
      return true;
  return false;
}

void setContentType(HttpRequest& r, std::string value) {
  if (!hasHeader(r, "Content-Type")) r.headers.push_back({.name = "Content-Type", .value = std::move(value), .comment = false, .raw = {}});
}

void urlencodedBody(const Json& params, HttpRequest& r) {
  std::string body;
  for (const auto& p : params) {
    if (p.value("disabled", false)) continue;
    body += (body.empty() ? "" : "&") + str(p, "key") + "=" + str(p, "value");
  }
  setContentType(r, "application/x-www-form-urlencoded");
  addBodyLines(r, body);
}

void formdataBody(const Json& params, const std::string& name, HttpRequest& r, Ctx& ctx) {
  const std::string boundary = "SluiceFormBoundary";
  std::string body;
  for (const auto& p : params) {
    if (p.value("disabled", false)) continue;
    if (str(p, "type") == "file") {
      ctx.out.notCarriedOver.push_back("form-data file field '" + str(p, "key") + "' of request '" + name + "'");
      continue;
    }
    body += "--" + boundary + "\nContent-Disposition: form-data; name=\"" + str(p, "key") + "\"\n\n" + str(p, "value") + "\n";
  }
  body += "--" + boundary + "--";
  setContentType(r, "multipart/form-data; boundary=" + boundary);
  addBodyLines(r, body);
}

void applyBody(const Json& body, const std::string& name, HttpRequest& r, Ctx& ctx) {
  std::string mode = str(body, "mode");
  if (mode.empty() || body.value("disabled", false)) return;
  if (mode == "raw") {
    auto lang = body.contains("options") ? body["options"].value("raw", Json::object()).value("language", std::string()) : std::string();
    if (lang == "json") setContentType(r, "application/json");
    else if (lang == "xml") setContentType(r, "application/xml");
    auto raw = str(body, "raw");
    for (auto& c : raw)
      if (c == '\r') c = '\n';
    if (!raw.empty()) addBodyLines(r, raw);
  } else if (mode == "urlencoded") {
    urlencodedBody(body.value("urlencoded", Json::array()), r);
  } else if (mode == "formdata") {
    formdataBody(body.value("formdata", Json::array()), name, r, ctx);
  } else if (mode == "file" && body.contains("file") && !str(body["file"], "src").empty()) {
    addBodyLines(r, "< " + str(body["file"], "src"));
  } else {
    ctx.out.notCarriedOver.push_back("body of mode '" + mode + "' of request '" + name + "'");
  }
}

HttpRequest convertRequest(const Json& item, const Json& inheritedAuth, Ctx& ctx) {
  std::string name = str(item, "name");
  const Json& rq = item["request"];
  HttpRequest r;
  r.hasRequest = true;
  r.separator = "### " + name;
  if (rq.is_string()) {  // a bare URL
    r.method = "GET";
    r.url = rq.get<std::string>();
  } else {
    r.method = str(rq, "method").empty() ? "GET" : str(rq, "method");
    r.url = urlOf(rq.value("url", Json()));
    for (const auto& h : rq.value("header", Json::array())) {
      if (h.value("disabled", false)) r.headers.push_back({.name = {}, .value = {}, .comment = true, .raw = "# (disabled) " + str(h, "key") + ": " + str(h, "value")});
      else r.headers.push_back({.name = str(h, "key"), .value = str(h, "value"), .comment = false, .raw = {}});
    }
    const Json& auth = rq.contains("auth") && str(rq["auth"], "type") != "inherit" ? rq["auth"] : inheritedAuth;
    applyAuth(auth, name, r, ctx);
    if (rq.contains("body")) applyBody(rq["body"], name, r, ctx);
  }
  if (r.url.empty()) r.url = "http://{{host}}/";
  if (r.url.find(' ') != std::string::npos) {
    for (auto& c : r.url)
      if (c == ' ') c = '+';
    ctx.out.notCarriedOver.push_back("spaces in the URL of request '" + name + "' (written as '+')");
  }
  if (item.contains("event") && item["event"].is_array())
    for (const auto& e : item["event"]) ctx.out.notCarriedOver.push_back(str(e, "listen") + " script of request '" + name + "'");
  r.trailingBlankLines = 1;
  return r;
}

void convertFolder(const Json& items, const std::string& dir, const std::string& fileName, const Json& auth, Ctx& ctx);

void convertItems(const Json& items, HttpFile& file, const std::string& dir, const Json& auth, Ctx& ctx) {
  for (const auto& item : items) {
    if (item.contains("item")) {
      const Json& folderAuth = item.contains("auth") ? item["auth"] : auth;
      std::string sub = dir.empty() ? safeName(str(item, "name")) : dir + "/" + safeName(str(item, "name"));
      convertFolder(item["item"], sub, safeName(str(item, "name")) + ".http", folderAuth, ctx);
      if (item.contains("event")) ctx.out.notCarriedOver.push_back("scripts of folder '" + str(item, "name") + "'");
    } else if (item.contains("request")) {
      file.blocks.push_back(convertRequest(item, auth, ctx));
      ++ctx.out.requests;
    }
  }
}

void convertFolder(const Json& items, const std::string& dir, const std::string& fileName, const Json& auth, Ctx& ctx) {
  HttpFile file;
  HttpRequest vars;  // a first block holding the collection variables
  vars.preamble = ctx.collectionVars;
  if (!vars.preamble.empty()) vars.trailingBlankLines = 1, file.blocks.push_back(vars);
  size_t at = ctx.out.files.size();
  ctx.out.files.push_back({});
  convertItems(items, file, dir, auth, ctx);
  if (!file.blocks.empty()) file.blocks.back().trailingBlankLines = 0;
  if (file.requestIndexes().empty()) {
    ctx.out.files.erase(ctx.out.files.begin() + static_cast<std::ptrdiff_t>(at));
    return;
  }
  ctx.out.files[at] = {dir.empty() ? fileName : dir + "/" + fileName, std::move(file)};
}

}  // namespace

Result<PostmanImport> importPostman(std::string_view text) {
  auto j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return fail(ErrorCode::kParse, "not a Postman collection: the text is not a JSON object");
  std::string schema = j.contains("info") ? str(j["info"], "schema") : "";
  if (schema.find("/v2.1") == std::string::npos)
    return fail(ErrorCode::kParse, "not a Postman Collection v2.1 (info.schema is '" + schema +
                                       "'); export the collection from Postman as \"Collection v2.1\"");
  if (!j.contains("item") || !j["item"].is_array()) return fail(ErrorCode::kParse, "the collection has no \"item\" list");
  Ctx ctx;
  for (const auto& v : j.value("variable", Json::array())) {
    if (v.value("disabled", false)) continue;
    const Json& val = v.value("value", Json());
    ctx.collectionVars.push_back("@" + str(v, "key") + " = " + (val.is_string() ? val.get<std::string>() : val.is_null() ? "" : val.dump()));
  }
  if (j.contains("event")) ctx.out.notCarriedOver.push_back("collection-level scripts");
  std::string name = safeName(j["info"].value("name", std::string("collection")));
  convertFolder(j["item"], "", name + ".http", j.value("auth", Json::object()), ctx);
  return std::move(ctx.out);
}

Status writePostmanImport(const PostmanImport& import, const std::string& dir) {
  namespace fs = std::filesystem;
  for (const auto& f : import.files)
    if (fs::exists(fs::path(dir) / f.path)) return fail(ErrorCode::kExists, "'" + (fs::path(dir) / f.path).string() + "' exists; import into an empty folder");
  for (const auto& f : import.files) {
    auto path = fs::path(dir) / f.path;
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    if (ec) return fail(ErrorCode::kSystem, "cannot create '" + path.parent_path().string() + "': " + ec.message());
    if (auto st = saveHttpFile(path.string(), f.file); !st) return st;
  }
  return {};
}

}  // namespace sluice::workspace
