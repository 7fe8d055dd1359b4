#include "ui/models/history_model.h"

#include <QColor>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>
#include <QStandardPaths>
#include <QUrl>

#include "engine/workspace/har.h"

#include "ui/bridge/transfer.h"
#include "ui/widgets/format.h"

namespace sluice::ui {

namespace {
// "Basic dXNlcjpw" -> "Basic <redacted>": credentials never sit in the history file.
// A value written with a {{variable}} is kept: the secret lives in the environment.
RequestSpec withoutCredentials(RequestSpec spec) {
  for (auto& h : spec.headers)
    if ((h.name.compare(QLatin1String("Authorization"), Qt::CaseInsensitive) == 0 ||
         h.name.compare(QLatin1String("Proxy-Authorization"), Qt::CaseInsensitive) == 0) &&
        !h.value.contains(QLatin1String("{{")))
      h.value = QString::fromStdString(workspace::redactAuthorization(h.value.toStdString()));
  return spec;
}

// "GET /bytes/1  · 127.0.0.1:8080": the path as before, then the host it went to.
QString hostLabel(const RequestSpec& spec) {
  QUrl url(spec.url);
  if (!url.isValid() || url.host().isEmpty()) return spec.shortLabel();
  QString host = url.port() > 0 ? QStringLiteral("%1:%2").arg(url.host()).arg(url.port()) : url.host();
  return QStringLiteral("%1  · %2").arg(spec.shortLabel(), host);
}
}  // namespace

HistoryModel::HistoryModel(QString path, QObject* parent)
    : QAbstractListModel(parent), path_(path.isEmpty() ? defaultPath() : std::move(path)) {
  saveTimer_.setSingleShot(true);
  saveTimer_.setInterval(300);
  connect(&saveTimer_, &QTimer::timeout, this, [this] { save(); });
  load();
}

HistoryModel::~HistoryModel() {
  if (saveTimer_.isActive()) save();
}

QString HistoryModel::defaultPath() {
  QString env = qEnvironmentVariable("SLUICE_HISTORY_FILE");
  if (!env.isEmpty()) return env;
  return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/history.json");
}

void HistoryModel::load() {
  QFile f(path_);
  if (!f.exists()) return;
  if (!f.open(QIODevice::ReadOnly)) {
    error_ = tr("cannot read the history %1: %2").arg(path_, f.errorString());
    return;
  }
  QJsonParseError pe;
  QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &pe);
  if (pe.error != QJsonParseError::NoError) {
    error_ = tr("the history %1 is not valid JSON (%2); starting empty").arg(path_, pe.errorString());
    return;
  }
  beginResetModel();
  for (const auto& v : doc.object().value("entries").toArray()) {
    QJsonObject o = v.toObject();
    HistoryEntry e;
    e.spec = RequestSpec::fromJson(o.value("request").toObject());
    e.when = QDateTime::fromString(o.value("when").toString(), Qt::ISODateWithMs);
    e.status = o.value("status").toInt();
    e.bytes = static_cast<quint64>(o.value("bytes").toDouble());
    e.ms = static_cast<qint64>(o.value("ms").toDouble());
    e.verdict = o.value("verdict").toString();
    e.error = o.value("error").toString();
    e.chain = o.value("chain").toString();
    entries_.append(e);
    if (entries_.size() >= kMaxEntries) break;
  }
  endResetModel();
}

bool HistoryModel::save() {
  saveTimer_.stop();
  QJsonArray arr;
  for (const auto& e : entries_)
    arr.append(QJsonObject{{"request", e.spec.toJson()},
                           {"when", e.when.toString(Qt::ISODateWithMs)},
                           {"status", e.status},
                           {"bytes", static_cast<double>(e.bytes)},
                           {"ms", static_cast<double>(e.ms)},
                           {"verdict", e.verdict},
                           {"error", e.error},
                           {"chain", e.chain}});
  QDir().mkpath(QFileInfo(path_).absolutePath());
  QSaveFile f(path_);
  if (!f.open(QIODevice::WriteOnly)) {
    error_ = tr("cannot save the history to %1: %2").arg(path_, f.errorString());
    return false;
  }
  f.write(QJsonDocument(QJsonObject{{"version", 1}, {"entries", arr}}).toJson(QJsonDocument::Indented));
  if (!f.commit()) {
    error_ = tr("cannot save the history to %1: %2").arg(path_, f.errorString());
    return false;
  }
  error_.clear();
  return true;
}

int HistoryModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : static_cast<int>(entries_.size()); }

