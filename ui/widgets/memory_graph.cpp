#include "ui/widgets/memory_graph.h"

#include <QDateTime>
#include <QPainter>
#include <QPainterPath>
#include <algorithm>
#include <iterator>

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
  // Labels go to the first of three rows where they fit without touching the previous
  // label (row 0 also keeps clear of the scale at the top right); a marker whose label
  // fits nowhere keeps its line only.
  constexpr int kRows = 3;
  double rowEnd[kRows];
  std::fill(std::begin(rowEnd), std::end(rowEnd), plot.left() - 1);
  const double scaleLeft = plot.right() - fm.horizontalAdvance(formatBytes(top)) - 8;
  for (const auto& m : markers_) {
    double x = px(m.ms);
    p.setPen(QPen(mark, 1, Qt::DashLine));
    p.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
    for (int row = 0; row < kRows; ++row) {
      double limit = row == 0 ? scaleLeft : plot.right();
      double room = std::min(200.0, limit - x - 3);
      if (x + 3 < rowEnd[row] + 6 || room < 40) continue;
      QString text = fm.elidedText(m.label, Qt::ElideRight, static_cast<int>(room));
      p.setPen(mark);
      p.drawText(QPointF(x + 3, plot.top() + fm.ascent() + row * fm.height()), text);
      rowEnd[row] = x + 3 + fm.horizontalAdvance(text);
      break;
    }
  }
}

}  // namespace sluice::ui
