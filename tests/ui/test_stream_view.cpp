// The stream view against the window's embedded server (offscreen): SSE rows appear
// live with arrival times and gaps, Follow keeps the newest row in view and scrolling
// up pauses it, 100,000 events keep the model at N rows with the true total, and the
// Chunks and Lines modes show the framing and the records.
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QTest>
#include <QTimer>
#include <cstdio>
#include <QTreeView>
#include <memory>

#include "support/ui_window.h"
#include "ui/bridge/transfer.h"
#include "ui/models/stream_rows_model.h"
#include "ui/panels/main_window.h"
#include "ui/panels/request_panel.h"
#include "ui/panels/response_view.h"
#include "ui/widgets/stream_view.h"

using namespace sluice::ui;
using sluice::test::child;

class TestStreamView : public QObject {
  Q_OBJECT
  sluice::test::UiWindowFixture fixture_{"ui-stream-view"};
  std::unique_ptr<MainWindow> window_;

  RequestPanel* panel() { return window_->requestPanel(); }
  StreamView* view() { return panel()->response()->streamView(); }
  std::shared_ptr<Transfer> send(const QString& path, const QString& mode = QStringLiteral("auto")) {
    auto* modes = child<QComboBox>(window_.get(), "previewMode");
    modes->setCurrentIndex(modes->findData(mode));
    RequestSpec s;
    s.url = window_->embeddedUrl() + path;
    panel()->setSpec(s);
    panel()->send();
    return panel()->current();
  }
  /** True when the table's last row is (at least partly) inside its viewport. */
  bool newestInView() {
    QTreeView* t = view()->table();
    int rows = t->model()->rowCount();
    if (rows == 0) return false;
    QRect r = t->visualRect(t->model()->index(rows - 1, 0));
    return r.isValid() && r.intersects(t->viewport()->rect());
  }

 private slots:
  void initTestCase() {
    QApplication::setOrganizationName(QStringLiteral("SluiceTest"));
    QVERIFY(fixture_.ok());
    window_ = fixture_.open();
    window_->resize(1280, 800);
    QVERIFY2(!window_->embeddedUrl().isEmpty(), qPrintable(window_->embeddedError()));
  }
  void cleanupTestCase() { window_.reset(); }

