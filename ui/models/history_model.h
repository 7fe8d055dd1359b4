#pragma once
/** Every request sent, newest first, kept across restarts in a JSON file. */
#include <QAbstractListModel>
#include <QHash>
#include <QDateTime>
#include <QList>
#include <QTimer>

#include "engine/client/response.h"
#include "ui/requests/request_spec.h"

namespace sluice::ui {

struct TransferView;

struct HistoryEntry {
  RequestSpec spec;
  QDateTime when;
  int status = 0;          ///< 0: no response
  quint64 bytes = 0;
  qint64 ms = 0;
  QString verdict;
  QString releaseCost;     ///< an early release: bytes and time drained, or the close (from the pool events)
  QString error;
  quint64 requestId = 0;   ///< the engine's id (lanes show it)
  quint64 connectionId = 0;
  quint64 localId = 0;     ///< this session's transfer id; 0 for loaded entries
  QString chain;           ///< a redirect hop: "hop 1 of 3 of GET http://a → final http://b"; the final entry: "→ http://b"
  // Kept for HAR exports (this session's entries only; not saved in the history file).
  QString reason;
  QList<QPair<QString, QString>> responseHeaders;
  client::Timings timings;
  bool reused = false;
  bool timingsKnown = false;
};

class HistoryModel : public QAbstractListModel {
  Q_OBJECT
 public:
  static constexpr int kMaxEntries = 500;
  enum Roles { kRequestIdRole = Qt::UserRole + 1, kConnectionIdRole, kVerdictRole };

  /** Loads path (SLUICE_HISTORY_FILE, else AppDataLocation/history.json when empty). */
  explicit HistoryModel(QString path = {}, QObject* parent = nullptr);
  ~HistoryModel() override;

  static QString defaultPath();
  const QString& path() const { return path_; }
  /** The error of the last load or save, in words; empty when fine. */
  const QString& lastError() const { return error_; }

  int rowCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;

  const HistoryEntry& entry(int row) const { return entries_.at(row); }
  /** Adds a request as it is sent (row 0). Authorization credentials are not kept in plain text. */
  void add(const RequestSpec& spec, quint64 localId);
  /** Adds finished entries (a HAR import), newest first at row 0. */
  void addEntries(const QList<HistoryEntry>& entries);
  /** Fills in the outcome of the entry with this local id. */
  void update(quint64 localId, const TransferView& v);
  /** What the early release of engine request requestId cost (bytes and time drained, or closed). */
  void setReleaseCost(quint64 requestId, const QString& cost);
  /** "reused connection #3 …: saved 0.4 ms connect + 3.1 ms TLS handshake · early release cost: …" */
  static QString verdictText(const HistoryEntry& e);
  int rowForRequestId(quint64 requestId) const;
  void clear();
  /** Writes the file now (also done shortly after each change, and on destruction). */
  bool save();

 private:
  void load();
  /** Inserts one row per redirect hop under the chain's entry (once). */
  void addHops(int row, const TransferView& v);
  void scheduleSave() { saveTimer_.start(); }

  QString path_;
  QString error_;
  QList<HistoryEntry> entries_;
  QTimer saveTimer_;
  QHash<quint64, QString> pendingCosts_;  ///< release costs whose request is not in the history yet
};

}  // namespace sluice::ui
