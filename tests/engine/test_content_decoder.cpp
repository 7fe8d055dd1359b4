// Content decoding: gzip, deflate (zlib and raw), br and stacked codings, fed in odd-sized
// pieces; decompression bombs stopped by size and by ratio; corrupt and truncated streams.
#include <QtTest/QtTest>

#include <zlib.h>

#include <random>
#include <string>

#include "engine/http/content_coding.h"

using namespace sluice::http;

namespace {

std::string sample(size_t n) {
  std::mt19937 rng(7);
  std::string s;
  s.reserve(n);
  const char* words[] = {"stream ", "event ", "data: ", "{\"seq\":", "42}", "\n", "sluice ", "chunk "};
  while (s.size() < n) s += words[rng() % 8];
  s.resize(n);
  return s;
}

std::string encode(ContentCoding c, const std::string& in) {
  auto enc = ContentEncoder::create(c);
  std::string out;
  if (!enc || !(*enc)->encode(in, false, out) || !(*enc)->finish(out)) return {};
  return out;
}

/** Raw deflate (no zlib header), as some servers wrongly send for "deflate". */
std::string rawDeflate(const std::string& in) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, in.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

/** Decodes wire in pieces of the given sizes, cycling; returns decoded bytes or the error text. */
std::string decodeInPieces(std::string_view encoding, const std::string& wire, std::vector<size_t> sizes,
                           DecodeLimits limits = {}, bool* ok = nullptr) {
  auto dec = ContentDecoder::create(encoding, limits);
  if (!dec) return "create: " + dec.error().message;
  std::string out;
  size_t off = 0, k = 0;
  while (off < wire.size()) {
    size_t n = std::min(sizes[k++ % sizes.size()], wire.size() - off);
    if (auto st = (*dec)->decode(std::string_view(wire).substr(off, n), out); !st) return "decode: " + st.error().message;
    off += n;
  }
  if (auto st = (*dec)->finish(); !st) return "finish: " + st.error().message;
  if (ok) *ok = true;
  return out;
}

}  // namespace

class TestContentDecoder : public QObject {
  Q_OBJECT

 private slots:
  void roundTripsInOddPieces_data();
  void roundTripsInOddPieces();
  void rawDeflateAccepted();
  void gzipMembersConcatenated();
  void stackedCodings();
  void bombStoppedBySize();
  void bombStoppedByRatio();
  void corruptStream_data();
  void corruptStream();
  void truncatedStream();
  void unknownCodingNamed();
  void emptyBodyIsFine();
};

void TestContentDecoder::roundTripsInOddPieces_data() {
  QTest::addColumn<QString>("coding");
  for (const char* c : {"gzip", "deflate", "br", "x-gzip", "identity"}) QTest::newRow(c) << c;
}

