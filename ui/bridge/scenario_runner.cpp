#include "ui/bridge/scenario_runner.h"

#include <QDateTime>
#include <QPointer>
#include <QTimer>

#include "ui/bridge/client_bridge.h"
#include "ui/bridge/transfer.h"

namespace sluice::ui {

QString ScenarioResult::summary() const {
  QString s = QStringLiteral("%1 requests → %2 connections opened (%3 reused) · %4 ok, %5 failed · %6 leaks · %7 double releases · %8 ms")
                  .arg(requests).arg(connectionsOpened).arg(reused).arg(ok).arg(failed).arg(leaks).arg(doubleReleases).arg(ms);
  if (!firstError.isEmpty()) s += QStringLiteral("\nfirst error: ") + firstError;
  return s;
}

ScenarioRunner::ScenarioRunner(ClientBridge* bridge, QObject* parent) : QObject(parent), bridge_(bridge) {
  connect(bridge_, &ClientBridge::transferChanged, this, &ScenarioRunner::onTransfer);
  connect(bridge_, &ClientBridge::clientRestarted, this, [this] {
    if (!running_) return;
    running_ = false;
    result_.firstError = tr("the client was restarted during the run");
    emit finished(result_);
  });
}

QString ScenarioRunner::start(const ScenarioConfig& config) {
  if (running_) return tr("a scenario is already running");
  if (config.requests < 1 || config.concurrency < 1) return tr("requests and concurrency must be at least 1");
  config_ = config;
  result_ = {};
  result_.requests = config.requests;
  launched_ = done_ = 0;
  mine_.clear();
  auto st = bridge_->stats();
  opened0_ = st.connectionsOpened;
  reused0_ = st.reused;
  leaks0_ = st.leaks;
  doubles0_ = st.doubleReleases;
  startMs_ = QDateTime::currentMSecsSinceEpoch();
  running_ = true;
  launchMore();
  return {};
}

void ScenarioRunner::launchMore() {
  while (running_ && launched_ < config_.requests && launched_ - done_ < config_.concurrency) {
    RequestSpec spec;
    spec.url = config_.url;
    spec.release = config_.policy;
    SendOptions opts;
    opts.previewCap = 0;  // a scenario counts bytes, keeps none
    auto t = bridge_->send(spec, opts);
    ++launched_;
    if (t->final()) {  // refused before sending (bad URL): counts as done at once
      mine_.insert(t->localId());
      QTimer::singleShot(0, this, [this, t] { onTransfer(t); });
      continue;
    }
    mine_.insert(t->localId());
  }
}

void ScenarioRunner::onTransfer(const std::shared_ptr<Transfer>& t) {
  if (!running_ || !mine_.contains(t->localId()) || !t->final()) return;
  mine_.remove(t->localId());
  TransferView v = t->view();
  ++done_;
  if (v.phase == TransferView::Phase::kDone && v.status > 0 && v.status < 400) ++result_.ok;
  else {
    ++result_.failed;
    if (result_.firstError.isEmpty()) result_.firstError = v.error.isEmpty() ? QStringLiteral("status %1").arg(v.status) : v.error;
  }
  emit progress(done_, config_.requests);
  if (done_ < config_.requests) return launchMore();
  running_ = false;
  finishWhenSettled();
}

bool ScenarioRunner::lateStreamsHeld() const {
  for (const auto& t : bridge_->held())
    if (t->spec().release == ReleasePolicy::kLate) return true;
  return false;
}

void ScenarioRunner::finishWhenSettled() {
  // Late releases come from the bridge a second after the end; wait for them, then for
  // the engine to apply every release and close: the counters are then exact (no sleep).
  if (lateStreamsHeld()) {
    if (!waitingForLate_)
      waitingForLate_ = connect(bridge_, &ClientBridge::heldChanged, this, &ScenarioRunner::finishWhenSettled);
    return;
  }
  if (waitingForLate_) disconnect(std::exchange(waitingForLate_, {}));
  bridge_->whenSettled([self = QPointer<ScenarioRunner>(this)] {
    if (self) self->collectResult();
  });
}

void ScenarioRunner::collectResult() {
  auto st = bridge_->stats();
  result_.connectionsOpened = st.connectionsOpened - opened0_;
  result_.reused = st.reused - reused0_;
  result_.leaks = st.leaks - leaks0_;
  result_.doubleReleases = st.doubleReleases - doubles0_;
  result_.ms = QDateTime::currentMSecsSinceEpoch() - startMs_;
  emit finished(result_);
}

}  // namespace sluice::ui
