#include "ui/models/server_requests_model.h"

#include <QColor>

#include "ui/widgets/format.h"

namespace sluice::ui {

using observe::EventKind;

ServerRequestsModel::ServerRequestsModel(QObject* parent) : QAbstractTableModel(parent) {}

int ServerRequestsModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : static_cast<int>(rows_.size()); }
int ServerRequestsModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : kColumnCount; }

QVariant ServerRequestsModel::headerData(int section, Qt::Orientation o, int role) const {
  if (o != Qt::Horizontal || role != Qt::DisplayRole) return {};
  static const char* kNames[] = {"Server", "Request", "Peer", "In", "Out", "Rate", "Progress", "Status", "Duration"};
  return QString::fromLatin1(kNames[section]);
}

quint64 ServerRequestsModel::durationOf(const Row& r) const {
  if (r.finished) return r.durationUs;
  return static_cast<quint64>(std::max<qint64>(0, observe::monotonicNs() - r.startNs) / 1000);
}

QVariant ServerRequestsModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rows_.size()) return {};
  const Row& r = rows_.at(index.row());
  if (role == kProgressRole) {
    if (r.finished) return 100;
    return -1;  // the engine reports no per-request progress yet: a busy bar
  }
  if (role == Qt::ForegroundRole && index.column() == kStatus && r.finished) {
    if (r.status >= 500 || r.status == 499) return QColor(0xd0, 0x40, 0x40);
    if (r.status >= 400) return QColor(0xc0, 0x80, 0x20);
    return {};
  }
  if (role == Qt::TextAlignmentRole && (index.column() == kIn || index.column() == kOut || index.column() == kRate || index.column() == kDuration))
    return int(Qt::AlignRight | Qt::AlignVCenter);
  if (role != Qt::DisplayRole) return {};
  double secs = static_cast<double>(durationOf(r)) / 1e6;
  switch (index.column()) {
    case kServer: return QStringLiteral(":%1").arg(r.port);
    case kRequest: return r.request;
    case kPeer: return r.peer;
    case kIn: return r.finished ? formatBytes(r.bytesIn) : r.expectedIn ? QStringLiteral("of %1").arg(formatBytes(r.expectedIn)) : QStringLiteral("…");
    case kOut: return r.finished ? formatBytes(r.bytesOut) : QStringLiteral("…");
    case kRate: return r.finished && secs > 0 ? formatRate(static_cast<double>(std::max(r.bytesIn, r.bytesOut)) / secs) : QString();
    case kProgress: return r.finished ? QStringLiteral("done") : QStringLiteral("in flight");
    case kStatus: return r.finished ? QString::number(r.status) : QStringLiteral("…");
    case kDuration: return formatMicros(durationOf(r));
    default: return {};
  }
}

int ServerRequestsModel::findRow(int serverId, quint64 requestId) const {
  for (int i = static_cast<int>(rows_.size()) - 1; i >= 0; --i)
    if (rows_[i].serverId == serverId && rows_[i].requestId == requestId) return i;
  return -1;
}

void ServerRequestsModel::addEvents(int serverId, quint16 port, const std::vector<observe::Event>& events) {
  for (const auto& ev : events) {
    if (ev.kind == EventKind::kRequestStarted) {
      Row r;
      r.serverId = serverId;
      r.port = port;
      r.requestId = ev.requestId;
      r.request = QString::fromStdString(ev.text);
      r.peer = QString::fromStdString(ev.detail);
      r.expectedIn = ev.bytesIn;
      r.startNs = ev.timeNs;
      int row = static_cast<int>(rows_.size());
      beginInsertRows({}, row, row);
      rows_.append(r);
      endInsertRows();
    } else if (ev.kind == EventKind::kRequestFinished) {
      int row = findRow(serverId, ev.requestId);
      if (row < 0) continue;  // started before the table was cleared
      Row& r = rows_[row];
      r.finished = true;
      r.status = ev.code;
      r.bytesIn = ev.bytesIn;
      r.bytesOut = ev.bytesOut;
      r.durationUs = ev.durationUs;
      emit dataChanged(index(row, 0), index(row, kColumnCount - 1));
    }
  }
  trim();
}

void ServerRequestsModel::trim() {
  // Drop the oldest finished rows; rows in flight stay whatever their age.
  while (rows_.size() > kMaxRows) {
    int victim = -1;
    for (int i = 0; i < rows_.size(); ++i)
      if (rows_[i].finished) {
        victim = i;
        break;
      }
    if (victim < 0) break;
    beginRemoveRows({}, victim, victim);
    rows_.removeAt(victim);
    endRemoveRows();
  }
}

void ServerRequestsModel::tick() {
  for (int i = 0; i < rows_.size(); ++i)
    if (!rows_[i].finished) emit dataChanged(index(i, kProgress), index(i, kDuration));
}

int ServerRequestsModel::inFlight() const {
  int n = 0;
  for (const auto& r : rows_) n += r.finished ? 0 : 1;
  return n;
}

void ServerRequestsModel::clear() {
  beginResetModel();
  rows_.clear();
  endResetModel();
}

}  // namespace sluice::ui
