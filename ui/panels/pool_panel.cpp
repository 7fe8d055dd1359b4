#include "ui/panels/pool_panel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

#include "engine/observe/process_stats.h"
#include "ui/bridge/client_bridge.h"
#include "ui/bridge/transfer.h"
#include "ui/widgets/connection_lanes.h"
#include "ui/widgets/format.h"
#include "ui/widgets/lane_legend.h"

namespace sluice::ui {

PoolPanel::PoolPanel(ClientBridge* bridge, QWidget* parent)
    : QWidget(parent), bridge_(bridge), runner_(new ScenarioRunner(bridge, this)),
      paintTimer_(new QTimer(this)), statsTimer_(new QTimer(this)) {
  setObjectName(QStringLiteral("poolPanel"));
  auto* lay = new QVBoxLayout(this);
  lay->setContentsMargins(4, 4, 4, 4);
  lay->setSpacing(4);
  lay->addWidget(buildCounters());
  lanes_ = new ConnectionLanes(&timeline_, this);
  lanes_->setObjectName(QStringLiteral("connectionLanes"));
  auto* scroll = lanesScroll_ = new QScrollArea(this);
  scroll->setObjectName(QStringLiteral("lanesScroll"));
  scroll->setWidget(lanes_);
  scroll->setWidgetResizable(true);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  scroll->setMinimumHeight(ConnectionLanes::kAxisHeight + 3 * ConnectionLanes::kLaneHeight + 6);
  auto* legend = new LaneLegend(this);
  legend->setObjectName(QStringLiteral("laneLegend"));
  lay->addWidget(scroll, 1);
  lay->addWidget(legend);
  lay->addWidget(buildControls());
  lay->addWidget(buildScenario());

  connect(bridge_, &ClientBridge::poolEvents, this, &PoolPanel::onEvents);
  connect(bridge_, &ClientBridge::poolEventsDropped, this, [this](quint64 newly) {
    timeline_.markGap(newly);
    if (!paintTimer_->isActive()) paintTimer_->start();
    updateCounters();
  });
  connect(bridge_, &ClientBridge::snapshotReady, this, &PoolPanel::onSnapshot);
  connect(bridge_, &ClientBridge::clientRestarted, this, &PoolPanel::showLimits);
  connect(lanes_, &ConnectionLanes::requestClicked, this, &PoolPanel::requestClicked);
  // Lanes repaint from the timeline at ~30 Hz, never per event; the timer stops when
  // nothing moves and the next batch starts it again.
  paintTimer_->setInterval(33);
  connect(paintTimer_, &QTimer::timeout, this, [this] {
    if (!lanes_->refresh()) paintTimer_->stop();
    // Following the present: new connections come into view (lanes keep their order).
    if (lanes_->laneCount() > lanesSeen_ && lanes_->followLive())
      lanesScroll_->ensureVisible(0, lanes_->minimumHeight() - 1, 0, 0);
    lanesSeen_ = lanes_->laneCount();
  });
  paintTimer_->start();
  statsTimer_->setInterval(400);
  connect(statsTimer_, &QTimer::timeout, this, [this] {
    bridge_->requestSnapshot();
    updateCounters();
  });
  statsTimer_->start();
  showLimits();
  updateCounters();
}

QWidget* PoolPanel::buildCounters() {
  auto* w = new QWidget(this);
  auto* lay = new QVBoxLayout(w);
  lay->setContentsMargins(0, 0, 0, 0);
  lay->setSpacing(2);
  counters_ = new QLabel(w);
  counters_->setObjectName(QStringLiteral("poolCounters"));
  counters_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  QFont f = counters_->font();
  f.setBold(true);
  counters_->setFont(f);
  warning_ = new QLabel(w);
  warning_->setObjectName(QStringLiteral("poolWarning"));
  warning_->setWordWrap(true);
  QPalette wp = warning_->palette();
  wp.setColor(QPalette::WindowText, QColor(0xc0, 0x70, 0x10));
  warning_->setPalette(wp);
  warning_->hide();
  costs_ = new QLabel(w);
  costs_->setObjectName(QStringLiteral("poolCosts"));
  costs_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  costs_->setToolTip(tr("Reuse saved: the TCP connect and TLS handshake times of the connections that reused requests got.\n"
                        "Early releases cost: bytes and time spent draining released bodies, and connections closed instead."));
  lay->addWidget(counters_);
  lay->addWidget(costs_);
  lay->addWidget(warning_);
  return w;
}

QWidget* PoolPanel::buildControls() {
  auto* w = new QWidget(this);
  auto* rows = new QVBoxLayout(w);
  rows->setContentsMargins(0, 0, 0, 0);
  rows->setSpacing(2);
  auto* row = new QHBoxLayout;
  rows->addLayout(row);
  auto button = [&](const QString& text, const char* name, const QString& tip) {
    auto* b = new QPushButton(text, w);
    b->setObjectName(QLatin1String(name));
    b->setToolTip(tip);
    row->addWidget(b);
    return b;
  };
  auto* flush = button(tr("Flush idle"), "flushIdleButton", tr("Close every idle connection now"));
  auto* closeAll = button(tr("Close all"), "closeAllButton", tr("Close every connection, failing transfers in flight"));
  auto* drop = button(tr("Drop held streams"), "dropHeldButton",
                      tr("Destroy the streams kept by the leak policy without release: the engine records a leak for each"));
  auto* live = button(tr("Live"), "lanesLiveButton", tr("Fit every lane and follow the present (or double-click the lanes)"));
  auto* clear = button(tr("Clear lanes"), "clearLanesButton", tr("Forget the lanes drawn so far"));
  connect(flush, &QPushButton::clicked, bridge_, &ClientBridge::flushIdle);
  connect(closeAll, &QPushButton::clicked, bridge_, &ClientBridge::closeAll);
  connect(drop, &QPushButton::clicked, bridge_, &ClientBridge::dropHeld);
  connect(live, &QPushButton::clicked, this, [this] { lanes_->setFollowLive(true); });
  connect(clear, &QPushButton::clicked, this, &PoolPanel::clearLanes);
  row->addStretch(1);
  row = new QHBoxLayout;  // the limits on their own line: the panel fits 1280 px
  rows->addLayout(row);
  // Every limit the engine's pool has (client::PoolLimits), each with its unit.
  auto spin = [&](const char* name, const QString& label, int min, int max, const QString& suffix, const QString& tip) {
    auto* s = new QSpinBox(w);
    s->setObjectName(QLatin1String(name));
    s->setRange(min, max);
    s->setPrefix(label + QLatin1Char(' '));
    s->setSuffix(suffix);
    s->setToolTip(tip);
    row->addWidget(s);
    return s;
  };
  maxPerHost_ = spin("maxPerHostSpin", tr("max/host"), 1, 4096, QString(), tr("Most connections per host: busy, idle and connecting"));
  maxIdle_ = spin("maxIdleSpin", tr("max idle"), 0, 4096, QString(), tr("Most idle connections kept per host; more are closed"));
  idleTimeout_ = spin("idleTimeoutSpin", tr("idle"), 1, 3600, tr(" s"), tr("An idle connection is closed after this long"));
  maxAge_ = spin("maxAgeSpin", tr("max age"), 0, 86400, tr(" s"), tr("A connection older than this is not reused (0: no limit)"));
  maxAge_->setSpecialValueText(tr("max age: none"));
  waitTimeout_ = spin("waitTimeoutSpin", tr("wait"), 1, 600000, tr(" ms"),
                      tr("How long a request waits for a free connection before it fails"));
  auto* apply = button(tr("Apply"), "applyLimitsButton",
                       tr("Applies the limits to every host now: extra idle connections close, waiting requests may "
                          "go; busy connections are kept"));
  connect(apply, &QPushButton::clicked, this, &PoolPanel::applyLimits);
  limitsNote_ = new QLabel(w);
  limitsNote_->setObjectName(QStringLiteral("limitsNote"));
  row->addWidget(limitsNote_, 1);
  return w;
}

QWidget* PoolPanel::buildScenario() {
  auto* w = new QWidget(this);
  auto* lay = new QVBoxLayout(w);
  lay->setContentsMargins(0, 0, 0, 0);
  auto* row = new QHBoxLayout;
  row->addWidget(new QLabel(tr("Scenario:"), w));
  scenarioUrl_ = new QLineEdit(w);
  scenarioUrl_->setObjectName(QStringLiteral("scenarioUrl"));
  scenarioRequests_ = new QSpinBox(w);
  scenarioRequests_->setObjectName(QStringLiteral("scenarioRequests"));
  scenarioRequests_->setRange(1, 100000);
  scenarioRequests_->setValue(20);
  scenarioRequests_->setSuffix(tr(" requests"));
  scenarioConcurrency_ = new QSpinBox(w);
  scenarioConcurrency_->setObjectName(QStringLiteral("scenarioConcurrency"));
  scenarioConcurrency_->setRange(1, 1000);
  scenarioConcurrency_->setValue(4);
  scenarioConcurrency_->setPrefix(tr("× "));
  scenarioPolicy_ = new QComboBox(w);
  scenarioPolicy_->setObjectName(QStringLiteral("scenarioPolicy"));
  const std::pair<const char*, ReleasePolicy> kPolicies[] = {{"release", ReleasePolicy::kAtEnd}, {"reset", ReleasePolicy::kReset},
                                                             {"late release", ReleasePolicy::kLate}, {"leak", ReleasePolicy::kLeak},
                                                             {"double release", ReleasePolicy::kDouble}};
  for (const auto& [name, p] : kPolicies) scenarioPolicy_->addItem(tr(name), static_cast<int>(p));
  scenarioRun_ = new QPushButton(tr("▶ Run"), w);
  scenarioRun_->setObjectName(QStringLiteral("scenarioRun"));
  row->addWidget(scenarioUrl_, 1);
  row->addWidget(scenarioRequests_);
  row->addWidget(scenarioConcurrency_);
  row->addWidget(scenarioPolicy_);
  row->addWidget(scenarioRun_);
  scenarioSummary_ = new QLabel(tr("Run n requests with a release policy: release reuses lanes; leak piles them up."), w);
  scenarioSummary_->setObjectName(QStringLiteral("scenarioSummary"));
  scenarioSummary_->setWordWrap(true);
  scenarioSummary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  lay->addLayout(row);
  lay->addWidget(scenarioSummary_);
  connect(scenarioRun_, &QPushButton::clicked, this, &PoolPanel::runScenario);
  connect(runner_, &ScenarioRunner::progress, this, [this](int done, int total) {
    scenarioSummary_->setText(tr("running… %1 of %2 done").arg(done).arg(total));
  });
  connect(runner_, &ScenarioRunner::finished, this, [this](const ScenarioResult& r) {
    scenarioSummary_->setText(r.summary());
    scenarioRun_->setEnabled(true);
    bridge_->requestSnapshot();
  });
  return w;
}

void PoolPanel::setScenarioUrl(const QString& url) { scenarioUrl_->setText(url); }

void PoolPanel::runScenario() {
  ScenarioConfig c;
  c.url = scenarioUrl_->text().trimmed();
  c.requests = scenarioRequests_->value();
  c.concurrency = scenarioConcurrency_->value();
  c.policy = static_cast<ReleasePolicy>(scenarioPolicy_->currentData().toInt());
  QString err = runner_->start(c);
  if (!err.isEmpty()) {
    scenarioSummary_->setText(tr("⚠ cannot run: %1").arg(err));
    return;
  }
  scenarioRun_->setEnabled(false);
  lanes_->setFollowLive(true);
}

void PoolPanel::clearLanes() {
  timeline_.clear();
  lanes_->refresh();
  lanes_->update();
}

void PoolPanel::onEvents(const std::vector<observe::Event>& events) {
  if (!paintTimer_->isActive()) paintTimer_->start();
  size_t warningsBefore = static_cast<size_t>(timeline_.warnings().size());
  timeline_.addEvents(events);
  if (auto costs = timeline_.takeReleaseCosts(); !costs.isEmpty()) emit releaseCosts(costs);
  if (static_cast<size_t>(timeline_.warnings().size()) != warningsBefore && !timeline_.warnings().isEmpty()) {
    warning_->setText(QStringLiteral("⚠ ") + timeline_.warnings().back());
    warning_->show();
  }
}

void PoolPanel::onSnapshot() {
  const client::PoolSnapshot& s = bridge_->lastSnapshot();
  held_ = 0;
  timeWait_ = 0;
  QHash<quint64, qint64> heldAge;
  for (const auto& t : bridge_->held()) heldAge.insert(t->view().connectionId, t->heldSinceMs());
  QHash<quint64, QString> notes;
  for (const auto& h : s.hosts) {
    timeWait_ += h.timeWait;
    for (const auto& c : h.connections) {
      if (c.state == client::ConnState::kStreaming) {
        ++held_;
        QString age = heldAge.contains(c.id) ? tr(" %1 s").arg(heldAge.value(c.id) / 1000) : QString();
        notes.insert(c.id, tr("⚠ held by stream%1 · %2 read").arg(age, formatBytes(c.heldBodyBytes)));
      } else if (c.state == client::ConnState::kIdle) {
        notes.insert(c.id, tr("idle %1 ms").arg(c.idleMs));
      }
    }
  }
  fds_ = s.openFds;
  lanes_->setLaneNotes(notes);
  updateCounters();
}

void PoolPanel::updateCounters() {
  client::ClientStats st = bridge_->stats();
  double reuse = st.requests ? 100.0 * static_cast<double>(st.reused) / static_cast<double>(st.requests) : 0;
  qint64 oldest = 0;
  for (const auto& t : bridge_->held()) oldest = std::max(oldest, t->heldSinceMs());
  QString heldText = oldest > 0 ? tr("held %1 (oldest %2 s)").arg(held_).arg(oldest / 1000) : tr("held %1").arg(held_);
  counters_->setText(tr("opened %1 · requests %2 · reuse %3% · %4 · double releases %5 · leaks %6 · fds %7 · TIME_WAIT %8 · lanes %9")
                         .arg(st.connectionsOpened).arg(st.requests).arg(reuse, 0, 'f', 0).arg(heldText)
                         .arg(st.doubleReleases).arg(st.leaks).arg(fds_ ? fds_ : observe::readProcessStats().openFds)
                         .arg(timeWait_).arg(timeline_.laneCount())
                     + droppedText(bridge_->droppedEvents()));
  if (QString c = costText(st); costs_->text() != c) costs_->setText(c);
}

QString PoolPanel::costText(const client::ClientStats& st) {
  const uint64_t closes = st.closes[static_cast<size_t>(client::CloseReason::kNotDrained)];
  QString saved = tr("reuse saved %1 connect").arg(formatMicros(st.savedConnectUs));
  if (st.savedTlsUs) saved += tr(" + %1 TLS").arg(formatMicros(st.savedTlsUs));
  QString cost = tr("early releases cost %1 drained in %2, %3")
                     .arg(formatBytes(st.drainedBytes), formatMicros(st.drainUs),
                          closes == 1 ? tr("1 close") : tr("%1 closes").arg(closes));
  return saved + QStringLiteral("; ") + cost;
}

void PoolPanel::showLimits() {
  client::PoolLimits l = bridge_->limits();
  maxPerHost_->setValue(static_cast<int>(l.maxConnsPerHost));
  maxIdle_->setValue(static_cast<int>(l.maxIdlePerHost));
  idleTimeout_->setValue(static_cast<int>(std::max<qint64>(1, l.idleTimeout.count() / 1000)));
  maxAge_->setValue(static_cast<int>(l.maxConnAge.count() / 1000));
  waitTimeout_->setValue(static_cast<int>(l.connWaitTimeout.count()));
  limitsNote_->setText(QString());
}

void PoolPanel::applyLimits() {
  client::PoolLimits l = bridge_->limits();
  l.maxConnsPerHost = static_cast<size_t>(maxPerHost_->value());
  l.maxIdlePerHost = static_cast<size_t>(maxIdle_->value());
  l.idleTimeout = std::chrono::seconds(idleTimeout_->value());
  l.maxConnAge = std::chrono::seconds(maxAge_->value());
  l.connWaitTimeout = std::chrono::milliseconds(waitTimeout_->value());
  bridge_->setLimits(l);
  limitsNote_->setText(tr("applied: max %1/host, %2 idle, idle timeout %3 s, max age %4, wait %5 ms")
                           .arg(l.maxConnsPerHost).arg(l.maxIdlePerHost).arg(idleTimeout_->value())
                           .arg(maxAge_->value() ? tr("%1 s").arg(maxAge_->value()) : tr("none"))
                           .arg(waitTimeout_->value()));
}

}  // namespace sluice::ui
