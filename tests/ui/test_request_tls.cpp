// The composer's TLS options and timeouts, against real local servers: the -k warning is
// shown exactly when verification is off; a self-signed HTTPS server fails verification
// in words and answers with -k and with its certificate as the CA file; an unusable CA
// file is refused in words; the head, body idle and total timeouts reach the engine.
#include <QApplication>
#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTest>

#include "support/ui_window.h"
#include "ui/bridge/server_host.h"
#include "ui/panels/main_window.h"
#include "ui/panels/request_panel.h"
#include "ui/panels/request_tabs.h"

using namespace sluice::ui;
using sluice::test::child;

class TestRequestTls : public QObject {
  Q_OBJECT

 private:
  sluice::test::UiWindowFixture fx_{"ui-request-tls"};
  std::unique_ptr<MainWindow> w_;
  std::unique_ptr<ServerHost> tlsServer_;

  QString send(const QString& url) { return sluice::test::sendAndWait(w_.get(), url); }
  QLabel* warning() { return child<QLabel>(w_.get(), "tlsWarning"); }
  QCheckBox* verify() { return child<QCheckBox>(w_.get(), "tlsVerifyCheck"); }

 private slots:
  void initTestCase() {
    QVERIFY(fx_.ok());
    QString err;
    tlsServer_ = fx_.startTlsServer(&err);  // the stored self-signed certificate
    QVERIFY2(tlsServer_, qPrintable(err));
    w_ = fx_.open();
    QVERIFY2(!w_->embeddedUrl().isEmpty(), qPrintable(w_->embeddedError()));
  }
  void cleanupTestCase() {
    w_.reset();
    if (tlsServer_) tlsServer_->stopNow();
  }

  void warningIsShownExactlyWhenVerificationIsOff() {
    QVERIFY(verify()->isChecked());
    QVERIFY(!warning()->isVisibleTo(w_.get()));
    verify()->setChecked(false);
    QVERIFY(warning()->isVisibleTo(w_.get()));
    QVERIFY(warning()->text().contains(QLatin1String("not authenticated")));
    verify()->setChecked(true);
    QVERIFY(!warning()->isVisibleTo(w_.get()));
    // An imported -k turns it on too; "Copy as curl" then says -k.
    auto* panel = w_->findChild<RequestPanel*>();
    QVERIFY(panel->importCurl(QStringLiteral("curl -k %1/bytes/10").arg(tlsServer_->url())));
    QVERIFY(warning()->isVisibleTo(w_.get()));
    QVERIFY(panel->curlCommand().contains(QLatin1String(" -k ")));
    QVERIFY(panel->importCurl(QStringLiteral("curl %1/bytes/10").arg(tlsServer_->url())));
    QVERIFY(!warning()->isVisibleTo(w_.get()));
  }

  void selfSignedFailsInWordsThenSucceedsWithKOrItsCa() {
    const QString url = tlsServer_->url() + QStringLiteral("/bytes/1000");
    QString failed = send(url);
    QVERIFY2(failed.contains(QLatin1String("failed")), qPrintable(failed));
    QVERIFY2(failed.contains(QLatin1String("self-signed"), Qt::CaseInsensitive) || failed.contains(QLatin1String("self signed")), qPrintable(failed));

    verify()->setChecked(false);
    QString insecure = send(url);
    QVERIFY2(insecure.startsWith(QLatin1String("200 OK")), qPrintable(insecure));
    verify()->setChecked(true);

    child<QLineEdit>(w_.get(), "tlsCaFileEdit")->setText(tlsServer_->certificatePath());
    QString trusted = send(url);
    QVERIFY2(trusted.startsWith(QLatin1String("200 OK")), qPrintable(trusted));
    child<QLineEdit>(w_.get(), "tlsCaFileEdit")->clear();
  }

  void anUnusableCaFileIsWorded() {
    const QString missing = fx_.path(QStringLiteral("no-such-ca.pem"));
    child<QLineEdit>(w_.get(), "tlsCaFileEdit")->setText(missing);
    QString why = send(tlsServer_->url() + QStringLiteral("/bytes/10"));
    QVERIFY2(why.contains(QLatin1String("CA file (--cacert)")) && why.contains(missing) && why.contains(QLatin1String("does not exist")),
             qPrintable(why));
    child<QLineEdit>(w_.get(), "tlsCaFileEdit")->clear();
  }

  // "Use as defaults for new requests": a new tab starts with these TLS options and timeouts.
  void defaultsCarryToNewTabs() {
    QSettings().remove(QStringLiteral("requests/defaults"));
    verify()->setChecked(false);
    child<QDoubleSpinBox>(w_.get(), "connectTimeoutSpin")->setValue(1.5);
    QTest::mouseClick(child<QPushButton>(w_.get(), "saveOptionDefaultsButton"), Qt::LeftButton);
    verify()->setChecked(true);
    child<QDoubleSpinBox>(w_.get(), "connectTimeoutSpin")->setValue(0);
    w_->requestTabs()->newTab();
    RequestSpec fresh = w_->requestPanel()->spec();
    QVERIFY(!fresh.tls.verify);
    QCOMPARE(fresh.connectTimeoutMs, 1500);
    QVERIFY(warning()->isVisibleTo(w_.get()));
    QSettings().remove(QStringLiteral("requests/defaults"));
    verify()->setChecked(true);
    child<QDoubleSpinBox>(w_.get(), "connectTimeoutSpin")->setValue(0);
  }

  void timeoutsReachTheEngine_data() {
    QTest::addColumn<QString>("spin");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("words");
    QTest::newRow("head") << "headTimeoutSpin" << "/delay/10000" << "no response head within 300 ms";
    QTest::newRow("body idle") << "bodyIdleTimeoutSpin" << "/fault/stall/10000?bytes=100" << "no response body byte for 300 ms";
    QTest::newRow("total") << "totalTimeoutSpin" << "/drip?bytes=1000&interval=50" << "total time limit of 300 ms";
  }
  void timeoutsReachTheEngine() {
    QFETCH(QString, spin);
    QFETCH(QString, path);
    QFETCH(QString, words);
    auto* box = child<QDoubleSpinBox>(w_.get(), qPrintable(spin));
    box->setValue(0.3);
    QString why = send(w_->embeddedUrl() + path);
    box->setValue(0);
    QVERIFY2(why.contains(words), qPrintable(why));
  }
};

QTEST_MAIN(TestRequestTls)
#include "test_request_tls.moc"
