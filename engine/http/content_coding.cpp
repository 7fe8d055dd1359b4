// Coding names and the streaming encoders (zlib, brotli). The decoder is content_decoder.cpp.
#include "engine/http/content_coding.h"

#include <brotli/encode.h>
#include <zlib.h>

#include "engine/http/message.h"

namespace sluice::http {

const char* contentCodingName(ContentCoding c) {
  switch (c) {
    case ContentCoding::kIdentity: return "identity";
    case ContentCoding::kGzip: return "gzip";
    case ContentCoding::kDeflate: return "deflate";
    case ContentCoding::kBrotli: return "br";
  }
  return "?";
}

std::optional<ContentCoding> parseContentCoding(std::string_view name) {
  name = trimOws(name);
  if (iequals(name, "gzip") || iequals(name, "x-gzip")) return ContentCoding::kGzip;
  if (iequals(name, "deflate")) return ContentCoding::kDeflate;
  if (iequals(name, "br")) return ContentCoding::kBrotli;
  if (iequals(name, "identity")) return ContentCoding::kIdentity;
  return std::nullopt;
}

CodingList parseCodingList(std::string_view headerValue) {
  CodingList list;
  while (!headerValue.empty()) {
    size_t comma = headerValue.find(',');
    std::string_view item = trimOws(headerValue.substr(0, comma));
    headerValue = comma == std::string_view::npos ? std::string_view{} : headerValue.substr(comma + 1);
    if (item.empty()) continue;
    auto c = parseContentCoding(item);
    if (!c) {
      if (list.unknown.empty()) list.unknown = std::string(item);
      continue;
    }
    if (*c != ContentCoding::kIdentity) list.codings.push_back(*c);
  }
  return list;
}

namespace {

constexpr size_t kOutPiece = 64 * 1024;

class ZlibEncoder final : public ContentEncoder {
 public:
  ~ZlibEncoder() override {
    if (ready_) deflateEnd(&z_);
  }
  Status init(bool gzip, int level) {
    // windowBits 15 + 16 writes the gzip wrapper; 15 alone the zlib format that "deflate" names.
    if (deflateInit2(&z_, level < 0 ? 6 : level, Z_DEFLATED, gzip ? 15 + 16 : 15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
      return fail(ErrorCode::kSystem, "zlib could not start a compressor (out of memory?)");
    ready_ = true;
    return {};
  }
  Status encode(std::string_view in, bool flush, std::string& out) override { return run(in, flush ? Z_SYNC_FLUSH : Z_NO_FLUSH, out); }
  Status finish(std::string& out) override { return run({}, Z_FINISH, out); }

 private:
  Status run(std::string_view in, int mode, std::string& out) {
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z_.avail_in = static_cast<uInt>(in.size());
    for (;;) {
      size_t old = out.size();
      out.resize(old + kOutPiece);
      z_.next_out = reinterpret_cast<Bytef*>(out.data() + old);
      z_.avail_out = kOutPiece;
      int rc = deflate(&z_, mode);
      out.resize(old + kOutPiece - z_.avail_out);
      if (rc == Z_STREAM_ERROR) return fail(ErrorCode::kProtocol, "zlib compressor state broken");
      if (mode == Z_FINISH ? rc == Z_STREAM_END : (z_.avail_out != 0 && z_.avail_in == 0)) return {};
    }
  }
  z_stream z_{};
  bool ready_ = false;
};

class BrotliEncoder final : public ContentEncoder {
 public:
  ~BrotliEncoder() override {
    if (st_) BrotliEncoderDestroyInstance(st_);
  }
  Status init(int quality) {
    st_ = BrotliEncoderCreateInstance(nullptr, nullptr, nullptr);
    if (!st_) return fail(ErrorCode::kSystem, "brotli could not start a compressor (out of memory?)");
    BrotliEncoderSetParameter(st_, BROTLI_PARAM_QUALITY, static_cast<uint32_t>(quality < 0 ? 5 : quality));
    return {};
  }
  Status encode(std::string_view in, bool flush, std::string& out) override {
    return run(in, flush ? BROTLI_OPERATION_FLUSH : BROTLI_OPERATION_PROCESS, out);
  }
  Status finish(std::string& out) override { return run({}, BROTLI_OPERATION_FINISH, out); }

 private:
  Status run(std::string_view in, BrotliEncoderOperation op, std::string& out) {
    size_t availIn = in.size();
    auto* nextIn = reinterpret_cast<const uint8_t*>(in.data());
    for (;;) {
      size_t old = out.size();
      out.resize(old + kOutPiece);
      size_t availOut = kOutPiece;
      auto* nextOut = reinterpret_cast<uint8_t*>(out.data() + old);
      bool ok = BrotliEncoderCompressStream(st_, op, &availIn, &nextIn, &availOut, &nextOut, nullptr);
      out.resize(old + kOutPiece - availOut);
      if (!ok) return fail(ErrorCode::kProtocol, "brotli compressor failed");
      bool done = op == BROTLI_OPERATION_FINISH ? BrotliEncoderIsFinished(st_) : availIn == 0;
      if (done && !BrotliEncoderHasMoreOutput(st_)) return {};
    }
  }
  BrotliEncoderState* st_ = nullptr;
};

}  // namespace

Result<std::unique_ptr<ContentEncoder>> ContentEncoder::create(ContentCoding coding, int level) {
  if (coding == ContentCoding::kBrotli) {
    auto e = std::make_unique<BrotliEncoder>();
    if (auto st = e->init(level); !st) return unexpected<Error>(st.error());
    return std::unique_ptr<ContentEncoder>(std::move(e));
  }
  if (coding == ContentCoding::kGzip || coding == ContentCoding::kDeflate) {
    auto e = std::make_unique<ZlibEncoder>();
    if (auto st = e->init(coding == ContentCoding::kGzip, level); !st) return unexpected<Error>(st.error());
    return std::unique_ptr<ContentEncoder>(std::move(e));
  }
  return fail(ErrorCode::kInvalidArgument, "identity needs no encoder");
}

}  // namespace sluice::http
