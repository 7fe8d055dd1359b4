#pragma once
/** History entries to and from HAR 1.2 files (File → Export HAR… / Import HAR…), through engine/workspace/har.h. */
#include <QList>
#include <QString>

#include "ui/models/history_model.h"

namespace sluice::ui {

/** Writes entries (oldest first) to path. Returns an error in words, or empty. */
QString exportHarFile(const QList<HistoryEntry>& entries, const QString& path, bool includeSecrets);
/** Reads path's entries as history entries that can be sent again. */
QString importHarFile(const QString& path, QList<HistoryEntry>& out);

}  // namespace sluice::ui
