#include "ui/models/pool_timeline.h"

#include <QTime>

namespace sluice::ui {

using client::ConnState;
using observe::EventKind;

Lane& PoolTimeline::laneFor(quint64 connectionId, qint64 t) {
  auto it = index_.find(connectionId);
  if (it != index_.end()) return lanes_[*it];
  index_.insert(connectionId, lanes_.size());
  Lane lane;
  lane.connectionId = connectionId;
  lane.openedNs = t;
  lanes_.push_back(lane);
  return lanes_.back();
}

void PoolTimeline::onState(const observe::Event& ev) {
  Lane& lane = laneFor(ev.connectionId, ev.timeNs);
  auto state = static_cast<ConnState>(ev.code);
  QString reason = QString::fromStdString(ev.detail);
  // The engine says "TLS handshake with host" when the TCP connect is done: a stretch of its own.
  const bool tls = state == ConnState::kConnecting && reason.startsWith(QLatin1String("TLS handshake"));
  if (state == ConnState::kConnecting && lane.host.isEmpty()) lane.host = reason;
  noteReleaseCost(ev, state, reason);
  LaneSegment* last = lane.segments.empty() ? nullptr : &lane.segments.back();
  if (last && last->state == state && last->requestId == ev.requestId && last->tls == tls) {
    if (!reason.isEmpty()) last->reason = reason;  // a note on the same state ("drained ...")
    return;
  }
  if (last && !last->endNs) last->endNs = ev.timeNs;
  if (state == ConnState::kWriting && (!last || last->requestId != ev.requestId || last->state == ConnState::kConnecting))
    ++lane.requests;
  if (state == ConnState::kClosed) {
    lane.closed = true;
    lane.closeReason = reason;
    lane.closedNs = ev.timeNs;
    return;
  }
  lane.segments.push_back({state, ev.timeNs, 0, ev.requestId, reason, tls});
}

void PoolTimeline::noteReleaseCost(const observe::Event& ev, ConnState state, const QString& reason) {
  // The engine words what an early release cost: "cost: N bytes drained in T; connection kept"
  // once a drain ends, or a close "...; cost: the next request opens a new connection (...)".
  if (!ev.requestId) return;
  bool drained = state == ConnState::kDraining && QString::fromStdString(ev.text) == QLatin1String("drained");
  qsizetype at = reason.indexOf(QLatin1String("cost: "));
  if ((drained || state == ConnState::kClosed) && at >= 0) {
    QString cost = reason.mid(at);
    if (state == ConnState::kClosed) cost = tr("closed (%1): %2").arg(reason.left(at).chopped(2).trimmed(), cost);
    requests_[ev.requestId].releaseCost = cost;
    releaseCosts_.append({ev.requestId, cost});
  }
}

QList<QPair<quint64, QString>> PoolTimeline::takeReleaseCosts() { return std::exchange(releaseCosts_, {}); }

void PoolTimeline::onRequest(const observe::Event& ev) {
  RequestInfo& r = requests_[ev.requestId];
  if (ev.text == "complete") {
    r.bodyBytes = ev.bytesIn;
    r.totalUs = ev.durationUs;
  } else {
    r.verdict = QString::fromStdString(ev.text);
    r.what = QString::fromStdString(ev.detail);
  }
  if (ev.code) r.status = ev.code;
}

void PoolTimeline::onWarning(const observe::Event& ev) {
  QString what = QString::fromStdString(ev.text);
  warningCounts_[what] += 1;
  warnings_ << QStringLiteral("%1 %2 on connection #%3, request %4: %5")
                   .arg(QTime::currentTime().toString(QStringLiteral("HH:mm:ss")), what)
                   .arg(ev.connectionId)
                   .arg(ev.requestId)
                   .arg(QString::fromStdString(ev.detail));
  while (warnings_.size() > 50) warnings_.removeFirst();
}

void PoolTimeline::addEvents(const std::vector<observe::Event>& events) {
  for (const auto& ev : events) {
    if (ev.kind == EventKind::kClientConnState) onState(ev);
    else if (ev.kind == EventKind::kClientRequest) onRequest(ev);
    else if (ev.kind == EventKind::kClientWarning) onWarning(ev);
    else continue;
    if (!firstNs_) firstNs_ = ev.timeNs;
    lastNs_ = std::max<qint64>(lastNs_, ev.timeNs);
  }
  if (!events.empty()) ++revision_;
  trim();
}

void PoolTimeline::trim() {
  if (lanes_.size() <= kMaxLanes) return;
  // Forget the oldest closed lanes; open ones always stay.
  std::vector<Lane> kept;
  size_t excess = lanes_.size() - kMaxLanes;
  for (auto& l : lanes_) {
    if (excess && l.closed) {
      --excess;
      continue;
    }
    kept.push_back(std::move(l));
  }
  lanes_ = std::move(kept);
  index_.clear();
  for (size_t i = 0; i < lanes_.size(); ++i) index_.insert(lanes_[i].connectionId, i);
  if (requests_.size() > 20000) requests_.clear();
}

int PoolTimeline::openLaneCount() const {
  int n = 0;
  for (const auto& l : lanes_) n += l.closed ? 0 : 1;
  return n;
}

const Lane* PoolTimeline::lane(quint64 connectionId) const {
  auto it = index_.find(connectionId);
  return it == index_.end() ? nullptr : &lanes_[*it];
}

void PoolTimeline::markGap(quint64 lost) {
  qint64 at = std::max<qint64>(lastNs_, observe::monotonicNs());
  if (!firstNs_) firstNs_ = at;
  lastNs_ = at;
  // Drops in quick succession are one gap: the lanes only need to show where truth is missing.
  if (!gaps_.empty() && at - gaps_.back().atNs < 50'000'000) gaps_.back().lost += lost;
  else gaps_.push_back({at, lost});
  if (gaps_.size() > 200) gaps_.erase(gaps_.begin());
  ++revision_;
}

void PoolTimeline::clear() {
  gaps_.clear();
  lanes_.clear();
  index_.clear();
  requests_.clear();
  releaseCosts_.clear();
  warnings_.clear();
  warningCounts_.clear();
  firstNs_ = lastNs_ = 0;
  ++revision_;
}

}  // namespace sluice::ui
