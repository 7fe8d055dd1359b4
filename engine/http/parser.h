#pragma once
/**
 * Our HTTP/1.1 parser: llhttp in strict mode behind a small interface, plus the
 * checks Debian's llhttp 8.1 lacks. The only file that includes llhttp.h is
 * parser.cpp. Body bytes are handed out as spans of the caller's buffer, never
 * copied. Listeners may pause at the head, in the body or at message end; the
 * unconsumed bytes stay with the caller, who feeds them again after resuming.
 */
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "engine/http/head_scanner.h"
#include "engine/http/message.h"

namespace sluice::http {

/** Parser limits. Each refusal carries the status a server should send. */
struct ParseLimits {
  size_t maxHeadBytes = 16 * 1024;     ///< 431 past this
  size_t maxStartLine = 8 * 1024;      ///< 414 past this (request line)
  size_t maxHeaderCount = 100;         ///< 431 past this
  size_t maxChunkExtension = 16 * 1024;///< 413 past this, per chunk (CVE-2024-22019)
  /**
   * 413 past this many chunk-extension bytes in one message, all chunks together: a
   * per-chunk cap alone lets 3,000 one-byte chunks carry 48 MB of extensions. Node counts
   * per message too. Applies to responses the client parses as well (an error in words).
   */
  size_t maxChunkExtensionsPerMessage = 64 * 1024;
  bool requireHost = true;             ///< HTTP/1.1 requests without Host get 400
};

/** Why parsing stopped: a status to answer with and words for the log. */
struct ParseError {
  int status = 400;
  std::string message;
};

class ParserListener {
 public:
  enum class Action { kContinue, kPause };
  /** The head is complete and available from the parser. */
  virtual Action onHeadComplete() = 0;
  /** Body bytes (after de-chunking), pointing into the fed buffer. */
  virtual Action onBody(std::string_view data) = 0;
  /** The message is complete. */
  virtual Action onMessageComplete() = 0;
  /**
   * A chunk header of a chunked body (the last chunk has size 0), before its data.
   * extensions is the chunk's extension list as ";name=value" pairs (values as sent,
   * quotes kept), bounded by ParseLimits::maxChunkExtension. Cannot pause.
   */
  virtual void onChunkHeader(uint64_t size, std::string_view extensions) {
    (void)size, (void)extensions;
  }

 protected:
  ~ParserListener() = default;
};

class Parser {
 public:
  enum class Kind { kRequest, kResponse };
  enum class State { kOk, kPaused, kError };
  struct Feed {
    size_t consumed = 0;
    State state = State::kOk;
  };

  Parser(Kind kind, ParserListener& listener, ParseLimits limits = {});
  ~Parser();
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  /**
   * Parses as much of data as it can. kOk: all consumed. kPaused: a listener
   * paused; feed data[consumed..] again later. kError: see error().
   */
  Feed execute(std::string_view data);
  /** The peer closed: completes a close-delimited body, or reports truncation. */
  State finish();

  const ParseError& error() const { return error_; }
  RequestHead& request() { return request_; }
  ResponseHead& response() { return response_; }
  const ParseLimits& limits() const { return limits_; }
  void setLimits(const ParseLimits& l);

  /** For responses to HEAD (and similar): the next response has no body. */
  void setExpectNoBody(bool v) { expectNoBody_ = v; }
  /** True between the first byte of a message and its end. */
  bool inMessage() const { return scanner_.started() || headComplete_; }
  bool headComplete() const { return headComplete_; }
  /** Body bytes delivered for the current message. */
  uint64_t bodyBytes() const { return bodyBytes_; }
  /**
   * The caller moved n bytes of a Content-Length body past the parser (splice(2) to
   * /dev/null): llhttp's remaining length goes down by n, as if they had been fed. The
   * last body byte must still be fed (llhttp ends a body only on input), so n must be
   * below the remaining length; false (and nothing changes) otherwise, or outside a
   * Content-Length body.
   */
  bool skipBody(uint64_t n);
  /** True when the response body runs until the connection closes. */
  bool bodyIsCloseDelimited() const;
  /** True when llhttp paused and owes work that needs no more bytes: call execute({}). */
  bool resumePending() const { return resumePending_; }
  /** Total messages completed. */
  uint64_t messages() const { return messages_; }

 private:
  struct Impl;
  friend struct Impl;

  bool validateRequestHead();
  bool validateResponseHead();
  void setError(int status, std::string message);
  bool onlyLineEndsAfterClose(std::string_view rest, Feed& feed);
  int failCallback(int status, std::string message);
  void resetMessage();

  Kind kind_;
  ParserListener& listener_;
  ParseLimits limits_;
  HeadScanner scanner_;
  std::unique_ptr<Impl> impl_;

  RequestHead request_;
  ResponseHead response_;
  std::string field_;
  std::string value_;
  bool headComplete_ = false;
  bool expectNoBody_ = false;
  bool inFinish_ = false;
  bool listenerPaused_ = false;
  bool messageEnded_ = false;
  size_t chunkExtBytes_ = 0;           ///< this chunk's extension bytes
  uint64_t messageChunkExtBytes_ = 0;  ///< every chunk's, in this message
  std::string chunkExt_;               ///< the current chunk's extensions, ";name=value"
  uint8_t chunkExtPart_ = 0;           ///< 0: between extensions, 1: in a name, 2: in a value
  uint64_t bodyBytes_ = 0;
  uint64_t messages_ = 0;
  ParseError error_;
  bool failed_ = false;
  bool resumePending_ = false;
  bool closed_ = false;  // the last message closes the connection
};

}  // namespace sluice::http
