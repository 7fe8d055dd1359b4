#include "ui/models/server_requests_model.h"

#include <QColor>
#include <QTimer>
#include <algorithm>

#include "ui/widgets/format.h"

namespace sluice::ui {

using observe::EventKind;

ServerRequestsModel::ServerRequestsModel(QObject* parent) : QAbstractTableModel(parent), applyTimer_(new QTimer(this)) {
  // Single shot, armed by the first queued batch: an idle model has no running timer.
  applyTimer_->setSingleShot(true);
  applyTimer_->setInterval(kApplyIntervalMs);
  connect(applyTimer_, &QTimer::timeout, this, &ServerRequestsModel::applyPending);
}

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
  if (!index.isValid() || index.row() >= static_cast<int>(rows_.size())) return {};
  const Row& r = rows_[static_cast<size_t>(index.row())];
  if (role == kProgressRole) {
    if (r.finished) return 100;
    if (r.expectedIn > 0) return static_cast<int>(std::min<quint64>(99, r.bytesIn * 100 / r.expectedIn));
    return -1;  // no known end: a busy bar
  }
  if (role == Qt::ToolTipRole && index.column() == kProgress && r.aborted)
    return QStringLiteral("aborted after %1 sent: %2").arg(formatBytes(r.bytesOut), r.reason);
  if (role == Qt::ForegroundRole && index.column() == kProgress && r.aborted) return QColor(0xd0, 0x40, 0x40);
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
    case kIn:
      if (r.finished || !r.expectedIn) return formatBytes(r.bytesIn);
      return QStringLiteral("%1 of %2").arg(formatBytes(r.bytesIn), formatBytes(r.expectedIn));
    case kOut: return formatBytes(r.bytesOut);
    case kRate: return secs > 0 ? formatRate(static_cast<double>(std::max(r.bytesIn, r.bytesOut)) / secs) : QString();
    case kProgress:
      if (!r.finished) return QStringLiteral("in flight");
      return r.aborted ? QStringLiteral("aborted") : QStringLiteral("done");
    case kStatus: return r.finished ? QString::number(r.status) : QStringLiteral("…");
    case kDuration: return formatMicros(durationOf(r));
    default: return {};
  }
}

void ServerRequestsModel::addEvents(int serverId, quint16 port, const std::vector<observe::Event>& events) {
  for (const auto& ev : events)
    if (ev.kind == EventKind::kRequestStarted || ev.kind == EventKind::kRequestProgress || ev.kind == EventKind::kRequestFinished)
      pending_.push_back({serverId, port, ev});
  if (!pending_.empty() && !applyTimer_->isActive()) applyTimer_->start();
}

int ServerRequestsModel::indexOfSeq(quint64 seq) const {
  auto it = std::lower_bound(rows_.begin(), rows_.end(), seq, [](const Row& r, quint64 s) { return r.seq < s; });
  return it != rows_.end() && it->seq == seq ? static_cast<int>(it - rows_.begin()) : -1;
}

ServerRequestsModel::Row* ServerRequestsModel::rowFor(quint64 key, std::vector<Row>& fresh, quint64 firstFreshSeq,
                                                      int& touchedMin, int& touchedMax) {
  auto it = seqByKey_.constFind(key);
  if (it == seqByKey_.constEnd()) return nullptr;  // started before a clear, or trimmed
  if (*it >= firstFreshSeq) return &fresh[static_cast<size_t>(*it - firstFreshSeq)];
  int i = indexOfSeq(*it);
  if (i < 0) return nullptr;
  touchedMin = std::min(touchedMin, i);
  touchedMax = std::max(touchedMax, i);
  return &rows_[static_cast<size_t>(i)];
}

