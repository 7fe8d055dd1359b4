#include "ui/widgets/connection_lanes.h"

#include <algorithm>
#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <QWheelEvent>
#include <cmath>

#include "engine/observe/event_buffer.h"
#include "ui/models/pool_timeline.h"
#include "ui/widgets/format.h"
#include "ui/widgets/state_colors.h"

namespace sluice::ui {

using client::ConnState;

ConnectionLanes::ConnectionLanes(const PoolTimeline* timeline, QWidget* parent) : QWidget(parent), timeline_(timeline) {
  setMouseTracking(true);
  setAttribute(Qt::WA_OpaquePaintEvent);
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Minimum);
  fitLive();
}

int ConnectionLanes::laneCount() const { return timeline_->laneCount(); }

QSize ConnectionLanes::sizeHint() const { return {800, kAxisHeight + std::max(3, laneCount()) * kLaneHeight + 4}; }

void ConnectionLanes::fitLive() {
  nowNs_ = observe::monotonicNs();
  double plot = std::max(100, width() - kLabelWidth - 230);  // room on the right for close reasons
  qint64 first = timeline_->firstNs() ? timeline_->firstNs() : nowNs_;
  double span = std::max<double>(2e9, static_cast<double>(nowNs_ - first) * 1.02);
  nsPerPx_ = span / plot;
  viewEndNs_ = nowNs_ + static_cast<qint64>(230 * nsPerPx_);
}

bool ConnectionLanes::refresh() {
  // Relayout only when the number of lanes changed, never per event.
  if (laneCount() != paintedLanes_) {
    paintedLanes_ = laneCount();
    int wanted = sizeHint().height();
    if (minimumHeight() != wanted) setMinimumHeight(wanted);
  }
  const bool changed = paintedRevision_ != timeline_->revision();
  const bool anyOpen = timeline_->openLaneCount() > 0;
  if (!changed && !anyOpen) return false;
  const qint64 now = observe::monotonicNs();
  // Only time passes (idle connections grow): twice a second is enough.
  if (!changed && now - lastRefreshNs_ < 500'000'000) return true;
  lastRefreshNs_ = now;
  nowNs_ = now;
  if (follow_) fitLive();
  update();
  return true;
}

void ConnectionLanes::setFollowLive(bool on) {
  follow_ = on;
  if (on) fitLive();
  update();
}

qint64 ConnectionLanes::xToNs(double x) const { return viewEndNs_ - static_cast<qint64>((width() - x) * nsPerPx_); }
double ConnectionLanes::nsToX(qint64 ns) const { return width() - static_cast<double>(viewEndNs_ - ns) / nsPerPx_; }

qint64 ConnectionLanes::segmentEnd(const Lane& lane, const LaneSegment& seg) const {
  if (seg.endNs) return seg.endNs;
  return lane.closed ? lane.closedNs : nowNs_;
}

void ConnectionLanes::paintEvent(QPaintEvent* e) {
  QPainter p(this);
  p.fillRect(e->rect(), palette().color(QPalette::Base));
  paintedRevision_ = timeline_->revision();
  const auto& lanes = timeline_->lanes();
  if (lanes.empty()) {
    p.setPen(palette().color(QPalette::PlaceholderText));
    p.drawText(rect().adjusted(kLabelWidth, kAxisHeight, 0, 0), Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap,
               tr("No connections yet. Send a request or run a scenario: each connection gets a lane here."));
  }
  int first = std::max(0, (e->rect().top() - kAxisHeight) / kLaneHeight);
  int last = std::min(static_cast<int>(lanes.size()) - 1, (e->rect().bottom() - kAxisHeight) / kLaneHeight);
  for (int i = first; i <= last; ++i) paintLane(p, lanes[static_cast<size_t>(i)], i);
  paintAxis(p, e->rect());
  paintGaps(p);
}

