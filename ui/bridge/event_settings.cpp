#include "ui/bridge/event_settings.h"

#include <QSettings>
#include <algorithm>

namespace sluice::ui {

namespace {
size_t read(const char* key) {
  bool ok = false;
  qulonglong v = QSettings().value(QLatin1String(key), static_cast<qulonglong>(kDefaultEventCapacity)).toULongLong(&ok);
  return ok ? std::clamp<size_t>(v, kMinEventCapacity, kMaxEventCapacity) : kDefaultEventCapacity;
}
}  // namespace

size_t clientEventCapacity() { return read("events/clientCapacity"); }
size_t serverEventCapacity() { return read("events/serverCapacity"); }

void setEventCapacities(size_t client, size_t server) {
  QSettings s;
  s.setValue(QStringLiteral("events/clientCapacity"), static_cast<qulonglong>(std::clamp(client, kMinEventCapacity, kMaxEventCapacity)));
  s.setValue(QStringLiteral("events/serverCapacity"), static_cast<qulonglong>(std::clamp(server, kMinEventCapacity, kMaxEventCapacity)));
}

}  // namespace sluice::ui
