#pragma once
/** What the request composer describes: plain data, copyable, saved in the history. */
#include <QJsonObject>
#include <QList>
#include <QString>

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

struct RequestSpec {
  enum class BodyKind { kNone, kText, kFile };

  QString method = QStringLiteral("GET");
  QString url;
  QList<HeaderRow> headers;
  BodyKind bodyKind = BodyKind::kNone;
  QString bodyText;
  QString contentType;  ///< for a text body; empty: none added
  QString bodyFile;     ///< streamed from disk, never loaded
  bool chunked = false;
  bool forceNewConnection = false;
  bool noReturnToPool = false;
  bool decode = false;  ///< ask for gzip, deflate, br and decode the body as it streams
  bool followRedirects = false;  ///< follow 3xx as curl -L does; each hop is its own request
  int maxRedirects = 10;
  ReleasePolicy release = ReleasePolicy::kAtEnd;

  bool operator==(const RequestSpec&) const = default;

  QJsonObject toJson() const;
  static RequestSpec fromJson(const QJsonObject& o);
  /** "GET /bytes/1048576" for lists. */
  QString shortLabel() const;
};

}  // namespace sluice::ui
