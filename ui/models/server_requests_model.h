#pragma once
/** In-flight and recent requests of the local servers, from their event batches. */
#include <QAbstractTableModel>
#include <QHash>
#include <deque>
#include <vector>

#include "engine/observe/event_buffer.h"

class QTimer;

namespace sluice::ui {

/**
 * Keeps the newest maxRows() requests (rows in flight stay whatever their age). Event
 * batches are queued and applied together at most once per frame: one insert, one
 * remove (or a few) and one dataChanged per application, whatever the burst.
 */
class ServerRequestsModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { kServer, kRequest, kPeer, kIn, kOut, kRate, kProgress, kStatus, kDuration, kColumnCount };
  /** Progress role: 0..100, or -1 while in flight with no known end. */
  static constexpr int kProgressRole = Qt::UserRole + 1;
  static constexpr int kDefaultMaxRows = 400;
  /** How often queued events are applied (a frame at ~30 Hz). */
  static constexpr int kApplyIntervalMs = 33;

  explicit ServerRequestsModel(QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation o, int role) const override;

  /** Queues one server's batch; it is applied with the others at the next frame. */
  void addEvents(int serverId, quint16 port, const std::vector<observe::Event>& events);
  /** Applies every queued event now (the frame timer calls it; tests may too). */
  void applyPending();
  /** Refreshes the live columns of requests still in flight (called by a view timer). */
  void tick();
  int inFlight() const;
  void clear();
  int maxRows() const { return maxRows_; }
  void setMaxRows(int rows);
  /** Requests seen since the last clear(), including those no longer shown. */
  quint64 seen() const { return seen_; }

 private:
  struct Row {
    quint64 seq = 0;  ///< order of arrival; rows_ is sorted by it
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
    bool aborted = false;  ///< the connection ended before the whole response left (bytesOut: what was sent)
    QString reason;        ///< why, when aborted
  };
  struct Pending {
    int serverId;
    quint16 port;
    observe::Event event;
  };
  static quint64 keyOf(int serverId, quint64 requestId) { return (static_cast<quint64>(serverId) << 48) ^ requestId; }
  int indexOfSeq(quint64 seq) const;
  Row* rowFor(quint64 key, std::vector<Row>& fresh, quint64 firstFreshSeq, int& touchedMin, int& touchedMax);
  void removeOldRows(size_t incoming);
  void trimFresh(std::vector<Row>& fresh, size_t room);
  quint64 durationOf(const Row& r) const;

  std::deque<Row> rows_;
  QHash<quint64, quint64> seqByKey_;  ///< (server, request) -> seq, for rows kept
  std::vector<Pending> pending_;
  QTimer* applyTimer_;
  quint64 nextSeq_ = 1;
  quint64 seen_ = 0;
  int maxRows_ = kDefaultMaxRows;
};

}  // namespace sluice::ui
