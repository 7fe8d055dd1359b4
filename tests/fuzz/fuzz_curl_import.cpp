// The GUI's curl-command importer (ui/requests/curl_command.h, Qt Core only).
//
// Input: [stride][phase] then a command line (UTF-8). Invariants:
//  - no crash; a refusal has words (error is non-empty);
//  - an accepted import has a URL with a scheme and an upper-case method, and no
//    header without a name is sent (format() drops them);
//  - split: line continuations ("\\\n") inserted at the chosen points, where the
//    byte before is blank and outside quotes, give the same import;
//  - round trip: format() of an import, imported again, is the same request, and
//    formatting that again gives the same command line (a fixed point).
#include <QString>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fuzz_split.h"
#include "ui/requests/curl_command.h"

using sluice::ui::CurlCommand;
using sluice::ui::RequestSpec;

namespace {

#define CHECK(c) \
  do {           \
    if (!(c)) std::abort(); \
  } while (0)

// Where a continuation can go without changing the words: after a blank that is
// not quoted and not escaped. (Our own tiny scanner, not the importer's.)
std::string withContinuations(std::string_view in, uint8_t stride, uint8_t phase) {
  std::string out;
  char quote = 0;
  bool escaped = false;
  size_t at = 0;
  for (auto piece : sluice::fuzz::splitAt(in, stride, phase)) {
    // (Not before a blank either: trimming the command could eat the newline.)
    bool blankBefore = at > 0 && (in[at - 1] == ' ' || in[at - 1] == '\t');
    bool wordNext = static_cast<unsigned char>(piece[0]) > ' ' && static_cast<unsigned char>(piece[0]) < 0x7F;
    if (blankBefore && wordNext && !quote && !escaped) out += "\\\n";
    for (char c : piece) {
      out += c;
      if (escaped) escaped = false;
      else if (quote == '\'') { if (c == '\'') quote = 0; }
      else if (quote == '"') { if (c == '\\') escaped = true; else if (c == '"') quote = 0; }
      else if (c == '\\') escaped = true;
      else if (c == '\'' || c == '"') quote = c;
    }
    at += piece.size();
  }
  return out;
}

bool sameRequest(const RequestSpec& a, const RequestSpec& b) {
  return a.method == b.method && a.url == b.url && a.headers == b.headers && a.bodyKind == b.bodyKind &&
         a.bodyText == b.bodyText && a.bodyFile == b.bodyFile && a.contentType == b.contentType;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2 || size > 4096) return 0;
  std::string_view text(reinterpret_cast<const char*>(data + 2), size - 2);
  // Only valid UTF-8 makes a round trip through QString byte-exact.
  QString command = QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
  if (command.toUtf8() != QByteArray(text.data(), static_cast<qsizetype>(text.size()))) return 0;

  auto first = CurlCommand::parse(command);
  if (!first.ok) {
    CHECK(!first.error.isEmpty());
  } else {
    CHECK(first.spec.url.contains(QStringLiteral("://")));
    CHECK(!first.spec.method.isEmpty() && first.spec.method == first.spec.method.toUpper());
  }

  // The same command with line continuations at the split points.
  std::string cont = withContinuations(text, data[0], data[1]);
  auto split = CurlCommand::parse(QString::fromUtf8(cont.data(), static_cast<qsizetype>(cont.size())));
  CHECK(split.ok == first.ok);
  if (first.ok) CHECK(sameRequest(split.spec, first.spec));
  if (!first.ok) return 0;

  QString line = CurlCommand::format(first.spec);
  auto second = CurlCommand::parse(line);
  if (!second.ok) std::fprintf(stderr, "format() gave: %s\nwhich does not import: %s\n", qUtf8Printable(line),
                               qUtf8Printable(second.error));
  CHECK(second.ok);
  QString line2 = CurlCommand::format(second.spec);
  auto third = CurlCommand::parse(line2);
  CHECK(third.ok && sameRequest(third.spec, second.spec));
  CHECK(line2 == CurlCommand::format(third.spec));
  return 0;
}
