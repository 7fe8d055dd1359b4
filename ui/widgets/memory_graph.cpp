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

void MemoryGraph::addServerSamples(const std::vector<ServerHeld>& servers) {
  const qint64 now = nowMs();
  for (const auto& sv : servers) {
    auto& series = servers_[sv.label];
    series.push_back({now, sv.bytes});
    while (series.size() > kMaxSamples) series.pop_front();
  }
  // A server gone for longer than the window leaves the graph.
  const qint64 oldest = samples_.empty() ? now : samples_.front().ms;
  std::erase_if(servers_, [&](const auto& kv) { return kv.second.empty() || kv.second.back().ms < oldest; });
  update();
}

QStringList MemoryGraph::legend() const {
  QStringList out;
  for (const auto& [label, series] : servers_)
    out << tr("%1 holds %2").arg(label, formatBytes(series.empty() ? 0 : series.back().rss));
  return out;
}

quint64 MemoryGraph::scaleTop() const {
  quint64 m = peak();
  for (const auto& [label, series] : servers_)
    for (const auto& s : series) m = std::max(m, s.rss);
  return std::max<quint64>(m + m / 8, 32ull << 20);
}

namespace {
// Distinct, readable line colours for the servers (the RSS area uses the highlight colour).
QColor serverColor(size_t i) {
  static const QColor kColors[] = {QColor(0x2e, 0x8b, 0x57), QColor(0xc0, 0x39, 0x2b), QColor(0x8e, 0x44, 0xad),
                                   QColor(0x16, 0xa0, 0x85), QColor(0xd3, 0x54, 0x00)};
  return kColors[i % std::size(kColors)];
}
}  // namespace

void MemoryGraph::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  const QPalette& pal = palette();
  p.fillRect(rect(), pal.color(QPalette::Base));
  const QFontMetrics fm = fontMetrics();
  // Title on the first line, the server legend on the second: each entry takes the room
  // it needs, left to right, and what does not fit is elided, never drawn over another.
  const int legendRows = servers_.empty() ? 0 : 1;
  QRectF plot = QRectF(rect()).adjusted(4, fm.height() * (1 + legendRows) + 4, -4, -4);
  p.setPen(pal.color(QPalette::Text));
  QString title = samples_.empty() ? tr("RSS: sampling…")
                                   : tr("process RSS %1 · peak %2").arg(formatBytes(last()), formatBytes(peak()));
  p.drawText(QPointF(6, fm.ascent() + 2), title);
  if (samples_.size() < 2) return;
  const quint64 top = scaleTop();
  const qint64 t0 = samples_.front().ms;
  const Axes ax{plot, t0, std::max(samples_.back().ms, t0 + 1), top};
  p.setPen(pal.color(QPalette::Mid));
  p.drawText(QRectF(plot.right() - 120, plot.top(), 118, fm.height()), Qt::AlignRight, formatBytes(top));
  QPainterPath line;
  line.moveTo(ax.x(samples_.front().ms), ax.y(samples_.front().rss));
  for (const auto& s : samples_) line.lineTo(ax.x(s.ms), ax.y(s.rss));
  QPainterPath area = line;
  area.lineTo(ax.x(samples_.back().ms), plot.bottom());
  area.lineTo(ax.x(samples_.front().ms), plot.bottom());
  area.closeSubpath();
  QColor accent = pal.color(QPalette::Highlight);
  QColor fill = accent;
  fill.setAlpha(60);
  p.fillPath(area, fill);
  p.setPen(QPen(accent, 1.5));
  p.drawPath(line);
  paintServerLines(p, ax);
  paintMarkers(p, ax);
}

void MemoryGraph::paintServerLines(QPainter& p, const Axes& ax) const {
  const QFontMetrics fm = fontMetrics();
  auto px = [&](qint64 ms) { return ax.x(std::max(ms, ax.t0)); };  // a server line may start before the RSS window
  const QStringList texts = legend();
  double x = 6;
  const double y = fm.height() + fm.ascent() + 2;
  size_t i = 0;
  for (const auto& [label, series] : servers_) {
    const QColor c = serverColor(i);
    if (series.size() >= 2) {
      QPainterPath path;
      path.moveTo(px(series.front().ms), ax.y(series.front().rss));
      for (const auto& s : series) path.lineTo(px(s.ms), ax.y(s.rss));
      p.setPen(QPen(c, 2));
      p.drawPath(path);
    }
    const double room = width() - x - 6;
    if (room > 30) {
      QString text = fm.elidedText(QStringLiteral("━ ") + texts[static_cast<int>(i)], Qt::ElideRight, static_cast<int>(room));
      p.setPen(c);
      p.drawText(QPointF(x, y), text);
      x += fm.horizontalAdvance(text) + 12;
    }
    ++i;
  }
}

void MemoryGraph::paintMarkers(QPainter& p, const Axes& ax) const {
  const QFontMetrics fm = fontMetrics();
  const QRectF& plot = ax.plot;
  const quint64 top = ax.top;
  QColor mark(0xe6, 0x91, 0x38);
  // Labels go to the first of three rows where they fit without touching the previous
  // label (row 0 also keeps clear of the scale at the top right); a marker whose label
  // fits nowhere keeps its line only.
  constexpr int kRows = 3;
  double rowEnd[kRows];
  std::fill(std::begin(rowEnd), std::end(rowEnd), plot.left() - 1);
  const double scaleLeft = plot.right() - fm.horizontalAdvance(formatBytes(top)) - 8;
  for (const auto& m : markers_) {
    double x = ax.x(m.ms);
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
