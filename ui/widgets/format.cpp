#include "ui/widgets/format.h"

namespace sluice::ui {

QString formatBytes(quint64 bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024.0 && u < 4) {
    v /= 1024.0;
    ++u;
  }
  if (u == 0) return QStringLiteral("%1 B").arg(bytes);
  return QStringLiteral("%1 %2").arg(v, 0, 'f', v < 10 ? 1 : 0).arg(QLatin1String(kUnits[u]));
}

QString formatRate(double bps) {
  if (bps <= 0) return QStringLiteral("0 B/s");
  return formatBytes(static_cast<quint64>(bps)) + QStringLiteral("/s");
}

QString formatMicros(quint64 us) {
  if (us < 1000) return QStringLiteral("%1 µs").arg(us);
  if (us < 10'000'000) return QStringLiteral("%1 ms").arg(static_cast<double>(us) / 1000.0, 0, 'f', us < 10'000 ? 1 : 0);
  return QStringLiteral("%1 s").arg(static_cast<double>(us) / 1e6, 0, 'f', 1);
}

QString droppedText(quint64 dropped) {
  return dropped ? QStringLiteral(" · ⚠ %1 events dropped").arg(dropped) : QString();
}

}  // namespace sluice::ui
