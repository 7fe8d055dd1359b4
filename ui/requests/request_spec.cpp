#include "ui/requests/request_spec.h"

#include <algorithm>

#include <QJsonArray>
#include <QUrl>

namespace sluice::ui {

QString releasePolicyName(ReleasePolicy p) {
  switch (p) {
    case ReleasePolicy::kAtEnd: return QStringLiteral("release at end");
    case ReleasePolicy::kNow: return QStringLiteral("release now (after head)");
    case ReleasePolicy::kReset: return QStringLiteral("reset() at end");
    case ReleasePolicy::kLate: return QStringLiteral("late release (1 s after end)");
    case ReleasePolicy::kLeak: return QStringLiteral("leak (never release)");
    case ReleasePolicy::kDouble: return QStringLiteral("double release");
  }
  return {};
}

QString releasePolicyKey(ReleasePolicy p) {
  switch (p) {
    case ReleasePolicy::kAtEnd: return QStringLiteral("end");
    case ReleasePolicy::kNow: return QStringLiteral("now");
    case ReleasePolicy::kReset: return QStringLiteral("reset");
    case ReleasePolicy::kLate: return QStringLiteral("late");
    case ReleasePolicy::kLeak: return QStringLiteral("leak");
    case ReleasePolicy::kDouble: return QStringLiteral("double");
  }
  return QStringLiteral("end");
}

ReleasePolicy releasePolicyFromKey(const QString& key) {
  for (auto p : {ReleasePolicy::kAtEnd, ReleasePolicy::kNow, ReleasePolicy::kReset, ReleasePolicy::kLate,
                 ReleasePolicy::kLeak, ReleasePolicy::kDouble})
    if (releasePolicyKey(p) == key) return p;
  return ReleasePolicy::kAtEnd;
}

namespace {
QString bodyKindKey(RequestSpec::BodyKind k) {
  switch (k) {
    case RequestSpec::BodyKind::kNone: return QStringLiteral("none");
    case RequestSpec::BodyKind::kText: return QStringLiteral("text");
    case RequestSpec::BodyKind::kFile: return QStringLiteral("file");
    case RequestSpec::BodyKind::kForm: return QStringLiteral("form");
  }
  return QStringLiteral("none");
}

RequestSpec::BodyKind bodyKindFromKey(const QString& k) {
  if (k == QLatin1String("text")) return RequestSpec::BodyKind::kText;
  if (k == QLatin1String("file")) return RequestSpec::BodyKind::kFile;
  if (k == QLatin1String("form")) return RequestSpec::BodyKind::kForm;
  return RequestSpec::BodyKind::kNone;
}
}  // namespace

QJsonObject RequestSpec::toJson() const {
  QJsonArray hs;
  for (const auto& h : headers)
    hs.append(QJsonObject{{"enabled", h.enabled}, {"name", h.name}, {"value", h.value}});
  return QJsonObject{{"method", method},         {"url", url},
                     {"form", QJsonArray::fromStringList(formParts)},
                     {"headers", hs},            {"body", bodyKindKey(bodyKind)},
                     {"bodyText", bodyText},     {"contentType", contentType},
                     {"bodyFile", bodyFile},     {"chunked", chunked},
                     {"forceNew", forceNewConnection}, {"noReturn", noReturnToPool}, {"decode", decode}, {"followRedirects", followRedirects}, {"maxRedirects", maxRedirects},
                     {"release", releasePolicyKey(release)},
                     {"totalTimeoutMs", totalTimeoutMs}, {"headTimeoutMs", headTimeoutMs},
                     {"connectTimeoutMs", connectTimeoutMs}, {"bodyIdleTimeoutMs", bodyIdleTimeoutMs},
                     {"tls", tls.toJson()}};
}

RequestSpec RequestSpec::fromJson(const QJsonObject& o) {
  RequestSpec s;
  s.method = o.value("method").toString(QStringLiteral("GET"));
  s.url = o.value("url").toString();
  for (const auto& v : o.value("headers").toArray()) {
    QJsonObject h = v.toObject();
    s.headers.append({h.value("enabled").toBool(true), h.value("name").toString(), h.value("value").toString()});
  }
  s.bodyKind = bodyKindFromKey(o.value("body").toString());
  s.bodyText = o.value("bodyText").toString();
  s.contentType = o.value("contentType").toString();
  s.bodyFile = o.value("bodyFile").toString();
  for (const auto& v : o.value("form").toArray()) s.formParts << v.toString();
  s.chunked = o.value("chunked").toBool();
  s.forceNewConnection = o.value("forceNew").toBool();
  s.noReturnToPool = o.value("noReturn").toBool();
  s.decode = o.value("decode").toBool();
  s.followRedirects = o.value("followRedirects").toBool();
  s.maxRedirects = o.value("maxRedirects").toInt(10);
  s.totalTimeoutMs = std::max(0, o.value("totalTimeoutMs").toInt());
  s.headTimeoutMs = std::max(0, o.value("headTimeoutMs").toInt());
  s.connectTimeoutMs = std::max(0, o.value("connectTimeoutMs").toInt());
  s.bodyIdleTimeoutMs = std::max(0, o.value("bodyIdleTimeoutMs").toInt());
  s.tls = TlsOptions::fromJson(o.value("tls").toObject());
  s.release = releasePolicyFromKey(o.value("release").toString());
  return s;
}

QJsonObject RequestSpec::optionsJson() const {
  return QJsonObject{{"tls", tls.toJson()},           {"connectTimeoutMs", connectTimeoutMs}, {"headTimeoutMs", headTimeoutMs},
                     {"bodyIdleTimeoutMs", bodyIdleTimeoutMs}, {"totalTimeoutMs", totalTimeoutMs}};
}

void RequestSpec::applyOptions(const QJsonObject& o) {
  if (o.isEmpty()) return;
  tls = TlsOptions::fromJson(o.value("tls").toObject());
  connectTimeoutMs = std::max(0, o.value("connectTimeoutMs").toInt());
  headTimeoutMs = std::max(0, o.value("headTimeoutMs").toInt());
  bodyIdleTimeoutMs = std::max(0, o.value("bodyIdleTimeoutMs").toInt());
  totalTimeoutMs = std::max(0, o.value("totalTimeoutMs").toInt());
}

QJsonObject TlsOptions::toJson() const {
  return QJsonObject{{"verify", verify},         {"caFile", caFile},         {"caPath", caPath},
                     {"cert", clientCert},       {"key", clientKey},         {"min", minVersion},
                     {"max", maxVersion},        {"ciphers", ciphers},       {"tls13Ciphers", tls13Ciphers}};
}

TlsOptions TlsOptions::fromJson(const QJsonObject& o) {
  TlsOptions t;
  t.verify = o.value("verify").toBool(true);
  t.caFile = o.value("caFile").toString();
  t.caPath = o.value("caPath").toString();
  t.clientCert = o.value("cert").toString();
  t.clientKey = o.value("key").toString();
  t.minVersion = o.value("min").toString();
  t.maxVersion = o.value("max").toString();
  t.ciphers = o.value("ciphers").toString();
  t.tls13Ciphers = o.value("tls13Ciphers").toString();
  return t;
}

QString encodeTypedUrl(const QString& typed) {
  QString t = typed.trimmed();
  if (!t.contains(QStringLiteral("://"))) return t;
  QUrl u(t, QUrl::TolerantMode);
  if (!u.isValid()) return t;
  return QString::fromLatin1(u.toEncoded(QUrl::FullyEncoded));
}

QString RequestSpec::shortLabel() const {
  QUrl u(url);
  QString path = u.isValid() && !u.path().isEmpty() ? u.path() : url;
  if (u.hasQuery()) path += QLatin1Char('?') + u.query();
  return method + QLatin1Char(' ') + path;
}

}  // namespace sluice::ui
