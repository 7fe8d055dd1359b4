// The Request area driven like a user: send, watch the response, import curl, history.
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QTableWidget>
#include <QTest>
#include <QTimer>
#include <memory>

#include "engine/observe/process_stats.h"
#include "engine/util/units.h"
#include "support/ui_window.h"
#include "ui/bridge/client_bridge.h"
#include "ui/requests/curl_command.h"
#include "ui/models/history_model.h"
#include "ui/panels/main_window.h"
#include "ui/panels/request_panel.h"

using namespace sluice::ui;
using sluice::test::child;

class TestRequestPanel : public QObject {
  Q_OBJECT

 private:
  sluice::test::UiWindowFixture fx_{"ui-request"};
  QString historyFile() const { return fx_.path(QStringLiteral("history.json")); }
  std::unique_ptr<MainWindow> makeWindow() { return fx_.open(); }

  // True when the summary shows a finished transfer.
  static bool finished(QLabel* summary) {
    QString t = summary->text();
    return !t.contains(QLatin1String("streaming")) && !t.contains(QLatin1String("waiting")) &&
           !t.startsWith(QLatin1String("No response"));
  }

 private slots:
  void initTestCase() {
    QApplication::setOrganizationName(QStringLiteral("SluiceTest"));
    QVERIFY(fx_.ok());
  }

  void getFillsStatusHeadersAndBody() {
    auto w = makeWindow();
    QVERIFY2(!w->embeddedUrl().isEmpty(), qPrintable(w->embeddedError()));
    auto* url = child<QLineEdit>(w.get(), "urlEdit");
    QVERIFY(url->text().startsWith(w->embeddedUrl()));  // pre-filled: the first Send works
    url->setText(w->embeddedUrl() + QStringLiteral("/bytes/1000"));
    QTest::keyClick(url, Qt::Key_Return, Qt::ControlModifier);  // Ctrl+Enter sends
    auto* summary = child<QLabel>(w.get(), "responseSummary");
    QTRY_VERIFY_WITH_TIMEOUT(finished(summary), 10000);
    QVERIFY2(summary->text().startsWith(QLatin1String("200 OK")), qPrintable(summary->text()));
    QVERIFY2(summary->text().contains(QLatin1String("1000 B")), qPrintable(summary->text()));
    auto* headers = child<QTableWidget>(w.get(), "responseHeaders");
    bool sawLength = false;
    for (int r = 0; r < headers->rowCount(); ++r)
      if (headers->item(r, 0)->text().compare(QLatin1String("Content-Length"), Qt::CaseInsensitive) == 0)
        sawLength = headers->item(r, 1)->text() == QLatin1String("1000");
    QVERIFY(sawLength);
    auto* body = child<QPlainTextEdit>(w.get(), "responseBody");
    QVERIFY2(body->toPlainText().startsWith(QLatin1String("abcdefghijklmnopqrstuvwxyz")), qPrintable(body->toPlainText().left(40)));
    auto* verdict = child<QLabel>(w.get(), "responseVerdict");
    QVERIFY2(verdict->text().contains(QLatin1String("connection")), qPrintable(verdict->text()));
    auto* progress = child<QWidget>(w.get(), "responseRate");
    QVERIFY(qobject_cast<QLabel*>(progress)->text().contains(QLatin1String("1000 B")));
  }

  void errorIsShownInWords() {
    auto w = makeWindow();
    auto* url = child<QLineEdit>(w.get(), "urlEdit");
    url->setText(QStringLiteral("http://127.0.0.1:1/nothing-listens-here"));
    QTest::mouseClick(child<QPushButton>(w.get(), "sendButton"), Qt::LeftButton);
    auto* error = child<QLabel>(w.get(), "responseError");
    QTRY_VERIFY_WITH_TIMEOUT(!error->isHidden() && error->text().size() > 4, 10000);
    qInfo("error shown: %s", qPrintable(error->text()));
  }

