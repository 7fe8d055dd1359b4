#pragma once
/** Short human forms of sizes, rates and durations for labels. */
#include <QString>
#include <cstdint>

namespace sluice::ui {

/** 1536 -> "1.5 KiB" */
QString formatBytes(quint64 bytes);
/** bytes per second -> "412 MiB/s" */
QString formatRate(double bytesPerSecond);
/** microseconds -> "850 µs", "38 ms", "1.2 s" */
QString formatMicros(quint64 us);
/** Events lost by a full buffer: "" for none, else " · 1234 events dropped" for a header. */
QString droppedText(quint64 dropped);

}  // namespace sluice::ui
