// The GUI's scenario runner at load: n requests × 16 through the Pool panel's controls.
// Every request is answered, and the runner's counts equal the engine's (each request
// either opened a connection or reused one). With SLUICE_SCENARIO_REQUESTS and
// SLUICE_SCENARIO_URL set, tests/bench/gui_scenario_bench.sh times it against the CLI.
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>

#include "support/ui_window.h"
#include "ui/bridge/client_bridge.h"
#include "ui/bridge/scenario_runner.h"
#include "ui/panels/main_window.h"
#include "ui/panels/pool_panel.h"

using namespace sluice::ui;
using sluice::test::child;

class TestScenarioPace : public QObject {
  Q_OBJECT

 private:
  sluice::test::UiWindowFixture fx_{"ui-scenario"};

  static int envInt(const char* name, int fallback) {
    bool ok = false;
    int v = qEnvironmentVariableIntValue(name, &ok);
    return ok && v > 0 ? v : fallback;
  }

 private slots:
  void initTestCase() { QVERIFY(fx_.ok()); }

  void manyRequestsAtSixteenAreCountedExactly() {
    const int requests = envInt("SLUICE_SCENARIO_REQUESTS", 600);
    const int concurrency = 16;
    MainWindow w(fx_.options());
    w.show();
    QVERIFY2(!w.embeddedUrl().isEmpty(), qPrintable(w.embeddedError()));
    QString url = qEnvironmentVariable("SLUICE_SCENARIO_URL", w.embeddedUrl() + QStringLiteral("/status/200"));
    child<QLineEdit>(&w, "scenarioUrl")->setText(url);
    child<QSpinBox>(&w, "scenarioRequests")->setValue(requests);
    child<QSpinBox>(&w, "scenarioConcurrency")->setValue(concurrency);
    auto* policy = child<QComboBox>(&w, "scenarioPolicy");
    policy->setCurrentIndex(policy->findText(QStringLiteral("release")));
    QCOMPARE(child<QSpinBox>(&w, "scenarioRequests")->value(), requests);

    QSignalSpy done(w.poolPanel()->runner(), &ScenarioRunner::finished);
    QTest::mouseClick(child<QPushButton>(&w, "scenarioRun"), Qt::LeftButton);
    QVERIFY2(done.wait(120000), "the scenario did not finish within 120 s");
    const ScenarioResult& r = w.poolPanel()->runner()->result();
    QVERIFY2(r.firstError.isEmpty(), qPrintable(r.firstError));
    QCOMPARE(r.ok, requests);
    QCOMPARE(r.failed, 0);
    // Exact counters, not tallies: every request opened a connection or reused one.
    QCOMPARE(r.connectionsOpened + r.reused, static_cast<quint64>(requests));
    QVERIFY2(r.connectionsOpened <= static_cast<quint64>(concurrency), qPrintable(r.summary()));
    QCOMPARE(r.leaks, 0u);
    QCOMPARE(r.doubleReleases, 0u);
    QTRY_VERIFY(child<QLabel>(&w, "scenarioSummary")->text().contains(QStringLiteral("%1 requests").arg(requests)));
    qInfo("GUI scenario: %d requests x %d in %lld ms (%s)", requests, concurrency, static_cast<long long>(r.ms),
          qPrintable(r.summary()));
  }
};

QTEST_MAIN(TestScenarioPace)
#include "test_scenario_pace.moc"
