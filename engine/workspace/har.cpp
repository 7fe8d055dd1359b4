// HAR 1.2 export and import (nlohmann-json: ordered objects so files diff cleanly).
#include "engine/workspace/har.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <nlohmann/json.hpp>

#include "engine/http/message.h"

namespace sluice::workspace {
namespace {

using Json = nlohmann::ordered_json;

std::string redactSecrets(std::string text, const HarEntry& e, const HarOptions& o) {
  if (o.includeSecrets) return text;
  for (const auto& s : e.secretValues) {
    if (s.empty()) continue;
    for (size_t p = text.find(s); p != std::string::npos; p = text.find(s, p + 10)) text.replace(p, s.size(), "<redacted>");
  }
  return text;
}

bool isCredentialHeader(std::string_view name) {
  return http::iequals(name, "Authorization") || http::iequals(name, "Proxy-Authorization");
}

Json headerArray(const HeaderList& headers, const HarEntry& e, const HarOptions& o) {
  Json arr = Json::array();
  for (const auto& [k, v] : headers) {
    std::string value = !o.includeSecrets && isCredentialHeader(k) ? redactAuthorization(v) : redactSecrets(v, e, o);
    arr.push_back(Json{{"name", k}, {"value", value}});
  }
  return arr;
}

std::string headerValue(const HeaderList& headers, std::string_view name) {
  for (const auto& [k, v] : headers)
    if (http::iequals(k, name)) return v;
  return {};
}

Json queryString(std::string_view url) {
  Json arr = Json::array();
  auto q = url.find('?');
  if (q == std::string_view::npos) return arr;
  auto query = url.substr(q + 1, url.find('#') == std::string_view::npos ? std::string_view::npos : url.find('#') - q - 1);
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    auto eq = pair.find('=');
    if (!pair.empty())
      arr.push_back(Json{{"name", std::string(pair.substr(0, eq))},
                         {"value", eq == std::string_view::npos ? std::string() : std::string(pair.substr(eq + 1))}});
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return arr;
}

Json requestJson(const HarEntry& e, const HarOptions& o) {
  Json r{{"method", e.method}, {"url", redactSecrets(e.url, e, o)}, {"httpVersion", e.httpVersion}, {"cookies", Json::array()},
         {"headers", headerArray(e.requestHeaders, e, o)}, {"queryString", queryString(redactSecrets(e.url, e, o))},
         {"headersSize", -1}, {"bodySize", e.requestBodySize}};
  if (!e.requestBody.empty() || e.requestBodySize > 0) {
    auto mime = headerValue(e.requestHeaders, "Content-Type");
    r["postData"] = Json{{"mimeType", mime.empty() ? "application/octet-stream" : mime}, {"text", redactSecrets(e.requestBody, e, o)}};
  }
  return r;
}

Json responseJson(const HarEntry& e, const HarOptions& o) {
  auto mime = headerValue(e.responseHeaders, "Content-Type");
  Json content{{"size", e.responseBodySize < 0 ? 0 : e.responseBodySize}, {"mimeType", mime.empty() ? "x-unknown" : mime}};
  if (e.responseBodyKept) content["text"] = redactSecrets(e.responseBody, e, o);
  Json r{{"status", e.status}, {"statusText", e.statusText}, {"httpVersion", e.status ? e.responseVersion : ""},
         {"cookies", Json::array()}, {"headers", headerArray(e.responseHeaders, e, o)}, {"content", content},
         {"redirectURL", headerValue(e.responseHeaders, "Location")}, {"headersSize", -1}, {"bodySize", e.responseBodySize}};
  if (!e.error.empty()) r["_error"] = e.error;
  return r;
}

Json timingsJson(const HarTimings& t) {
  return Json{{"blocked", t.blocked}, {"dns", t.dns}, {"connect", t.connect}, {"ssl", t.ssl},
              {"send", t.send}, {"wait", t.wait}, {"receive", t.receive}};
}

}  // namespace

double HarTimings::total() const {
  double sum = 0;
  for (double v : {blocked, dns, connect, send, wait, receive})
    if (v > 0) sum += v;  // ssl is included in connect (HAR 1.2)
  return std::round(sum * 1000.0) / 1000.0;  // microseconds: the clock's resolution
}

HarTimings harTimingsFrom(const PhaseEnds& t, bool reused) {
  auto ms = [](uint64_t us) { return static_cast<double>(us) / 1000.0; };
  HarTimings h;
  uint64_t ready = 0;  // when the connection was ready to write
  if (!reused) {
    if (t.dnsUs) h.dns = ms(t.dnsUs);
    if (t.connectUs) h.connect = ms(t.connectUs - std::min(t.dnsUs, t.connectUs));
    ready = std::max(t.dnsUs, t.connectUs);
  }
  h.send = t.writtenUs >= ready ? ms(t.writtenUs - ready) : 0;
  h.wait = t.firstByteUs >= t.writtenUs ? ms(t.firstByteUs - t.writtenUs) : 0;
  h.receive = t.completeUs >= t.firstByteUs ? ms(t.completeUs - t.firstByteUs) : 0;
  return h;
}

std::string redactAuthorization(std::string_view value) {
  auto t = http::trimOws(value);
  auto sp = t.find(' ');
  return sp == std::string_view::npos ? std::string("<redacted>") : std::string(t.substr(0, sp)) + " <redacted>";
}

std::string isoTime(int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

std::string writeHar(const std::vector<HarEntry>& entries, const HarOptions& o) {
  Json list = Json::array();
  for (const auto& e : entries) {
    Json entry{{"startedDateTime", isoTime(e.startedMs)}, {"time", e.timings.total()}, {"request", requestJson(e, o)},
               {"response", responseJson(e, o)}, {"cache", Json::object()}, {"timings", timingsJson(e.timings)}};
    if (!e.serverIPAddress.empty()) entry["serverIPAddress"] = e.serverIPAddress;
    if (!e.connection.empty()) entry["connection"] = e.connection;
    if (!e.name.empty()) entry["comment"] = e.name;
    entry["_sluice"] = Json{{"reused", e.reused}, {"reuseVerdict", e.reuseVerdict}, {"releasePolicy", e.releasePolicy},
                            {"bytesDrained", e.bytesDrained}, {"secretsIncluded", o.includeSecrets}};
    list.push_back(std::move(entry));
  }
  Json doc{{"log", Json{{"version", "1.2"}, {"creator", Json{{"name", o.creatorName}, {"version", o.creatorVersion}}},
                        {"entries", std::move(list)}}}};
  return doc.dump(2) + "\n";
}

namespace {

HeaderList readHeaders(const Json& arr) {
  HeaderList out;
  if (!arr.is_array()) return out;
  for (const auto& h : arr)
    if (h.is_object() && h.contains("name") && h["name"].is_string())
      out.emplace_back(h["name"].get<std::string>(), h.value("value", std::string()));
  return out;
}

Result<HarEntry> readEntry(const Json& j, size_t index) {
  auto where = "HAR entry " + std::to_string(index + 1);
  if (!j.is_object() || !j.contains("request") || !j["request"].is_object())
    return fail(ErrorCode::kParse, where + " has no \"request\" object");
  const Json& rq = j["request"];
  if (!rq.contains("method") || !rq["method"].is_string() || !rq.contains("url") || !rq["url"].is_string())
    return fail(ErrorCode::kParse, where + ": \"request\" needs \"method\" and \"url\" strings");
  HarEntry e;
  e.method = rq["method"].get<std::string>();
  e.url = rq["url"].get<std::string>();
  e.httpVersion = rq.value("httpVersion", std::string("HTTP/1.1"));
  e.requestHeaders = readHeaders(rq.value("headers", Json::array()));
  if (rq.contains("postData") && rq["postData"].is_object()) e.requestBody = rq["postData"].value("text", std::string());
  e.requestBodySize = rq.value("bodySize", int64_t(-1));
  e.name = j.value("comment", std::string());
  e.connection = j.value("connection", std::string());
  e.serverIPAddress = j.value("serverIPAddress", std::string());
  if (j.contains("response") && j["response"].is_object()) {
    const Json& rs = j["response"];
    e.status = rs.value("status", 0);
    e.statusText = rs.value("statusText", std::string());
    e.responseHeaders = readHeaders(rs.value("headers", Json::array()));
    if (rs.contains("content") && rs["content"].is_object() && rs["content"].contains("text")) {
      e.responseBody = rs["content"].value("text", std::string());
      e.responseBodyKept = true;
    }
    e.responseBodySize = rs.value("bodySize", int64_t(-1));
  }
  return e;
}

// "2026-12-01T22:35:09.123Z" (offsets other than Z are read as UTC); 0 when unreadable.
int64_t parseIsoTime(const std::string& text) {
  std::tm tm{};
  int ms = 0;
  int n = std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                      &tm.tm_sec, &ms);
  if (n < 6) return 0;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&tm)) * 1000 + (n == 7 ? ms : 0);
}

}  // namespace

