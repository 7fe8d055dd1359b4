#include "engine/http/serializer.h"

#include <charconv>
#include <ctime>

namespace sluice::http {

namespace {
void appendUint(std::string& out, uint64_t v) {
  char buf[24];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, p);
}
void appendHeaders(std::string& out, const Headers& headers) {
  for (const auto& h : headers) {
    out += h.name;
    out += ": ";
    out += h.value;
    out += "\r\n";
  }
  out += "\r\n";
}
}  // namespace

void appendResponseHead(std::string& out, int versionMinor, int status, std::string_view reason, const Headers& headers) {
  out += versionMinor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ";
  appendUint(out, static_cast<uint64_t>(status));
  out += ' ';
  out += reason.empty() ? reasonPhrase(status) : reason;
  out += "\r\n";
  appendHeaders(out, headers);
}

void appendRequestHead(std::string& out, std::string_view method, std::string_view target, const Headers& headers) {
  out += method;
  out += ' ';
  out += target;
  out += " HTTP/1.1\r\n";
  appendHeaders(out, headers);
}

void appendChunkHeader(std::string& out, uint64_t n) {
  char buf[24];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, n, 16);
  out.append(buf, p);
  out += "\r\n";
}

void appendChunk(std::string& out, std::string_view data) {
  if (data.empty()) return;
  appendChunkHeader(out, data.size());
  out += data;
  out += "\r\n";
}

void appendLastChunk(std::string& out) { out += "0\r\n\r\n"; }

std::string formatHttpDate(int64_t unixSeconds) {
  std::time_t t = static_cast<std::time_t>(unixSeconds);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[40];
  size_t n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(buf, n);
}

std::string_view httpDate() {
  thread_local std::time_t cachedAt = 0;
  thread_local std::string cached;
  std::time_t now = std::time(nullptr);
  if (now != cachedAt) {
    cachedAt = now;
    cached = formatHttpDate(now);
  }
  return cached;
}

}  // namespace sluice::http
