#include "engine/http/message.h"

#include <algorithm>

namespace sluice::http {

namespace {
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

std::string_view trimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool hasToken(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    auto comma = value.find(',');
    std::string_view item = trimOws(value.substr(0, comma));
    if (iequals(item, token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

void Headers::set(std::string_view name, std::string value) {
  remove(name);
  items_.push_back({std::string(name), std::move(value)});
}

void Headers::remove(std::string_view name) {
  std::erase_if(items_, [&](const Header& h) { return iequals(h.name, name); });
}

const std::string* Headers::find(std::string_view name) const {
  for (const auto& h : items_)
    if (iequals(h.name, name)) return &h.value;
  return nullptr;
}

std::string_view Headers::get(std::string_view name, std::string_view fallback) const {
  const std::string* v = find(name);
  return v ? std::string_view(*v) : fallback;
}

size_t Headers::count(std::string_view name) const {
  return static_cast<size_t>(std::count_if(items_.begin(), items_.end(), [&](const Header& h) { return iequals(h.name, name); }));
}

namespace {
// Length of "http://" or "https://" at the start of an absolute-form target (RFC 9112 §3.2.2), else 0.
size_t schemePrefix(std::string_view t) {
  if (t.empty() || t.front() == '/') return 0;  // origin-form, the usual case
  for (std::string_view scheme : {std::string_view("http://"), std::string_view("https://")})
    if (t.size() >= scheme.size() && iequals(t.substr(0, scheme.size()), scheme)) return scheme.size();
  return 0;
}
}  // namespace

std::string_view RequestHead::authority() const {
  std::string_view t = target;
  size_t start = schemePrefix(t);
  if (start == 0) return {};
  t.remove_prefix(start);
  return t.substr(0, t.find_first_of("/?"));
}

std::string_view RequestHead::path() const {
  std::string_view t = target;
  if (size_t start = schemePrefix(t)) {
    // Absolute-form: the path starts after the authority; an empty path is "/".
    size_t slash = t.find_first_of("/?", start);
    if (slash == std::string_view::npos || t[slash] == '?') return "/";
    t.remove_prefix(slash);
  }
  auto q = t.find('?');
  return q == std::string_view::npos ? t : t.substr(0, q);
}

std::string_view RequestHead::query() const {
  std::string_view t = target;
  auto q = t.find('?');
  return q == std::string_view::npos ? std::string_view{} : t.substr(q + 1);
}

std::optional<std::string> RequestHead::queryParam(std::string_view name) const {
  std::string_view q = query();
  while (!q.empty()) {
    auto amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    auto eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    if (key == name) {
      std::string_view value = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
      return percentDecode(value, true);
    }
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

void RequestHead::clear() {
  method.clear();
  target.clear();
  versionMajor = versionMinor = 1;
  headers.clear();
  framing = {};
  expectContinue = false;
}

void ResponseHead::clear() {
  status = 200;
  reason.clear();
  versionMajor = versionMinor = 1;
  headers.clear();
  framing = {};
}

std::optional<std::string> percentDecode(std::string_view s, bool plusAsSpace) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int hi = hexValue(s[i + 1]);
      int lo = hexValue(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plusAsSpace) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string_view reasonPhrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 421: return "Misdirected Request";
    case 422: return "Unprocessable Content";
    case 425: return "Too Early";
    case 426: return "Upgrade Required";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    case 507: return "Insufficient Storage";
    default: break;
  }
  if (status >= 200 && status < 300) return "OK";
  if (status >= 300 && status < 400) return "Redirection";
  if (status >= 400 && status < 500) return "Client Error";
  if (status >= 500 && status < 600) return "Server Error";
  return "Unknown";
}

}  // namespace sluice::http
