#pragma once
/** The life of every client connection, rebuilt from the pool's event batches (lanes). */
#include <QCoreApplication>
#include <QHash>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>
#include <vector>

#include "engine/client/pool_types.h"
#include "engine/observe/event_buffer.h"

namespace sluice::ui {

/** One stretch of a connection in one state. endNs == 0 while it lasts. */
struct LaneSegment {
  client::ConnState state = client::ConnState::kConnecting;
  qint64 startNs = 0;
  qint64 endNs = 0;
  quint64 requestId = 0;
  QString reason;
  bool tls = false;  ///< a kConnecting stretch that is the TLS handshake (after the TCP connect)
};

/** One connection: its segments in time order and how it ended. */
struct Lane {
  quint64 connectionId = 0;
  QString host;
  std::vector<LaneSegment> segments;
  bool closed = false;
  QString closeReason;
  qint64 openedNs = 0;
  qint64 closedNs = 0;
  int requests = 0;
};

/** A request as the pool saw it: its verdict and what it asked for. */
struct RequestInfo {
  QString verdict;
  QString releaseCost;  ///< an early release: "cost: 4096 bytes drained in 1.2 ms; connection kept", or the close
  QString what;  ///< "GET /bytes/1024"
  int status = 0;
  quint64 bodyBytes = 0;
  quint64 totalUs = 0;
};

/** Events lost here (the buffer was full): the lanes around this moment are incomplete. */
struct EventGap {
  qint64 atNs = 0;
  quint64 lost = 0;
};

class PoolTimeline {
  Q_DECLARE_TR_FUNCTIONS(PoolTimeline)

 public:
  static constexpr size_t kMaxLanes = 600;

  void addEvents(const std::vector<observe::Event>& events);
  void clear();
  /** lost events were dropped after the last batch: marks a gap at that moment. */
  void markGap(quint64 lost);
  const std::vector<EventGap>& gaps() const { return gaps_; }

  const std::vector<Lane>& lanes() const { return lanes_; }
  int laneCount() const { return static_cast<int>(lanes_.size()); }
  int openLaneCount() const;
  const Lane* lane(quint64 connectionId) const;
  RequestInfo request(quint64 requestId) const { return requests_.value(requestId); }
  /** Release costs learned since the last call, as (request id, words): for the history and the response. */
  QList<QPair<quint64, QString>> takeReleaseCosts();
  /** The last warnings (double-release, leaked, held-too-long), newest last. */
  const QStringList& warnings() const { return warnings_; }
  int warningCount(const QString& what) const { return warningCounts_.value(what); }
  qint64 firstNs() const { return firstNs_; }
  qint64 lastNs() const { return lastNs_; }
  /** Bumped on every change: views repaint only when it moved. */
  quint64 revision() const { return revision_; }

 private:
  Lane& laneFor(quint64 connectionId, qint64 t);
  void onState(const observe::Event& ev);
  void noteReleaseCost(const observe::Event& ev, client::ConnState state, const QString& reason);
  void onRequest(const observe::Event& ev);
  void onWarning(const observe::Event& ev);
  void trim();

  std::vector<Lane> lanes_;
  std::vector<EventGap> gaps_;
  QHash<quint64, size_t> index_;  ///< connection id -> lanes_ position
  QHash<quint64, RequestInfo> requests_;
  QList<QPair<quint64, QString>> releaseCosts_;
  QStringList warnings_;
  QHash<QString, int> warningCounts_;
  qint64 firstNs_ = 0;
  qint64 lastNs_ = 0;
  quint64 revision_ = 0;
};

}  // namespace sluice::ui
