#include "ui/models/stream_rows_model.h"

#include <QLocale>

namespace sluice::ui {

namespace {
constexpr int kDataShown = 300;  // characters of data in a cell; the detail pane shows all

QString msText(quint64 us) { return QLocale().toString(static_cast<double>(us) / 1000.0, 'f', 1); }

/** One line for a cell: line ends shown as ⏎, cut at kDataShown. */
QString cellText(const QString& s) {
  QString t = s.left(kDataShown);
  t.replace(QLatin1Char('\n'), QChar(0x23CE));
  t.replace(QLatin1Char('\r'), QString());
  if (s.size() > kDataShown) t += QChar(0x2026);
  return t;
}
}  // namespace

StreamRowsModel::StreamRowsModel(QObject* parent) : QAbstractTableModel(parent) {}

void StreamRowsModel::setKind(StreamKind kind) {
  if (kind == kind_) return;
  beginResetModel();
  kind_ = kind;
  rows_.clear();
  gaps_.clear();
  total_ = lastAtUs_ = 0;
  any_ = false;
  endResetModel();
}

void StreamRowsModel::setMaxRows(int n) {
  maxRows_ = std::max(1, n);
  int excess = rowCount() - maxRows_;
  if (excess <= 0) return;
  beginRemoveRows({}, 0, excess - 1);
  rows_.erase(rows_.begin(), rows_.begin() + excess);
  gaps_.erase(gaps_.begin(), gaps_.begin() + excess);
  endRemoveRows();
}

void StreamRowsModel::clear() {
  beginResetModel();
  rows_.clear();
  gaps_.clear();
  total_ = lastAtUs_ = 0;
  any_ = false;
  endResetModel();
}

void StreamRowsModel::append(std::vector<StreamRow> rows, quint64 total) {
  total_ = std::max(total_, total);
  if (rows.empty()) return;
  // Only the newest maxRows of the batch can stay; the older ones still set the gaps' base.
  size_t skip = rows.size() > static_cast<size_t>(maxRows_) ? rows.size() - static_cast<size_t>(maxRows_) : 0;
  if (skip) lastAtUs_ = rows[skip - 1].atUs, any_ = true;
  int incoming = static_cast<int>(rows.size() - skip);
  int excess = rowCount() + incoming - maxRows_;
  if (excess > 0) {
    beginRemoveRows({}, 0, excess - 1);
    rows_.erase(rows_.begin(), rows_.begin() + excess);
    gaps_.erase(gaps_.begin(), gaps_.begin() + excess);
    endRemoveRows();
  }
  int first = rowCount();
  beginInsertRows({}, first, first + incoming - 1);
  for (size_t i = skip; i < rows.size(); ++i) {
    gaps_.push_back(any_ && rows[i].atUs >= lastAtUs_ ? rows[i].atUs - lastAtUs_ : 0);
    lastAtUs_ = rows[i].atUs;
    any_ = true;
    rows_.push_back(std::move(rows[i]));
  }
  endInsertRows();
}

int StreamRowsModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int StreamRowsModel::columnCount(const QModelIndex& parent) const {
  if (parent.isValid()) return 0;
  return kind_ == StreamKind::kEvents ? 5 : 4;
}

QVariant StreamRowsModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount()) return {};
  const StreamRow& r = rows_[static_cast<size_t>(index.row())];
  if (role == Qt::TextAlignmentRole && index.column() < 2) return int(Qt::AlignRight | Qt::AlignVCenter);
  if (role == Qt::ToolTipRole && index.column() == columnCount() - 1) return r.data.left(4096);
  if (role != Qt::DisplayRole) return {};
  switch (index.column()) {
    case 0: return msText(r.atUs);
    case 1: return msText(gaps_[static_cast<size_t>(index.row())]);
    default: break;
  }
  if (kind_ == StreamKind::kEvents) {
    if (index.column() == 2) return r.type;
    if (index.column() == 3) return r.id;
    return cellText(r.data);
  }
  if (kind_ == StreamKind::kLines) {
    if (index.column() == 2) return QLocale().toString(r.index);
    return r.valid ? cellText(r.data) : cellText(r.data) + tr("  (not JSON)");
  }
  if (index.column() == 2) return QLocale().toString(r.size);
  return r.data;
}

QVariant StreamRowsModel::headerData(int section, Qt::Orientation o, int role) const {
  if (o != Qt::Horizontal || role != Qt::DisplayRole) return {};
  if (section == 0) return tr("+ ms");
  if (section == 1) return tr("gap ms");
  if (kind_ == StreamKind::kEvents) {
    static const char* names[] = {"", "", "event", "id", "data"};
    return section < 5 ? tr(names[section]) : QVariant();
  }
  if (kind_ == StreamKind::kLines) return section == 2 ? tr("#") : tr("record");
  return section == 2 ? tr("size") : tr("extensions");
}

}  // namespace sluice::ui
