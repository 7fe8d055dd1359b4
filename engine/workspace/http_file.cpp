// The .http writer and the request accessors (names, scripts, variables).
#include "engine/workspace/http_file.h"
#include "engine/http/message.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace sluice::workspace {
namespace {

// "# @name X", "// @name X", "# @name = X": the name, or nullopt.
std::optional<std::string> nameTag(std::string_view line) {
  auto t = http::trimOws(line);
  if (t.starts_with("//")) t.remove_prefix(2);
  else if (t.starts_with("#")) t.remove_prefix(1);
  else return std::nullopt;
  t = http::trimOws(t);
  if (!t.starts_with("@name")) return std::nullopt;
  t.remove_prefix(5);
  if (!t.empty() && t.front() != ' ' && t.front() != '\t' && t.front() != '=') return std::nullopt;
  t = http::trimOws(t);
  if (t.starts_with("=")) t = http::trimOws(t.substr(1));
  return std::string(t);
}

}  // namespace

std::string HttpRequest::name() const {
  auto sep = http::trimOws(std::string_view(separator).substr(std::min<size_t>(3, separator.size())));
  while (sep.starts_with("#")) sep = http::trimOws(sep.substr(1));
  if (!sep.empty()) return std::string(sep);
  for (const auto& line : preamble)
    if (auto n = nameTag(line)) return *n;
  return {};
}

std::string HttpRequest::displayName() const {
  auto n = name();
  return n.empty() ? method + " " + fullUrl() : n;
}

void HttpRequest::setName(std::string_view newName) {
  for (auto& line : preamble)
    if (auto n = nameTag(line)) {
      line = line.substr(0, line.find("@name")) + "@name " + std::string(newName);
      return;
    }
  separator = "### " + std::string(newName);
}

std::string HttpRequest::fullUrl() const {
  std::string out = url;
  for (const auto& c : urlContinuation) out += http::trimOws(c);
  return out;
}

std::vector<Script> HttpRequest::scripts() const {
  std::vector<Script> out;
  auto collect = [&](const std::vector<std::string>& lines, std::string_view mark, Script::Kind kind) {
    for (const auto& line : lines) {
      auto t = http::trimOws(line);
      bool start = t.starts_with(mark) && !t.starts_with("<>");
      if (start) out.push_back({kind, std::string(line)});
      else if (!out.empty() && out.back().kind == kind && out.back().text.find("%}") == std::string::npos)
        out.back().text += "\n" + line;  // inside a multi-line "{% ... %}"
    }
  };
  collect(preamble, "<", Script::Kind::kPreRequest);
  collect(tail, ">", Script::Kind::kResponseHandler);
  return out;
}

std::string HttpRequest::bodyText() const {
  std::string_view b = body;
  while (!b.empty() && (b.back() == '\n' || b.back() == ' ' || b.back() == '\t')) {
    auto nl = b.rfind('\n');
    if (http::trimOws(b.substr(nl == std::string_view::npos ? 0 : nl + 1)).empty() && nl != std::string_view::npos) b = b.substr(0, nl);
    else break;
  }
  return std::string(b);
}

std::optional<std::string> HttpRequest::bodyFile() const {
  auto t = http::trimOws(bodyText());
  if (!t.starts_with("< ") || t.find('\n') != std::string_view::npos) return std::nullopt;
  return std::string(http::trimOws(t.substr(2)));
}

std::vector<size_t> HttpFile::requestIndexes() const {
  std::vector<size_t> out;
  for (size_t i = 0; i < blocks.size(); ++i)
    if (blocks[i].hasRequest) out.push_back(i);
  return out;
}

const HttpRequest* HttpFile::findByName(std::string_view name) const {
  for (const auto& b : blocks)
    if (b.hasRequest && b.name() == name) return &b;
  return nullptr;
}

std::vector<std::pair<std::string, std::string>> HttpFile::inPlaceVariables(size_t uptoBlock) const {
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i <= uptoBlock && i < blocks.size(); ++i)
    for (const auto& line : blocks[i].preamble) {
      auto t = http::trimOws(line);
      if (!t.starts_with("@")) continue;
      auto eq = t.find('=');
      if (eq == std::string_view::npos) continue;
      out.emplace_back(std::string(http::trimOws(t.substr(1, eq - 1))), std::string(http::trimOws(t.substr(eq + 1))));
    }
  return out;
}

std::string formatRequestLine(const HttpRequest& r) {
  std::string line = r.methodWritten ? r.method + " " + r.url : r.url;
  if (!r.version.empty()) line += " " + r.version;
  return line;
}

std::string formatHttpFile(const HttpFile& file) {
  std::vector<std::string_view> lines;
  std::vector<std::string> owned;  // generated lines (request lines, headers)
  owned.reserve(file.blocks.size() * 8);
  auto gen = [&](std::string s) { owned.push_back(std::move(s)); };
  std::vector<std::pair<bool, size_t>> order;  // (generated, index)
  auto put = [&](std::string_view v) { order.push_back({false, lines.size()}); lines.push_back(v); };
  auto putGen = [&](std::string s) { order.push_back({true, owned.size()}); gen(std::move(s)); };
  for (const auto& b : file.blocks) {
    if (!b.separator.empty()) put(b.separator);
    for (const auto& l : b.preamble) put(l);
    if (b.hasRequest) {
      putGen(formatRequestLine(b));
      for (const auto& c : b.urlContinuation) put(c);
      for (const auto& h : b.headers) h.comment ? put(h.raw) : putGen(h.name + ": " + h.value);
      if (b.blankAfterHeaders || !b.body.empty()) put("");
      if (!b.body.empty()) put(b.body);
      for (const auto& t : b.tail) put(t);
    }
    for (size_t i = 0; i < b.trailingBlankLines; ++i) put("");
  }
  const char* eol = file.crlf ? "\r\n" : "\n";
  std::string out;
  for (size_t i = 0; i < order.size(); ++i) {
    std::string_view v = order[i].first ? std::string_view(owned[order[i].second]) : lines[order[i].second];
    if (file.crlf) {
      for (char c : v) c == '\n' ? (void)out.append(eol) : out.push_back(c);
    } else {
      out.append(v);
    }
    if (i + 1 < order.size() || file.finalNewline) out += eol;
  }
  return out;
}

Result<HttpFile> loadHttpFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorCode::kNotFound, "cannot read '" + path + "': " + std::error_code(errno, std::generic_category()).message());
  std::ostringstream ss;
  ss << in.rdbuf();
  auto f = parseHttpFile(ss.str());
  if (!f) return fail(f.error().code, path + ": " + f.error().message);
  return f;
}

Status saveHttpFile(const std::string& path, const HttpFile& file) {
  std::string tmp = path + ".sluice-tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return fail(ErrorCode::kSystem, "cannot write '" + tmp + "': " + std::error_code(errno, std::generic_category()).message());
    auto text = formatHttpFile(file);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    if (!out.flush()) return fail(ErrorCode::kNoSpace, "cannot write '" + tmp + "' (disk full?)");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return fail(ErrorCode::kSystem, "cannot replace '" + path + "': " + ec.message());
  return {};
}

}  // namespace sluice::workspace
