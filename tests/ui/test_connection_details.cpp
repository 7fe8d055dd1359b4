// The response's Connection tab against real local servers: over TLS it shows the version,
// cipher, ALPN, resumption, the verification result and the peer chain with the values of
// the certificate the server was given; over plain HTTP it says so.
#include <QApplication>
#include <QCheckBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStandardPaths>
#include <QTest>

#include "support/tls_certs.h"
#include "support/ui_window.h"
#include "ui/bridge/server_host.h"
#include "ui/panels/main_window.h"
#include "ui/widgets/connection_details.h"

using namespace sluice::ui;
using sluice::test::child;

class TestConnectionDetails : public QObject {
  Q_OBJECT

 private:
  sluice::test::UiWindowFixture fx_{"ui-connection"};
  sluice::test::TlsCerts certs_;
  std::unique_ptr<MainWindow> w_;
  std::unique_ptr<ServerHost> server_;

  QString send(const QString& url) { return sluice::test::sendAndWait(w_.get(), url); }
  ConnectionDetails* details() { return child<ConnectionDetails>(w_.get(), "connectionDetails"); }

 private slots:
  void initTestCase() {
    QVERIFY(fx_.ok());
    QVERIFY2(certs_.ok(), certs_.error().c_str());
    QStandardPaths::setTestModeEnabled(true);
    w_ = fx_.open();
    ServerSettings s;
    s.tls = true;
    s.certFile = QString::fromStdString(certs_.good.cert);
    s.keyFile = QString::fromStdString(certs_.good.key);
    server_ = std::make_unique<ServerHost>(s);
    QString err = server_->start();
    QVERIFY2(err.isEmpty(), qPrintable(err));
  }
  void cleanupTestCase() {
    w_.reset();
    if (server_) server_->stopNow();
  }

  void tlsSessionAndPeerChain() {
    child<QLineEdit>(w_.get(), "tlsCaFileEdit")->setText(QString::fromStdString(certs_.ca.cert));
    QString r = send(server_->url() + QStringLiteral("/bytes/100"));
    QVERIFY2(r.startsWith(QLatin1String("200 OK")), qPrintable(r));
    ConnectionDetails* d = details();
    QCOMPARE(d->field(QStringLiteral("Protocol")), QStringLiteral("TLSv1.3"));
    QVERIFY(d->field(QStringLiteral("Cipher")).startsWith(QLatin1String("TLS_")));
    QCOMPARE(d->field(QStringLiteral("ALPN")), QStringLiteral("http/1.1"));
    QCOMPARE(d->field(QStringLiteral("Session")), QStringLiteral("full handshake"));
    QVERIFY2(d->field(QStringLiteral("Verification")).startsWith(QLatin1String("ok")), qPrintable(d->field(QStringLiteral("Verification"))));
    QVERIFY(d->chainLength() >= 1);
    QCOMPARE(d->certField(0, QStringLiteral("SHA-256")), QString::fromStdString(certs_.good.sha256));
    QVERIFY(d->certField(0, QStringLiteral("SANs")).contains(QLatin1String("DNS:localhost")));
    QVERIFY(d->certField(0, QStringLiteral("SANs")).contains(QLatin1String("IP:127.0.0.1")));
    QCOMPARE(d->certField(0, QStringLiteral("Key")), QStringLiteral("EC P-256, 256 bits"));
    QCOMPARE(d->certField(0, QStringLiteral("Signature")), QStringLiteral("ecdsa-with-SHA256"));
    QVERIFY(!d->certField(0, QStringLiteral("Issuer")).isEmpty());
    QVERIFY(d->certField(0, QStringLiteral("Valid until")).endsWith(QLatin1String("UTC")));
    QVERIFY(d->text().contains(QString::fromStdString(certs_.good.sha256)));

    // A new connection to the same origin resumes the session the first one left.
    child<QCheckBox>(w_.get(), "forceNewCheck")->setChecked(true);
    r = send(server_->url() + QStringLiteral("/bytes/100"));
    child<QCheckBox>(w_.get(), "forceNewCheck")->setChecked(false);
    QVERIFY2(r.startsWith(QLatin1String("200 OK")), qPrintable(r));
    QVERIFY2(details()->field(QStringLiteral("Session")).startsWith(QLatin1String("resumed")), qPrintable(details()->text()));
    child<QLineEdit>(w_.get(), "tlsCaFileEdit")->clear();
  }

  void verificationOffIsSaid() {
    child<QCheckBox>(w_.get(), "tlsVerifyCheck")->setChecked(false);
    QString r = send(server_->url() + QStringLiteral("/bytes/10"));
    child<QCheckBox>(w_.get(), "tlsVerifyCheck")->setChecked(true);
    QVERIFY2(r.startsWith(QLatin1String("200 OK")), qPrintable(r));
    QVERIFY2(details()->field(QStringLiteral("Verification")).startsWith(QLatin1String("off")), qPrintable(details()->text()));
  }

  void plainHttpSaysSo() {
    QString r = send(w_->embeddedUrl() + QStringLiteral("/bytes/10"));
    QVERIFY2(r.startsWith(QLatin1String("200 OK")), qPrintable(r));
    QVERIFY(details()->info() == nullptr);
    QVERIFY(details()->field(QStringLiteral("Protocol")).isEmpty());
    QVERIFY2(child<QLabel>(w_.get(), "connectionHeadline")->text().startsWith(QLatin1String("Plain HTTP")), qPrintable(details()->text()));
  }
};

QTEST_MAIN(TestConnectionDetails)
#include "test_connection_details.moc"
