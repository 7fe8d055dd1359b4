// Sizes and durations as users type them on the command line, and bytes as they are printed.
#include <QtTest/QtTest>

#include <chrono>
#include <string>

#include "engine/util/units.h"

using namespace std::chrono_literals;

class TestUnits : public QObject {
  Q_OBJECT

 private slots:
  void sizes_data();
  void sizes();
  void badSizes_data();
  void badSizes();
  void durations_data();
  void durations();
  void badDurations_data();
  void badDurations();
  void formatBytes_data();
  void formatBytes();
  void parseUint();
};

void TestUnits::sizes_data() {
  QTest::addColumn<QString>("text");
  QTest::addColumn<quint64>("bytes");
  QTest::newRow("plain") << "1048576" << quint64(1048576);
  QTest::newRow("zero") << "0" << quint64(0);
  QTest::newRow("B") << "10B" << quint64(10);
  QTest::newRow("K") << "64K" << quint64(64 * 1024);
  QTest::newRow("k lower case") << "64k" << quint64(64 * 1024);
  QTest::newRow("KB") << "2KB" << quint64(2048);
  QTest::newRow("KiB") << "2KiB" << quint64(2048);
  QTest::newRow("M") << "1M" << quint64(1024 * 1024);
  QTest::newRow("MiB") << "1MiB" << quint64(1024 * 1024);
  QTest::newRow("G") << "2G" << quint64(2ull << 30);
  QTest::newRow("GB") << "4GB" << quint64(4ull << 30);
  QTest::newRow("T") << "1T" << quint64(1ull << 40);
  QTest::newRow("fraction") << "1.5K" << quint64(1536);
  QTest::newRow("fraction M") << "0.5M" << quint64(512 * 1024);
}

void TestUnits::sizes() {
  QFETCH(QString, text);
  QFETCH(quint64, bytes);
  auto r = sluice::parseSize(text.toStdString());
  QVERIFY2(r.has_value(), r ? "" : r.error().message.c_str());
  QCOMPARE(quint64(*r), bytes);
}

void TestUnits::badSizes_data() {
  QTest::addColumn<QString>("text");
  QTest::newRow("empty") << "";
  QTest::newRow("word") << "abc";
  QTest::newRow("negative") << "-1";
  QTest::newRow("unknown unit") << "1X";
  QTest::newRow("unit only") << "K";
  QTest::newRow("two dots") << "1.5.5K";
  QTest::newRow("exponent") << "1e3";
  QTest::newRow("space inside") << "1 K";
  QTest::newRow("too large") << "20000000000G";
  QTest::newRow("leading space") << " 1K";
}

void TestUnits::badSizes() {
  QFETCH(QString, text);
  auto r = sluice::parseSize(text.toStdString());
  QVERIFY2(!r.has_value(), qPrintable(QString("'%1' parsed as %2").arg(text).arg(r ? *r : 0)));
  QCOMPARE(r.error().code, sluice::ErrorCode::kInvalidArgument);
  // The message names the bad input so a user can find it on the command line.
  QVERIFY2(!r.error().message.empty(), "an error carries a message");
  if (!text.isEmpty()) QVERIFY2(r.error().message.find(text.toStdString()) != std::string::npos, r.error().message.c_str());
}

void TestUnits::durations_data() {
  QTest::addColumn<QString>("text");
  QTest::addColumn<qint64>("ms");
  QTest::newRow("ms") << "250ms" << qint64(250);
  QTest::newRow("s") << "10s" << qint64(10'000);
  QTest::newRow("fractional s") << "1.5s" << qint64(1500);
  QTest::newRow("bare number is seconds") << "10" << qint64(10'000);
  QTest::newRow("zero") << "0" << qint64(0);
  QTest::newRow("minutes") << "2m" << qint64(120'000);
  QTest::newRow("min") << "1min" << qint64(60'000);
  QTest::newRow("hours") << "1h" << qint64(3'600'000);
}

void TestUnits::durations() {
  QFETCH(QString, text);
  QFETCH(qint64, ms);
  auto r = sluice::parseDuration(text.toStdString());
  QVERIFY2(r.has_value(), r ? "" : r.error().message.c_str());
  QCOMPARE(qint64(r->count()), ms);
}

void TestUnits::badDurations_data() {
  QTest::addColumn<QString>("text");
  QTest::newRow("empty") << "";
  QTest::newRow("word") << "fast";
  QTest::newRow("unknown unit") << "10x";
  QTest::newRow("negative") << "-5s";
  QTest::newRow("unit only") << "ms";
  QTest::newRow("space inside") << "10 s";
}

void TestUnits::badDurations() {
  QFETCH(QString, text);
  auto r = sluice::parseDuration(text.toStdString());
  QVERIFY2(!r.has_value(), qPrintable(QString("'%1' parsed as %2 ms").arg(text).arg(r ? r->count() : 0)));
  QCOMPARE(r.error().code, sluice::ErrorCode::kInvalidArgument);
  QVERIFY(!r.error().message.empty());
}

void TestUnits::formatBytes_data() {
  QTest::addColumn<quint64>("bytes");
  QTest::addColumn<QString>("text");
  QTest::newRow("0") << quint64(0) << "0 B";
  QTest::newRow("1023") << quint64(1023) << "1023 B";
  QTest::newRow("1 KiB") << quint64(1024) << "1.0 KiB";
  QTest::newRow("1.5 KiB") << quint64(1536) << "1.5 KiB";
  QTest::newRow("1 MiB") << quint64(1 << 20) << "1.0 MiB";
  QTest::newRow("512 MiB") << quint64(512ull << 20) << "512.0 MiB";
  QTest::newRow("5 GiB") << quint64(5ull << 30) << "5.0 GiB";
  QTest::newRow("1 TiB") << quint64(1ull << 40) << "1.0 TiB";
  QTest::newRow("2048 TiB stays in TiB") << quint64(2048ull << 40) << "2048.0 TiB";
}

void TestUnits::formatBytes() {
  QFETCH(quint64, bytes);
  QFETCH(QString, text);
  QCOMPARE(QString::fromStdString(sluice::formatBytes(bytes)), text);
}

void TestUnits::parseUint() {
  uint64_t v = 7;
  QVERIFY(sluice::parseUint("123", v));
  QCOMPARE(v, uint64_t(123));
  QVERIFY(sluice::parseUint("18446744073709551615", v));
  QCOMPARE(v, UINT64_MAX);
  QVERIFY(!sluice::parseUint("18446744073709551616", v));
  QVERIFY(!sluice::parseUint("", v));
  QVERIFY(!sluice::parseUint("12a", v));
  QVERIFY(!sluice::parseUint("-1", v));
  QVERIFY(!sluice::parseUint(" 1", v));
  QVERIFY(!sluice::parseUint("1.0", v));
}

QTEST_APPLESS_MAIN(TestUnits)
#include "test_units.moc"
