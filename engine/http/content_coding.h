#pragma once
/**
 * Content codings (RFC 9110 section 8.4.1): gzip, deflate (the zlib format; raw deflate
 * is accepted on decoding, as browsers and curl do) and br (RFC 7932). zlib and Debian's
 * brotli do the work; this unit only streams bytes through them.
 */
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/util/error.h"

namespace sluice::http {

enum class ContentCoding : uint8_t { kIdentity, kGzip, kDeflate, kBrotli };

/** "gzip", "deflate", "br", "identity". */
const char* contentCodingName(ContentCoding c);
/** Parses one coding name (case-insensitive; "x-gzip" is gzip, as RFC 9110 says). */
std::optional<ContentCoding> parseContentCoding(std::string_view name);

/** A Content-Encoding header value, read as a list in the order applied. */
struct CodingList {
  std::vector<ContentCoding> codings;  ///< identity entries dropped
  std::string unknown;                 ///< the first name not understood, if any
};
CodingList parseCodingList(std::string_view headerValue);

/** A streaming compressor (the test endpoints use it to compress as they stream). */
class ContentEncoder {
 public:
  virtual ~ContentEncoder() = default;
  /** Compresses in, appending to out. flush: make everything so far decodable now (costs ratio). */
  virtual Status encode(std::string_view in, bool flush, std::string& out) = 0;
  /** Ends the stream (trailer, checksum), appending to out. */
  virtual Status finish(std::string& out) = 0;

  /** level: zlib 1..9 / brotli quality 0..11; -1 picks a default (zlib 6, brotli 5). */
  static Result<std::unique_ptr<ContentEncoder>> create(ContentCoding coding, int level = -1);
};

/** Bounds on decoding, against decompression bombs. 0 turns a bound off. */
struct DecodeLimits {
  uint64_t maxDecodedBytes = 1ull << 30;  ///< 1 GiB
  uint64_t maxRatio = 1000;               ///< decoded / wire, checked once past ratioGraceBytes
  uint64_t ratioGraceBytes = 1u << 20;    ///< small bodies may compress better than the ratio
};

/**
 * A streaming decoder for one Content-Encoding value. Feed it the wire bytes as they
 * arrive; it appends decoded bytes to out. Errors are worded: a corrupt stream, a bomb
 * stopped, a truncated stream at finish(), an unknown or stacked coding.
 */
class ContentDecoder {
 public:
  /**
   * For a Content-Encoding header value. Stacked codings ("gzip, br") are decoded in
   * reverse order; a name not understood is an error that names it.
   */
  static Result<std::unique_ptr<ContentDecoder>> create(std::string_view contentEncoding, DecodeLimits limits = {});
  ~ContentDecoder();

  Status decode(std::string_view wire, std::string& out);
  /** The wire ended: an unfinished compressed stream is an error ("truncated"). */
  Status finish();

  uint64_t wireBytes() const { return wire_; }
  uint64_t decodedBytes() const { return decoded_; }
  /** "gzip", "gzip, br", ... as applied by the sender. */
  std::string describe() const;

  struct Stage;

 private:
  ContentDecoder(std::vector<std::unique_ptr<Stage>> stages, std::vector<ContentCoding> codings, DecodeLimits limits);
  Status checkLimits() const;

  std::vector<std::unique_ptr<Stage>> stages_;  ///< in decoding order (last applied first)
  std::vector<ContentCoding> codings_;          ///< as applied
  DecodeLimits limits_;
  uint64_t wire_ = 0;
  uint64_t decoded_ = 0;
  std::string scratch_[2];
  std::optional<Error> error_;
};

}  // namespace sluice::http
