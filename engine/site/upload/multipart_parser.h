#pragma once
/** A streaming multipart/form-data parser (RFC 7578, RFC 2046 §5.1) in constant memory. */
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "engine/http/message.h"
#include "engine/util/error.h"

namespace sluice::site {

/** One part's head: its headers and the Content-Disposition fields that matter. */
struct MultipartPart {
  http::Headers headers;
  std::string fieldName;                ///< name="..."
  std::optional<std::string> fileName;  ///< filename="..." or filename*=UTF-8''..., as sent
};

/** Receives parts as they stream by. Returning an error stops the parser. */
class MultipartSink {
 public:
  virtual ~MultipartSink() = default;
  virtual Status onPartBegin(const MultipartPart& part) = 0;
  /** Part body bytes; the view is valid only during the call. */
  virtual Status onPartData(std::string_view data) = 0;
  virtual Status onPartEnd() = 0;
};

/**
 * Feed the body in chunks of any size; part data is passed through without
 * copying except for a carry of less than one delimiter between chunks. Memory
 * is bounded by the part-header limit whatever the body size.
 */
class MultipartParser {
 public:
  MultipartParser(std::string boundary, MultipartSink& sink, size_t maxPartHeaderBytes = 16 * 1024);

  Status feed(std::string_view data);
  /** The body ended: an error unless the closing boundary was seen. */
  Status finish();
  bool done() const { return state_ == State::kDone; }

  /** The boundary parameter of a multipart/form-data Content-Type, or an error for the user. */
  static Result<std::string> boundaryOf(std::string_view contentType);
  /** Parses a Content-Disposition value into part (name, filename). */
  static Status parseDisposition(std::string_view value, MultipartPart& part);

 private:
  enum class State { kPreamble, kAfterDelimiter, kAfterDash, kDelimiterPadding, kDelimiterLf, kHeaders, kBody, kDone, kFailed };

  size_t scanForDelimiter(std::string_view data, bool emit, Status& st);
  size_t stepAfterDelimiter(std::string_view data, Status& st);
  size_t stepHeaders(std::string_view data, Status& st);
  Status parsePartHead(std::string_view head);
  Status emitData(std::string_view data, bool emit);
  Status failWith(Status st);

  std::string delimiter_;  // "\r\n--" + boundary
  MultipartSink& sink_;
  size_t maxHeaderBytes_;
  State state_ = State::kPreamble;
  std::string carry_;   // bytes that may start a delimiter, held over from the last chunk
  std::string header_;  // the current part's head, up to maxHeaderBytes_
  bool inPart_ = false;
};

}  // namespace sluice::site
