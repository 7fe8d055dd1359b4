#pragma once
/** What the request composer describes: plain data, copyable, saved in the history. */
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace sluice::ui {

/** When a streamed response body is released (the per-request release policy). */
enum class ReleasePolicy {
  kAtEnd,   ///< release() once the body ended (the default)
  kNow,     ///< release() as soon as the head arrives: drained within the policy, or closed
  kReset,   ///< reset() at the end: same operation as release(), Hertz's name
  kLate,    ///< release() a while after the end: the connection is held meanwhile
  kLeak,    ///< never released: the stream holds its connection until dropped
  kDouble,  ///< release() twice: the second is ignored and recorded as a warning
};

QString releasePolicyName(ReleasePolicy p);          ///< "at end", "now", ...
QString releasePolicyKey(ReleasePolicy p);           ///< "end", "now", "reset", "late", "leak", "double"
ReleasePolicy releasePolicyFromKey(const QString& key);

struct HeaderRow {
  bool enabled = true;
  QString name;
  QString value;
  bool operator==(const HeaderRow&) const = default;
};

/** TLS options of an https request, with curl's names (saved with the request; defaults in the settings). */
struct TlsOptions {
  bool verify = true;    ///< off: curl -k; the composer then shows a warning
  QString caFile;        ///< --cacert; empty: the system trust store
  QString caPath;        ///< --capath
  QString clientCert;    ///< --cert (PEM)
  QString clientKey;     ///< --key (PEM); empty: the key is in the cert file
  QString minVersion;    ///< "" (1.2, the engine's floor), "1.2" or "1.3": --tlsv1.2 / --tlsv1.3
  QString maxVersion;    ///< "" (no bound), "1.2" or "1.3": --tls-max
  QString ciphers;       ///< --ciphers: TLS 1.2 cipher list
  QString tls13Ciphers;  ///< --tls13-ciphers
  bool operator==(const TlsOptions&) const = default;
  QJsonObject toJson() const;
  static TlsOptions fromJson(const QJsonObject& o);
};

struct RequestSpec {
  enum class BodyKind { kNone, kText, kFile, kForm };

  QString method = QStringLiteral("GET");
  QString url;
  QList<HeaderRow> headers;
  BodyKind bodyKind = BodyKind::kNone;
  QString bodyText;
  QString contentType;  ///< for a text body; empty: none added
  QString bodyFile;     ///< streamed from disk, never loaded
  QStringList formParts;  ///< kForm: multipart parts as curl -F takes them (name=value, name=@file;type=T)
  bool chunked = false;
  bool forceNewConnection = false;
  bool noReturnToPool = false;
  bool decode = false;  ///< ask for gzip, deflate, br and decode the body as it streams
  bool followRedirects = false;  ///< follow 3xx as curl -L does; each hop is its own request
  int maxRedirects = 10;
  int totalTimeoutMs = 0;  ///< the whole exchange (curl --max-time); 0: none
  int headTimeoutMs = 0;   ///< request written -> response head; 0: the client's default
  int connectTimeoutMs = 0;   ///< TCP connect (curl --connect-timeout); 0: the client's default
  int bodyIdleTimeoutMs = 0;  ///< no body byte for this long; 0: the client's default
  TlsOptions tls;
  ReleasePolicy release = ReleasePolicy::kAtEnd;

  bool operator==(const RequestSpec&) const = default;

  QJsonObject toJson() const;
  static RequestSpec fromJson(const QJsonObject& o);
  /** The TLS options and the four timeouts alone: the defaults new requests start with. */
  QJsonObject optionsJson() const;
  void applyOptions(const QJsonObject& o);
  /** "GET /bytes/1048576" for lists. */
  QString shortLabel() const;
};

/**
 * A URL as a person typed it, percent-encoded as a browser's address bar does
 * (spaces, non-ASCII and other bytes not allowed in a URL), so what is shown is what
 * is sent. Text without "://" is returned trimmed but otherwise as typed.
 */
QString encodeTypedUrl(const QString& typed);

}  // namespace sluice::ui
