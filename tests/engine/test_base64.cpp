// Base64 (RFC 4648 §4) through OpenSSL: the RFC's vectors both ways, and
// strict refusal of a wrong alphabet, wrong padding and non-zero pad bits.
#include <QtTest>

#include <string>

#include "support/test_env.h"
#include "engine/codec/base64.h"

using sluice::codec::base64Decode;
using sluice::codec::base64Encode;

class TestBase64 : public QObject {
  Q_OBJECT
 private slots:
  void rfc4648Vectors_data() {
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("empty") << QByteArray() << QByteArray();
    QTest::newRow("f") << QByteArray("f") << QByteArray("Zg==");
    QTest::newRow("fo") << QByteArray("fo") << QByteArray("Zm8=");
    QTest::newRow("foo") << QByteArray("foo") << QByteArray("Zm9v");
    QTest::newRow("foob") << QByteArray("foob") << QByteArray("Zm9vYg==");
    QTest::newRow("fooba") << QByteArray("fooba") << QByteArray("Zm9vYmE=");
    QTest::newRow("foobar") << QByteArray("foobar") << QByteArray("Zm9vYmFy");
    QTest::newRow("high bytes") << QByteArray("\xfb\xff\xbf", 3) << QByteArray("+/+/");
    QTest::newRow("nul bytes") << QByteArray("\0\0", 2) << QByteArray("AAA=");
  }
  void rfc4648Vectors() {
    QFETCH(QByteArray, bytes);
    QFETCH(QByteArray, text);
    std::string_view raw(bytes.constData(), static_cast<size_t>(bytes.size()));
    QCOMPARE(QByteArray::fromStdString(base64Encode(raw)), text);
    auto back = base64Decode(text.toStdString());
    QVERIFY2(back.has_value(), back ? "" : back.error().message.c_str());
    QCOMPARE(QByteArray::fromStdString(*back), bytes);
  }

  void missingPaddingIsAccepted() {
    // RFC 8941 §4.2.7: parsers should not fail when '=' padding is absent.
    QCOMPARE(base64Decode("Zg").value(), std::string("f"));
    QCOMPARE(base64Decode("Zm8").value(), std::string("fo"));
  }

  void malformedIsRefused_data() {
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("wordedAs");
    QTest::newRow("bang") << QByteArray("Zm9v!A==") << "'!' at position 5";
    QTest::newRow("space") << QByteArray("Zm9v Yg==") << "a space (0x20) at position 5";
    QTest::newRow("newline") << QByteArray("Zm9v\nYg==") << "LF (0x0A) at position 5";
    QTest::newRow("url-safe") << QByteArray("-_-_") << "'-' at position 1";
    QTest::newRow("pad inside") << QByteArray("Zg==Zm8=") << "'=' at position 3";
    QTest::newRow("three pads") << QByteArray("Zg===") << "at most 2";
    QTest::newRow("only pads") << QByteArray("==") << "not a multiple of 4";
    QTest::newRow("short pad") << QByteArray("Zg=") << "not a multiple of 4";
    QTest::newRow("4n+1") << QByteArray("Zm9vY") << "truncated";
    QTest::newRow("pad bits") << QByteArray("Zh==") << "not canonical";
    QTest::newRow("pad bits one") << QByteArray("Zm9=") << "not canonical";
  }
  void malformedIsRefused() {
    QFETCH(QByteArray, text);
    QFETCH(QString, wordedAs);
    auto r = base64Decode(text.toStdString());
    QVERIFY(!r.has_value());
    QVERIFY2(QString::fromStdString(r.error().message).contains(wordedAs), r.error().message.c_str());
  }
};

#if __has_include("test_base64.moc")
QTEST_APPLESS_MAIN(TestBase64)
#include "test_base64.moc"
#else
SLUICE_TEST_MAIN_WITHOUT_MOC("test_base64")
#endif
