#pragma once
/** Connection lanes, pool counters and controls, and the scenario runner. */
#include <QWidget>
#include <vector>

#include "engine/observe/event_buffer.h"
#include "ui/bridge/scenario_runner.h"
#include "ui/models/pool_timeline.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QScrollArea;
class QSpinBox;
class QTimer;

namespace sluice::ui {

class ClientBridge;
class ConnectionLanes;

class PoolPanel : public QWidget {
  Q_OBJECT
 public:
  PoolPanel(ClientBridge* bridge, QWidget* parent = nullptr);

  const PoolTimeline& timeline() const { return timeline_; }
  ConnectionLanes* lanes() const { return lanes_; }
  ScenarioRunner* runner() const { return runner_; }
  void setScenarioUrl(const QString& url);
  /** Starts the scenario with the controls' values (Tools ▸ Run scenario). */
  void runScenario();
  /** Forgets the lanes drawn so far (the pool itself is untouched). */
  void clearLanes();
  /**
   * "reuse saved 312 ms connect + 1.2 s TLS; early releases cost 4.1 MiB drained in 80 ms, 3 closes":
   * the client's exact counters (ClientStats), as the header shows them.
   */
  static QString costText(const client::ClientStats& st);
  QLabel* costsLabel() const { return costs_; }
  /** Held streams right now, from the last pool snapshot. */
  int heldStreams() const { return held_; }

 signals:
  void requestClicked(quint64 requestId);
  /** What early releases cost, learned from a batch of pool events: (engine request id, words). */
  void releaseCosts(const QList<QPair<quint64, QString>>& costs);

 private:
  QWidget* buildCounters();
  QWidget* buildControls();
  QWidget* buildScenario();
  void onEvents(const std::vector<observe::Event>& events);
  void onSnapshot();
  void updateCounters();
  void applyLimits();
  void showLimits();

  ClientBridge* bridge_;
  PoolTimeline timeline_;
  ScenarioRunner* runner_;
  int held_ = 0;
  quint64 timeWait_ = 0;
  quint64 fds_ = 0;

  QLabel* counters_;
  QLabel* costs_;  ///< what reuse saved and what early releases cost (exact counters)
  QLabel* warning_;
  ConnectionLanes* lanes_;
  QSpinBox* maxPerHost_;
  QSpinBox* maxIdle_;
  QSpinBox* idleTimeout_;
  QSpinBox* maxAge_;
  QSpinBox* waitTimeout_;
  QScrollArea* lanesScroll_;
  int lanesSeen_ = 0;
  QLabel* limitsNote_;
  QLineEdit* scenarioUrl_;
  QSpinBox* scenarioRequests_;
  QSpinBox* scenarioConcurrency_;
  QComboBox* scenarioPolicy_;
  QPushButton* scenarioRun_;
  QLabel* scenarioSummary_;
  QTimer* paintTimer_;
  QTimer* statsTimer_;
};

}  // namespace sluice::ui
