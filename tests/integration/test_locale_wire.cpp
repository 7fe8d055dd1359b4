// What the GUI does: QApplication sets the process locale from the environment
// (setlocale(LC_ALL, "")). Under de_DE.UTF-8 day names are German and the
// decimal separator is a comma; the bytes our server writes must not change.
#include <QtTest/QtTest>

#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include <clocale>
#include <string>

#include "engine/http/http_date.h"
#include "support/raw_client.h"
#include "support/serve_fixture.h"

using sluice::test::InProcessServer;
using sluice::test::fetch;
using sluice::test::makeRequest;

class TestLocaleWire : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() {
    if (!std::setlocale(LC_ALL, "de_DE.UTF-8")) QFAIL("the de_DE.UTF-8 locale is missing: install locales-all (make deps)");
    // The locale is really in force: printf writes a decimal comma.
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.1f", 1.5);
    QCOMPARE(QByteArray(buf), QByteArray("1,5"));
    QVERIFY2(server_.start(), server_.error().c_str());
  }
  void cleanupTestCase() {
    server_.stop();
    std::setlocale(LC_ALL, "C");
  }

  void dateHeaderIsImfFixdate() {
    auto r = fetch(server_.port(), makeRequest("GET", "/status/200"));
    QVERIFY(r.has_value());
    std::string date = r->header("Date").value_or("");
    static const QRegularExpression kImf(
        "^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d\\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \\d{4} \\d\\d:\\d\\d:\\d\\d GMT$");
    QVERIFY2(kImf.match(QString::fromStdString(date)).hasMatch(), date.c_str());
    auto t = sluice::http::parseHttpDate(date);
    QVERIFY2(t.has_value(), date.c_str());
    QVERIFY(std::abs(*t - static_cast<int64_t>(std::time(nullptr))) < 60);
  }

  void sinkJsonIsValid() {
    auto r = fetch(server_.port(), makeRequest("POST", "/sink", "Content-Length: 100000\r\n", std::string(100000, 'x')));
    QVERIFY(r.has_value());
    QCOMPARE(r->status, 200);
    QJsonParseError err{};
    QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(r->body), &err);
    QVERIFY2(err.error == QJsonParseError::NoError, r->body.c_str());
    QCOMPARE(doc.object().value("bytes").toInteger(), 100000);
    QVERIFY2(doc.object().value("seconds").isDouble(), r->body.c_str());
  }

  void filesListingAndLastModified() {
    auto put = fetch(server_.port(), makeRequest("PUT", "/upload/one.bin", "Content-Length: 1536\r\n", std::string(1536, 'a')));
    QVERIFY(put.has_value());
    QVERIFY2(put->status == 201, put->body.c_str());
    QJsonParseError err{};
    QJsonDocument::fromJson(QByteArray::fromStdString(put->body), &err);
    QVERIFY2(err.error == QJsonParseError::NoError, put->body.c_str());
    auto page = fetch(server_.port(), makeRequest("GET", "/files/"));
    QVERIFY(page.has_value());
    QVERIFY2(page->body.find("1.5 KiB") != std::string::npos, page->body.c_str());
    auto file = fetch(server_.port(), makeRequest("GET", "/files/one.bin"));
    QVERIFY(file.has_value());
    QVERIFY(sluice::http::parseHttpDate(file->header("Last-Modified").value_or("")).has_value());
  }

 private:
  InProcessServer server_;
};

QTEST_APPLESS_MAIN(TestLocaleWire)
#include "test_locale_wire.moc"
