#include "engine/http/parser.h"

#include <llhttp.h>

#include <charconv>

namespace sluice::http {

namespace {

// RFC 9110 §5.6.2 token characters.
struct TcharTable {
  bool v[256] = {};
  constexpr TcharTable() {
    for (int c = '0'; c <= '9'; ++c) v[c] = true;
    for (int c = 'a'; c <= 'z'; ++c) v[c] = v[c - 'a' + 'A'] = true;
    for (char c : {'!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~'}) v[static_cast<unsigned char>(c)] = true;
  }
};
constexpr TcharTable kTchar;
bool isTchar(char c) { return kTchar.v[static_cast<unsigned char>(c)]; }

bool validFieldValue(std::string_view v) {
  for (unsigned char c : v)
    if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
  return true;
}

}  // namespace

struct Parser::Impl {
  llhttp_t parser{};
  llhttp_settings_t settings{};

  static Parser& self(llhttp_t* p) { return *static_cast<Parser*>(p->data); }

  static int onMessageBegin(llhttp_t* p) {
    Parser& s = self(p);
    s.request_.clear();
    s.response_.clear();
    (s.kind_ == Kind::kRequest ? s.request_.headers : s.response_.headers).reserve(8);
    s.field_.clear();
    s.value_.clear();
    s.headComplete_ = false;
    s.bodyBytes_ = 0;
    s.chunkExtBytes_ = 0;
    s.chunkExt_.clear();
    s.chunkExtPart_ = 0;
    s.messageChunkExtBytes_ = 0;
    return 0;
  }
  static int onUrl(llhttp_t* p, const char* at, size_t n) {
    self(p).request_.target.append(at, n);
    return 0;
  }
  static int onStatus(llhttp_t* p, const char* at, size_t n) {
    self(p).response_.reason.append(at, n);
    return 0;
  }
  static int onHeaderField(llhttp_t* p, const char* at, size_t n) {
    self(p).field_.append(at, n);
    return 0;
  }
  static int onHeaderFieldComplete(llhttp_t* p) {
    Parser& s = self(p);
    // CVE-2021-22959: no whitespace (or anything but tchar) before the colon.
    if (s.field_.empty()) return s.failCallback(400, "empty header name");
    for (char c : s.field_)
      if (!isTchar(c)) return s.failCallback(400, "invalid character in header name '" + s.field_ + "' (whitespace before ':' is not allowed)");
    return 0;
  }
  static int onHeaderValue(llhttp_t* p, const char* at, size_t n) {
    self(p).value_.append(at, n);
    return 0;
  }
  static int onHeaderValueComplete(llhttp_t* p) {
    Parser& s = self(p);
    std::string& v = s.value_;
    size_t b = 0, e = v.size();
    while (b < e && (v[b] == ' ' || v[b] == '\t')) ++b;
    while (e > b && (v[e - 1] == ' ' || v[e - 1] == '\t')) --e;
    if (!validFieldValue(std::string_view(v).substr(b, e - b)))
      return s.failCallback(400, "invalid character in the value of header '" + s.field_ + "'");
    Headers& h = s.kind_ == Kind::kRequest ? s.request_.headers : s.response_.headers;
    if (h.size() >= s.limits_.maxHeaderCount)
      return s.failCallback(431, "too many header fields: over " + std::to_string(s.limits_.maxHeaderCount));
    if (e != v.size()) v.erase(e);
    if (b != 0) v.erase(0, b);
    h.add(std::move(s.field_), std::move(v));
    s.field_.clear();
    s.value_.clear();
    return 0;
  }
  static int onHeadersComplete(llhttp_t* p) {
    Parser& s = self(p);
    s.headComplete_ = true;
    bool ok = s.kind_ == Kind::kRequest ? s.validateRequestHead() : s.validateResponseHead();
    if (!ok) return -1;
    // Responses to HEAD, and 1xx, 204 and 304, have no body whatever their
    // framing headers say (RFC 9112 §6.3); llhttp 8.1 would read one.
    const int st = s.response_.status;
    const bool skipBody = s.kind_ == Kind::kResponse && (s.expectNoBody_ || (st >= 100 && st < 200) || st == 204 || st == 304);
    if (s.listener_.onHeadComplete() == ParserListener::Action::kPause) {
      s.listenerPaused_ = true;
      // Returning HPE_PAUSED loses the "skip body" answer (1): set its flag directly.
      if (skipBody) p->flags |= F_SKIPBODY;
      return HPE_PAUSED;
    }
    if (skipBody) return 1;
    return 0;
  }
  static int onBody(llhttp_t* p, const char* at, size_t n) {
    Parser& s = self(p);
    s.bodyBytes_ += n;
    if (s.listener_.onBody(std::string_view(at, n)) == ParserListener::Action::kPause) {
      s.listenerPaused_ = true;
      return HPE_PAUSED;
    }
    return 0;
  }
  static int onChunkExtension(Parser& s, const char* at, size_t n, uint8_t part) {
    s.chunkExtBytes_ += n;
    s.messageChunkExtBytes_ += n;
    if (s.chunkExtBytes_ > s.limits_.maxChunkExtension)
      return s.failCallback(413, "chunk extensions too large: over " + std::to_string(s.limits_.maxChunkExtension) + " bytes");
    if (s.messageChunkExtBytes_ > s.limits_.maxChunkExtensionsPerMessage)
      return s.failCallback(413, std::string("chunk extensions too large: over ") +
                                     std::to_string(s.limits_.maxChunkExtensionsPerMessage) + " bytes in all the chunks of one " +
                                     (s.kind_ == Kind::kRequest ? "request" : "response") + " body (the per-message limit)");
    // llhttp hands names and values as spans (possibly split across reads): rebuild ";name=value".
    if (s.chunkExtPart_ != part) s.chunkExt_ += part == 1 ? ';' : '=';
    s.chunkExtPart_ = part;
    s.chunkExt_.append(at, n);
    return 0;
  }
  static int onChunkExtensionName(llhttp_t* p, const char* at, size_t n) { return onChunkExtension(self(p), at, n, 1); }
  static int onChunkExtensionValue(llhttp_t* p, const char* at, size_t n) { return onChunkExtension(self(p), at, n, 2); }
  static int onChunkExtensionPartDone(llhttp_t* p) {
    self(p).chunkExtPart_ = 0;
    return 0;
  }
  static int onChunkHeader(llhttp_t* p) {
    // Like nginx, refuse chunk sizes past 2^63-1 (off_t): llhttp 8.1 takes any
    // 64-bit size, and no real body is that large.
    if (p->content_length > static_cast<uint64_t>(INT64_MAX))
      return self(p).failCallback(400, "chunk size too large: over 2^63-1 bytes");
    Parser& s = self(p);
    s.listener_.onChunkHeader(p->content_length, s.chunkExt_);
    s.chunkExt_.clear();
    s.chunkExtPart_ = 0;
    return 0;
  }
  static int onChunkComplete(llhttp_t* p) {
    self(p).chunkExtBytes_ = 0;
    return 0;
  }
  static int onMessageComplete(llhttp_t* p) {
    Parser& s = self(p);
    s.messageEnded_ = true;
    // Nothing may follow a message that closes the connection (RFC 9112 §9.6).
    if (!llhttp_should_keep_alive(p)) s.closed_ = true;
    ++s.messages_;
    if (s.listener_.onMessageComplete() == ParserListener::Action::kPause) s.listenerPaused_ = true;
    // Always stop at a message boundary so the head scanner restarts cleanly.
    return s.inFinish_ ? 0 : HPE_PAUSED;
  }
};

int Parser::failCallback(int status, std::string message) {
  setError(status, std::move(message));
  return HPE_USER;
}

Parser::Parser(Kind kind, ParserListener& listener, ParseLimits limits)
    : kind_(kind), listener_(listener), limits_(limits), scanner_(limits.maxHeadBytes, limits.maxStartLine), impl_(std::make_unique<Impl>()) {
  auto& st = impl_->settings;
  llhttp_settings_init(&st);
  st.on_message_begin = &Impl::onMessageBegin;
  st.on_url = &Impl::onUrl;
  st.on_status = &Impl::onStatus;
  st.on_header_field = &Impl::onHeaderField;
  st.on_header_field_complete = &Impl::onHeaderFieldComplete;
  st.on_header_value = &Impl::onHeaderValue;
  st.on_header_value_complete = &Impl::onHeaderValueComplete;
  st.on_headers_complete = &Impl::onHeadersComplete;
  st.on_body = &Impl::onBody;
  st.on_chunk_extension_name = &Impl::onChunkExtensionName;
  st.on_chunk_extension_value = &Impl::onChunkExtensionValue;
  st.on_chunk_extension_name_complete = &Impl::onChunkExtensionPartDone;
  st.on_chunk_extension_value_complete = &Impl::onChunkExtensionPartDone;
  st.on_chunk_header = &Impl::onChunkHeader;
  st.on_chunk_complete = &Impl::onChunkComplete;
  st.on_message_complete = &Impl::onMessageComplete;
  llhttp_init(&impl_->parser, kind == Kind::kRequest ? HTTP_REQUEST : HTTP_RESPONSE, &st);
  impl_->parser.data = this;
}

Parser::~Parser() = default;

void Parser::setLimits(const ParseLimits& l) {
  limits_ = l;
  scanner_ = HeadScanner(l.maxHeadBytes, l.maxStartLine);
}

void Parser::setError(int status, std::string message) {
  if (failed_) return;
  failed_ = true;
  error_.status = status;
  error_.message = std::move(message);
}

void Parser::resetMessage() {
  scanner_.reset();
  headComplete_ = false;
  messageEnded_ = false;
}

bool Parser::bodyIsCloseDelimited() const {
  return headComplete_ && llhttp_message_needs_eof(&impl_->parser) != 0;
}

bool Parser::validateRequestHead() {
  llhttp_t& p = impl_->parser;
  RequestHead& r = request_;
  r.method = llhttp_method_name(static_cast<llhttp_method_t>(llhttp_get_method(&p)));
  r.versionMajor = llhttp_get_http_major(&p);
  r.versionMinor = llhttp_get_http_minor(&p);
  if (r.versionMajor != 1) {
    setError(505, "HTTP version " + std::to_string(r.versionMajor) + "." + std::to_string(r.versionMinor) + " is not supported");
    return false;
  }
  // One pass over the headers for everything framing depends on.
  size_t clCount = 0, teCount = 0, hostCount = 0;
  const std::string *cl = nullptr, *te = nullptr, *conn = nullptr, *expect = nullptr;
  for (const Header& hd : r.headers) {
    const std::string& n = hd.name;
    if (n.size() == 14 && iequals(n, "Content-Length")) ++clCount, cl = &hd.value;
    else if (n.size() == 17 && iequals(n, "Transfer-Encoding")) ++teCount, te = &hd.value;
    else if (n.size() == 4 && iequals(n, "Host")) ++hostCount;
    else if (n.size() == 10 && iequals(n, "Connection")) conn = &hd.value;
    else if (n.size() == 6 && iequals(n, "Expect")) expect = &hd.value;
  }
  if (clCount > 1) return setError(400, "duplicate Content-Length"), false;
  if (teCount > 1) return setError(400, "more than one Transfer-Encoding header"), false;
  if (clCount && teCount) return setError(400, "both Content-Length and Transfer-Encoding"), false;
  if (te) {
    if (r.versionMinor == 0) return setError(400, "Transfer-Encoding in an HTTP/1.0 request"), false;
    std::string_view tev = *te;
    auto lastComma = tev.rfind(',');
    std::string_view last = trimOws(lastComma == std::string_view::npos ? tev : tev.substr(lastComma + 1));
    if (!iequals(last, "chunked")) return setError(400, "Transfer-Encoding without chunked as the final coding"), false;
    if (lastComma != std::string_view::npos) return setError(501, "transfer codings other than chunked are not implemented"), false;
    r.framing.chunked = true;
  }
  if (cl) {
    uint64_t n = 0;
    std::string_view v = *cl;
    auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (v.empty() || ec != std::errc{} || ptr != v.data() + v.size()) return setError(400, "invalid Content-Length"), false;
    r.framing.contentLength = n;
  }
  if (hostCount > 1) return setError(400, "more than one Host header"), false;
  if (limits_.requireHost && r.versionMinor >= 1 && hostCount == 0) return setError(400, "missing Host header (required in HTTP/1.1)"), false;
  if (r.method == "CONNECT") return setError(405, "CONNECT is not supported"), false;
  std::string_view connValue = conn ? std::string_view(*conn) : std::string_view{};
  if (r.versionMinor >= 1) r.framing.keepAlive = !hasToken(connValue, "close");
  else r.framing.keepAlive = hasToken(connValue, "keep-alive");
  if (expect) r.expectContinue = iequals(trimOws(*expect), "100-continue");
  return true;
}

bool Parser::validateResponseHead() {
  llhttp_t& p = impl_->parser;
  ResponseHead& r = response_;
  r.status = llhttp_get_status_code(&p);
  r.versionMajor = llhttp_get_http_major(&p);
  r.versionMinor = llhttp_get_http_minor(&p);
  const Headers& h = r.headers;
  if (h.count("Transfer-Encoding") > 1) return setError(400, "more than one Transfer-Encoding header in response"), false;
  if (h.count("Content-Length") > 1) return setError(400, "duplicate Content-Length in response"), false;
  if (const std::string* te = h.find("Transfer-Encoding")) r.framing.chunked = hasToken(*te, "chunked");
  if (const std::string* cl = h.find("Content-Length")) {
    uint64_t n = 0;
    auto [ptr, ec] = std::from_chars(cl->data(), cl->data() + cl->size(), n);
    if (cl->empty() || ec != std::errc{} || ptr != cl->data() + cl->size()) return setError(400, "invalid Content-Length in response"), false;
    r.framing.contentLength = n;
  }
  std::string_view conn = h.get("Connection");
  if (r.versionMinor >= 1) r.framing.keepAlive = !hasToken(conn, "close");
  else r.framing.keepAlive = hasToken(conn, "keep-alive");
  return true;
}

// After a message that closes the connection, stray line ends are tolerated;
// anything else is an error, never the start of a new message.
bool Parser::onlyLineEndsAfterClose(std::string_view rest, Feed& feed) {
  size_t junk = rest.find_first_not_of("\r\n");
  if (junk == std::string_view::npos) return true;
  feed.consumed += junk;
  setError(400, "data after a message that closes the connection");
  return false;
}

Parser::Feed Parser::execute(std::string_view data) {
  Feed feed;
  llhttp_t& p = impl_->parser;
  static const char kEmpty[1] = {0};
  while (!failed_) {
    // After a pause llhttp may owe us callbacks that need no further bytes (the
    // message end after the last body byte): run it once even on empty input.
    if (feed.consumed == data.size() && !resumePending_) return feed;
    std::string_view rest = data.substr(feed.consumed);
    if (rest.empty()) rest = std::string_view(kEmpty, 0);
    resumePending_ = false;
    if (closed_) {
      if (!onlyLineEndsAfterClose(rest, feed)) break;
      feed.consumed = data.size();
      return feed;
    }
    if (!headComplete_ && !rest.empty()) {
      size_t end = 0;
      if (scanner_.scan(rest, end) == HeadScanner::Verdict::kError) {
        setError(scanner_.errorStatus(), scanner_.errorMessage());
        break;
      }
    }
    listenerPaused_ = false;
    messageEnded_ = false;
    llhttp_errno_t err = llhttp_execute(&p, rest.data(), rest.size());
    if (err == HPE_OK) {
      feed.consumed = data.size();
      return feed;
    }
    if (err == HPE_PAUSED || err == HPE_PAUSED_UPGRADE) {
      feed.consumed += static_cast<size_t>(llhttp_get_error_pos(&p) - rest.data());
      // We do not switch protocols: an Upgrade request is served as plain HTTP/1.1.
      if (err == HPE_PAUSED_UPGRADE) llhttp_resume_after_upgrade(&p);
      else llhttp_resume(&p);
      if (messageEnded_) resetMessage();
      resumePending_ = true;
      if (listenerPaused_) {
        feed.state = State::kPaused;
        return feed;
      }
      continue;
    }
    const char* pos = llhttp_get_error_pos(&p);
    if (pos && pos >= rest.data() && pos <= rest.data() + rest.size()) feed.consumed += static_cast<size_t>(pos - rest.data());
    if (!failed_) setError(400, std::string("malformed message: ") + llhttp_get_error_reason(&p));
    break;
  }
  feed.state = State::kError;
  return feed;
}

bool Parser::skipBody(uint64_t n) {
  llhttp_t& p = impl_->parser;
  if (!headComplete_ || messageEnded_ || (p.flags & F_CHUNKED) || n >= p.content_length) return false;
  p.content_length -= n;
  bodyBytes_ += n;
  return true;
}

Parser::State Parser::finish() {
  if (failed_) return State::kError;
  // Let llhttp finish any bookkeeping it owes after a pause before judging the EOF.
  if (resumePending_) {
    auto feed = execute({});
    if (feed.state == State::kError) return State::kError;
  }
  const bool wasInMessage = inMessage();
  if (!wasInMessage) return State::kOk;
  messageEnded_ = false;
  inFinish_ = true;
  llhttp_errno_t err = llhttp_finish(&impl_->parser);
  inFinish_ = false;
  if (err == HPE_OK) {
    if (messageEnded_) {
      resetMessage();
      return State::kOk;
    }
    if (!wasInMessage) return State::kOk;
  }
  setError(400, headComplete_ ? "connection closed before the body was complete"
                              : "connection closed inside the message head");
  return State::kError;
}

}  // namespace sluice::http
