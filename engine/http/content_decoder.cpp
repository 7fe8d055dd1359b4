// The streaming content decoder: zlib (gzip, deflate as zlib or raw) and brotli stages,
// chained for stacked codings, with decompression-bomb limits checked as output grows.
#include <brotli/decode.h>
#include <zlib.h>

#include <functional>

#include "engine/http/content_coding.h"
#include "engine/util/units.h"

namespace sluice::http {

namespace {

constexpr size_t kOutPiece = 64 * 1024;
/** Called after each piece of output with the bytes produced so far in this call. */
using PieceCheck = std::function<Status(const std::string& out)>;

}  // namespace

/** One coding's decompressor. */
struct ContentDecoder::Stage {
  virtual ~Stage() = default;
  virtual Status run(std::string_view in, std::string& out, const PieceCheck& check) = 0;
  virtual bool ended() const = 0;
};

namespace {

std::string corrupt(const char* coding, std::string_view detail) {
  return std::string("the ") + coding + " body is corrupt (" + std::string(detail) +
         "): decoding stopped; the wire bytes are still available";
}

class ZlibStage final : public ContentDecoder::Stage {
 public:
  explicit ZlibStage(bool gzip) : gzip_(gzip) {}
  ~ZlibStage() override {
    if (ready_) inflateEnd(&z_);
  }
  bool ended() const override { return ended_ || (!started_ && head_.empty()); }  // no input: an empty body

  Status run(std::string_view in, std::string& out, const PieceCheck& check) override {
    if (!ready_) {
      // deflate: RFC 9110 means the zlib format, but some servers send raw deflate; the
      // first two bytes tell them apart (a zlib header is a multiple of 31 with method 8).
      head_.append(in);
      if (!gzip_ && head_.size() < 2) return {};
      if (auto st = start(); !st) return st;
      std::string first = std::move(head_);
      return inflateSome(first, out, check);
    }
    return inflateSome(in, out, check);
  }

 private:
  Status start() {
    int bits = 15 + 16;
    if (!gzip_) {
      auto b0 = static_cast<unsigned char>(head_[0]), b1 = static_cast<unsigned char>(head_[1]);
      bool zlibHeader = (b0 & 0x0F) == 8 && ((b0 << 8) | b1) % 31 == 0;
      bits = zlibHeader ? 15 : -15;
    }
    if (inflateInit2(&z_, bits) != Z_OK) return fail(ErrorCode::kSystem, "zlib could not start a decompressor");
    ready_ = true;
    started_ = true;
    return {};
  }

  Status inflateSome(std::string_view in, std::string& out, const PieceCheck& check) {
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z_.avail_in = static_cast<uInt>(in.size());
    const char* name = gzip_ ? "gzip" : "deflate";
    while (z_.avail_in > 0 || pendingOut_) {
      if (ended_) {
        // gzip allows several members one after another (RFC 1952); anything else after the end is garbage.
        if (!gzip_) return fail(ErrorCode::kParse, corrupt(name, std::to_string(z_.avail_in) + " bytes after the end of the stream"));
        if (inflateReset(&z_) != Z_OK) return fail(ErrorCode::kSystem, "zlib could not restart");
        ended_ = false;
      }
      size_t old = out.size();
      out.resize(old + kOutPiece);
      z_.next_out = reinterpret_cast<Bytef*>(out.data() + old);
      z_.avail_out = kOutPiece;
      int rc = inflate(&z_, Z_NO_FLUSH);
      out.resize(old + kOutPiece - z_.avail_out);
      pendingOut_ = z_.avail_out == 0;  // zlib may hold more output for the same input
      if (rc == Z_STREAM_END) {
        ended_ = true;
        pendingOut_ = false;
      } else if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT) {
        return fail(ErrorCode::kParse, corrupt(name, z_.msg ? z_.msg : "bad data"));
      } else if (rc == Z_MEM_ERROR) {
        return fail(ErrorCode::kSystem, "zlib ran out of memory while decoding");
      } else if (rc == Z_BUF_ERROR) {
        pendingOut_ = false;  // no progress possible: wants more input
        break;
      }
      if (auto st = check(out); !st) return st;
    }
    return {};
  }

  bool gzip_;
  z_stream z_{};
  bool ready_ = false;
  bool started_ = false;
  bool ended_ = false;
  bool pendingOut_ = false;
  std::string head_;
};

class BrotliStage final : public ContentDecoder::Stage {
 public:
  BrotliStage() : st_(BrotliDecoderCreateInstance(nullptr, nullptr, nullptr)) {}
  ~BrotliStage() override {
    if (st_) BrotliDecoderDestroyInstance(st_);
  }
  bool ended() const override { return ended_ || !sawInput_; }  // no input: an empty body

