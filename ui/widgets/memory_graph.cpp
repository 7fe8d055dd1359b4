#include "ui/widgets/memory_graph.h"

#include <QDateTime>
#include <QPainter>
#include <QPainterPath>

#include "ui/widgets/format.h"

namespace sluice::ui {

MemoryGraph::MemoryGraph(QWidget* parent) : QWidget(parent) {
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
  setToolTip(tr("Resident memory (RSS) of this process. Upload a big file to a buffered server and to a stream "
                "server: buffered costs its size, stream stays flat."));
}

qint64 MemoryGraph::nowMs() const { return QDateTime::currentMSecsSinceEpoch(); }

void MemoryGraph::addSample(quint64 rssBytes) {
  samples_.push_back({nowMs(), rssBytes});
  while (samples_.size() > kMaxSamples) samples_.pop_front();
  while (!markers_.empty() && !samples_.empty() && markers_.front().ms < samples_.front().ms) markers_.pop_front();
  update();
}

void MemoryGraph::addMarker(const QString& label) {
  markers_.push_back({nowMs(), label});
  update();
}

quint64 MemoryGraph::peak() const {
  quint64 m = 0;
  for (const auto& s : samples_) m = std::max(m, s.rss);
  return m;
}

void MemoryGraph::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  const QPalette& pal = palette();
  p.fillRect(rect(), pal.color(QPalette::Base));
  const QFontMetrics fm = fontMetrics();
  QRectF plot = QRectF(rect()).adjusted(4, fm.height() + 4, -4, -4);
  p.setPen(pal.color(QPalette::Text));
  QString title = samples_.empty() ? tr("RSS: sampling…")
                                   : tr("RSS %1 · peak %2").arg(formatBytes(last()), formatBytes(peak()));
  p.drawText(QPointF(6, fm.ascent() + 2), title);
  if (samples_.size() < 2) return;
  quint64 top = std::max<quint64>(peak() + peak() / 8, 32ull << 20);
  qint64 t0 = samples_.front().ms, t1 = std::max(samples_.back().ms, t0 + 1);
  auto px = [&](qint64 ms) { return plot.left() + plot.width() * static_cast<double>(ms - t0) / static_cast<double>(t1 - t0); };
  auto py = [&](quint64 v) { return plot.bottom() - plot.height() * static_cast<double>(v) / static_cast<double>(top); };
  p.setPen(pal.color(QPalette::Mid));
  p.drawText(QRectF(plot.right() - 120, plot.top(), 118, fm.height()), Qt::AlignRight, formatBytes(top));
  QPainterPath line;
  line.moveTo(px(samples_.front().ms), py(samples_.front().rss));
  for (const auto& s : samples_) line.lineTo(px(s.ms), py(s.rss));
  QPainterPath area = line;
  area.lineTo(px(samples_.back().ms), plot.bottom());
  area.lineTo(px(samples_.front().ms), plot.bottom());
  area.closeSubpath();
  QColor accent = pal.color(QPalette::Highlight);
  QColor fill = accent;
  fill.setAlpha(60);
  p.fillPath(area, fill);
  p.setPen(QPen(accent, 1.5));
  p.drawPath(line);
  QColor mark(0xe6, 0x91, 0x38);
  int lane = 0;
  for (const auto& m : markers_) {
    double x = px(m.ms);
    double labelY = plot.top() + fm.ascent() + (lane++ % 3) * fm.height();  // staggered: close markers stay legible
    p.setPen(QPen(mark, 1, Qt::DashLine));
    p.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
    p.setPen(mark);
    p.drawText(QPointF(x + 3, labelY), fm.elidedText(m.label, Qt::ElideRight, 200));
  }
}

}  // namespace sluice::ui