void ConnectionLanes::paintGaps(QPainter& p) {
  // Where events were lost the lanes are incomplete: a dashed line says so, with the count.
  const QColor gapColor(0xd0, 0x40, 0x40);
  for (const auto& g : timeline_->gaps()) {
    double x = nsToX(g.atNs);
    if (x < kLabelWidth || x > width()) continue;
    p.setPen(QPen(gapColor, 1.5, Qt::DashLine));
    p.drawLine(QPointF(x, 0), QPointF(x, height()));
    p.setPen(gapColor);
    QString label = tr("%1 events lost").arg(g.lost);
    int w = fontMetrics().horizontalAdvance(label) + 6;
    p.fillRect(QRectF(x + 2, 1, w, kAxisHeight - 3), palette().color(QPalette::Window));
    p.drawText(QRectF(x + 4, 0, w, kAxisHeight), Qt::AlignVCenter, label);
  }
}

void ConnectionLanes::paintAxis(QPainter& p, const QRect& exposed) {
  if (exposed.top() > kAxisHeight) return;
  QRect axis(0, 0, width(), kAxisHeight);
  p.fillRect(axis, palette().color(QPalette::Window));
  p.setPen(palette().color(QPalette::Mid));
  p.drawLine(0, kAxisHeight - 1, width(), kAxisHeight - 1);
  // A tick every 1, 2 or 5 × 10^k ms, about every 90 px.
  double stepMs = nsPerPx_ * 90 / 1e6;
  double mag = std::pow(10.0, std::floor(std::log10(std::max(stepMs, 0.001))));
  double nice = stepMs / mag < 2 ? 1 : stepMs / mag < 5 ? 2 : 5;
  qint64 stepNs = std::max<qint64>(1000, static_cast<qint64>(nice * mag * 1e6));
  qint64 origin = timeline_->firstNs() ? timeline_->firstNs() : nowNs_;
  qint64 startNs = xToNs(kLabelWidth);
  qint64 t = origin + ((startNs - origin) / stepNs) * stepNs;
  p.setPen(palette().color(QPalette::WindowText));
  for (; t <= viewEndNs_; t += stepNs) {
    double x = nsToX(t);
    if (x < kLabelWidth || t < origin) continue;
    p.drawLine(QPointF(x, kAxisHeight - 5), QPointF(x, kAxisHeight - 1));
    double ms = static_cast<double>(t - origin) / 1e6;
    QString label = std::abs(ms) >= 1000 ? QStringLiteral("%1 s").arg(ms / 1000, 0, 'f', stepNs >= 1'000'000'000 ? 0 : 1)
                                         : QStringLiteral("%1 ms").arg(ms, 0, 'f', 0);
    p.drawText(QPointF(x + 3, kAxisHeight - 5), label);
  }
  p.drawText(QRect(2, 0, kLabelWidth - 4, kAxisHeight), Qt::AlignVCenter, tr("conn"));
}

void ConnectionLanes::paintLane(QPainter& p, const Lane& lane, int row) {
  const int y = kAxisHeight + row * kLaneHeight;
  QRect band(kLabelWidth, y, width() - kLabelWidth, kLaneHeight);
  if (row % 2) p.fillRect(QRect(0, y, width(), kLaneHeight), palette().color(QPalette::AlternateBase));
  p.setPen(palette().color(lane.closed ? QPalette::PlaceholderText : QPalette::Text));
  p.drawText(QRect(4, y, kLabelWidth - 6, kLaneHeight), Qt::AlignVCenter, QStringLiteral("#%1").arg(lane.connectionId));
  p.save();
  p.setClipRect(band);
  const size_t from = firstVisibleSegment(lane);
  for (size_t k = from; k < lane.segments.size(); ++k) {
    const LaneSegment& seg = lane.segments[k];
    double x1 = nsToX(seg.startNs), x2 = nsToX(segmentEnd(lane, seg));
    if (x1 > width()) break;  // in time order: the rest is right of the view
    if (x2 < kLabelWidth) continue;
    x2 = std::max(x2, x1 + 1.5);
    QRectF r(x1, y + 3, x2 - x1, kLaneHeight - 6);
    if (seg.state == ConnState::kIdle) r = QRectF(x1, y + kLaneHeight / 2.0 - 2, x2 - x1, 4);
    p.fillRect(r, stateColor(seg.state));
  }
  paintRequestLabels(p, lane, band, from);
  p.restore();
  paintLaneEnd(p, lane, band);
}

size_t ConnectionLanes::firstVisibleSegment(const Lane& lane) const {
  // Segments are in time order and do not overlap: the one before the first that starts
  // inside the view may still reach into it. A lane after a long run holds thousands of
  // segments; painting starts here instead of at the first (issue 13: the GUI thread
  // spent half its time painting requests no one could see).
  const qint64 viewStart = xToNs(kLabelWidth);
  auto it = std::upper_bound(lane.segments.begin(), lane.segments.end(), viewStart,
                             [](qint64 t, const LaneSegment& seg) { return t < seg.startNs; });
  size_t i = static_cast<size_t>(it - lane.segments.begin());
  return i > 0 ? i - 1 : 0;
}

void ConnectionLanes::paintRequestLabels(QPainter& p, const Lane& lane, const QRect& band, size_t from) {
  const QFontMetrics fm = fontMetrics();
  const double narrowest = fm.horizontalAdvance(QStringLiteral("r0")) + 4;  // no label fits below this
  size_t i = from;
  while (i > 0 && lane.segments[i].requestId && lane.segments[i - 1].requestId == lane.segments[i].requestId) --i;
  while (i < lane.segments.size()) {
    const LaneSegment& s = lane.segments[i];
    if (!s.requestId || s.state == ConnState::kIdle || s.state == ConnState::kConnecting) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j + 1 < lane.segments.size() && lane.segments[j + 1].requestId == s.requestId &&
           lane.segments[j + 1].state != ConnState::kIdle)
      ++j;
    double x1 = nsToX(s.startNs), x2 = nsToX(segmentEnd(lane, lane.segments[j]));
    if (x1 > band.right()) break;
    i = j + 1;
    if (x2 < band.left() || x2 - x1 <= narrowest) continue;
    QString label = QStringLiteral("r%1").arg(s.requestId);
    if (x2 - x1 > fm.horizontalAdvance(label) + 4) {
      const LaneSegment& body = lane.segments[j];
      p.setPen(stateColor(body.state).lightness() > 150 ? Qt::black : Qt::white);
      p.drawText(QRectF(x1, band.top(), x2 - x1, band.height()), Qt::AlignCenter, label);
    }
  }
}

