#pragma once
/** In-flight and recent requests of the local servers, from their event batches. */
#include <QAbstractTableModel>
#include <QList>
#include <vector>

#include "engine/observe/event_buffer.h"

namespace sluice::ui {

class ServerRequestsModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { kServer, kRequest, kPeer, kIn, kOut, kRate, kProgress, kStatus, kDuration, kColumnCount };
  /** Progress role: 0..100, or -1 while in flight with no known end. */
  static constexpr int kProgressRole = Qt::UserRole + 1;
  static constexpr int kMaxRows = 400;

  explicit ServerRequestsModel(QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation o, int role) const override;

  /** Applies one server's batch (requests started and finished). */
  void addEvents(int serverId, quint16 port, const std::vector<observe::Event>& events);
  /** Refreshes the durations of requests still in flight (called by a view timer). */
  void tick();
  int inFlight() const;
  void clear();

 private:
  struct Row {
    int serverId = 0;
    quint16 port = 0;
    quint64 requestId = 0;
    QString request;
    QString peer;
    quint64 expectedIn = 0;
    quint64 bytesIn = 0;
    quint64 bytesOut = 0;
    int status = 0;
    quint64 durationUs = 0;
    qint64 startNs = 0;
    bool finished = false;
  };
  int findRow(int serverId, quint64 requestId) const;
  void trim();
  quint64 durationOf(const Row& r) const;

  QList<Row> rows_;
};

}  // namespace sluice::ui
