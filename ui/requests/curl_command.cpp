#include "ui/requests/curl_command.h"

#include <QRegularExpression>
#include <QUrl>

#include <cmath>
#include <optional>

namespace sluice::ui {

QStringList CurlCommand::splitShell(const QString& text, QString* error) {
  QStringList out;
  QString cur;
  bool inWord = false;
  enum { kNone, kSingle, kDouble } quote = kNone;
  for (qsizetype i = 0; i < text.size(); ++i) {
    QChar c = text[i];
    if (quote == kSingle) {
      if (c == QLatin1Char('\'')) quote = kNone;
      else cur += c;
      continue;
    }
    if (quote == kDouble) {
      if (c == QLatin1Char('"')) quote = kNone;
      else if (c == QLatin1Char('\\') && i + 1 < text.size() && QStringLiteral("\"\\$`\n").contains(text[i + 1])) {
        if (text[++i] != QLatin1Char('\n')) cur += text[i];
      } else cur += c;
      continue;
    }
    if (c == QLatin1Char('\\') && i + 1 < text.size() && !inWord && (text[i + 1] == QLatin1Char(' ') || text[i + 1] == QLatin1Char('\t'))) {
      continue;  // "\ " between words: a pasted line break whose newline was lost
    }
    if (c == QLatin1Char('\\') && i + 1 < text.size()) {
      QChar n = text[++i];
      if (n == QLatin1Char('\n') || n == QLatin1Char('\r')) continue;  // line continuation
      cur += n;
      inWord = true;
    } else if (c == QLatin1Char('\'')) {
      quote = kSingle;
      inWord = true;
    } else if (c == QLatin1Char('"')) {
      quote = kDouble;
      inWord = true;
    } else if (c.isSpace()) {
      if (inWord) out << cur;
      cur.clear();
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote != kNone && error) *error = QStringLiteral("unterminated %1 quote").arg(quote == kSingle ? "single" : "double");
  if (inWord) out << cur;
  return out;
}

namespace {

void setHeader(RequestSpec& s, const QString& name, const QString& value) {
  for (auto& h : s.headers)
    if (h.name.compare(name, Qt::CaseInsensitive) == 0) {
      h.value = value;
      return;
    }
  s.headers.append({true, name, value});
}

bool hasHeader(const RequestSpec& s, const QString& name) {
  for (const auto& h : s.headers)
    if (h.name.compare(name, Qt::CaseInsensitive) == 0) return true;
  return false;
}

// Applies a -d / --data-binary value: "@file" streams a file, anything else is text.
// raw: --data-raw, where curl takes a leading '@' literally instead of as a file name.
void applyData(RequestSpec& s, const QString& v, bool binary, bool raw, bool& sawData) {
  if (!raw && v.startsWith(QLatin1Char('@')) && v.size() > 1) {
    s.bodyKind = RequestSpec::BodyKind::kFile;
    s.bodyFile = v.mid(1);
  } else {
    if (sawData && s.bodyKind == RequestSpec::BodyKind::kText && !binary) s.bodyText += QLatin1Char('&') + v;
    else s.bodyText = v;
    s.bodyKind = RequestSpec::BodyKind::kText;
  }
  sawData = true;
}

const QStringList kFlagsIgnored = {"-s", "--silent", "-S", "--show-error", "-v", "--verbose", "-i", "--include",
                                   "-L", "--location", "--compressed", "-f", "--fail", "-N",
                                   "--no-buffer", "-#", "--progress-bar", "-g", "--globoff", "-O", "--remote-name"};
const QStringList kValueIgnored = {"-o", "--output", "-w", "--write-out", "-c", "--cookie-jar"};
/** Flags (no value) that set something in the request: -k and the TLS version floors. */
const QStringList kFlagsImported = {"-k", "--insecure", "--tlsv1.2", "--tlsv1.3"};
/** Options that take a value and are not imported: listed, and their value skipped. */
const QStringList kValueUnsupported = {
    "-x", "--proxy", "--resolve", "--connect-to", "-r", "--range",
    "-z", "--time-cond", "--limit-rate", "-K", "--config", "-D", "--dump-header", "--retry", "-C", "--continue-at",
    "-y", "--speed-time", "-Y", "--speed-limit", "--interface", "--local-port", "-U", "--proxy-user", "-Q", "--quote",
    "--max-redirs", "-t", "--telnet-option", "--unix-socket", "--data-urlencode", "--oauth2-bearer", "--aws-sigv4",
    "--form-string", "--user-agent-file", "--trace", "--trace-ascii", "--variable", "--expand-url", "--url-query"};
/** Short options whose value may be attached ("-XDELETE", "-HAccept:x"). */
const QString kShortWithValue = QStringLiteral("XHdTuAebFomwxrzKDCyYUQtE");

/** What one option does to the import; false with r.error set when it cannot. */
struct Importer {
  CurlImport& r;
  QString method;
  bool sawData = false, sawUpload = false, sawJson = false, sawForm = false, head = false;
  QStringList urls;

  bool fail(const QString& why) {
    r.error = why;
    return false;
  }
  bool header(const QString& v) {
    qsizetype colon = v.indexOf(QLatin1Char(':'));
    if (colon <= 0) return fail(QStringLiteral("header '%1' has no 'Name: value' form").arg(v));
    r.spec.headers.append({true, v.left(colon).trimmed(), v.mid(colon + 1).trimmed()});
    return true;
  }
  bool json(const QString& v) {
    // curl --json: the data as is (several are joined), POST, and both JSON headers unless set.
    if (v.startsWith(QLatin1Char('@'))) return fail(QStringLiteral("--json '%1': a body read from a file is not imported; paste the JSON itself").arg(v));
    r.spec.bodyText = sawJson ? r.spec.bodyText + v : v;
    r.spec.bodyKind = RequestSpec::BodyKind::kText;
    sawJson = sawData = true;  // the headers are settled at the end: a later -H wins, as in curl
    return true;
  }
  bool form(const QString& v) {
    if (v.indexOf(QLatin1Char('=')) <= 0) return fail(QStringLiteral("-F '%1' is not name=value, name=@file or name=<file").arg(v));
    r.spec.bodyKind = RequestSpec::BodyKind::kForm;
    r.spec.formParts << v;
    sawForm = true;
    return true;
  }
  bool apply(const QString& a, const QString& v);
  bool applyTls(const QString& a, const QString& v);
  bool seconds(const QString& a, const QString& v, int& ms);
  void flag(const QString& a) {
    if (a == "-k" || a == "--insecure") r.spec.tls.verify = false;
    else r.spec.tls.minVersion = a.mid(6);  // --tlsv1.2 / --tlsv1.3: the floor, as in curl
  }
};

bool Importer::seconds(const QString& a, const QString& v, int& ms) {
  bool ok = false;
  double seconds = v.toDouble(&ok);
  if (!ok || seconds < 0 || seconds > 86400) return fail(QStringLiteral("%1 '%2' is not a number of seconds from 0 to 86400").arg(a, v));
  ms = static_cast<int>(std::llround(seconds * 1000));
  return true;
}

bool Importer::applyTls(const QString& a, const QString& v) {
  TlsOptions& t = r.spec.tls;
  if (a == "--cacert") t.caFile = v;
  else if (a == "--capath") t.caPath = v;
  else if (a == "-E" || a == "--cert") {
    // curl's "file:password" form: a password for the key is not something we can keep.
    if (v.contains(QLatin1Char(':')))
      return fail(QStringLiteral("%1 '%2': a certificate password is not supported; use an unencrypted PEM key").arg(a, v));
    t.clientCert = v;
  } else if (a == "--key") t.clientKey = v;
  else if (a == "--ciphers") t.ciphers = v;
  else if (a == "--tls13-ciphers") t.tls13Ciphers = v;
  else if (a == "--tls-max") {
    if (v != QLatin1String("1.2") && v != QLatin1String("1.3"))
      return fail(QStringLiteral("--tls-max '%1' is not supported: Sluice speaks TLS 1.2 and 1.3 (use 1.2 or 1.3)").arg(v));
    t.maxVersion = v;
  }
  return true;
}

bool Importer::apply(const QString& a, const QString& v) {
  RequestSpec& s = r.spec;
  if (a == "-X" || a == "--request") method = v.toUpper();
  else if (a == "-H" || a == "--header") return header(v);
  else if (a == "--data-binary") applyData(s, v, true, false, sawData);
  else if (a == "-d" || a == "--data" || a == "--data-ascii" || a == "--data-raw")
    applyData(s, v, false, a == QLatin1String("--data-raw"), sawData);
  else if (a == "--json") return json(v);
  else if (a == "-F" || a == "--form") return form(v);
  else if (a == "-T" || a == "--upload-file") {
    s.bodyKind = RequestSpec::BodyKind::kFile;
    s.bodyFile = v;
    sawUpload = true;
  } else if (a == "-u" || a == "--user")
    setHeader(s, QStringLiteral("Authorization"), QStringLiteral("Basic ") + QString::fromLatin1(v.toUtf8().toBase64()));
  else if (a == "-A" || a == "--user-agent") setHeader(s, QStringLiteral("User-Agent"), v);
  else if (a == "-e" || a == "--referer") setHeader(s, QStringLiteral("Referer"), v);
  else if (a == "-b" || a == "--cookie") {
    if (!v.contains(QLatin1Char('='))) return fail(QStringLiteral("-b '%1' names a cookie file, which is not imported; give name=value pairs").arg(v));
    setHeader(s, QStringLiteral("Cookie"), v);
  } else if (a == "-m" || a == "--max-time") return seconds(a, v, s.totalTimeoutMs);
  else if (a == "--connect-timeout") return seconds(a, v, s.connectTimeoutMs);
  else if (a == "--url") urls << v;
  else return applyTls(a, v);
  return true;
}

const QStringList kValueImported = {"-X", "--request", "-H", "--header", "-d", "--data", "--data-raw", "--data-ascii",
                                    "--data-binary", "--json", "-F", "--form", "-T", "--upload-file", "-u", "--user",
                                    "-A", "--user-agent", "-e", "--referer", "-b", "--cookie", "--url", "-m", "--max-time",
                                    "--connect-timeout", "--cacert", "--capath", "-E", "--cert", "--key",
                                    "--ciphers", "--tls13-ciphers", "--tls-max"};

/** "-sSL" as "-s -S -L" when every letter is a flag; "-XDELETE" as "-X DELETE". */
QStringList expandShort(const QString& a) {
  if (a.size() <= 2 || a.startsWith(QLatin1String("--")) || !a.startsWith(QLatin1Char('-'))) return {a};
  if (kShortWithValue.contains(a[1])) return {a.left(2), a.mid(2)};
  QStringList out;
  for (qsizetype i = 1; i < a.size(); ++i) {
    QString f = QStringLiteral("-") + a[i];
    if (!kFlagsIgnored.contains(f) && !kFlagsImported.contains(f) && f != QLatin1String("-I") && f != QLatin1String("-G")) return {a};
    out << f;
  }
  return out;
}

/** The URL as typed in curl: a scheme is added when missing; no host is an error naming the token. */
bool checkUrl(CurlImport& r, const QString& typed) {
  QString url = typed.contains(QStringLiteral("://")) ? typed : QStringLiteral("http://") + typed;
  QUrl u(url, QUrl::TolerantMode);
  if (!u.isValid() || u.host().isEmpty())
    return r.error = QStringLiteral("cannot read the URL '%1': it has no host").arg(typed), false;
  r.spec.url = url;
  return true;
}

/** The URL, then the method and headers as curl derives them from the options seen; an error in words, or empty. */
QString finishSpec(CurlImport& r, Importer& im) {
  RequestSpec& s = r.spec;
  if (im.urls.isEmpty()) return QStringLiteral("the command has no URL");
  if (im.urls.size() > 1)
    return QStringLiteral("the command has more than one URL ('%1'); import one request at a time").arg(im.urls.join(QStringLiteral("', '")));
  if (!checkUrl(r, im.urls.front())) return r.error;
  if (im.sawForm && (im.sawData || im.sawUpload))
    return QStringLiteral("-F cannot be combined with -d, --json or -T (curl refuses it too)");
  if (im.sawJson && !hasHeader(s, QStringLiteral("Content-Type")))
    s.headers.append({true, QStringLiteral("Content-Type"), QStringLiteral("application/json")});
  if (im.sawJson && !hasHeader(s, QStringLiteral("Accept"))) s.headers.append({true, QStringLiteral("Accept"), QStringLiteral("application/json")});
  if (im.sawData && !im.sawJson && s.bodyKind == RequestSpec::BodyKind::kText && !hasHeader(s, QStringLiteral("Content-Type")))
    s.contentType = QStringLiteral("application/x-www-form-urlencoded");
  // "Transfer-Encoding: chunked" is the composer's chunked toggle, not a free header.
  for (qsizetype i = s.headers.size() - 1; i >= 0; --i)
    if (s.headers[i].name.compare(QLatin1String("Transfer-Encoding"), Qt::CaseInsensitive) == 0 &&
        s.headers[i].value.trimmed().compare(QLatin1String("chunked"), Qt::CaseInsensitive) == 0) {
      s.chunked = true;
      s.headers.removeAt(i);
    }
  bool hasBody = s.bodyKind != RequestSpec::BodyKind::kNone;
  s.method = !im.method.isEmpty() ? im.method
             : im.head        ? QStringLiteral("HEAD")
             : im.sawUpload   ? QStringLiteral("PUT")
             : hasBody        ? QStringLiteral("POST")
                              : QStringLiteral("GET");
  return {};
}

}  // namespace

CurlImport CurlCommand::parse(const QString& text) {
  CurlImport r;
  QString splitError;
  QStringList words = splitShell(text.trimmed(), &splitError);
  if (!splitError.isEmpty()) return {false, {}, QStringLiteral("cannot read the command: %1").arg(splitError), {}, {}};
  if (!words.isEmpty() && (words.front() == QLatin1String("curl") || words.front().endsWith(QLatin1String("/curl"))))
    words.pop_front();
  if (words.isEmpty()) return {false, {}, QStringLiteral("paste a curl command, for example: curl -X PUT -T file http://host/upload/x"), {}, {}};
  QStringList args = words;

  Importer im{r};
  for (qsizetype i = 0; i < args.size(); ++i) {
    if (QStringList parts = expandShort(args[i]); parts.size() > 1) {  // only where an option stands, never a value
      args.removeAt(i);
      for (qsizetype k = 0; k < parts.size(); ++k) args.insert(i + k, parts[k]);
    }
    const QString a = args[i];
    auto next = [&]() -> std::optional<QString> { return i + 1 < args.size() ? std::optional(args[++i]) : std::nullopt; };
    if (!a.startsWith(QLatin1Char('-')) || a == QLatin1String("-")) { im.urls << a; continue; }
    if (kFlagsIgnored.contains(a)) { r.ignored << a; continue; }
    if (kFlagsImported.contains(a)) { im.flag(a); continue; }
    if (a == "-I" || a == "--head") { im.head = true; continue; }
    bool value = kValueIgnored.contains(a) || kValueUnsupported.contains(a) || kValueImported.contains(a);
    if (!value) { r.unsupported << a; continue; }
    auto v = next();
    if (!v) return {false, {}, QStringLiteral("%1 needs a value").arg(a), r.ignored, r.unsupported};
    if (kValueIgnored.contains(a)) r.ignored << a;
    else if (kValueUnsupported.contains(a)) r.unsupported << a;
    else if (!im.apply(a, *v)) return {false, {}, r.error, r.ignored, r.unsupported};
  }
  if (QString error = finishSpec(r, im); !error.isEmpty()) return {false, {}, error, r.ignored, r.unsupported};
  r.ok = true;
  return r;
}

QString CurlCommand::shellQuote(const QString& s) {
  static const QRegularExpression safe(QStringLiteral("^[A-Za-z0-9_@%+=:,./-]+$"));
  if (!s.isEmpty() && safe.match(s).hasMatch()) return s;
  QString q = s;
  q.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
  return QLatin1Char('\'') + q + QLatin1Char('\'');
}

namespace {
// The TLS options as curl's flags (the head and body idle timeouts have no curl flag).
void formatTls(const TlsOptions& t, QStringList& parts) {
  if (!t.verify) parts << "-k";
  const std::pair<const char*, const QString*> kValues[] = {{"--cacert", &t.caFile},   {"--capath", &t.caPath},
                                                            {"--cert", &t.clientCert}, {"--key", &t.clientKey},
                                                            {"--ciphers", &t.ciphers}, {"--tls13-ciphers", &t.tls13Ciphers}};
  for (const auto& [flag, value] : kValues)
    if (!value->isEmpty()) parts << QLatin1String(flag) << CurlCommand::shellQuote(*value);
  if (!t.minVersion.isEmpty()) parts << QStringLiteral("--tlsv") + t.minVersion;
  if (!t.maxVersion.isEmpty()) parts << "--tls-max" << t.maxVersion;
}
}  // namespace

QString CurlCommand::format(const RequestSpec& spec) {
  QStringList parts{QStringLiteral("curl")};
  bool upload = spec.bodyKind == RequestSpec::BodyKind::kFile;
  bool impliedPut = upload && spec.method == QLatin1String("PUT");
  bool impliedPost = (spec.bodyKind == RequestSpec::BodyKind::kText || spec.bodyKind == RequestSpec::BodyKind::kForm) &&
                     spec.method == QLatin1String("POST");
  bool impliedGet = spec.bodyKind == RequestSpec::BodyKind::kNone && spec.method == QLatin1String("GET");
  if (!impliedPut && !impliedPost && !impliedGet) parts << "-X" << shellQuote(spec.method);
  for (const auto& h : spec.headers)
    if (h.enabled && !h.name.isEmpty()) parts << "-H" << shellQuote(h.name + QStringLiteral(": ") + h.value);
  if (spec.bodyKind == RequestSpec::BodyKind::kText) {
    if (!spec.contentType.isEmpty() && spec.contentType != QLatin1String("application/x-www-form-urlencoded"))
      parts << "-H" << shellQuote(QStringLiteral("Content-Type: ") + spec.contentType);
    if (spec.chunked) parts << "-H" << shellQuote(QStringLiteral("Transfer-Encoding: chunked"));
    // curl reads a leading '@' in --data-binary as a file name; --data-raw keeps it literal.
    parts << (spec.bodyText.startsWith(QLatin1Char('@')) ? "--data-raw" : "--data-binary") << shellQuote(spec.bodyText);
  } else if (upload) {
    if (spec.chunked) parts << "-H" << shellQuote(QStringLiteral("Transfer-Encoding: chunked"));
    parts << "-T" << shellQuote(spec.bodyFile);
  } else if (spec.bodyKind == RequestSpec::BodyKind::kForm) {
    for (const QString& p : spec.formParts) parts << "-F" << shellQuote(p);
  }
  if (spec.totalTimeoutMs > 0) parts << "--max-time" << QString::number(spec.totalTimeoutMs / 1000.0, 'f', 3);
  if (spec.connectTimeoutMs > 0) parts << "--connect-timeout" << QString::number(spec.connectTimeoutMs / 1000.0, 'f', 3);
  formatTls(spec.tls, parts);
  // A URL starting with '-' would read as an option: --url keeps it a URL.
  if (spec.url.startsWith(QLatin1Char('-'))) parts << "--url";
  parts << shellQuote(spec.url);
  return parts.join(QLatin1Char(' '));
}

}  // namespace sluice::ui