  void cancelBeforeTheHeadStopsTheRequest() {
    auto w = makeWindow();
    auto* url = child<QLineEdit>(w.get(), "urlEdit");
    url->setText(w->embeddedUrl() + QStringLiteral("/delay/5000"));
    QTest::mouseClick(child<QPushButton>(w.get(), "sendButton"), Qt::LeftButton);
    auto* cancel = child<QPushButton>(w.get(), "cancelButton");
    QTRY_VERIFY_WITH_TIMEOUT(cancel->isEnabled(), 2000);
    QElapsedTimer t;
    t.start();
    QTest::mouseClick(cancel, Qt::LeftButton);
    auto* summary = child<QLabel>(w.get(), "responseSummary");
    QTRY_VERIFY_WITH_TIMEOUT(finished(summary), 2000);
    QVERIFY2(t.elapsed() < 2000, "cancel waited for the response");
    QVERIFY(!cancel->isEnabled());
    // The engine request itself was cancelled: its connection closed as aborted at once,
    // instead of staying busy until the server answers.
    const auto aborted = static_cast<size_t>(sluice::client::CloseReason::kAborted);
    QTRY_VERIFY_WITH_TIMEOUT(w->bridge()->stats().closes[aborted] >= 1, 2000);
    // The next request still works (the cancelled connection was closed, not pooled).
    url->setText(w->embeddedUrl() + QStringLiteral("/status/202"));
    QTest::mouseClick(child<QPushButton>(w.get(), "sendButton"), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(summary->text().startsWith(QLatin1String("202")), 5000);
  }

  void bigDownloadKeepsTheWindowResponsive() {
    auto w = makeWindow();
    sluice::test::GuiStallMeter stall;
    // make bench runs this with SLUICE_GUI_BENCH_BYTES=2147483648 (tests/bench/gui_bench.sh).
    const quint64 bytes = qEnvironmentVariableIsSet("SLUICE_GUI_BENCH_BYTES")
                              ? qEnvironmentVariable("SLUICE_GUI_BENCH_BYTES").toULongLong()
                              : (256ull << 20);
    QVERIFY(bytes > 0);
    quint64 rssBefore = sluice::observe::readProcessStats().rssBytes;
    child<QLineEdit>(w.get(), "urlEdit")->setText(w->embeddedUrl() + QStringLiteral("/bytes/%1").arg(bytes));
    stall.start();
    QTest::mouseClick(child<QPushButton>(w.get(), "sendButton"), Qt::LeftButton);
    auto* summary = child<QLabel>(w.get(), "responseSummary");
    QTRY_VERIFY_WITH_TIMEOUT(finished(summary), 180000);
    stall.stop();
    quint64 rssAfter = sluice::observe::readProcessStats().rssBytes;
    std::printf("%s download: %lld ms, longest event-loop gap %lld ms, RSS %+lld MiB; summary: %s\n",
                sluice::formatBytes(bytes).c_str(), static_cast<long long>(stall.elapsedMs()), static_cast<long long>(stall.maxGapMs()),
                (static_cast<long long>(rssAfter) - static_cast<long long>(rssBefore)) / (1 << 20),
                qPrintable(summary->text()));
    std::fflush(stdout);
    QVERIFY2(summary->text().startsWith(QLatin1String("200 OK")), qPrintable(summary->text()));
    if (bytes == (256ull << 20)) QVERIFY2(summary->text().contains(QLatin1String("256 MiB")), qPrintable(summary->text()));
    QVERIFY2(stall.maxGapMs() < 500, qPrintable(QStringLiteral("the GUI thread stalled for %1 ms").arg(stall.maxGapMs())));
    // Memory stays flat: the body is counted and discarded, only the preview is kept.
    QVERIFY2(rssAfter < rssBefore + (96ull << 20), "RSS grew with the body size");
    auto* note = child<QLabel>(w.get(), "previewNote");
    QVERIFY2(note->text().contains(QLatin1String("capped")), qPrintable(note->text()));
  }

  void curlImportRoundTrips() {
    auto w = makeWindow();
    auto* panel = w->requestPanel();
    const QString cmd = QStringLiteral(
        "curl -X PATCH -H 'X-Trace: abc 1' -H \"Accept: application/json\" -u user:pw "
        "--data-binary 'hello \"world\"' http://127.0.0.1:9/echo?x=1");
    QVERIFY(panel->importCurl(cmd));
    QCOMPARE(child<QComboBox>(w.get(), "methodCombo")->currentText(), QStringLiteral("PATCH"));
    QCOMPARE(child<QLineEdit>(w.get(), "urlEdit")->text(), QStringLiteral("http://127.0.0.1:9/echo?x=1"));
    QVERIFY(child<QRadioButton>(w.get(), "bodyText")->isChecked());
    QCOMPARE(child<QPlainTextEdit>(w.get(), "bodyTextEdit")->toPlainText(), QStringLiteral("hello \"world\""));
    auto* headers = child<QTableWidget>(w.get(), "headersTable");
    QCOMPARE(headers->rowCount(), 3);
    QCOMPARE(headers->item(0, 0)->text(), QStringLiteral("X-Trace"));
    QCOMPARE(headers->item(0, 1)->text(), QStringLiteral("abc 1"));
    QCOMPARE(headers->item(2, 0)->text(), QStringLiteral("Authorization"));
    QCOMPARE(headers->item(2, 1)->text(), QStringLiteral("Basic dXNlcjpwdw=="));
    RequestSpec first = panel->spec();
    QString exported = panel->curlCommand();
    QVERIFY(panel->importCurl(exported));
    QCOMPARE(panel->spec(), first);
    QCOMPARE(panel->curlCommand(), exported);
    // Uploads: -T is a streamed file body with PUT; chunked comes back as the toggle.
    CurlImport up = CurlCommand::parse(QStringLiteral("curl -T /tmp/big.iso -H 'Transfer-Encoding: chunked' http://h:1/upload/big.iso"));
    QVERIFY(up.ok);
    QCOMPARE(up.spec.method, QStringLiteral("PUT"));
    QCOMPARE(up.spec.bodyFile, QStringLiteral("/tmp/big.iso"));
    QVERIFY(up.spec.chunked);
    QCOMPARE(CurlCommand::parse(CurlCommand::format(up.spec)).spec, up.spec);
    // A bad command says why, where the user looks.
    QVERIFY(!panel->importCurl(QStringLiteral("curl -H")));
    QVERIFY(child<QLabel>(w.get(), "composerMessage")->text().contains(QLatin1String("needs a value")));
  }

  void curlExportKeepsLiteralAtAndDashUrls() {
    // Found by the curl-import fuzz target: a text body starting with '@' and a URL
    // starting with '-' must come back from Copy as curl as the same request.
    CurlImport at = CurlCommand::parse(QStringLiteral("curl --data-raw '@not-a-file' http://h:1/echo"));
    QVERIFY(at.ok);
    QCOMPARE(at.spec.bodyKind, RequestSpec::BodyKind::kText);
    QCOMPARE(at.spec.bodyText, QStringLiteral("@not-a-file"));
    QVERIFY(CurlCommand::format(at.spec).contains(QLatin1String("--data-raw")));
    QCOMPARE(CurlCommand::parse(CurlCommand::format(at.spec)).spec, at.spec);
    // A "URL" that cannot be read is refused with the token named (issue 14, item 16).
    CurlImport dash = CurlCommand::parse(QStringLiteral("curl --url '-x://odd'"));
    QVERIFY(!dash.ok);
    QVERIFY2(dash.error.contains(QLatin1String("'-x://odd'")), qPrintable(dash.error));
  }

  void historySurvivesRecreatingTheWindow() {
    QFile::remove(historyFile());
    QString sentUrl;
    {
      auto w = makeWindow();
      sentUrl = w->embeddedUrl() + QStringLiteral("/bytes/4321");
      child<QLineEdit>(w.get(), "urlEdit")->setText(sentUrl);
      child<QComboBox>(w.get(), "releaseCombo")->setCurrentIndex(2);
      QTest::mouseClick(child<QPushButton>(w.get(), "sendButton"), Qt::LeftButton);
      auto* list = child<QListView>(w.get(), "historyList");
      QTRY_VERIFY_WITH_TIMEOUT(list->model()->rowCount() == 1 &&
                                   list->model()->index(0, 0).data().toString().startsWith(QLatin1String("200")),
                               10000);
    }
    auto w = makeWindow();
    auto* list = child<QListView>(w.get(), "historyList");
    QCOMPARE(list->model()->rowCount(), 1);
    QString row = list->model()->index(0, 0).data().toString();
    QVERIFY2(row.contains(QLatin1String("GET /bytes/4321")) && row.startsWith(QLatin1String("200")), qPrintable(row));
    child<QLineEdit>(w.get(), "urlEdit")->clear();
    QRect r = list->visualRect(list->model()->index(0, 0));
    QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, r.center());
    QCOMPARE(child<QLineEdit>(w.get(), "urlEdit")->text(), sentUrl);  // click restores the request
    QCOMPARE(child<QComboBox>(w.get(), "releaseCombo")->currentIndex(), 2);
  }
};

QTEST_MAIN(TestRequestPanel)
#include "test_request_panel.moc"