void ConnectionLanes::paintLaneEnd(QPainter& p, const Lane& lane, const QRect& band) {
  QString note;
  double x = 0;
  if (lane.closed) {
    x = nsToX(lane.closedNs);
    p.setPen(QPen(palette().color(QPalette::Text), 1.5));
    const int c = band.center().y();
    if (x >= kLabelWidth) {
      p.drawLine(QPointF(x - 4, c - 4), QPointF(x + 4, c + 4));
      p.drawLine(QPointF(x - 4, c + 4), QPointF(x + 4, c - 4));
    }
    note = lane.closeReason;
  } else {
    x = nsToX(nowNs_);
    note = notes_.value(lane.connectionId);
  }
  if (note.isEmpty() || x > width() - 20) return;
  p.setPen(palette().color(lane.closed ? QPalette::PlaceholderText : QPalette::Text));
  p.drawText(QRectF(std::max<double>(x, kLabelWidth) + 8, band.top(), width() - x - 8, band.height()), Qt::AlignVCenter,
             fontMetrics().elidedText(note, Qt::ElideRight, std::max(10, static_cast<int>(width() - x - 10))));
}

ConnectionLanes::Hit ConnectionLanes::hitTest(QPoint pos) const {
  const auto& lanes = timeline_->lanes();
  int row = (pos.y() - kAxisHeight) / kLaneHeight;
  if (pos.y() < kAxisHeight || row < 0 || row >= static_cast<int>(lanes.size())) return {};
  const Lane& lane = lanes[static_cast<size_t>(row)];
  if (pos.x() < kLabelWidth) return {&lane, nullptr};
  qint64 t = xToNs(pos.x());
  qint64 slack = static_cast<qint64>(3 * nsPerPx_);  // a thin segment is still easy to point at
  for (const auto& seg : lane.segments)
    if (t >= seg.startNs - slack && t <= segmentEnd(lane, seg) + slack) return {&lane, &seg};
  return {&lane, nullptr};
}

