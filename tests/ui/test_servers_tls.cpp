// The Servers area serves HTTPS: the TLS switch of "Add a server" starts a server with the
// stored self-signed certificate, its row shows https://127.0.0.1:PORT and the SHA-256
// fingerprint, "Export certificate" writes the PEM, and the composer trusts that PEM as its
// CA file to get a 200 over https.
#include <QApplication>
#include <QCheckBox>
#include <QDockWidget>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTest>

#include "engine/tls/cert_maker.h"
#include "support/tls_certs.h"
#include "support/ui_window.h"
#include "ui/bridge/server_host.h"
#include "ui/panels/main_window.h"
#include "ui/panels/servers_panel.h"

using namespace sluice::ui;
using sluice::test::child;

class TestServersTls : public QObject {
  Q_OBJECT

 private:
  sluice::test::UiWindowFixture fx_{"ui-servers-tls"};

 private slots:
  void initTestCase() {
    QVERIFY(fx_.ok());
    QStandardPaths::setTestModeEnabled(true);  // QSettings away from the user's
    // The stored self-signed certificate is made in the test's folder, not the user's data folder.
    qputenv("XDG_DATA_HOME", fx_.path(QStringLiteral("data")).toUtf8());
  }

  void tlsServerRowExportAndHttpsRequest() {
    auto w = fx_.open();
    w->serversDock()->raise();
    child<QLineEdit>(w.get(), "newServerListen")->setText(QStringLiteral("127.0.0.1:0"));
    child<QCheckBox>(w.get(), "newServerTls")->setChecked(true);
    QTest::mouseClick(child<QPushButton>(w.get(), "addServerButton"), Qt::LeftButton);
    auto* table = child<QTableWidget>(w.get(), "serversTable");
    QCOMPARE(table->rowCount(), 2);
    ServerHost* host = w->serversPanel()->hosts().at(1);
    QVERIFY2(host->running(), qPrintable(child<QLabel>(w.get(), "serversMessage")->text()));
    QVERIFY(host->tls());
    QCOMPARE(table->item(1, 0)->text(), QStringLiteral("https://127.0.0.1:%1").arg(host->port()));
    QCOMPARE(host->fingerprint().size(), 32 * 3 - 1);  // "AB:CD:..." for 32 bytes
    QCOMPARE(table->item(1, 5)->text(), host->fingerprint());
    QCOMPARE(table->item(0, 5)->text(), QStringLiteral("plain HTTP"));
    QVERIFY(host->certificatePath().startsWith(fx_.path(QStringLiteral("data"))));

    // Export: the PEM holds the certificate (no key) with the fingerprint the row shows.
    table->selectRow(1);
    auto* exportButton = child<QPushButton>(w.get(), "exportCertificateButton");
    QVERIFY(exportButton->isEnabled());
    const QString pem = fx_.path(QStringLiteral("exported.pem"));
    QVERIFY(w->serversPanel()->exportCertificate(pem));
    QFile f(pem);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QByteArray bytes = f.readAll();
    QVERIFY(bytes.startsWith("-----BEGIN CERTIFICATE-----"));
    QVERIFY(!bytes.contains("PRIVATE KEY"));
    auto fp = sluice::tls::fingerprintOfPemFile(pem.toStdString());
    QVERIFY2(fp, fp ? "" : fp.error().message.c_str());
    QCOMPARE(QString::fromStdString(*fp), host->fingerprint());
    table->selectRow(0);  // the plain embedded server has nothing to export
    QVERIFY(!exportButton->isEnabled());
    QVERIFY(!w->serversPanel()->exportCertificate(fx_.path(QStringLiteral("none.pem"))));
    QVERIFY(!QFile::exists(fx_.path(QStringLiteral("none.pem"))));

    // The composer trusts the exported PEM as its CA file: 200 over https.
    child<QLineEdit>(w.get(), "tlsCaFileEdit")->setText(pem);
    QString r = sluice::test::sendAndWait(w.get(), host->url() + QStringLiteral("/bytes/2048"));
    QVERIFY2(r.startsWith(QLatin1String("200 OK")), qPrintable(r));
  }

  // A server with the user's own certificate and key files serves that certificate.
  void tlsServerWithCertificateFiles() {
    sluice::test::TlsCerts certs;
    QVERIFY2(certs.ok(), certs.error().c_str());
    ServerSettings s;
    s.tls = true;
    s.certFile = QString::fromStdString(certs.good.cert);
    s.keyFile = QString::fromStdString(certs.good.key);
    ServerHost host(s);
    QString err = host.start();
    QVERIFY2(err.isEmpty(), qPrintable(err));
    QCOMPARE(host.fingerprint(), QString::fromStdString(certs.good.sha256));
    QVERIFY(host.url().startsWith(QLatin1String("https://")));
    host.stopNow();

    // A missing key file is refused in words.
    s.keyFile = fx_.path(QStringLiteral("missing-key.pem"));
    ServerHost bad(s);
    err = bad.start();
    QVERIFY(!err.isEmpty());
    QVERIFY2(err.contains(QLatin1String("missing-key.pem")), qPrintable(err));
    QVERIFY(!bad.running());
  }
};

QTEST_MAIN(TestServersTls)
#include "test_servers_tls.moc"
