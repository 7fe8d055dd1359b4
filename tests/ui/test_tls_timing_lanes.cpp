// Timing and lanes over TLS, and what reuse saved and early releases cost, read back from the
// widgets and models after real requests: the timing bar's TLS segment, the lane's TLS
// handshake stretch, the pool header's sums (equal to the client's exact counters), and the
// history's verdict with the release cost (bytes and time drained, or the close).
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStandardPaths>
#include <QTest>

#include "support/ui_window.h"
#include "ui/bridge/client_bridge.h"
#include "ui/bridge/server_host.h"
#include "ui/models/history_model.h"
#include "ui/models/pool_timeline.h"
#include "ui/panels/main_window.h"
#include "ui/panels/pool_panel.h"
#include "ui/widgets/timing_bar.h"

using namespace sluice::ui;
using sluice::client::ConnState;
using sluice::test::child;

class TestTlsTimingLanes : public QObject {
  Q_OBJECT

 private:
  sluice::test::UiWindowFixture fx_{"ui-tls-timing"};
  std::unique_ptr<MainWindow> w_;
  std::unique_ptr<ServerHost> tls_;

  QString send(const QString& url, ReleasePolicy policy = ReleasePolicy::kAtEnd) {
    auto* release = child<QComboBox>(w_.get(), "releaseCombo");
    release->setCurrentIndex(release->findData(static_cast<int>(policy)));
    return sluice::test::sendAndWait(w_.get(), url);
  }
  QString historyVerdict() { return w_->history()->index(0).data(HistoryModel::kVerdictRole).toString(); }

 private slots:
  void initTestCase() {
    QVERIFY(fx_.ok());
    QString err;
    tls_ = fx_.startTlsServer(&err);
    QVERIFY2(tls_, qPrintable(err));
    w_ = fx_.open();
    child<QLineEdit>(w_.get(), "tlsCaFileEdit")->setText(tls_->certificatePath());
  }
  void cleanupTestCase() {
    w_.reset();
    if (tls_) tls_->stopNow();
  }

  void handshakeIsItsOwnSegmentAndReuseSavesIt() {
    QString r = send(tls_->url() + QStringLiteral("/bytes/100"));
    QVERIFY2(r.startsWith(QLatin1String("200 OK")), qPrintable(r));
    auto* bar = child<TimingBar>(w_.get(), "timingBar");
    QVERIFY2(bar->phaseUs(QStringLiteral("TLS")) > 0, qPrintable(bar->summary()));
    QVERIFY(bar->summary().contains(QLatin1String("TLS ")));
    const quint64 conn = w_->history()->index(0).data(HistoryModel::kConnectionIdRole).toULongLong();

    // The lane: connecting, then the TLS handshake, then writing.
    const PoolTimeline& timeline = w_->poolPanel()->timeline();
    QTRY_VERIFY_WITH_TIMEOUT(timeline.lane(conn) && timeline.lane(conn)->segments.size() >= 3, 5000);
    const auto& segs = timeline.lane(conn)->segments;
    QCOMPARE(segs[0].state, ConnState::kConnecting);
    QVERIFY(!segs[0].tls);
    QCOMPARE(segs[1].state, ConnState::kConnecting);
    QVERIFY(segs[1].tls);
    QVERIFY(segs[1].startNs >= segs[0].startNs && segs[1].endNs > segs[1].startNs);
    QCOMPARE(segs[2].state, ConnState::kWriting);

    // A reused request saves the connect and the handshake; the header sums the exact counters.
    r = send(tls_->url() + QStringLiteral("/bytes/100"));
    QVERIFY2(r.startsWith(QLatin1String("200 OK")), qPrintable(r));
    // The verdict reaches the history with the request's settle event, a drain after the response.
    QTRY_VERIFY_WITH_TIMEOUT(historyVerdict().contains(QLatin1String("saved")), 5000);
    QVERIFY2(historyVerdict().contains(QLatin1String("TLS handshake")), qPrintable(historyVerdict()));
    QCOMPARE(bar->phaseUs(QStringLiteral("TLS")), quint64{0});  // no handshake on a reused connection
    ClientBridge* bridge = w_->findChild<ClientBridge*>();
    QVERIFY(bridge->stats().savedTlsUs > 0);
    QLabel* costs = child<QLabel>(w_.get(), "poolCosts");
    QTRY_COMPARE_WITH_TIMEOUT(costs->text(), PoolPanel::costText(bridge->stats()), 3000);
    QVERIFY2(costs->text().contains(QLatin1String(" TLS;")), qPrintable(costs->text()));
  }

  void earlyReleaseCostsAreShown() {
    ClientBridge* bridge = w_->findChild<ClientBridge*>();
    // Half the body, a 100 ms stall, the rest: released at the head, the rest is drained and the connection kept.
    QString r = send(w_->embeddedUrl() + QStringLiteral("/fault/stall/100?bytes=1000"), ReleasePolicy::kNow);
    QVERIFY2(r.startsWith(QLatin1String("200")), qPrintable(r));
    QTRY_VERIFY_WITH_TIMEOUT(historyVerdict().contains(QLatin1String("drained in")), 5000);
    QVERIFY2(historyVerdict().contains(QLatin1String("connection kept")), qPrintable(historyVerdict()));
    QVERIFY(bridge->stats().drainUs > 0);

    // 10 MiB is past the drain bound: the connection is closed instead, and the header counts it.
    const uint64_t closesBefore = bridge->stats().closes[static_cast<size_t>(sluice::client::CloseReason::kNotDrained)];
    r = send(w_->embeddedUrl() + QStringLiteral("/bytes/10485760"), ReleasePolicy::kNow);
    QVERIFY2(r.startsWith(QLatin1String("200")), qPrintable(r));
    QTRY_VERIFY_WITH_TIMEOUT(historyVerdict().contains(QLatin1String("early release closed")), 5000);
    QVERIFY2(historyVerdict().contains(QLatin1String("the next request opens a new connection")), qPrintable(historyVerdict()));
    QLabel* costs = child<QLabel>(w_.get(), "poolCosts");
    QTRY_COMPARE_WITH_TIMEOUT(costs->text(), PoolPanel::costText(bridge->stats()), 3000);
    QVERIFY(bridge->stats().closes[static_cast<size_t>(sluice::client::CloseReason::kNotDrained)] == closesBefore + 1);
    QVERIFY2(costs->text().contains(QStringLiteral("%1 close").arg(closesBefore + 1)), qPrintable(costs->text()));
  }
};

QTEST_MAIN(TestTlsTimingLanes)
#include "test_tls_timing_lanes.moc"