Result<std::vector<HarEntry>> readHar(std::string_view json) {
  auto j = Json::parse(json, nullptr, false);
  if (j.is_discarded()) return fail(ErrorCode::kParse, "not a HAR file: the text is not JSON");
  if (!j.is_object() || !j.contains("log") || !j["log"].is_object() || !j["log"].contains("entries") || !j["log"]["entries"].is_array())
    return fail(ErrorCode::kParse, "not a HAR file: it needs {\"log\": {\"entries\": [...]}}");
  std::vector<HarEntry> out;
  const Json& entries = j["log"]["entries"];
  for (size_t i = 0; i < entries.size(); ++i) {
    auto e = readEntry(entries[i], i);
    if (!e) return unexpected(e.error());
    if (entries[i].contains("startedDateTime") && entries[i]["startedDateTime"].is_string())
      e->startedMs = parseIsoTime(entries[i]["startedDateTime"].get<std::string>());
    out.push_back(std::move(*e));
  }
  return out;
}

}  // namespace sluice::workspace

namespace sluice::workspace {

HttpRequest requestFromHarEntry(const HarEntry& e) {
  HttpRequest r;
  r.hasRequest = true;
  r.separator = "### " + (e.name.empty() ? e.method + " " + e.url : e.name);
  r.method = e.method;
  r.url = e.url;
  static constexpr std::string_view kHopByHop[] = {"Host", "Content-Length", "Transfer-Encoding", "Connection"};
  for (const auto& [k, v] : e.requestHeaders) {
    bool skip = false;
    for (auto h : kHopByHop) skip |= http::iequals(k, h);
    if (skip) continue;
    bool redacted = v.find("<redacted>") != std::string::npos;
    r.headers.push_back({.name = k, .value = redacted ? "{{" + std::string(isCredentialHeader(k) ? "authorization" : "secret") + "}}" : v,
                         .comment = false, .raw = {}});
  }
  if (!e.requestBody.empty()) {
    r.blankAfterHeaders = true;
    r.body = e.requestBody;
  }
  r.trailingBlankLines = 1;
  return r;
}

HttpFile httpFileFromHar(const std::vector<HarEntry>& entries) {
  HttpFile f;
  for (const auto& e : entries) f.blocks.push_back(requestFromHarEntry(e));
  if (!f.blocks.empty()) f.blocks.back().trailingBlankLines = 0;
  return f;
}

}  // namespace sluice::workspace
