#pragma once
/** HTTP/1.1 message heads: header lists, request and response heads. */
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::http {

/** ASCII case-insensitive comparison (header names, tokens). */
bool iequals(std::string_view a, std::string_view b);
/** True when a comma-separated header value holds token (case-insensitive). */
bool hasToken(std::string_view listValue, std::string_view token);
/** Trims optional whitespace (SP, HTAB) on both ends. */
std::string_view trimOws(std::string_view s);

struct Header {
  std::string name;
  std::string value;
};

/** An ordered header list; lookups ignore case. Duplicates are kept. */
class Headers {
 public:
  void add(std::string name, std::string value) { items_.push_back({std::move(name), std::move(value)}); }
  /** Replaces every header of this name with one value. */
  void set(std::string_view name, std::string value);
  void remove(std::string_view name);
  /** The first value of this name, or nullptr. */
  const std::string* find(std::string_view name) const;
  std::string_view get(std::string_view name, std::string_view fallback = {}) const;
  size_t count(std::string_view name) const;
  bool has(std::string_view name) const { return find(name) != nullptr; }
  void clear() { items_.clear(); }
  void reserve(size_t n) { items_.reserve(n); }
  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  auto begin() const { return items_.begin(); }
  auto end() const { return items_.end(); }
  Header& back() { return items_.back(); }

 private:
  std::vector<Header> items_;
};

/** Framing facts shared by requests and responses, filled by the parser. */
struct Framing {
  std::optional<uint64_t> contentLength;
  bool chunked = false;
  bool keepAlive = true;
};

/** A parsed request line and headers. */
struct RequestHead {
  std::string method;
  std::string target;  ///< as sent: origin-form "/a/b?c" (or absolute-form)
  int versionMajor = 1;
  int versionMinor = 1;
  Headers headers;
  Framing framing;
  bool expectContinue = false;

  /** Path part of the target, without the query (absolute-form: the path after the authority). */
  std::string_view path() const;
  /** The authority of an absolute-form target ("http://host:port/..." -> "host:port"); empty otherwise. */
  std::string_view authority() const;
  /** Query part, without '?'; empty when none. */
  std::string_view query() const;
  /** The value of one query parameter, percent-decoded; nullopt when absent. */
  std::optional<std::string> queryParam(std::string_view name) const;
  bool isHead() const { return method == "HEAD"; }
  bool http10() const { return versionMajor == 1 && versionMinor == 0; }
  void clear();
};

/** A parsed or to-be-sent status line and headers. */
struct ResponseHead {
  int status = 200;
  std::string reason;
  int versionMajor = 1;
  int versionMinor = 1;
  Headers headers;
  Framing framing;
  void clear();
};

/** The standard reason phrase for a status code ("Not Found"). */
std::string_view reasonPhrase(int status);

/** Decodes %XX escapes once. Returns nullopt on a malformed escape. plusAsSpace for forms. */
std::optional<std::string> percentDecode(std::string_view s, bool plusAsSpace = false);

}  // namespace sluice::http
