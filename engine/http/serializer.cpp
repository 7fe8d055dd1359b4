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

}  // namespace sluice::http
