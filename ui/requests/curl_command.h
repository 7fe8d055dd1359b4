#pragma once
/** curl command lines in and out of a RequestSpec ("Import curl", "Copy as curl"). */
#include <QString>
#include <QStringList>

#include "ui/requests/request_spec.h"

namespace sluice::ui {

/** The result of an import: the request, plus words about anything left out. */
struct CurlImport {
  bool ok = false;
  RequestSpec spec;
  QString error;         ///< when !ok: what is wrong, in words
  QStringList ignored;   ///< options understood but not applicable ("-s", "-L", ...)
  QStringList unsupported;  ///< options this importer does not handle, by name ("--resolve", ...)
};

class CurlCommand {
 public:
  /**
   * Splits a shell command line: quotes, backslash escapes, line continuations. A
   * backslash that starts a word and is followed by blanks is a pasted line break
   * (its newline lost) and separates words.
   */
  static QStringList splitShell(const QString& text, QString* error = nullptr);
  /**
   * Understands -X (also -XDELETE), -H, -d/--data*, --data-binary, --json, -F/--form,
   * -T, -u, -A, -e, -b, -I, --url and the URL; other options are listed in ignored
   * (not applicable) or unsupported, never dropped silently.
   */
  static CurlImport parse(const QString& text);
  /** One line that curl runs as the same request. */
  static QString format(const RequestSpec& spec);
  /** Quotes for a POSIX shell when needed. */
  static QString shellQuote(const QString& s);
};

}  // namespace sluice::ui
