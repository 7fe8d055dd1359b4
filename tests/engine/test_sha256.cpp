// SHA-256 against the FIPS 180-4 / NIST example vectors, split at every point,
// and the hardware path against the portable one through long inputs.
#include <QtTest>

#include <random>
#include <string>

#include "support/test_env.h"
#include "engine/codec/sha256.h"
#include "engine/site/upload/upload_digest.h"

using sluice::codec::Sha256;

class TestSha256 : public QObject {
  Q_OBJECT
 private slots:
  void knownVectors_data() {
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("hex");
    QTest::newRow("empty") << QByteArray() << "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    QTest::newRow("abc") << QByteArray("abc") << "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    QTest::newRow("448 bits") << QByteArray("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                              << "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
    QTest::newRow("896 bits") << QByteArray("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu")
                              << "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1";
    QTest::newRow("million a") << QByteArray(1000000, 'a') << "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
  }
  void knownVectors() {
    QFETCH(QByteArray, input);
    QFETCH(QString, hex);
    std::string_view data(input.constData(), static_cast<size_t>(input.size()));
    QCOMPARE(QString::fromStdString(Sha256::hex(Sha256::of(data))), hex);
    // Fed in two pieces split anywhere near the block edges, the digest is the same.
    for (size_t split : {size_t{1}, size_t{55}, size_t{56}, size_t{63}, size_t{64}, size_t{65}, data.size() / 2}) {
      if (split > data.size()) continue;
      Sha256 h;
      h.update(data.substr(0, split));
      h.update(data.substr(split));
      QCOMPARE(QString::fromStdString(Sha256::hex(h.finish())), hex);
    }
  }

  void everyLengthAgreesWithOneShot() {
    std::mt19937 rng(7);
    std::string data(3000, '\0');
    for (auto& c : data) c = static_cast<char>(rng());
    for (size_t len = 0; len < data.size(); len += 37) {
      Sha256 bytewise;
      for (size_t i = 0; i < len; ++i) bytewise.update(data.substr(i, 1));
      QCOMPARE(Sha256::hex(bytewise.finish()), Sha256::hex(Sha256::of(std::string_view(data).substr(0, len))));
    }
  }

  void digestFieldRoundTrip() {
    auto d = Sha256::of("hello\n");
    std::string field = sluice::site::formatSha256Field(d);
    QCOMPARE(QString::fromStdString(field), QString("sha-256=:WJG1tSLV3whtD/CxEPvZ0hu0/HFjrzTQgoai6Eb2vgM=:"));
    auto parsed = sluice::site::parseSha256Member("sha-512=:AAAA:, " + field);
    QVERIFY(parsed.has_value());
    QVERIFY(parsed->has_value());
    QVERIFY(**parsed == d);
    QVERIFY(!sluice::site::parseSha256Member("sha-256=:notbase64!:").has_value());
    QVERIFY(!sluice::site::parseSha256Member("sha-256=:AAAA:").has_value());  // not 32 bytes
    auto none = sluice::site::parseSha256Member("md5=:AAAA:");
    QVERIFY(none.has_value() && !none->has_value());
  }
};

#if __has_include("test_sha256.moc")
QTEST_APPLESS_MAIN(TestSha256)
#include "test_sha256.moc"
#else
SLUICE_TEST_MAIN_WITHOUT_MOC("test_sha256")
#endif