void TestContentDecoder::roundTripsInOddPieces() {
  QFETCH(QString, coding);
  auto c = parseContentCoding(coding.toStdString());
  QVERIFY(c.has_value());
  std::string plain = sample(300'001);
  std::string wire = *c == ContentCoding::kIdentity ? plain : encode(*c, plain);
  QVERIFY(!wire.empty());
  for (auto sizes : std::vector<std::vector<size_t>>{{1}, {3, 7, 1, 13}, {4093}, {wire.size()}}) {
    bool ok = false;
    std::string out = decodeInPieces(coding.toStdString(), wire, sizes, {}, &ok);
    QVERIFY2(ok, out.c_str());
    QVERIFY(out == plain);
  }
}

void TestContentDecoder::rawDeflateAccepted() {
  std::string plain = sample(50'000);
  bool ok = false;
  std::string out = decodeInPieces("deflate", rawDeflate(plain), {1, 5, 999}, {}, &ok);
  QVERIFY2(ok, out.c_str());
  QVERIFY(out == plain);
}

void TestContentDecoder::gzipMembersConcatenated() {
  std::string a = sample(1000), b = "second member";
  bool ok = false;
  std::string out = decodeInPieces("gzip", encode(ContentCoding::kGzip, a) + encode(ContentCoding::kGzip, b), {11}, {}, &ok);
  QVERIFY2(ok, out.c_str());
  QVERIFY(out == a + b);
}

void TestContentDecoder::stackedCodings() {
  std::string plain = sample(20'000);
  // "gzip, br": gzip applied first, then br; decoding undoes br, then gzip.
  std::string wire = encode(ContentCoding::kBrotli, encode(ContentCoding::kGzip, plain));
  auto dec = ContentDecoder::create("gzip, br");
  QVERIFY(dec.has_value());
  QCOMPARE((*dec)->describe(), std::string("gzip, br"));
  bool ok = false;
  std::string out = decodeInPieces("gzip, br", wire, {17, 300}, {}, &ok);
  QVERIFY2(ok, out.c_str());
  QVERIFY(out == plain);
}

void TestContentDecoder::bombStoppedBySize() {
  std::string wire = encode(ContentCoding::kGzip, std::string(64u << 20, '\0'));  // 64 MiB of zeros, ~64 KiB on the wire
  DecodeLimits limits;
  limits.maxDecodedBytes = 8u << 20;
  limits.maxRatio = 0;
  std::string out = decodeInPieces("gzip", wire, {16384}, limits);
  QVERIFY2(out.starts_with("decode: decoded ") && out.find("over the 8.0 MiB limit, stopped") != std::string::npos, out.c_str());
}

void TestContentDecoder::bombStoppedByRatio() {
  std::string wire = encode(ContentCoding::kBrotli, std::string(64u << 20, 'a'));
  DecodeLimits limits;  // the default 1000:1 ratio
  std::string out = decodeInPieces("br", wire, {4096}, limits);
  QVERIFY2(out.find("over the 1000:1 ratio limit, stopped") != std::string::npos, out.c_str());
  // The same body with the ratio bound off decodes whole.
  limits.maxRatio = 0;
  bool ok = false;
  out = decodeInPieces("br", wire, {1 << 20}, limits, &ok);
  QVERIFY(ok);
  QCOMPARE(out.size(), size_t(64u << 20));
}

void TestContentDecoder::corruptStream_data() {
  QTest::addColumn<QString>("coding");
  for (const char* c : {"gzip", "deflate", "br"}) QTest::newRow(c) << c;
}

void TestContentDecoder::corruptStream() {
  QFETCH(QString, coding);
  std::string wire = encode(*parseContentCoding(coding.toStdString()), sample(100'000));
  for (size_t i = wire.size() / 3; i < wire.size() / 3 + 64; ++i) wire[i] = static_cast<char>(wire[i] ^ 0x5A);
  std::string out = decodeInPieces(coding.toStdString(), wire, {1000});
  QVERIFY2(out.find("body is corrupt") != std::string::npos, out.c_str());
  QVERIFY(out.find(coding.toStdString()) != std::string::npos);
}

void TestContentDecoder::truncatedStream() {
  std::string wire = encode(ContentCoding::kGzip, sample(100'000));
  std::string out = decodeInPieces("gzip", wire.substr(0, wire.size() / 2), {777});
  QVERIFY2(out.starts_with("finish: the gzip body is truncated"), out.c_str());
}

void TestContentDecoder::unknownCodingNamed() {
  auto dec = ContentDecoder::create("gzip, zstd");
  QVERIFY(!dec);
  QVERIFY(dec.error().message.find("\"zstd\"") != std::string::npos);
}

void TestContentDecoder::emptyBodyIsFine() {
  auto dec = ContentDecoder::create("gzip");
  QVERIFY(dec.has_value());
  QVERIFY((*dec)->finish().has_value());
}

QTEST_APPLESS_MAIN(TestContentDecoder)
#include "test_content_decoder.moc"
