#pragma once
/**
 * A byte-level pre-check of a message head, run before llhttp sees the bytes.
 * Debian's llhttp 8.1.0 predates several fixes; this closes them here:
 *  - CR not followed by LF (CVE-2023-30589) and LF without CR (CVE-2022-32214);
 *  - obs-fold (a header line starting with SP or HTAB), which also carried
 *    multi-line Transfer-Encoding smuggling (CVE-2022-32215);
 *  - NUL anywhere in the head;
 *  - the start-line length (414) and the total head size (431).
 */
#include <cstddef>
#include <string>
#include <string_view>

namespace sluice::http {

class HeadScanner {
 public:
  enum class Verdict { kNeedMore, kHeadEnd, kError };

  HeadScanner(size_t maxHeadBytes, size_t maxStartLine) : maxHeadBytes_(maxHeadBytes), maxStartLine_(maxStartLine) {}

  /** Scans data. On kHeadEnd, end is the offset just past the blank line. */
  Verdict scan(std::string_view data, size_t& end);
  void reset();

  int errorStatus() const { return errorStatus_; }
  const std::string& errorMessage() const { return errorMessage_; }
  size_t headBytes() const { return bytes_; }
  bool started() const { return bytes_ > 0; }

 private:
  Verdict failWith(int status, std::string message);

  size_t maxHeadBytes_;
  size_t maxStartLine_;
  size_t bytes_ = 0;
  size_t lineLen_ = 0;
  bool leading_ = true;    // before the start line: empty lines are tolerated
  bool firstLine_ = true;
  bool prevCR_ = false;
  int errorStatus_ = 0;
  std::string errorMessage_;
};

}  // namespace sluice::http
