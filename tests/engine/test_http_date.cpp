// HTTP dates (RFC 9110 §5.6.7): IMF-fixdate written from fixed tables, the
// three forms read, the 50-year rule for RFC 850, and refusals.
#include <QtTest>

#include <clocale>
#include <ctime>

#include "support/test_env.h"
#include "engine/http/http_date.h"

using sluice::http::formatHttpDate;
using sluice::http::formatIsoUtc;
using sluice::http::parseHttpDate;

namespace {
constexpr int64_t kRfcExample = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT
constexpr int64_t kNow2026 = 1795000000;    // late 2026, for the RFC 850 century rule
}  // namespace

class TestHttpDate : public QObject {
  Q_OBJECT
 private slots:
  void formats_data() {
    QTest::addColumn<qint64>("unix");
    QTest::addColumn<QString>("imf");
    QTest::addColumn<QString>("iso");
    QTest::newRow("epoch") << qint64(0) << "Thu, 01 Jan 1970 00:00:00 GMT" << "1970-01-01T00:00:00Z";
    QTest::newRow("rfc example") << qint64(kRfcExample) << "Sun, 06 Nov 1994 08:49:37 GMT" << "1994-11-06T08:49:37Z";
    QTest::newRow("leap day") << qint64(951782400) << "Tue, 29 Feb 2000 00:00:00 GMT" << "2000-02-29T00:00:00Z";
    QTest::newRow("end of 2026") << qint64(1798761599) << "Thu, 31 Dec 2026 23:59:59 GMT" << "2026-12-31T23:59:59Z";
    QTest::newRow("2038") << qint64(2147483648) << "Tue, 19 Jan 2038 03:14:08 GMT" << "2038-01-19T03:14:08Z";
    QTest::newRow("before 1970") << qint64(-86400) << "Wed, 31 Dec 1969 00:00:00 GMT" << "1969-12-31T00:00:00Z";
  }
  void formats() {
    QFETCH(qint64, unix);
    QTEST(QString::fromStdString(formatHttpDate(unix)), "imf");
    QTEST(QString::fromStdString(formatIsoUtc(unix)), "iso");
    QFETCH(QString, imf);
    QCOMPARE(parseHttpDate(imf.toStdString(), kNow2026).value_or(-1), int64_t(unix));
  }

  void matchesGmtime() {
    // Every day for 60 years, against the C library's calendar.
    for (int64_t t = 0; t < 60LL * 366 * 86400; t += 86400 + 3671) {
      std::time_t tt = static_cast<std::time_t>(t);
      std::tm tm{};
      ::gmtime_r(&tt, &tm);
      std::string iso = formatIsoUtc(t);
      QCOMPARE(std::stoi(iso.substr(0, 4)), tm.tm_year + 1900);
      QCOMPARE(std::stoi(iso.substr(5, 2)), tm.tm_mon + 1);
      QCOMPARE(std::stoi(iso.substr(8, 2)), tm.tm_mday);
      QCOMPARE(parseHttpDate(formatHttpDate(t), kNow2026).value_or(-1), t);
    }
  }

  void readsAllThreeForms_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("unix");
    QTest::newRow("IMF-fixdate") << "Sun, 06 Nov 1994 08:49:37 GMT" << qint64(kRfcExample);
    QTest::newRow("RFC 850") << "Sunday, 06-Nov-94 08:49:37 GMT" << qint64(kRfcExample);
    QTest::newRow("asctime") << "Sun Nov  6 08:49:37 1994" << qint64(kRfcExample);
    QTest::newRow("asctime two-digit day") << "Thu Jan 15 00:00:00 1970" << qint64(14 * 86400);
    QTest::newRow("RFC 850 year 26 is 2026") << "Thursday, 01-Jan-26 00:00:00 GMT" << qint64(1767225600);
    QTest::newRow("RFC 850 year 76 is 2076 (50 years on)") << "Wednesday, 01-Jan-76 00:00:00 GMT" << qint64(3345062400);
    QTest::newRow("RFC 850 year 77 is 1977 (51 years on)") << "Saturday, 01-Jan-77 00:00:00 GMT" << qint64(220924800);
    QTest::newRow("RFC 850 year 80 is 1980") << "Tuesday, 01-Jan-80 00:00:00 GMT" << qint64(315532800);
    QTest::newRow("leap second") << "Sat, 31 Dec 2016 23:59:60 GMT" << qint64(1483228800);
  }
  void readsAllThreeForms() {
    QFETCH(QString, text);
    QFETCH(qint64, unix);
    auto t = parseHttpDate(text.toStdString(), kNow2026);
    QVERIFY2(t.has_value(), qPrintable(text));
    QCOMPARE(*t, int64_t(unix));
  }

  void refusesMalformed_data() {
    QTest::addColumn<QString>("text");
    QTest::newRow("empty") << "";
    QTest::newRow("lower-case month") << "Sun, 06 nov 1994 08:49:37 GMT";
    QTest::newRow("German names") << "So, 06 Nov 1994 08:49:37 GMT";
    QTest::newRow("UTC not GMT") << "Sun, 06 Nov 1994 08:49:37 UTC";
    QTest::newRow("one-digit day") << "Sun, 6 Nov 1994 08:49:37 GMT";
    QTest::newRow("trailing text") << "Sun, 06 Nov 1994 08:49:37 GMT x";
    QTest::newRow("30 February") << "Sun, 30 Feb 1994 08:49:37 GMT";
    QTest::newRow("hour 24") << "Sun, 06 Nov 1994 24:00:00 GMT";
    QTest::newRow("minute 60") << "Sun, 06 Nov 1994 08:60:00 GMT";
    QTest::newRow("RFC 850 short day name") << "Sun, 06-Nov-94 08:49:37 GMT";
    QTest::newRow("asctime without padding") << "Sun Nov 6 08:49:37 1994";
    QTest::newRow("ISO") << "1994-11-06T08:49:37Z";
    QTest::newRow("numbers only") << "784111777";
  }
  void refusesMalformed() {
    QFETCH(QString, text);
    QVERIFY2(!parseHttpDate(text.toStdString(), kNow2026).has_value(), qPrintable(text));
  }

  void ignoresTheProcessLocale() {
    // What the GUI does: a locale with other day names and a decimal comma.
    const char* set = std::setlocale(LC_ALL, "de_DE.UTF-8");
    if (!set) QFAIL("the de_DE.UTF-8 locale is missing: install locales-all (make deps)");
    std::string written = formatHttpDate(kRfcExample);
    auto read = parseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT", kNow2026);
    std::setlocale(LC_ALL, "C");
    QCOMPARE(written, std::string("Sun, 06 Nov 1994 08:49:37 GMT"));
    QCOMPARE(read.value_or(-1), kRfcExample);
  }
};

#if __has_include("test_http_date.moc")
QTEST_APPLESS_MAIN(TestHttpDate)
#include "test_http_date.moc"
#else
SLUICE_TEST_MAIN_WITHOUT_MOC("test_http_date")
#endif