QVariant HistoryModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= entries_.size()) return {};
  const HistoryEntry& e = entries_.at(index.row());
  switch (role) {
    case Qt::DisplayRole: {
      QString status = e.status ? QString::number(e.status) : e.error.isEmpty() ? QStringLiteral("…") : QStringLiteral("ERR");
      bool hop = !e.chain.isEmpty() && !e.chain.startsWith(QChar(0x2192));  // a redirect hop: its body was not read
      QString tail = e.status && !hop ? QStringLiteral("  · %1 · %2 ms").arg(formatBytes(e.bytes)).arg(e.ms) : QString();
      QString label = hostLabel(e.spec);
      if (!e.chain.isEmpty()) label = e.chain.startsWith(QChar(0x2192)) ? label + QLatin1Char(' ') + e.chain : QStringLiteral("↳ ") + label;
      return QStringLiteral("%1  %2%3").arg(status, label, tail);
    }
    case Qt::ToolTipRole:
      return QStringLiteral("%1 %2\n%3\n%4%5%6")
          .arg(e.spec.method, e.spec.url, e.chain.isEmpty() ? QString() : e.chain + QLatin1Char('\n'), e.when.toString(Qt::ISODate),
               e.verdict.isEmpty() ? QString() : e.verdict + QLatin1Char('\n'), e.error);
    case Qt::ForegroundRole:
      if (!e.error.isEmpty() || e.status >= 500) return QColor(0xd0, 0x40, 0x40);
      if (e.status >= 400) return QColor(0xc0, 0x80, 0x20);
      return {};
    case kRequestIdRole: return QVariant::fromValue(e.requestId);
    case kConnectionIdRole: return QVariant::fromValue(e.connectionId);
    default: return {};
  }
}

void HistoryModel::add(const RequestSpec& spec, quint64 localId) {
  beginInsertRows({}, 0, 0);
  HistoryEntry e;
  e.spec = withoutCredentials(spec);
  e.when = QDateTime::currentDateTime();
  e.localId = localId;
  entries_.prepend(e);
  endInsertRows();
  if (entries_.size() > kMaxEntries) {
    beginRemoveRows({}, kMaxEntries, static_cast<int>(entries_.size()) - 1);
    entries_.resize(kMaxEntries);
    endRemoveRows();
  }
  scheduleSave();
}

void HistoryModel::update(quint64 localId, const TransferView& v) {
  for (int row = 0; row < entries_.size(); ++row) {
    HistoryEntry& e = entries_[row];
    if (e.localId != localId) continue;
    e.status = v.status;
    e.bytes = v.bytes;
    e.ms = v.elapsedMs;
    e.verdict = v.verdict;
    e.error = v.error;
    e.requestId = v.requestId;
    e.connectionId = v.connectionId;
    e.reason = v.reason;
    e.responseHeaders = v.headers;
    e.timings = v.timings;
    e.reused = v.reused;
    e.timingsKnown = v.status != 0;
    if (!v.finalUrl.isEmpty()) e.chain = QStringLiteral("→ ") + v.finalUrl;
    emit dataChanged(index(row), index(row));
    addHops(row, v);
    scheduleSave();
    return;
  }
}

void HistoryModel::addEntries(const QList<HistoryEntry>& entries) {
  if (entries.isEmpty()) return;
  beginResetModel();
  for (const auto& e : entries) {
    HistoryEntry copy = e;
    copy.spec = withoutCredentials(e.spec);
    entries_.prepend(copy);
  }
  if (entries_.size() > kMaxEntries) entries_.resize(kMaxEntries);
  endResetModel();
  scheduleSave();
}

void HistoryModel::addHops(int row, const TransferView& v) {
  if (v.hops.isEmpty() || (row + 1 < entries_.size() && entries_[row + 1].chain.startsWith(QLatin1String("hop ")) &&
                           entries_[row + 1].when == entries_[row].when))
    return;
  const HistoryEntry& head = entries_[row];
  QString last = v.finalUrl.isEmpty() ? tr("failed: %1").arg(v.error) : tr("final %1").arg(v.finalUrl);
  beginInsertRows({}, row + 1, row + static_cast<int>(v.hops.size()));
  for (int i = 0; i < v.hops.size(); ++i) {
    const auto& h = v.hops[i];
    HistoryEntry e;
    e.spec = head.spec;
    e.spec.method = h.method;
    e.spec.url = h.url;
    e.when = head.when;
    e.status = h.status;
    e.verdict = h.verdict;
    e.requestId = h.requestId;
    e.connectionId = h.connectionId;
    e.chain = tr("hop %1 of %2 of %3 %4 → %5").arg(i + 1).arg(v.hops.size() + 1).arg(head.spec.method, head.spec.url, last);
    entries_.insert(row + 1 + i, e);
  }
  endInsertRows();
}

int HistoryModel::rowForRequestId(quint64 requestId) const {
  for (int row = 0; row < entries_.size(); ++row)
    if (entries_[row].requestId == requestId && requestId != 0) return row;
  return -1;
}

void HistoryModel::clear() {
  beginResetModel();
  entries_.clear();
  endResetModel();
  scheduleSave();
}

}  // namespace sluice::ui
