// The Pool area: the scenario runner's lanes against the engine's own pool snapshot.
#include <QApplication>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>
#include <memory>

#include "support/ui_window.h"
#include "ui/bridge/client_bridge.h"
#include "ui/bridge/scenario_runner.h"
#include "ui/panels/main_window.h"
#include "ui/panels/pool_panel.h"
#include "ui/widgets/connection_lanes.h"

using namespace sluice::ui;
using sluice::test::child;

class TestPoolPanel : public QObject {
  Q_OBJECT

 private:
  sluice::test::UiWindowFixture fx_{"ui-pool"};

  // Runs the scenario through the panel's controls; returns its result.
  static ScenarioResult run(MainWindow& w, int requests, int concurrency, const QString& policy) {
    child<QSpinBox>(&w, "scenarioRequests")->setValue(requests);
    child<QSpinBox>(&w, "scenarioConcurrency")->setValue(concurrency);
    auto* combo = child<QComboBox>(&w, "scenarioPolicy");
    combo->setCurrentIndex(combo->findText(policy));
    QSignalSpy done(w.poolPanel()->runner(), &ScenarioRunner::finished);
    QTest::mouseClick(child<QPushButton>(&w, "scenarioRun"), Qt::LeftButton);
    if (!done.wait(30000)) qFatal("the %s scenario did not finish", qPrintable(policy));
    return w.poolPanel()->runner()->result();
  }

  static int snapshotConnections(MainWindow& w, int* streaming) {
    QSignalSpy ready(w.bridge(), &ClientBridge::snapshotReady);
    w.bridge()->requestSnapshot();
    if (!ready.wait(5000)) qFatal("no pool snapshot");
    int n = 0;
    *streaming = 0;
    for (const auto& h : w.bridge()->lastSnapshot().hosts)
      for (const auto& c : h.connections) {
        ++n;
        *streaming += c.state == sluice::client::ConnState::kStreaming ? 1 : 0;
      }
    return n;
  }

 private slots:
  void initTestCase() { QVERIFY(fx_.ok()); }

  void releaseReusesLanesLeakPilesThemUp() {
    MainWindow w(fx_.options());
    w.show();
    QVERIFY2(!w.embeddedUrl().isEmpty(), qPrintable(w.embeddedError()));
    QCOMPARE(child<QLineEdit>(&w, "scenarioUrl")->text(), w.embeddedUrl() + QStringLiteral("/bytes/65536"));
    const PoolTimeline& tl = w.poolPanel()->timeline();
    auto* lanes = child<ConnectionLanes>(&w, "connectionLanes");

    ScenarioResult rel = run(w, 24, 4, QStringLiteral("release"));
    QCOMPARE(rel.ok, 24);
    QTRY_COMPARE_WITH_TIMEOUT(lanes->laneCount(), static_cast<int>(rel.connectionsOpened), 5000);
    int releaseLanes = lanes->laneCount();
    int streaming = 0;
    QCOMPARE(snapshotConnections(w, &streaming), tl.openLaneCount());  // every open lane is in the pool
    QCOMPARE(streaming, 0);
    QVERIFY2(rel.reused >= 24 - 4 - 2, qPrintable(rel.summary()));
    auto* summary = child<QLabel>(&w, "scenarioSummary");
    QTRY_VERIFY(summary->text().contains(QStringLiteral("%1 connections opened").arg(rel.connectionsOpened)));
    qInfo("release: %s", qPrintable(rel.summary()));

    QTest::mouseClick(child<QPushButton>(&w, "closeAllButton"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(tl.openLaneCount(), 0, 5000);
    QTest::mouseClick(child<QPushButton>(&w, "clearLanesButton"), Qt::LeftButton);
    QCOMPARE(lanes->laneCount(), 0);

    ScenarioResult leak = run(w, 12, 4, QStringLiteral("leak"));
    QCOMPARE(leak.ok, 12);
    QCOMPARE(leak.connectionsOpened, quint64(12));  // every held stream keeps its connection
    QTRY_COMPARE_WITH_TIMEOUT(lanes->laneCount(), 12, 5000);
    QVERIFY2(releaseLanes < lanes->laneCount(), qPrintable(QStringLiteral("release %1 lanes, leak %2").arg(releaseLanes).arg(lanes->laneCount())));
    QCOMPARE(snapshotConnections(w, &streaming), tl.openLaneCount());
    QCOMPARE(streaming, 12);
    auto* counters = child<QLabel>(&w, "poolCounters");
    QTRY_VERIFY_WITH_TIMEOUT(counters->text().contains(QLatin1String("held 12")), 5000);
    qInfo("leak: %s | %s", qPrintable(leak.summary()), qPrintable(counters->text()));

    // Dropping the held streams: the engine records one leak per stream and closes them.
    QTest::mouseClick(child<QPushButton>(&w, "dropHeldButton"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(tl.openLaneCount(), 0, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(counters->text().contains(QLatin1String("leaks 12")), 5000);

    // Double release: a warning, and nothing breaks (connections are reused).
    ScenarioResult dbl = run(w, 8, 2, QStringLiteral("double release"));
    QCOMPARE(dbl.ok, 8);
    QCOMPARE(dbl.doubleReleases, quint64(8));
    QTRY_VERIFY_WITH_TIMEOUT(child<QLabel>(&w, "poolWarning")->text().contains(QLatin1String("double-release")), 5000);
  }
};

QTEST_MAIN(TestPoolPanel)
#include "test_pool_panel.moc"
