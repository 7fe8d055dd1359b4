#include "ui/widgets/timing_bar.h"

#include <QPainter>

#include "ui/widgets/format.h"
#include "ui/widgets/state_colors.h"

namespace sluice::ui {

namespace {
// DNS, connect, TLS handshake, send, wait, receive.
const QColor kPhaseColors[] = {QColor(0x9a, 0x7f, 0xd1), QColor(0x8e, 0x6a, 0xc0), tlsHandshakeColor(),
                               QColor(0xe6, 0x91, 0x38), QColor(0xe0, 0xb4, 0x1e), QColor(0x3d, 0x85, 0xc6)};
}

TimingBar::TimingBar(QWidget* parent) : QWidget(parent) { setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed); }

QSize TimingBar::sizeHint() const { return {400, fontMetrics().height() + 8}; }

void TimingBar::setTimings(const client::Timings& t, quint64 totalUs) {
  t_ = t;
  totalUs_ = totalUs;
  setToolTip(summary());
  update();
}

void TimingBar::clear() { setTimings({}, 0); }

std::vector<TimingBar::Phase> TimingBar::phases() const {
  // Each timing is "µs since submit"; a step that did not happen (reused connection) is 0.
  quint64 dns = t_.dnsUs, conn = t_.connectUs ? t_.connectUs : dns;
  quint64 tls = std::max<quint64>(t_.tlsUs, conn);  // the handshake ends after the connect, when there is one
  quint64 written = std::max<quint64>(t_.writtenUs, tls);
  quint64 first = std::max<quint64>(t_.firstByteUs, written);
  quint64 end = std::max<quint64>(t_.completeUs ? t_.completeUs : totalUs_, first);
  auto d = [](quint64 a, quint64 b) { return b > a ? b - a : 0; };
  return {{tr("DNS"), dns}, {tr("connect"), d(dns, conn)}, {tr("TLS"), t_.tlsUs ? d(conn, tls) : 0},
          {tr("send"), t_.writtenUs ? d(tls, written) : 0},
          {tr("wait"), t_.firstByteUs ? d(written, first) : 0}, {tr("receive"), t_.firstByteUs ? d(first, end) : 0}};
}

quint64 TimingBar::phaseUs(const QString& name) const {
  for (const auto& ph : phases())
    if (ph.name == name) return ph.us;
  return 0;
}

QString TimingBar::summary() const {
  QStringList parts;
  for (const auto& ph : phases()) parts << QStringLiteral("%1 %2").arg(ph.name, formatMicros(ph.us));
  return parts.join(QStringLiteral(" · "));
}

void TimingBar::paintEvent(QPaintEvent*) {
  QPainter p(this);
  const auto ps = phases();
  quint64 total = 0;
  for (const auto& ph : ps) total += ph.us;
  QRect r = rect().adjusted(0, 2, 0, -2);
  p.fillRect(r, palette().color(QPalette::Base));
  if (total == 0) {
    p.setPen(palette().color(QPalette::PlaceholderText));
    p.drawText(r.adjusted(6, 0, 0, 0), Qt::AlignVCenter, tr("timing: DNS · connect · TLS · send · wait · receive"));
    return;
  }
  double x = r.left();
  const QFontMetrics fm = fontMetrics();
  for (size_t i = 0; i < ps.size(); ++i) {
    double w = r.width() * static_cast<double>(ps[i].us) / static_cast<double>(total);
    if (w <= 0) continue;
    QRectF seg(x, r.top(), std::max(w, 1.0), r.height());
    p.fillRect(seg, kPhaseColors[i]);
    QString label = QStringLiteral("%1 %2").arg(ps[i].name, formatMicros(ps[i].us));
    if (fm.horizontalAdvance(label) + 6 < w) {
      p.setPen(kPhaseColors[i].lightness() > 150 ? Qt::black : Qt::white);
      p.drawText(seg, Qt::AlignCenter, label);
    }
    x += w;
  }
}

}  // namespace sluice::ui
