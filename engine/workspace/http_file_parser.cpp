// The .http parser: splits the text into "###" blocks and each block into preamble,
// request line, headers, body and tail. Unstructured lines are kept verbatim.
#include <cctype>

#include "engine/workspace/http_file.h"

namespace sluice::workspace {
namespace {

bool isBlank(std::string_view line) {
  for (char c : line)
    if (c != ' ' && c != '\t') return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool startsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

bool isComment(std::string_view line) {
  auto t = trim(line);
  return startsWith(t, "#") || startsWith(t, "//");
}

bool isPreRequestScript(std::string_view line) {
  auto t = trim(line);
  return startsWith(t, "< {%") || (startsWith(t, "< ") && t.ends_with(".js"));
}

// A response handler or reference: "> {% ... %}", "> file.js", ">> file", ">>! file", "<> file".
bool isTailStart(std::string_view line) {
  auto t = trim(line);
  return startsWith(t, ">") || startsWith(t, "<>");
}

// Consumes a "{% ... %}" script starting at lines[i]; returns the index of its last line.
size_t scriptEnd(const std::vector<std::string_view>& lines, size_t i, size_t end) {
  if (lines[i].find("{%") == std::string_view::npos) return i;
  for (size_t j = i; j < end; ++j)
    if (lines[j].find("%}", j == i ? lines[i].find("{%") + 2 : 0) != std::string_view::npos) return j;
  return end - 1;
}

bool isMethodToken(std::string_view t) {
  if (t.empty()) return false;
  for (char c : t)
    if (!(c >= 'A' && c <= 'Z') && c != '-' && c != '_') return false;
  return true;
}

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') {
      // "{{$random.integer(1, 9)}}" is one word
      size_t close = s.substr(i, 2) == "{{" ? s.find("}}", i + 2) : std::string_view::npos;
      i = close == std::string_view::npos ? i + 1 : close + 2;
    }
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

Status parseRequestLine(std::string_view line, size_t lineNo, HttpRequest& r) {
  auto w = words(line);
  size_t k = 0;
  if (w.size() >= 2 && isMethodToken(w[0])) {
    r.method = std::string(w[0]);
    k = 1;
  } else {
    r.method = "GET";
    r.methodWritten = false;
  }
  r.url = std::string(w[k++]);
  if (k < w.size() && startsWith(w[k], "HTTP/")) r.version = std::string(w[k++]);
  if (k != w.size())
    return fail(ErrorCode::kParse, "line " + std::to_string(lineNo) + ": a request line is '[METHOD] URL [HTTP/1.1]', found '" +
                                       std::string(line) + "'");
  return {};
}

struct BlockLines {
  std::vector<std::string_view> lines;
  size_t firstLine = 0;  // 1-based line number of lines[0]
};

Status parseHeaders(const BlockLines& b, size_t& i, size_t end, HttpRequest& r) {
  for (; i < end && !isBlank(b.lines[i]) && !isTailStart(b.lines[i]); ++i) {
    std::string_view line = b.lines[i];
    if (isComment(line)) {
      r.headers.push_back({.name = {}, .value = {}, .comment = true, .raw = std::string(line)});
      continue;
    }
    auto colon = line.find(':');
    auto name = colon == std::string_view::npos ? std::string_view{} : trim(line.substr(0, colon));
    if (name.empty() || name.find_first_of(" \t") != std::string_view::npos)
      return fail(ErrorCode::kParse, "line " + std::to_string(b.firstLine + i) + ": a header is 'Name: value', found '" +
                                         std::string(line) + "' (put a blank line before the body)");
    r.headers.push_back({.name = std::string(name), .value = std::string(trim(line.substr(colon + 1))), .comment = false, .raw = {}});
  }
  return {};
}

Result<HttpRequest> parseBlock(const BlockLines& b, std::string separator) {
  HttpRequest r;
  r.separator = std::move(separator);
  r.firstLine = b.firstLine;
  size_t end = b.lines.size();
  while (end > 0 && b.lines[end - 1].empty()) --end, ++r.trailingBlankLines;
  size_t i = 0;
  for (; i < end; ++i) {
    std::string_view line = b.lines[i];
    bool pre = isBlank(line) || isComment(line) || startsWith(trim(line), "@") || isPreRequestScript(line);
    if (!pre) break;
    size_t last = isPreRequestScript(line) ? scriptEnd(b.lines, i, end) : i;
    for (; i <= last; ++i) r.preamble.emplace_back(b.lines[i]);
    --i;
  }
  if (i == end) return r;
  r.hasRequest = true;
  if (auto st = parseRequestLine(b.lines[i], b.firstLine + i, r); !st) return unexpected(st.error());
  for (++i; i < end && !b.lines[i].empty() && (b.lines[i][0] == ' ' || b.lines[i][0] == '\t') &&
            (startsWith(trim(b.lines[i]), "?") || startsWith(trim(b.lines[i]), "&"));
       ++i)
    r.urlContinuation.emplace_back(b.lines[i]);
  if (auto st = parseHeaders(b, i, end, r); !st) return unexpected(st.error());
  if (i < end && isBlank(b.lines[i]) && b.lines[i].empty()) r.blankAfterHeaders = true, ++i;
  size_t bodyStart = i;
  while (i < end && !isTailStart(b.lines[i])) ++i;
  for (size_t j = bodyStart; j < i; ++j) {
    if (j > bodyStart) r.body += '\n';
    r.body.append(b.lines[j]);
  }
  for (; i < end; ++i) r.tail.emplace_back(b.lines[i]);
  return r;
}

}  // namespace

Result<HttpFile> parseHttpFile(std::string_view text) {
  HttpFile file;
  if (text.empty()) return file;
  file.crlf = text.find("\r\n") != std::string_view::npos && text.find("\r\n") + 1 == text.find('\n');
  file.finalNewline = text.back() == '\n';
  std::vector<std::string_view> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    if (file.crlf && !line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  BlockLines cur{.lines = {}, .firstLine = 1};
  std::string sep;
  bool any = false;
  auto flush = [&]() -> Status {
    if (!any && cur.lines.empty()) return {};
    auto r = parseBlock(cur, sep);
    if (!r) return unexpected(r.error());
    file.blocks.push_back(std::move(*r));
    return {};
  };
  for (size_t n = 0; n < lines.size(); ++n) {
    if (startsWith(lines[n], "###")) {
      if (auto st = flush(); !st) return unexpected(st.error());
      sep = std::string(lines[n]);
      any = true;
      cur = BlockLines{.lines = {}, .firstLine = n + 2};
      continue;
    }
    cur.lines.push_back(lines[n]);
  }
  if (auto st = flush(); !st) return unexpected(st.error());
  return file;
}

}  // namespace sluice::workspace
