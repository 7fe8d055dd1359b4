// The Servers area: a second server on port 0 shows the port it really got, and serves.
#include <cerrno>

#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTableView>
#include <QTableWidget>
#include <QSettings>
#include <QTest>

#include "engine/net/event_loop.h"
#include "support/raw_client.h"
#include "ui/bridge/client_bridge.h"
#include "ui/bridge/event_settings.h"
#include "support/ui_window.h"
#include "ui/widgets/memory_graph.h"
#include "ui/bridge/server_host.h"
#include "ui/panels/main_window.h"
#include "ui/panels/servers_panel.h"

using namespace sluice::ui;
using sluice::test::child;

class TestServersPanel : public QObject {
  Q_OBJECT

 private:
  sluice::test::UiWindowFixture fx_{"ui-servers"};

 private slots:
  void initTestCase() { QVERIFY(fx_.ok()); }

  void secondServerOnPortZeroShowsItsRealPort() {
    MainWindow w(fx_.options());
    w.show();
    w.serversDock()->raise();
    QVERIFY(!w.embeddedUrl().isEmpty());
    QVERIFY(child<QLabel>(&w, "statusServer")->text().contains(w.embeddedUrl().mid(7)));

    child<QLineEdit>(&w, "newServerListen")->setText(QStringLiteral("127.0.0.1:0"));
    auto* mode = child<QComboBox>(&w, "newServerMode");
    mode->setCurrentIndex(1);  // buffered
    child<QLineEdit>(&w, "newServerDir")->setText(fx_.path(QStringLiteral("uploads")));
    child<QLineEdit>(&w, "newServerMaxBody")->setText(QStringLiteral("10M"));
    QTest::mouseClick(child<QPushButton>(&w, "addServerButton"), Qt::LeftButton);

    auto* table = child<QTableWidget>(&w, "serversTable");
    QCOMPARE(table->rowCount(), 2);
    ServerHost* second = w.serversPanel()->hosts().at(1);
    QVERIFY(second->running());
    QVERIFY(second->port() != 0);
    QString shown = table->item(1, 0)->text();
    QCOMPARE(shown, QStringLiteral("127.0.0.1:%1").arg(second->port()));
    QCOMPARE(table->item(1, 1)->text(), QStringLiteral("buffered"));
    QVERIFY(child<QLabel>(&w, "serversMessage")->text().contains(QString::number(second->port())));

    // It serves: a request through the composer shows up in its live table and access log.
    child<QLineEdit>(&w, "urlEdit")->setText(second->url() + QStringLiteral("/bytes/2048"));
    QTest::mouseClick(child<QPushButton>(&w, "sendButton"), Qt::LeftButton);
    auto* log = child<QPlainTextEdit>(&w, "accessLog");
    QTRY_VERIFY_WITH_TIMEOUT(log->toPlainText().contains(QStringLiteral(":%1").arg(second->port())) &&
                                 log->toPlainText().contains(QLatin1String("GET /bytes/2048")),
                             10000);
    auto* requests = child<QTableView>(&w, "serverRequestsTable");
    QTRY_VERIFY(requests->model()->rowCount() >= 1);

    // A taken port is refused in words.
    child<QLineEdit>(&w, "newServerListen")->setText(QStringLiteral("127.0.0.1:%1").arg(second->port()));
    QTest::mouseClick(child<QPushButton>(&w, "addServerButton"), Qt::LeftButton);
    QCOMPARE(table->rowCount(), 2);
    QVERIFY2(child<QLabel>(&w, "serversMessage")->text().startsWith(QLatin1String("cannot start")),
             qPrintable(child<QLabel>(&w, "serversMessage")->text()));

    // A listener the event loop cannot watch (epoll at its watch limit) is refused in words too,
    // instead of a server that says it listens and never accepts.
    child<QLineEdit>(&w, "newServerListen")->setText(QStringLiteral("127.0.0.1:0"));
    sluice::net::EventLoop::failNextAdds(1, ENOSPC);
    QTest::mouseClick(child<QPushButton>(&w, "addServerButton"), Qt::LeftButton);
    sluice::net::EventLoop::failNextAdds(0, 0);
    QCOMPARE(table->rowCount(), 2);
    const QString watchError = child<QLabel>(&w, "serversMessage")->text();
    QVERIFY2(watchError.startsWith(QLatin1String("cannot start")) &&
                 watchError.contains(QLatin1String("cannot watch the listening socket")),
             qPrintable(watchError));

    // Stop runs in the background; the table says so when it is done.
    table->selectRow(1);
    QTest::mouseClick(child<QPushButton>(&w, "stopServerButton"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(table->item(1, 2)->text(), QStringLiteral("stopped"), 5000);
  }

  void memoryGraphShowsWhatEachServerHolds() {
    // A buffered server holds a body in memory until it is whole; a stream server holds
    // none. The graph draws each server's exact gauge beside the process RSS.
    MainWindow w(fx_.options());
    w.show();
    child<QLineEdit>(&w, "newServerListen")->setText(QStringLiteral("127.0.0.1:0"));
    child<QComboBox>(&w, "newServerMode")->setCurrentIndex(1);  // buffered
    child<QLineEdit>(&w, "newServerDir")->setText(fx_.path(QStringLiteral("uploads-held")));
    child<QLineEdit>(&w, "newServerMaxBody")->setText(QStringLiteral("64M"));
    QTest::mouseClick(child<QPushButton>(&w, "addServerButton"), Qt::LeftButton);
    QCOMPARE(w.serversPanel()->hosts().size(), 2);
    ServerHost* embedded = w.serversPanel()->hosts().at(0);
    ServerHost* buffered = w.serversPanel()->hosts().at(1);
    QVERIFY(buffered->running());

    constexpr size_t kHalf = 4u << 20;
    sluice::test::RawClient stream(embedded->port()), held(buffered->port());
    QVERIFY(stream.connected() && held.connected());
    const std::string head = "PUT /sink HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + std::to_string(2 * kHalf) + "\r\n\r\n";
    QVERIFY(stream.send(head + std::string(kHalf, 's')));
    QVERIFY(held.send(head + std::string(kHalf, 'b')));
    QTRY_COMPARE_WITH_TIMEOUT(buffered->stats().bodyBytesHeld, static_cast<quint64>(kHalf), 5000);
    QCOMPARE(embedded->stats().bodyBytesHeld, 0u);

    auto* graph = child<MemoryGraph>(&w, "memoryGraph");
    const QString bufferedLabel = QStringLiteral("buffered :%1 holds ").arg(buffered->port());
    const QString streamLabel = QStringLiteral("stream :%1 holds 0 B").arg(embedded->port());
    QTRY_VERIFY2_WITH_TIMEOUT(graph->legend().contains(streamLabel), qPrintable(graph->legend().join(" | ")), 5000);
    QTRY_VERIFY2_WITH_TIMEOUT(graph->legend().filter(bufferedLabel).size() == 1 &&
                                 !graph->legend().filter(bufferedLabel).first().endsWith(QLatin1String(" 0 B")),
                             qPrintable(graph->legend().join(" | ")), 5000);

    // The peer goes away mid-body: the held body is freed, and the gauge says so.
    held.reset();
    QTRY_COMPARE_WITH_TIMEOUT(buffered->stats().bodyBytesHeld, 0u, 5000);
    QTRY_VERIFY2_WITH_TIMEOUT(graph->legend().contains(QStringLiteral("buffered :%1 holds 0 B").arg(buffered->port())),
                             qPrintable(graph->legend().join(" | ")), 5000);
  }

  void eventBufferSizesComeFromSettings() {
    // Every limit is configurable: the client's and each server's event buffer are read
    // from the settings (Tools > Event buffers…) when they are made, within bounds.
    QSettings settings;
    settings.setValue(QStringLiteral("events/clientCapacity"), 2048);
    settings.setValue(QStringLiteral("events/serverCapacity"), 10);  // below the floor: clamped
    {
      MainWindow w(fx_.options());
      QCOMPARE(w.bridge()->eventCapacity(), size_t{2048});
      QCOMPARE(w.serversPanel()->hosts().at(0)->settings().eventCapacity, kMinEventCapacity);
    }
    settings.remove(QStringLiteral("events"));
    MainWindow w(fx_.options());
    QCOMPARE(w.bridge()->eventCapacity(), kDefaultEventCapacity);
  }

  void proxyServerForwardsToTheEmbeddedOne() {
    MainWindow w(fx_.options(QStringLiteral("history2.json")));
    w.show();
    child<QLineEdit>(&w, "newServerListen")->setText(QStringLiteral("127.0.0.1:0"));
    child<QLineEdit>(&w, "newServerDir")->setText(fx_.path(QStringLiteral("proxy-uploads")));
    child<QLineEdit>(&w, "newServerProxy")->setText(w.embeddedUrl());
    QTest::mouseClick(child<QPushButton>(&w, "addServerButton"), Qt::LeftButton);
    ServerHost* proxy = w.serversPanel()->hosts().at(1);
    QVERIFY(proxy->running());
    // /status/ exists only on the embedded server: answered through the proxy, with its Via.
    child<QLineEdit>(&w, "urlEdit")->setText(proxy->url() + QStringLiteral("/status/203"));
    QTest::mouseClick(child<QPushButton>(&w, "sendButton"), Qt::LeftButton);
    auto* summary = child<QLabel>(&w, "responseSummary");
    QTRY_VERIFY_WITH_TIMEOUT(summary->text().startsWith(QLatin1String("203")), 10000);
    auto* headers = child<QTableWidget>(&w, "responseHeaders");
    bool via = false;
    for (int r = 0; r < headers->rowCount(); ++r)
      via = via || (headers->item(r, 0)->text() == QLatin1String("Via") && headers->item(r, 1)->text().contains(QLatin1String("sluice")));
    QVERIFY(via);
  }
};

QTEST_MAIN(TestServersPanel)
#include "test_servers_panel.moc"