void ServerRequestsModel::applyPending() {
  if (pending_.empty()) return;
  std::vector<Pending> batch;
  batch.swap(pending_);
  std::vector<Row> fresh;
  const quint64 firstFreshSeq = nextSeq_;
  int touchedMin = INT_MAX, touchedMax = -1;
  for (auto& p : batch) {
    const observe::Event& ev = p.event;
    quint64 key = keyOf(p.serverId, ev.requestId);
    if (ev.kind == EventKind::kRequestStarted) {
      Row r;
      r.seq = nextSeq_++;
      r.serverId = p.serverId;
      r.port = p.port;
      r.requestId = ev.requestId;
      r.request = QString::fromStdString(ev.text);
      r.peer = QString::fromStdString(ev.detail);
      r.expectedIn = ev.bytesIn;
      r.startNs = ev.timeNs;
      seqByKey_.insert(key, r.seq);
      fresh.push_back(std::move(r));
      ++seen_;
      continue;
    }
    Row* r = rowFor(key, fresh, firstFreshSeq, touchedMin, touchedMax);
    if (!r) continue;
    r->bytesIn = ev.bytesIn;
    r->bytesOut = ev.bytesOut;
    if (ev.kind == EventKind::kRequestFinished) {
      r->finished = true;
      r->aborted = ev.outcome == observe::RequestOutcome::kAborted;
      if (r->aborted) r->reason = QString::fromStdString(ev.reason);
      r->status = ev.code;
      r->durationUs = ev.durationUs;
    }
  }
  if (touchedMax >= 0) emit dataChanged(index(touchedMin, 0), index(touchedMax, kColumnCount - 1));
  removeOldRows(fresh.size());
  size_t room = static_cast<size_t>(maxRows_) > rows_.size() ? static_cast<size_t>(maxRows_) - rows_.size() : 0;
  trimFresh(fresh, room);
  if (fresh.empty()) return;
  int first = static_cast<int>(rows_.size());
  beginInsertRows({}, first, first + static_cast<int>(fresh.size()) - 1);
  for (auto& r : fresh) rows_.push_back(std::move(r));
  endInsertRows();
}

void ServerRequestsModel::removeOldRows(size_t incoming) {
  // Oldest finished rows go first; rows in flight stay whatever their age.
  size_t want = rows_.size() + incoming;
  if (want <= static_cast<size_t>(maxRows_)) return;
  size_t excess = want - static_cast<size_t>(maxRows_);
  std::vector<int> victims;
  for (int i = 0; i < static_cast<int>(rows_.size()) && victims.size() < excess; ++i)
    if (rows_[static_cast<size_t>(i)].finished) victims.push_back(i);
  if (victims.empty()) return;
  for (int v : victims) seqByKey_.remove(keyOf(rows_[static_cast<size_t>(v)].serverId, rows_[static_cast<size_t>(v)].requestId));
  // Contiguous runs, removed from the back so earlier indices stay valid: usually one run.
  size_t end = victims.size();
  while (end > 0) {
    size_t start = end - 1;
    while (start > 0 && victims[start - 1] == victims[start] - 1) --start;
    int a = victims[start], b = victims[end - 1];
    beginRemoveRows({}, a, b);
    rows_.erase(rows_.begin() + a, rows_.begin() + b + 1);
    endRemoveRows();
    end = start;
  }
}

void ServerRequestsModel::trimFresh(std::vector<Row>& fresh, size_t room) {
  if (fresh.size() <= room) return;
  // More new rows than room: keep the newest, and every one still in flight.
  size_t drop = fresh.size() - room;
  std::vector<Row> kept;
  kept.reserve(room);
  for (auto& r : fresh) {
    if (drop > 0 && r.finished) {
      --drop;
      seqByKey_.remove(keyOf(r.serverId, r.requestId));
      continue;
    }
    kept.push_back(std::move(r));
  }
  fresh.swap(kept);
}

void ServerRequestsModel::setMaxRows(int rows) {
  maxRows_ = std::max(10, rows);
  removeOldRows(0);
}

void ServerRequestsModel::tick() {
  // One signal spanning the rows in flight, not one per row.
  int first = -1, last = -1;
  for (int i = 0; i < static_cast<int>(rows_.size()); ++i)
    if (!rows_[static_cast<size_t>(i)].finished) {
      if (first < 0) first = i;
      last = i;
    }
  if (first >= 0) emit dataChanged(index(first, kIn), index(last, kDuration));
}

int ServerRequestsModel::inFlight() const {
  int n = 0;
  for (const auto& r : rows_) n += r.finished ? 0 : 1;
  return n;
}

void ServerRequestsModel::clear() {
  beginResetModel();
  rows_.clear();
  seqByKey_.clear();
  pending_.clear();
  seen_ = 0;
  endResetModel();
}

}  // namespace sluice::ui
