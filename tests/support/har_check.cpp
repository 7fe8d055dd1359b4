// HAR 1.2 checker: required fields and types, from the specification's object list.
#include "support/har_check.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <regex>

namespace sluice::test {
namespace {

using Json = nlohmann::json;
enum class T { kString, kInt, kNumber, kObject, kArray };

struct Checker {
  std::vector<std::string> problems;

  bool is(const Json& v, T t) {
    switch (t) {
      case T::kString: return v.is_string();
      case T::kInt: return v.is_number_integer();
      case T::kNumber: return v.is_number();
      case T::kObject: return v.is_object();
      case T::kArray: return v.is_array();
    }
    return false;
  }
  bool need(const Json& obj, const std::string& where, const char* field, T t) {
    if (!obj.contains(field)) return problems.push_back(where + "." + field + " is missing"), false;
    if (!is(obj[field], t)) return problems.push_back(where + "." + field + " has the wrong type"), false;
    return true;
  }
  void optional(const Json& obj, const std::string& where, const char* field, T t) {
    if (obj.contains(field) && !is(obj[field], t)) problems.push_back(where + "." + field + " has the wrong type");
  }
  void pairs(const Json& obj, const std::string& where, const char* field) {
    if (!need(obj, where, field, T::kArray)) return;
    for (size_t i = 0; i < obj[field].size(); ++i) {
      auto w = where + "." + field + "[" + std::to_string(i) + "]";
      need(obj[field][i], w, "name", T::kString);
      need(obj[field][i], w, "value", T::kString);
    }
  }
  void request(const Json& r, const std::string& w) {
    need(r, w, "method", T::kString);
    need(r, w, "url", T::kString);
    need(r, w, "httpVersion", T::kString);
    need(r, w, "cookies", T::kArray);
    pairs(r, w, "headers");
    pairs(r, w, "queryString");
    need(r, w, "headersSize", T::kInt);
    need(r, w, "bodySize", T::kInt);
    if (r.contains("postData") && need(r, w, "postData", T::kObject)) {
      need(r["postData"], w + ".postData", "mimeType", T::kString);
      optional(r["postData"], w + ".postData", "text", T::kString);
      optional(r["postData"], w + ".postData", "params", T::kArray);
    }
  }
  void response(const Json& r, const std::string& w) {
    need(r, w, "status", T::kInt);
    need(r, w, "statusText", T::kString);
    need(r, w, "httpVersion", T::kString);
    need(r, w, "cookies", T::kArray);
    pairs(r, w, "headers");
    if (need(r, w, "content", T::kObject)) {
      need(r["content"], w + ".content", "size", T::kInt);
      need(r["content"], w + ".content", "mimeType", T::kString);
      optional(r["content"], w + ".content", "text", T::kString);
      optional(r["content"], w + ".content", "compression", T::kInt);
    }
    need(r, w, "redirectURL", T::kString);
    need(r, w, "headersSize", T::kInt);
    need(r, w, "bodySize", T::kInt);
  }
  double timings(const Json& t, const std::string& w) {
    double sum = 0;
    for (const char* f : {"send", "wait", "receive"})
      if (need(t, w, f, T::kNumber)) {
        if (t[f].get<double>() < 0) problems.push_back(w + "." + f + " is negative");
        sum += std::max(0.0, t[f].get<double>());
      }
    for (const char* f : {"blocked", "dns", "connect", "ssl"}) {
      optional(t, w, f, T::kNumber);
      if (!t.contains(f) || !t[f].is_number()) continue;
      double v = t[f].get<double>();
      if (v < 0 && v != -1) problems.push_back(w + "." + f + " is negative but not -1");
      if (v > 0 && std::string(f) != "ssl") sum += v;  // ssl is part of connect
    }
    return sum;
  }
  void entry(const Json& e, const std::string& w) {
    static const std::regex kIso(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d))");
    if (need(e, w, "startedDateTime", T::kString) && !std::regex_match(e["startedDateTime"].get<std::string>(), kIso))
      problems.push_back(w + ".startedDateTime is not ISO 8601");
    need(e, w, "time", T::kNumber);
    if (need(e, w, "request", T::kObject)) request(e["request"], w + ".request");
    if (need(e, w, "response", T::kObject)) response(e["response"], w + ".response");
    need(e, w, "cache", T::kObject);
    if (need(e, w, "timings", T::kObject)) {
      double sum = timings(e["timings"], w + ".timings");
      if (e.contains("time") && e["time"].is_number() && std::fabs(e["time"].get<double>() - sum) > 0.01)
        problems.push_back(w + ".time is not the sum of its timings");
    }
    optional(e, w, "serverIPAddress", T::kString);
    optional(e, w, "connection", T::kString);
    optional(e, w, "pageref", T::kString);
    optional(e, w, "comment", T::kString);
  }
};

}  // namespace

std::vector<std::string> checkHar12(std::string_view json) {
  Checker c;
  auto j = Json::parse(json, nullptr, false);
  if (j.is_discarded()) return {"not JSON"};
  if (!c.need(j, "", "log", T::kObject)) return c.problems;
  const Json& log = j["log"];
  if (c.need(log, "log", "version", T::kString) && log["version"] != "1.2") c.problems.push_back("log.version is not 1.2");
  if (c.need(log, "log", "creator", T::kObject)) {
    c.need(log["creator"], "log.creator", "name", T::kString);
    c.need(log["creator"], "log.creator", "version", T::kString);
  }
  c.optional(log, "log", "pages", T::kArray);
  if (c.need(log, "log", "entries", T::kArray))
    for (size_t i = 0; i < log["entries"].size(); ++i) c.entry(log["entries"][i], "log.entries[" + std::to_string(i) + "]");
  return c.problems;
}

}  // namespace sluice::test
