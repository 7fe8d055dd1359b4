#include "engine/http/head_scanner.h"

namespace sluice::http {

void HeadScanner::reset() {
  bytes_ = 0;
  lineLen_ = 0;
  leading_ = true;
  firstLine_ = true;
  prevCR_ = false;
  errorStatus_ = 0;
  errorMessage_.clear();
}

HeadScanner::Verdict HeadScanner::failWith(int status, std::string message) {
  errorStatus_ = status;
  errorMessage_ = std::move(message);
  return Verdict::kError;
}

HeadScanner::Verdict HeadScanner::scan(std::string_view data, size_t& end) {
  for (size_t i = 0; i < data.size(); ++i) {
    const char c = data[i];
    ++bytes_;
    if (bytes_ > maxHeadBytes_ && !(firstLine_ && lineLen_ >= maxStartLine_))
      return failWith(431, "request header fields too large: the head exceeds " + std::to_string(maxHeadBytes_) + " bytes");
    if (prevCR_) {
      if (c != '\n') return failWith(400, "bare CR in message head: lines must end with CRLF");
      prevCR_ = false;
      if (leading_) continue;
      if (lineLen_ == 0 && !firstLine_) {
        end = i + 1;
        return Verdict::kHeadEnd;
      }
      firstLine_ = false;
      lineLen_ = 0;
      continue;
    }
    if (c == '\r') {
      prevCR_ = true;
      continue;
    }
    if (c == '\n') return failWith(400, "bare LF in message head: lines must end with CRLF");
    if (c == '\0') return failWith(400, "NUL byte in message head");
    if (leading_) leading_ = false;
    if (lineLen_ == 0 && !firstLine_ && (c == ' ' || c == '\t'))
      return failWith(400, "obsolete line folding (a header line starting with whitespace) is not accepted");
    ++lineLen_;
    if (firstLine_ && lineLen_ > maxStartLine_)
      return failWith(414, "start line too long: over " + std::to_string(maxStartLine_) + " bytes");
  }
  return Verdict::kNeedMore;
}

}  // namespace sluice::http
