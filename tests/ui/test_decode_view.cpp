// The Decode switch driven like a user: a gzip or br body is asked for, decoded as it
// streams, and shown as wire and decoded bytes; without Decode it is never shown as text.
#include <QApplication>
#include <QCheckBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTest>
#include <memory>

#include "support/ui_window.h"
#include "ui/panels/main_window.h"

using namespace sluice::ui;
using sluice::test::child;

class TestDecodeView : public QObject {
  Q_OBJECT

 private:
  sluice::test::UiWindowFixture fixture_{"ui-decode"};

  std::unique_ptr<MainWindow> makeWindow() { return fixture_.open(); }
  /** Sends path with Decode on or off and waits until the rate line shows the end. */
  static void send(MainWindow* w, const QString& path, bool decode) {
    child<QCheckBox>(w, "decodeCheck")->setChecked(decode);
    child<QLineEdit>(w, "urlEdit")->setText(w->embeddedUrl() + path);
    QTest::mouseClick(child<QPushButton>(w, "sendButton"), Qt::LeftButton);
    auto* summary = child<QLabel>(w, "responseSummary");
    QTRY_VERIFY_WITH_TIMEOUT(summary->text().startsWith(QLatin1String("200 OK")) &&
                                 !summary->text().contains(QLatin1String("streaming")),
                             10000);
  }

 private slots:
  void initTestCase() {
    QApplication::setOrganizationName(QStringLiteral("SluiceTest"));
    QVERIFY(fixture_.ok());
  }

  void decodedShowsWireAndDecodedBytes_data() {
    QTest::addColumn<QString>("coding");
    QTest::newRow("gzip") << "gzip";
    QTest::newRow("br") << "br";
  }
  void decodedShowsWireAndDecodedBytes() {
    QFETCH(QString, coding);
    auto w = makeWindow();
    QVERIFY2(!w->embeddedUrl().isEmpty(), qPrintable(w->embeddedError()));
    send(w.get(), QStringLiteral("/bytes/200000?encoding=") + coding, true);
    auto* rate = child<QLabel>(w.get(), "responseRate");
    QTRY_VERIFY2_WITH_TIMEOUT(rate->text().contains(QStringLiteral("decoded 195 KiB (%1)").arg(coding)), qPrintable(rate->text()), 5000);
    QVERIFY2(rate->text().contains(QLatin1String("wire ")), qPrintable(rate->text()));
    auto* body = child<QPlainTextEdit>(w.get(), "responseBody");
    QTRY_VERIFY_WITH_TIMEOUT(body->toPlainText().startsWith(QLatin1String("abcdefghijklmnopqrstuvwxyz")), 5000);
  }

  void withoutDecodeNoGarbage() {
    auto w = makeWindow();
    send(w.get(), QStringLiteral("/bytes/200000?encoding=gzip"), false);
    auto* rate = child<QLabel>(w.get(), "responseRate");
    QTRY_VERIFY_WITH_TIMEOUT(rate->text().contains(QLatin1String("gzip on the wire, not decoded")), 5000);
    auto* body = child<QPlainTextEdit>(w.get(), "responseBody");
    QVERIFY(body->toPlainText().isEmpty());
    bool noted = false;
    for (auto* l : w->findChildren<QLabel*>())
      noted = noted || l->text().contains(QLatin1String("turn on Decode"));
    QVERIFY(noted);
  }
};

QTEST_MAIN(TestDecodeView)
#include "test_decode_view.moc"