  Status run(std::string_view in, std::string& out, const PieceCheck& check) override {
    if (!st_) return fail(ErrorCode::kSystem, "brotli could not start a decompressor");
    sawInput_ = sawInput_ || !in.empty();
    size_t availIn = in.size();
    auto* nextIn = reinterpret_cast<const uint8_t*>(in.data());
    for (;;) {
      if (ended_) {
        if (availIn > 0) return fail(ErrorCode::kParse, corrupt("br", std::to_string(availIn) + " bytes after the end of the stream"));
        return {};
      }
      size_t old = out.size();
      out.resize(old + kOutPiece);
      size_t availOut = kOutPiece;
      auto* nextOut = reinterpret_cast<uint8_t*>(out.data() + old);
      auto rc = BrotliDecoderDecompressStream(st_, &availIn, &nextIn, &availOut, &nextOut, nullptr);
      out.resize(old + kOutPiece - availOut);
      if (rc == BROTLI_DECODER_RESULT_ERROR)
        return fail(ErrorCode::kParse, corrupt("br", BrotliDecoderErrorString(BrotliDecoderGetErrorCode(st_))));
      if (rc == BROTLI_DECODER_RESULT_SUCCESS) ended_ = true;
      if (auto st = check(out); !st) return st;
      if (rc == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT) return {};
    }
  }

 private:
  BrotliDecoderState* st_;
  bool ended_ = false;
  bool sawInput_ = false;
};

std::unique_ptr<ContentDecoder::Stage> makeStage(ContentCoding c) {
  if (c == ContentCoding::kBrotli) return std::make_unique<BrotliStage>();
  return std::make_unique<ZlibStage>(c == ContentCoding::kGzip);
}

}  // namespace

Result<std::unique_ptr<ContentDecoder>> ContentDecoder::create(std::string_view contentEncoding, DecodeLimits limits) {
  CodingList list = parseCodingList(contentEncoding);
  if (!list.unknown.empty())
    return fail(ErrorCode::kProtocol, "the body uses the content coding \"" + list.unknown +
                                          "\", which Sluice cannot decode: the wire bytes are shown instead");
  std::vector<std::unique_ptr<Stage>> stages;
  for (auto it = list.codings.rbegin(); it != list.codings.rend(); ++it) stages.push_back(makeStage(*it));
  return std::unique_ptr<ContentDecoder>(new ContentDecoder(std::move(stages), std::move(list.codings), limits));
}

ContentDecoder::ContentDecoder(std::vector<std::unique_ptr<Stage>> stages, std::vector<ContentCoding> codings, DecodeLimits limits)
    : stages_(std::move(stages)), codings_(std::move(codings)), limits_(limits) {}

ContentDecoder::~ContentDecoder() = default;

std::string ContentDecoder::describe() const {
  std::string s;
  for (auto c : codings_) s += (s.empty() ? "" : ", ") + std::string(contentCodingName(c));
  return s.empty() ? "identity" : s;
}

Status ContentDecoder::checkLimits() const {
  auto over = [&](const std::string& what) {
    return fail(ErrorCode::kLimit, "decoded " + formatBytes(decoded_) + " from " + formatBytes(wire_) + ": over the " + what +
                                       " limit, stopped (a decompression bomb, or raise the limit)");
  };
  if (limits_.maxDecodedBytes && decoded_ > limits_.maxDecodedBytes) return over(formatBytes(limits_.maxDecodedBytes));
  if (limits_.maxRatio && decoded_ > limits_.ratioGraceBytes && decoded_ / std::max<uint64_t>(wire_, 1) >= limits_.maxRatio)
    return over(std::to_string(limits_.maxRatio) + ":1 ratio");
  return {};
}

Status ContentDecoder::decode(std::string_view wire, std::string& out) {
  if (error_) return unexpected<Error>(*error_);
  wire_ += wire.size();
  if (stages_.empty()) {
    out.append(wire);
    decoded_ += wire.size();
    return {};
  }
  std::string_view in = wire;
  for (size_t i = 0; i < stages_.size(); ++i) {
    bool last = i + 1 == stages_.size();
    std::string& dst = last ? out : scratch_[i % 2];
    if (!last) dst.clear();
    size_t base = dst.size();
    uint64_t before = decoded_;
    PieceCheck check = [&](const std::string& o) -> Status {
      if (!last) {  // an inner stage of stacked codings is bounded by the size limit too
        if (limits_.maxDecodedBytes && o.size() > limits_.maxDecodedBytes)
          return fail(ErrorCode::kLimit, "an inner coding decoded to over " + formatBytes(limits_.maxDecodedBytes) + ", stopped");
        return {};
      }
      decoded_ = before + (o.size() - base);
      return checkLimits();
    };
    if (auto st = stages_[i]->run(in, dst, check); !st) {
      error_ = st.error();
      return st;
    }
    in = dst;
  }
  return {};
}

Status ContentDecoder::finish() {
  if (error_) return unexpected<Error>(*error_);
  for (size_t i = 0; i < stages_.size(); ++i) {
    if (!stages_[i]->ended()) {
      const char* name = contentCodingName(codings_[codings_.size() - 1 - i]);
      error_ = Error::make(ErrorCode::kParse, std::string("the ") + name +
                                                  " body is truncated: the response ended before the compressed stream did");
      return unexpected<Error>(*error_);
    }
  }
  return {};
}

}  // namespace sluice::http
