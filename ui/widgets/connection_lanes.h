#pragma once
/** One painted lane per client connection on a scrolling, zoomable time axis. */
#include <QHash>
#include <QWidget>

namespace sluice::ui {

class PoolTimeline;
struct Lane;
struct LaneSegment;

/**
 * Paints the PoolTimeline with QPainter (no widget per segment). The wheel zooms
 * around the cursor, dragging pans, a double click (or followLive) returns to the
 * live view that fits everything so far. Hovering shows the request; clicking a
 * request segment emits requestClicked.
 */
class ConnectionLanes : public QWidget {
  Q_OBJECT
 public:
  static constexpr int kLaneHeight = 20;
  static constexpr int kAxisHeight = 18;
  static constexpr int kLabelWidth = 44;

  explicit ConnectionLanes(const PoolTimeline* timeline, QWidget* parent = nullptr);

  /**
   * Called by the view timer: resizes for new lanes and repaints when needed. Returns
   * false when nothing moves (no change, no open lane): the timer may then stop.
   */
  bool refresh();
  void setFollowLive(bool on);
  bool followLive() const { return follow_; }
  /** Notes painted at the end of open lanes, by connection id ("held by stream 12 s, 3 MiB read"). */
  void setLaneNotes(QHash<quint64, QString> notes) { notes_ = std::move(notes); }
  int laneCount() const;
  QSize sizeHint() const override;

 signals:
  void requestClicked(quint64 requestId);

 protected:
  void paintEvent(QPaintEvent* e) override;
  void wheelEvent(QWheelEvent* e) override;
  void mousePressEvent(QMouseEvent* e) override;
  void mouseMoveEvent(QMouseEvent* e) override;
  void mouseReleaseEvent(QMouseEvent* e) override;
  void mouseDoubleClickEvent(QMouseEvent* e) override;
  bool event(QEvent* e) override;

 private:
  struct Hit {
    const Lane* lane = nullptr;
    const LaneSegment* segment = nullptr;
  };
  Hit hitTest(QPoint pos) const;
  QString tooltipFor(const Hit& hit) const;
  void fitLive();
  qint64 xToNs(double x) const;
  double nsToX(qint64 ns) const;
  qint64 segmentEnd(const Lane& lane, const LaneSegment& seg) const;
  void paintAxis(QPainter& p, const QRect& exposed);
  void paintLane(QPainter& p, const Lane& lane, int row);
  void paintRequestLabels(QPainter& p, const Lane& lane, const QRect& band, size_t from);
  /** The first segment of lane that can reach into the view. */
  size_t firstVisibleSegment(const Lane& lane) const;
  void paintLaneEnd(QPainter& p, const Lane& lane, const QRect& band);
  void paintGaps(QPainter& p);

  const PoolTimeline* timeline_;
  QHash<quint64, QString> notes_;
  qint64 viewEndNs_ = 0;
  double nsPerPx_ = 2e6;
  qint64 nowNs_ = 0;
  bool follow_ = true;
  bool dragging_ = false;
  bool dragMoved_ = false;
  QPoint dragStart_;
  qint64 dragEndNs_ = 0;
  quint64 paintedRevision_ = 0;
  qint64 lastRefreshNs_ = 0;
  int paintedLanes_ = 0;
};

}  // namespace sluice::ui
