// Upload names: every refused form from the upload issue, plus double encoding
// and overlong UTF-8 (hardening issue).
#include <QtTest>

#include "support/test_env.h"
#include "engine/site/upload/name_rules.h"

using namespace sluice::site;

class TestNameRules : public QObject {
  Q_OBJECT
 private slots:
  void refused_data() {
    QTest::addColumn<QByteArray>("encoded");
    QTest::newRow("empty") << QByteArray("");
    QTest::newRow("dot") << QByteArray(".");
    QTest::newRow("dotdot") << QByteArray("..");
    QTest::newRow("encoded dotdot") << QByteArray("%2e%2e");
    QTest::newRow("slash") << QByteArray("a/b");
    QTest::newRow("encoded slash") << QByteArray("..%2fetc%2fpasswd");
    QTest::newRow("absolute") << QByteArray("%2fetc%2fpasswd");
    QTest::newRow("backslash") << QByteArray("..%5cwin.ini");
    QTest::newRow("nul") << QByteArray("a%00b");
    QTest::newRow("newline") << QByteArray("a%0ab");
    QTest::newRow("del") << QByteArray("a%7f");
    QTest::newRow("c1 control") << QByteArray("a%c2%85");
    QTest::newRow("overlong dot") << QByteArray("%c0%ae%c0%ae");
    QTest::newRow("overlong slash") << QByteArray("a%c0%afb");
    QTest::newRow("invalid utf8") << QByteArray("%ff");
    QTest::newRow("surrogate") << QByteArray("%ed%a0%80");
    QTest::newRow("too long") << QByteArray(256, 'a');
    QTest::newRow("part suffix") << QByteArray("x.part");
    QTest::newRow("bad escape") << QByteArray("a%zz");
  }
  void refused() {
    QFETCH(QByteArray, encoded);
    auto r = decodeFileName(std::string_view(encoded.constData(), static_cast<size_t>(encoded.size())));
    QVERIFY2(!r.has_value(), encoded.constData());
    QVERIFY(!r.error().message.empty());
  }

  void accepted_data() {
    QTest::addColumn<QByteArray>("encoded");
    QTest::addColumn<QByteArray>("decoded");
    QTest::newRow("plain") << QByteArray("report.pdf") << QByteArray("report.pdf");
    QTest::newRow("space") << QByteArray("my%20file.txt") << QByteArray("my file.txt");
    QTest::newRow("dots inside") << QByteArray("a..b") << QByteArray("a..b");
    QTest::newRow("dotfile") << QByteArray(".env") << QByteArray(".env");
    QTest::newRow("utf8") << QByteArray("%C3%A9t%C3%A9.txt") << QByteArray("\xc3\xa9t\xc3\xa9.txt");
    // Decoded once only: a double-encoded "..": the literal name "%2e%2e", harmless.
    QTest::newRow("double encoded") << QByteArray("%252e%252e") << QByteArray("%2e%2e");
    QTest::newRow("255 bytes") << QByteArray(255, 'b') << QByteArray(255, 'b');
  }
  void accepted() {
    QFETCH(QByteArray, encoded);
    QFETCH(QByteArray, decoded);
    auto r = decodeFileName(std::string_view(encoded.constData(), static_cast<size_t>(encoded.size())));
    QVERIFY2(r.has_value(), r ? "" : r.error().message.c_str());
    QCOMPARE(QByteArray::fromStdString(*r), decoded);
  }

  void encodeRoundTrips() {
    std::string name = "a b%c\xc3\xa9?#.txt";
    auto back = decodeFileName(encodeFileName(name));
    QVERIFY(back.has_value());
    QCOMPARE(*back, name);
  }
};

#if __has_include("test_name_rules.moc")
QTEST_APPLESS_MAIN(TestNameRules)
#include "test_name_rules.moc"
#else
SLUICE_TEST_MAIN_WITHOUT_MOC("test_name_rules")
#endif
