#pragma once
/**
 * The stream view's rows: events, records or chunks with their arrival time and the
 * gap since the previous row. Keeps the newest maxRows and counts every row it was
 * given (the true total). Rows arrive in batches (at most one per frame); a batch is
 * one insert and at most one removal, never a reset or a resize per row.
 */
#include <QAbstractTableModel>
#include <deque>
#include <vector>

#include "ui/bridge/stream_feed.h"

namespace sluice::ui {

class StreamRowsModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  explicit StreamRowsModel(QObject* parent = nullptr);

  /** Which columns: events (ms, gap, event, id, data), lines (ms, gap, #, record), chunks (ms, gap, size, extensions). */
  void setKind(StreamKind kind);
  StreamKind kind() const { return kind_; }
  /** The newest rows kept; older ones go (counted). */
  void setMaxRows(int n);
  int maxRows() const { return maxRows_; }
  /** Appends a batch (oldest first); total is the feed's count of rows of this kind. */
  void append(std::vector<StreamRow> rows, quint64 total);
  void clear();

  quint64 total() const { return total_; }
  const StreamRow& row(int i) const { return rows_[static_cast<size_t>(i)]; }
  /** Gap to the previous row in µs (0 for the first row ever). */
  quint64 gapUs(int i) const { return gaps_[static_cast<size_t>(i)]; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation o, int role = Qt::DisplayRole) const override;

 private:
  StreamKind kind_ = StreamKind::kEvents;
  int maxRows_ = 10000;
  std::deque<StreamRow> rows_;
  std::deque<quint64> gaps_;
  quint64 total_ = 0;
  quint64 lastAtUs_ = 0;
  bool any_ = false;
};

}  // namespace sluice::ui
