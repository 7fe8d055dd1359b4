#include "ui/requests/curl_command.h"

#include <QRegularExpression>

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
                                   "-L", "--location", "-k", "--insecure", "--compressed", "-f", "--fail", "-N",
                                   "--no-buffer", "-#", "--progress-bar", "-g", "--globoff"};
const QStringList kValueIgnored = {"-o", "--output", "-w", "--write-out", "-m", "--max-time", "--connect-timeout",
                                   "-A", "--user-agent", "-e", "--referer", "-b", "--cookie", "-c", "--cookie-jar"};

}  // namespace

CurlImport CurlCommand::parse(const QString& text) {
  CurlImport r;
  QString splitError;
  QStringList args = splitShell(text.trimmed(), &splitError);
  if (!splitError.isEmpty()) return {false, {}, QStringLiteral("cannot read the command: %1").arg(splitError), {}};
  if (!args.isEmpty() && (args.front() == QLatin1String("curl") || args.front().endsWith(QLatin1String("/curl"))))
    args.pop_front();
  if (args.isEmpty()) return {false, {}, QStringLiteral("paste a curl command, for example: curl -X PUT -T file http://host/upload/x"), {}};

  RequestSpec& s = r.spec;
  QString method;
  bool sawData = false, sawUpload = false;
  for (qsizetype i = 0; i < args.size(); ++i) {
    const QString a = args[i];
    auto value = [&](QString& v) {
      if (i + 1 >= args.size()) return false;
      v = args[++i];
      return true;
    };
    QString v;
    if (kFlagsIgnored.contains(a)) { r.ignored << a; continue; }
    if (kValueIgnored.contains(a)) { value(v); r.ignored << a; continue; }
    if (!a.startsWith(QLatin1Char('-'))) { s.url = a; continue; }
    bool needsValue = QStringList{"-X", "--request", "-H", "--header", "-d", "--data", "--data-raw", "--data-ascii",
                                  "--data-binary", "-T", "--upload-file", "-u", "--user", "--url"}.contains(a);
    if (!needsValue) {
      r.ignored << a;
      continue;
    }
    if (!value(v)) return {false, {}, QStringLiteral("%1 needs a value").arg(a), {}};
    if (a == "-X" || a == "--request") method = v.toUpper();
    else if (a == "-H" || a == "--header") {
      qsizetype colon = v.indexOf(QLatin1Char(':'));
      if (colon <= 0) return {false, {}, QStringLiteral("header '%1' has no 'Name: value' form").arg(v), {}};
      s.headers.append({true, v.left(colon).trimmed(), v.mid(colon + 1).trimmed()});
    } else if (a == "--data-binary") applyData(s, v, true, false, sawData);
    else if (a.startsWith(QLatin1String("-d")) || a.startsWith(QLatin1String("--data")))
      applyData(s, v, false, a == QLatin1String("--data-raw"), sawData);
    else if (a == "-T" || a == "--upload-file") {
      s.bodyKind = RequestSpec::BodyKind::kFile;
      s.bodyFile = v;
      sawUpload = true;
    } else if (a == "-u" || a == "--user") {
      setHeader(s, QStringLiteral("Authorization"), QStringLiteral("Basic ") + QString::fromLatin1(v.toUtf8().toBase64()));
    } else if (a == "--url") s.url = v;
  }
  if (s.url.isEmpty()) return {false, {}, QStringLiteral("the command has no URL"), r.ignored};
  if (!s.url.contains(QStringLiteral("://"))) s.url.prepend(QStringLiteral("http://"));
  if (sawData && s.bodyKind == RequestSpec::BodyKind::kText && !hasHeader(s, QStringLiteral("Content-Type")))
    s.contentType = QStringLiteral("application/x-www-form-urlencoded");
  // "Transfer-Encoding: chunked" is the composer's chunked toggle, not a free header.
  for (qsizetype i = s.headers.size() - 1; i >= 0; --i)
    if (s.headers[i].name.compare(QLatin1String("Transfer-Encoding"), Qt::CaseInsensitive) == 0 &&
        s.headers[i].value.trimmed().compare(QLatin1String("chunked"), Qt::CaseInsensitive) == 0) {
      s.chunked = true;
      s.headers.removeAt(i);
    }
  s.method = !method.isEmpty() ? method : sawUpload ? QStringLiteral("PUT") : sawData ? QStringLiteral("POST") : QStringLiteral("GET");
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

QString CurlCommand::format(const RequestSpec& spec) {
  QStringList parts{QStringLiteral("curl")};
  bool upload = spec.bodyKind == RequestSpec::BodyKind::kFile;
  bool impliedPut = upload && spec.method == QLatin1String("PUT");
  bool impliedPost = spec.bodyKind == RequestSpec::BodyKind::kText && spec.method == QLatin1String("POST");
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
  }
  // A URL starting with '-' would read as an option: --url keeps it a URL.
  if (spec.url.startsWith(QLatin1Char('-'))) parts << "--url";
  parts << shellQuote(spec.url);
  return parts.join(QLatin1Char(' '));
}

}  // namespace sluice::ui
