#include "engine/site/upload/multipart_parser.h"

#include <cstring>

namespace sluice::site {

namespace {
Status parseError(std::string msg) { return fail(ErrorCode::kParse, "multipart body: " + std::move(msg)); }

bool isTokenChar(char c) {
  return c > 0x20 && c < 0x7f && !std::strchr("()<>@,;:\\\"/[]?={}", c);
}

// Reads one parameter value (token or quoted-string) from s at i; advances i.
std::string readParamValue(std::string_view s, size_t& i) {
  std::string out;
  if (i < s.size() && s[i] == '"') {
    for (++i; i < s.size() && s[i] != '"'; ++i) {
      if (s[i] == '\\' && i + 1 < s.size()) ++i;
      out.push_back(s[i]);
    }
    if (i < s.size()) ++i;
    return out;
  }
  while (i < s.size() && s[i] != ';') out.push_back(s[i++]);
  return std::string(http::trimOws(out));
}

// A backslash in a raw filename value other than curl's escaped quote (\"): a path separator.
bool hasPathBackslash(std::string_view raw) {
  for (size_t k = 0; k < raw.size(); ++k)
    if (raw[k] == '\\') {
      if (k + 1 < raw.size() && raw[k + 1] == '"' && k + 2 < raw.size()) ++k;  // \" inside the quotes
      else return true;
    }
  return false;
}

// Longest suffix of data (shorter than delim) that is a prefix of delim.
size_t partialDelimiterSuffix(std::string_view data, std::string_view delim) {
  size_t maxK = std::min(data.size(), delim.size() - 1);
  for (size_t k = maxK; k > 0; --k)
    if (data[data.size() - k] == delim[0] && data.substr(data.size() - k) == delim.substr(0, k)) return k;
  return 0;
}
}  // namespace

MultipartParser::MultipartParser(std::string boundary, MultipartSink& sink, size_t maxPartHeaderBytes)
    : delimiter_("\r\n--" + boundary), sink_(sink), maxHeaderBytes_(maxPartHeaderBytes) {
  // The first delimiter may open the body without a CRLF before it: pretend one was there.
  carry_ = "\r\n";
}

Result<std::string> MultipartParser::boundaryOf(std::string_view contentType) {
  size_t semi = contentType.find(';');
  if (!http::iequals(http::trimOws(contentType.substr(0, semi)), "multipart/form-data"))
    return fail(ErrorCode::kInvalidArgument, "POST /upload needs Content-Type: multipart/form-data (curl -F f=@file)");
  while (semi != std::string_view::npos) {
    size_t i = semi + 1;
    while (i < contentType.size() && (contentType[i] == ' ' || contentType[i] == '\t')) ++i;
    size_t eq = contentType.find('=', i);
    if (eq == std::string_view::npos) break;
    std::string_view key = http::trimOws(contentType.substr(i, eq - i));
    i = eq + 1;
    std::string value = readParamValue(contentType, i);
    if (http::iequals(key, "boundary")) {
      if (value.empty() || value.size() > 70)
        return fail(ErrorCode::kInvalidArgument, "the multipart boundary must be 1 to 70 characters");
      return value;
    }
    semi = contentType.find(';', i);
  }
  return fail(ErrorCode::kInvalidArgument, "the multipart/form-data Content-Type has no boundary parameter");
}

Status MultipartParser::parseDisposition(std::string_view value, MultipartPart& part) {
  size_t semi = value.find(';');
  if (!http::iequals(http::trimOws(value.substr(0, semi)), "form-data"))
    return parseError("a part's Content-Disposition is not form-data");
  std::optional<std::string> extName;
  size_t i = semi;
  while (i != std::string_view::npos && i < value.size()) {
    ++i;
    while (i < value.size() && (value[i] == ' ' || value[i] == '\t')) ++i;
    size_t eq = value.find('=', i);
    if (eq == std::string_view::npos) break;
    std::string_view key = http::trimOws(value.substr(i, eq - i));
    i = eq + 1;
    size_t start = i;
    std::string v = readParamValue(value, i);
    // Browsers send a backslash as is and curl escapes it as \\: either way the raw value
    // shows it. Unescaping would turn ..\..\x into ....x, so such a name is refused instead.
    if (http::iequals(key, "filename") && hasPathBackslash(value.substr(start, i - start)))
      return parseError("the part's filename contains a backslash (a path separator); send a plain file name");
    if (http::iequals(key, "name")) part.fieldName = v;
    if (http::iequals(key, "filename")) part.fileName = v;
    if (http::iequals(key, "filename*")) {
      // RFC 8187 ext-value: charset'lang'pct-encoded; only UTF-8 is meaningful here.
      size_t q = v.find('\'');
      size_t q2 = q == std::string::npos ? q : v.find('\'', q + 1);
      if (q2 == std::string::npos || !http::iequals(std::string_view(v).substr(0, q), "utf-8"))
        return parseError("filename* must be UTF-8''<percent-encoded name>");
      auto decoded = http::percentDecode(std::string_view(v).substr(q2 + 1), false);
      if (!decoded) return parseError("filename* has a malformed %-escape");
      extName = std::move(*decoded);
    }
    i = value.find(';', i);
  }
  if (extName) part.fileName = std::move(extName);
  return {};
}

Status MultipartParser::failWith(Status st) {
  if (!st) state_ = State::kFailed;
  return st;
}

Status MultipartParser::emitData(std::string_view data, bool emit) {
  if (!emit || data.empty()) return {};
  return sink_.onPartData(data);
}

// In the preamble or a part body: passes bytes up to the next delimiter on
// (when emit), keeps a possible delimiter start in carry_, and returns how
// many bytes of data it consumed. Sets state_ on finding a delimiter.
size_t MultipartParser::scanForDelimiter(std::string_view data, bool emit, Status& st) {
  if (!carry_.empty()) {
    size_t old = carry_.size();
    size_t take = std::min(data.size(), delimiter_.size());
    carry_.append(data.substr(0, take));
    size_t at = carry_.find(delimiter_);
    if (at != std::string::npos) {
      st = emitData(std::string_view(carry_).substr(0, at), emit);
      size_t used = at + delimiter_.size() - old;
      carry_.clear();
      state_ = State::kAfterDelimiter;
      return used;
    }
    if (take == data.size()) {  // the whole chunk fit in the carry
      size_t keep = partialDelimiterSuffix(carry_, delimiter_);
      st = emitData(std::string_view(carry_).substr(0, carry_.size() - keep), emit);
      carry_.erase(0, carry_.size() - keep);
      return data.size();
    }
    // No delimiter can start inside the old carry: it is plain data.
    st = emitData(std::string_view(carry_).substr(0, old), emit);
    carry_.clear();
    return 0;
  }
  const void* hit = memmem(data.data(), data.size(), delimiter_.data(), delimiter_.size());
  if (hit) {
    size_t at = static_cast<size_t>(static_cast<const char*>(hit) - data.data());
    st = emitData(data.substr(0, at), emit);
    state_ = State::kAfterDelimiter;
    return at + delimiter_.size();
  }
  size_t keep = partialDelimiterSuffix(data, delimiter_);
  st = emitData(data.substr(0, data.size() - keep), emit);
  carry_.assign(data.substr(data.size() - keep));
  return data.size();
}

// After "--boundary": "--" closes the body; otherwise optional padding then CRLF opens a part.
size_t MultipartParser::stepAfterDelimiter(std::string_view data, Status& st) {
  char c = data[0];
  switch (state_) {
    case State::kAfterDelimiter:
      if (c == '-') { state_ = State::kAfterDash; return 1; }
      state_ = State::kDelimiterPadding;
      return 0;
    case State::kAfterDash:
      if (c != '-') { st = parseError("a delimiter is followed by a single '-'"); return 0; }
      state_ = State::kDone;
      return 1;
    case State::kDelimiterPadding:
      if (c == ' ' || c == '\t') return 1;
      if (c == '\r') { state_ = State::kDelimiterLf; return 1; }
      st = parseError("a boundary line has junk after the boundary");
      return 0;
    default:  // kDelimiterLf
      if (c != '\n') { st = parseError("a boundary line does not end with CRLF"); return 0; }
      state_ = State::kHeaders;
      header_.clear();
      return 1;
  }
}

size_t MultipartParser::stepHeaders(std::string_view data, Status& st) {
  size_t old = header_.size();
  size_t room = maxHeaderBytes_ + 4 - old;
  header_.append(data.substr(0, std::min(room, data.size())));
  size_t end = header_.starts_with("\r\n") ? 0 : header_.find("\r\n\r\n");
  if (end == std::string::npos) {
    if (header_.size() >= maxHeaderBytes_ + 4) st = parseError("a part's headers are longer than 16 KiB");
    return header_.size() - old;
  }
  size_t headLen = end == 0 ? 2 : end + 4;
  st = parsePartHead(std::string_view(header_).substr(0, end));
  state_ = State::kBody;
  inPart_ = true;
  return headLen - old;
}

Status MultipartParser::parsePartHead(std::string_view head) {
  MultipartPart part;
  while (!head.empty()) {
    size_t eol = head.find("\r\n");
    std::string_view line = head.substr(0, eol);
    head = eol == std::string_view::npos ? std::string_view{} : head.substr(eol + 2);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return parseError("a part header line has no name");
    std::string_view name = line.substr(0, colon);
    for (char c : name)
      if (!isTokenChar(c)) return parseError("a part header name has an invalid character");
    part.headers.add(std::string(name), std::string(http::trimOws(line.substr(colon + 1))));
  }
  const std::string* disp = part.headers.find("Content-Disposition");
  if (!disp) return parseError("a part has no Content-Disposition header");
  if (auto ok = parseDisposition(*disp, part); !ok) return ok;
  return sink_.onPartBegin(part);
}

Status MultipartParser::feed(std::string_view data) {
  if (state_ == State::kFailed) return parseError("the parser already failed");
  while (!data.empty() && state_ != State::kDone) {
    Status st;
    size_t used = 0;
    switch (state_) {
      case State::kPreamble:
      case State::kBody: {
        bool inBody = state_ == State::kBody;
        used = scanForDelimiter(data, inBody, st);
        if (st && inBody && state_ == State::kAfterDelimiter) {
          inPart_ = false;
          st = sink_.onPartEnd();
        }
        break;
      }
      case State::kHeaders: used = stepHeaders(data, st); break;
      default: used = stepAfterDelimiter(data, st); break;
    }
    if (!st) return failWith(st);
    data.remove_prefix(used);
  }
  return {};
}

Status MultipartParser::finish() {
  if (state_ == State::kDone) return {};
  if (state_ == State::kFailed) return parseError("the parser already failed");
  state_ = State::kFailed;
  return parseError("the body ended before the closing boundary (--boundary--)");
}

}  // namespace sluice::site