QString ConnectionLanes::tooltipFor(const Hit& hit) const {
  const Lane& l = *hit.lane;
  QString s = tr("connection #%1 %2 · %3 request(s)").arg(l.connectionId).arg(l.host).arg(l.requests);
  if (l.closed) s += tr("\nclosed: %1").arg(l.closeReason);
  if (!hit.segment) return s;
  const LaneSegment& seg = *hit.segment;
  quint64 us = static_cast<quint64>(std::max<qint64>(0, segmentEnd(l, seg) - seg.startNs) / 1000);
  s += QStringLiteral("\n%1 for %2").arg(stateLabel(seg.state), formatMicros(us));
  if (!seg.reason.isEmpty()) s += QStringLiteral(" (%1)").arg(seg.reason);
  if (seg.requestId) {
    RequestInfo r = timeline_->request(seg.requestId);
    s += tr("\nrequest r%1 %2").arg(seg.requestId).arg(r.what);
    if (r.status) s += tr(" → %1").arg(r.status);
    if (!r.verdict.isEmpty()) s += QStringLiteral("\n") + r.verdict;
    if (r.totalUs) s += tr("\n%1 body in %2").arg(formatBytes(r.bodyBytes), formatMicros(r.totalUs));
    s += tr("\n(click to select it in the history)");
  }
  return s;
}

bool ConnectionLanes::event(QEvent* e) {
  if (e->type() == QEvent::ToolTip) {
    auto* he = static_cast<QHelpEvent*>(e);
    Hit hit = hitTest(he->pos());
    if (hit.lane) QToolTip::showText(he->globalPos(), tooltipFor(hit), this);
    else QToolTip::hideText();
    return true;
  }
  return QWidget::event(e);
}

void ConnectionLanes::wheelEvent(QWheelEvent* e) {
  double steps = e->angleDelta().y() / 120.0;
  if (steps == 0) return;
  double x = e->position().x();
  qint64 anchor = xToNs(x);
  nsPerPx_ = std::clamp(nsPerPx_ * std::pow(0.8, steps), 1e3, 1e11);
  viewEndNs_ = anchor + static_cast<qint64>((width() - x) * nsPerPx_);
  follow_ = false;
  update();
  e->accept();
}

void ConnectionLanes::mousePressEvent(QMouseEvent* e) {
  if (e->button() != Qt::LeftButton) return;
  dragging_ = true;
  dragMoved_ = false;
  dragStart_ = e->position().toPoint();
  dragEndNs_ = viewEndNs_;
}

void ConnectionLanes::mouseMoveEvent(QMouseEvent* e) {
  if (!dragging_) return;
  int dx = e->position().toPoint().x() - dragStart_.x();
  if (std::abs(dx) > 3) dragMoved_ = true;
  if (!dragMoved_) return;
  follow_ = false;
  viewEndNs_ = dragEndNs_ - static_cast<qint64>(dx * nsPerPx_);
  update();
}

void ConnectionLanes::mouseReleaseEvent(QMouseEvent* e) {
  if (!dragging_) return;
  dragging_ = false;
  if (dragMoved_) return;
  Hit hit = hitTest(e->position().toPoint());
  if (hit.segment && hit.segment->requestId) emit requestClicked(hit.segment->requestId);
}

void ConnectionLanes::mouseDoubleClickEvent(QMouseEvent*) { setFollowLive(true); }

}  // namespace sluice::ui