  void eventsShowLive() {
    auto t = send(QStringLiteral("/sse?count=40&interval=20"));
    QTRY_VERIFY_WITH_TIMEOUT(view()->isVisible(), 5000);  // Auto picked Events for text/event-stream
    QCOMPARE(view()->kind(), StreamKind::kEvents);
    // Rows while the body still streams: 40 events at 20 ms take ~800 ms.
    QTRY_VERIFY_WITH_TIMEOUT(view()->model()->rowCount() >= 3, 5000);
    QVERIFY2(!t->final(), "the rows should arrive while the stream is still running");
    QTRY_VERIFY_WITH_TIMEOUT(t->final(), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(view()->model()->rowCount(), 40, 2000);
    auto* m = view()->model();
    QCOMPARE(m->total(), quint64(40));
    QCOMPARE(m->row(5).id, QStringLiteral("5"));
    QVERIFY(m->row(39).atUs > m->row(0).atUs + 30 * 20'000 / 2);  // spread by the server's interval
    quint64 gaps = 0;
    for (int i = 1; i < 40; ++i) gaps += m->gapUs(i);
    QCOMPARE(gaps, m->row(39).atUs - m->row(0).atUs);
    QCOMPARE(child<QLabel>(window_.get(), "streamCount")->text(), QStringLiteral("40 events"));
    // The detail pane shows the selected event whole, its JSON data pretty-printed.
    view()->table()->setCurrentIndex(m->index(3, 0));
    QString detail = child<QPlainTextEdit>(window_.get(), "streamDetail")->toPlainText();
    QVERIFY2(detail.contains(QLatin1String("\"seq\": 3")), qPrintable(detail));
  }

  void followKeepsNewestInViewUntilScrolledUp() {
    view()->setFollowing(true);
    auto t = send(QStringLiteral("/sse?count=400&interval=5"));
    QTRY_VERIFY_WITH_TIMEOUT(view()->model()->rowCount() >= 100, 10000);
    QVERIFY(view()->table()->verticalScrollBar()->maximum() > 0);
    QTRY_VERIFY_WITH_TIMEOUT(newestInView(), 1000);
    QVERIFY(!t->final());
    // The user scrolls up: Follow pauses and the view stays where the user put it.
    view()->table()->verticalScrollBar()->triggerAction(QAbstractSlider::SliderToMinimum);
    QTRY_VERIFY_WITH_TIMEOUT(!view()->following(), 1000);
    QVERIFY(!child<QCheckBox>(window_.get(), "streamFollow")->isChecked());
    int seen = view()->model()->rowCount();
    QTRY_VERIFY_WITH_TIMEOUT(view()->model()->rowCount() > seen + 20, 5000);
    QCOMPARE(view()->table()->verticalScrollBar()->value(), 0);
    QVERIFY(!newestInView());
    // Follow again: the newest row comes back into view and stays there.
    view()->setFollowing(true);
    QVERIFY(newestInView());
    QTRY_VERIFY_WITH_TIMEOUT(t->final(), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(view()->model()->rowCount(), 400, 2000);
    QVERIFY(newestInView());
  }

  void hundredThousandEventsKeepNRows() {
    QCOMPARE(view()->model()->maxRows(), 10000);  // the default
    auto t = send(QStringLiteral("/sse?count=100000&interval=0"));
    QTRY_VERIFY_WITH_TIMEOUT(t->final(), 60000);
    QTRY_COMPARE_WITH_TIMEOUT(view()->model()->total(), quint64(100000), 5000);
    QCOMPARE(view()->model()->rowCount(), 10000);
    QCOMPARE(view()->model()->row(9999).id, QStringLiteral("99999"));  // the newest are kept
    QCOMPARE(view()->model()->row(0).id, QStringLiteral("90000"));
    QLocale loc;
    QCOMPARE(child<QLabel>(window_.get(), "streamCount")->text(),
             QStringLiteral("%1 of %2 events shown").arg(loc.toString(10000), loc.toString(100000)));
  }

  // 10,000 events per second (100 every 10 ms). tests/bench/gui_stream_bench.sh runs it for
  // 30 s (SLUICE_GUI_STREAM_SECONDS); the suite runs 2 s. The longest gap between 10 ms ticks
  // on the GUI thread is the stall; every event must be counted.
  void tenThousandEventsPerSecondKeepTheWindowResponsive() {
    const quint64 seconds = qEnvironmentVariableIsSet("SLUICE_GUI_STREAM_SECONDS")
                                ? qEnvironmentVariable("SLUICE_GUI_STREAM_SECONDS").toULongLong()
                                : 2;
    QVERIFY(seconds > 0);
    const quint64 count = seconds * 10000;
    view()->setFollowing(true);
    sluice::test::GuiStallMeter stall;
    stall.start();
    auto t = send(QStringLiteral("/sse?count=%1&interval=10&batch=100").arg(count));
    QTRY_VERIFY_WITH_TIMEOUT(t->final(), static_cast<int>(seconds * 1000 * 3 + 10000));
    QTRY_COMPARE_WITH_TIMEOUT(view()->model()->total(), count, 5000);
    stall.stop();
    const qint64 maxGap = stall.maxGapMs();
    std::printf("stream view: %llu events in %lld ms, %llu counted, %d rows kept, longest event-loop gap %lld ms\n",
                static_cast<unsigned long long>(count), static_cast<long long>(stall.elapsedMs()),
                static_cast<unsigned long long>(view()->model()->total()), view()->model()->rowCount(),
                static_cast<long long>(maxGap));
    std::fflush(stdout);
    QCOMPARE(t->view().phase, TransferView::Phase::kDone);
    QVERIFY(newestInView());
    QVERIFY2(maxGap < 500, qPrintable(QStringLiteral("the GUI thread stalled for %1 ms").arg(maxGap)));
  }

  void chunksAndLinesModes() {
    auto t = send(QStringLiteral("/bytes/10000?chunked=1&chunk=4096"), QStringLiteral("chunks"));
    QTRY_VERIFY_WITH_TIMEOUT(t->final(), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(view()->model()->rowCount(), 4, 2000);
    QTRY_COMPARE_WITH_TIMEOUT(view()->kind(), StreamKind::kChunks, 2000);
    QCOMPARE(view()->model()->row(0).size, quint64(4096));
    QCOMPARE(view()->model()->row(2).size, quint64(1808));
    QCOMPARE(view()->model()->row(3).size, quint64(0));
    t = send(QStringLiteral("/ndjson?count=5&interval=0"));
    QTRY_VERIFY_WITH_TIMEOUT(t->final(), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(view()->kind(), StreamKind::kLines, 2000);  // Auto: application/x-ndjson
    QTRY_COMPARE_WITH_TIMEOUT(view()->model()->rowCount(), 5, 2000);
    QVERIFY(view()->model()->row(4).data.startsWith(QLatin1String("{\"seq\":4")));
    QVERIFY(view()->model()->row(4).valid);
  }
};

QTEST_MAIN(TestStreamView)
#include "test_stream_view.moc"
