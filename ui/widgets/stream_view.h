#pragma once
/**
 * The stream view: a body as rows (events, records or chunks) with arrival times,
 * a detail pane for the selected row, a count of every row received, and Follow,
 * which keeps the newest row in view as `tail -f` does; scrolling up pauses it.
 * Rows are taken from the transfer's StreamFeed in one batch per frame (a ~16 ms
 * timer), into models that keep the newest N rows of each kind.
 */
#include <QWidget>
#include <memory>

#include "ui/bridge/stream_feed.h"

class QCheckBox;
class QLabel;
class QPlainTextEdit;
class QTimer;
class QTreeView;

namespace sluice::ui {

class StreamRowsModel;

class StreamView : public QWidget {
  Q_OBJECT
 public:
  static constexpr int kFrameMs = 16;

  explicit StreamView(QWidget* parent = nullptr);
  /** QSettings stream/maxRows: the newest rows kept per kind, 10,000 by default. */
  static int maxRowsSetting();

  /** Shows feed's rows from now on (null: nothing). live: the body is still arriving. */
  void setSource(std::shared_ptr<StreamFeed> feed, bool live);
  /** The body ended: the timer stops once the last rows are taken. */
  void setLive(bool live);
  /** Which rows the table shows. */
  void setKind(StreamKind kind);
  StreamKind kind() const { return kind_; }
  /** The newest rows kept per kind (QSettings stream/maxRows, 10,000 by default). */
  void setMaxRows(int n);
  bool following() const;
  void setFollowing(bool on);
  /** Takes the pending rows now (the frame timer calls it). */
  void pull();

  StreamRowsModel* model() const { return models_[static_cast<int>(kind_)]; }
  QTreeView* table() const { return table_; }
  /** "1,204 events" or "10,000 of 123,456 events shown". */
  QString countText() const;

 private:
  void showCount();
  void showDetail();
  void followNow();
  void onUserScroll();

  std::shared_ptr<StreamFeed> feed_;
  bool live_ = false;
  StreamKind kind_ = StreamKind::kEvents;
  StreamRowsModel* models_[3];
  QString error_;
  bool autoScrolling_ = false;

  QTimer* timer_;
  QCheckBox* follow_;
  QLabel* count_;
  QTreeView* table_;
  QPlainTextEdit* detail_;
};

}  // namespace sluice::ui
