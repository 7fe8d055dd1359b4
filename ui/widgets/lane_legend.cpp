#include "ui/widgets/lane_legend.h"

#include <QPainter>

#include "ui/widgets/state_colors.h"

namespace sluice::ui {

LaneLegend::LaneLegend(QWidget* parent) : QWidget(parent) {
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

QSize LaneLegend::sizeHint() const { return {600, fontMetrics().height() + 6}; }

void LaneLegend::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  const QFontMetrics fm = fontMetrics();
  int x = 4;
  const int h = fm.height() - 4;
  for (auto s : kAllStates) {
    QString text = stateLabel(s);
    QRect swatch(x, (height() - h) / 2, 14, s == client::ConnState::kIdle ? 4 : h);
    if (s == client::ConnState::kIdle) swatch.moveTop(height() / 2 - 2);
    if (s != client::ConnState::kClosed) p.fillRect(swatch, stateColor(s));
    x += s == client::ConnState::kClosed ? 0 : 18;
    p.setPen(palette().color(QPalette::WindowText));
    p.drawText(QRect(x, 0, fm.horizontalAdvance(text) + 2, height()), Qt::AlignVCenter, text);
    x += fm.horizontalAdvance(text) + 14;
    if (s == client::ConnState::kConnecting) {  // the handshake follows the TCP connect, in its own colour
      p.fillRect(QRect(x, (height() - h) / 2, 14, h), tlsHandshakeColor());
      x += 18;
      p.drawText(QRect(x, 0, fm.horizontalAdvance(tlsHandshakeLabel()) + 2, height()), Qt::AlignVCenter, tlsHandshakeLabel());
      x += fm.horizontalAdvance(tlsHandshakeLabel()) + 14;
    }
  }
}

}  // namespace sluice::ui
