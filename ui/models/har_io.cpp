#include "ui/models/har_io.h"

#include <QFile>
#include <QHostAddress>
#include <QSaveFile>
#include <QUrl>

#include "engine/workspace/har.h"
#include "ui/models/workspace_session.h"

namespace sluice::ui {

namespace {

workspace::HarEntry toHar(const HistoryEntry& h) {
  workspace::HarEntry e;
  e.startedMs = h.when.toMSecsSinceEpoch();
  e.method = h.spec.method.toStdString();
  e.url = h.spec.url.toStdString();
  for (const auto& row : h.spec.headers)
    if (row.enabled) e.requestHeaders.emplace_back(row.name.toStdString(), row.value.toStdString());
  if (h.spec.bodyKind == RequestSpec::BodyKind::kText) {
    e.requestBody = h.spec.bodyText.toStdString();
    e.requestBodySize = static_cast<int64_t>(e.requestBody.size());
    if (!h.spec.contentType.isEmpty()) e.requestHeaders.emplace_back("Content-Type", h.spec.contentType.toStdString());
  } else if (h.spec.bodyKind == RequestSpec::BodyKind::kFile) {
    e.requestBodySize = -1;
  }
  e.status = h.status;
  e.statusText = h.reason.toStdString();
  for (const auto& [k, v] : h.responseHeaders) e.responseHeaders.emplace_back(k.toStdString(), v.toStdString());
  e.responseBodySize = h.status ? static_cast<int64_t>(h.bytes) : -1;
  e.error = h.error.toStdString();
  if (h.connectionId) e.connection = std::to_string(h.connectionId);
  QString host = QUrl(h.spec.url).host();
  if (QHostAddress addr; addr.setAddress(host)) e.serverIPAddress = host.toStdString();
  if (h.timingsKnown)
    e.timings = workspace::harTimingsFrom({h.timings.dnsUs, h.timings.connectUs, h.timings.writtenUs, h.timings.firstByteUs,
                                           h.timings.completeUs}, h.reused);
  e.reused = h.reused;
  e.reuseVerdict = h.verdict.toStdString();
  return e;
}

HistoryEntry fromHar(const workspace::HarEntry& e) {
  HistoryEntry h;
  auto file = workspace::httpFileFromHar({e});
  h.spec = WorkspaceSession::specFromHttp(file.blocks.front());
  h.when = QDateTime::fromMSecsSinceEpoch(e.startedMs);
  h.status = e.status;
  h.reason = QString::fromStdString(e.statusText);
  h.bytes = e.responseBodySize > 0 ? static_cast<quint64>(e.responseBodySize) : 0;
  h.ms = static_cast<qint64>(e.timings.total());
  h.verdict = QString::fromStdString(e.reuseVerdict.empty() ? "imported from HAR" : "imported: " + e.reuseVerdict);
  h.error = QString::fromStdString(e.error);
  return h;
}

}  // namespace

QString exportHarFile(const QList<HistoryEntry>& entries, const QString& path, bool includeSecrets) {
  std::vector<workspace::HarEntry> list;
  for (const auto& h : entries) list.push_back(toHar(h));
  std::string text = workspace::writeHar(list, workspace::HarOptions{.includeSecrets = includeSecrets});
  QSaveFile f(path);
  if (!f.open(QIODevice::WriteOnly)) return QObject::tr("cannot write %1: %2").arg(path, f.errorString());
  f.write(text.data(), static_cast<qint64>(text.size()));
  if (!f.commit()) return QObject::tr("cannot write %1: %2").arg(path, f.errorString());
  return {};
}

QString importHarFile(const QString& path, QList<HistoryEntry>& out) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return QObject::tr("cannot read %1: %2").arg(path, f.errorString());
  QByteArray data = f.readAll();
  auto entries = workspace::readHar(std::string_view(data.constData(), static_cast<size_t>(data.size())));
  if (!entries) return QStringLiteral("%1: %2").arg(path, QString::fromStdString(entries.error().message));
  for (const auto& e : *entries) out.append(fromHar(e));
  return {};
}

}  // namespace sluice::ui
