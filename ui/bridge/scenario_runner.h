#pragma once
/** n requests × concurrency against a URL with one release policy: the seed's story, run. */
#include <QObject>
#include <QSet>
#include <QString>
#include <memory>

#include "ui/requests/request_spec.h"

namespace sluice::ui {

class ClientBridge;
class Transfer;

struct ScenarioConfig {
  QString url;
  int requests = 20;
  int concurrency = 4;
  ReleasePolicy policy = ReleasePolicy::kAtEnd;
};

struct ScenarioResult {
  int requests = 0;
  int ok = 0;
  int failed = 0;
  quint64 connectionsOpened = 0;  ///< during the run (client stats delta)
  quint64 reused = 0;
  quint64 leaks = 0;
  quint64 doubleReleases = 0;
  qint64 ms = 0;
  QString firstError;
  /** "20 requests → 4 connections opened (16 reused) · 0 failed · 0 leaks · 0 double releases · 120 ms" */
  QString summary() const;
};

/** Keeps `concurrency` requests in flight until `requests` were sent, then reports. GUI thread. */
class ScenarioRunner : public QObject {
  Q_OBJECT
 public:
  explicit ScenarioRunner(ClientBridge* bridge, QObject* parent = nullptr);
  /** Starts a run; returns an error in words when the config is unusable or a run is going. */
  QString start(const ScenarioConfig& config);
  bool running() const { return running_; }
  const ScenarioResult& result() const { return result_; }

 signals:
  void progress(int done, int total);
  void finished(const sluice::ui::ScenarioResult& result);

 private:
  void onTransfer(const std::shared_ptr<Transfer>& t);
  void launchMore();
  void finishWhenSettled();
  void collectResult();
  bool lateStreamsHeld() const;

  ClientBridge* bridge_;
  ScenarioConfig config_;
  ScenarioResult result_;
  bool running_ = false;
  int launched_ = 0;
  int done_ = 0;
  QSet<quint64> mine_;
  quint64 opened0_ = 0, reused0_ = 0, leaks0_ = 0, doubles0_ = 0;
  qint64 startMs_ = 0;
  QMetaObject::Connection waitingForLate_;
};

}  // namespace sluice::ui
