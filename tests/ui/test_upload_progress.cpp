// Upload progress in the window (offscreen): while a PUT's file body goes out to a
// server that holds off after 1 MiB, the status says "sending the request body…" and
// the bar and rate show the bytes sent of the total, from the engine's counter.
#include <QApplication>
#include <QLabel>
#include <QProgressBar>
#include <QTest>

#include <fstream>
#include <future>
#include <memory>

#include "support/client_raw_server.h"
#include "support/ui_window.h"
#include "ui/bridge/transfer.h"
#include "ui/panels/main_window.h"
#include "ui/panels/request_panel.h"

using namespace sluice::ui;
using sluice::test::child;
using sluice::test::ClientRawServer;

namespace {
constexpr quint64 kBody = 24ull << 20;

}  // namespace

class TestUploadProgress : public QObject {
  Q_OBJECT
  sluice::test::UiWindowFixture fixture_{"ui-upload-progress"};

 private slots:
  void initTestCase() {
    QApplication::setOrganizationName(QStringLiteral("SluiceTest"));
    QVERIFY(fixture_.ok());
  }

  void barShowsBytesSentOfTheTotal() {
    const QString file = fixture_.path(QStringLiteral("body.bin"));
    {
      std::ofstream out(file.toStdString(), std::ios::binary);
      std::string block(1 << 20, 'g');
      for (quint64 i = 0; i < kBody / block.size(); ++i) out << block;
    }
    std::promise<void> go;
    auto goFuture = go.get_future().share();
    ClientRawServer raw(ClientRawServer::holdingOff(1 << 20, kBody, goFuture, "stored"));
    auto w = fixture_.open();
    RequestSpec s;
    s.method = QStringLiteral("PUT");
    s.url = QString::fromStdString(raw.url("/upload/body.bin"));
    s.bodyKind = RequestSpec::BodyKind::kFile;
    s.bodyFile = file;
    w->requestPanel()->setSpec(s);
    w->requestPanel()->send();
    auto* summary = child<QLabel>(w.get(), "responseSummary");
    auto* rate = child<QLabel>(w.get(), "responseRate");
    auto* bar = child<QProgressBar>(w.get(), "responseProgress");
    auto* error = child<QLabel>(w.get(), "responseError");
    QTRY_VERIFY2_WITH_TIMEOUT(summary->text().startsWith(QStringLiteral("sending the request body…")),
                              qPrintable(summary->text() + QLatin1Char(' ') + error->text()), 10000);
    QTRY_VERIFY2_WITH_TIMEOUT(rate->text().startsWith(QLatin1String("sent ")) && rate->text().contains(QLatin1String(" of 24 MiB")),
                              qPrintable(rate->text()), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(bar->value() > 0, 5000);
    QVERIFY(bar->value() < bar->maximum());  // the server holds off: part of the body, not all
    QVERIFY(summary->text().contains(QLatin1String(" of 24 MiB")));
    go.set_value();
    QTRY_VERIFY2_WITH_TIMEOUT(summary->text().startsWith(QLatin1String("200 OK")), qPrintable(summary->text()), 20000);
    auto t = w->requestPanel()->current();
    QTRY_VERIFY_WITH_TIMEOUT(t->final(), 5000);
    QCOMPARE(t->view().uploadSent, kBody);
  }
};

QTEST_MAIN(TestUploadProgress)
#include "test_upload_progress.moc"
