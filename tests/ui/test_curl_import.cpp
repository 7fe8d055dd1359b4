// The curl importer (issue 14, items 15-17): -F as multipart, --json as a JSON body,
// pasted line breaks ("\ "), worded errors naming the token, -XDELETE, -A, -b, -e, and
// every unsupported option listed by name. Also the address-bar URL encoding.
#include <QtTest>

#include "ui/requests/curl_command.h"

using sluice::ui::CurlCommand;
using sluice::ui::CurlImport;
using sluice::ui::RequestSpec;
using sluice::ui::TlsOptions;

namespace {
QString headerValue(const RequestSpec& s, const QString& name) {
  for (const auto& h : s.headers)
    if (h.name.compare(name, Qt::CaseInsensitive) == 0) return h.value;
  return {};
}
}  // namespace

class TestCurlImport : public QObject {
  Q_OBJECT
 private slots:
  void formImportsAsMultipart() {
    CurlImport r = CurlCommand::parse(QStringLiteral("curl -F title=hi -F 'file=@/tmp/a b.txt;type=text/plain' http://h:1/upload"));
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.spec.method, QStringLiteral("POST"));
    QCOMPARE(r.spec.bodyKind, RequestSpec::BodyKind::kForm);
    QCOMPARE(r.spec.formParts, (QStringList{"title=hi", "file=@/tmp/a b.txt;type=text/plain"}));
    QVERIFY(r.ignored.isEmpty() && r.unsupported.isEmpty());
    QCOMPARE(CurlCommand::parse(CurlCommand::format(r.spec)).spec, r.spec);  // round trip
    CurlImport bad = CurlCommand::parse(QStringLiteral("curl -F novalue http://h:1/"));
    QVERIFY(!bad.ok);
    QVERIFY2(bad.error.contains(QLatin1String("novalue")), qPrintable(bad.error));
  }

  void jsonImportsAsAJsonBody() {
    CurlImport r = CurlCommand::parse(QStringLiteral(R"(curl --json '{"a":1}' http://h:1/api)"));
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.spec.method, QStringLiteral("POST"));
    QCOMPARE(r.spec.bodyKind, RequestSpec::BodyKind::kText);
    QCOMPARE(r.spec.bodyText, QStringLiteral(R"({"a":1})"));
    QCOMPARE(headerValue(r.spec, QStringLiteral("Content-Type")), QStringLiteral("application/json"));
    QCOMPARE(CurlCommand::parse(CurlCommand::format(r.spec)).spec, r.spec);  // round trip
    QCOMPARE(headerValue(r.spec, QStringLiteral("Accept")), QStringLiteral("application/json"));
    CurlImport put = CurlCommand::parse(QStringLiteral(R"(curl -X PUT --json '[1]' -H 'Accept: text/plain' http://h:1/api)"));
    QCOMPARE(put.spec.method, QStringLiteral("PUT"));
    QCOMPARE(headerValue(put.spec, QStringLiteral("Accept")), QStringLiteral("text/plain"));
  }

  void pastedLineBreaksAreTolerated() {
    CurlImport r = CurlCommand::parse(QStringLiteral("curl -X POST \\ -H 'A: b' \\  -d x=1 \\ http://h:1/echo"));
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.spec.url, QStringLiteral("http://h:1/echo"));
    QCOMPARE(r.spec.bodyText, QStringLiteral("x=1"));
    QCOMPARE(headerValue(r.spec, QStringLiteral("A")), QStringLiteral("b"));
    // Inside a word a backslash-space is still an escaped space, as in a shell.
    CurlImport file = CurlCommand::parse(QStringLiteral("curl -T my\\ file.bin http://h:1/upload/"));
    QCOMPARE(file.spec.bodyFile, QStringLiteral("my file.bin"));
  }

  void unreadableInputNamesTheToken_data() {
    QTest::addColumn<QString>("command");
    QTest::addColumn<QString>("named");
    QTest::newRow("URL without host") << "curl http://" << "'http://'";
    QTest::newRow("two URLs") << "curl http://a/ http://b/" << "http://b/";
    QTest::newRow("header without colon") << "curl -H nocolon http://h/" << "nocolon";
    QTest::newRow("missing value") << "curl http://h/ -H" << "-H";
    QTest::newRow("cookie file") << "curl -b jar.txt http://h/" << "jar.txt";
    QTest::newRow("json from a file") << "curl --json @body.json http://h/" << "@body.json";
    QTest::newRow("form with data") << "curl -F a=1 -d b=2 http://h/" << "-F";
    QTest::newRow("unterminated quote") << "curl 'http://h/" << "quote";
  }
  void unreadableInputNamesTheToken() {
    QFETCH(QString, command);
    QFETCH(QString, named);
    CurlImport r = CurlCommand::parse(command);
    QVERIFY(!r.ok);
    QVERIFY2(r.error.contains(named), qPrintable(r.error));
  }

  void attachedValuesAndHeaderOptions() {
    CurlImport r = CurlCommand::parse(QStringLiteral("curl -XDELETE -A probe/1 -b 'a=b; c=d' -e http://ref/ -sSL http://h:1/x"));
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.spec.method, QStringLiteral("DELETE"));
    QCOMPARE(headerValue(r.spec, QStringLiteral("User-Agent")), QStringLiteral("probe/1"));
    QCOMPARE(headerValue(r.spec, QStringLiteral("Cookie")), QStringLiteral("a=b; c=d"));
    QCOMPARE(headerValue(r.spec, QStringLiteral("Referer")), QStringLiteral("http://ref/"));
    QCOMPARE(r.ignored, (QStringList{"-s", "-S", "-L"}));
    CurlImport h = CurlCommand::parse(QStringLiteral("curl -I -HAccept:x/y http://h:1/"));
    QCOMPARE(h.spec.method, QStringLiteral("HEAD"));
    QCOMPARE(headerValue(h.spec, QStringLiteral("Accept")), QStringLiteral("x/y"));
  }

  void maxTimeImportsAsTheTotalTimeLimit() {
    CurlImport r = CurlCommand::parse(QStringLiteral("curl -m 2.5 http://h:1/drip"));
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.spec.totalTimeoutMs, 2500);
    QCOMPARE(CurlCommand::parse(CurlCommand::format(r.spec)).spec, r.spec);
    CurlImport bad = CurlCommand::parse(QStringLiteral("curl --max-time soon http://h:1/"));
    QVERIFY(!bad.ok);
    QVERIFY2(bad.error.contains(QLatin1String("'soon'")), qPrintable(bad.error));
  }

  // The TLS flags and --connect-timeout import into the request's options and export back
  // as the same flags (a round trip keeps every field).
  void tlsFlagsImportAndExport() {
    CurlImport r = CurlCommand::parse(QStringLiteral(
        "curl -sk --cacert /c/ca.pem --capath /c/dir -E /c/me.pem --key /c/me.key --tlsv1.3 --tls-max 1.3 "
        "--ciphers ECDHE-ECDSA-AES128-GCM-SHA256 --tls13-ciphers TLS_AES_128_GCM_SHA256 --connect-timeout 1.5 https://h:1/x"));
    QVERIFY2(r.ok, qPrintable(r.error));
    QVERIFY(r.unsupported.isEmpty());
    QCOMPARE(r.ignored, QStringList{"-s"});
    const TlsOptions& t = r.spec.tls;
    QVERIFY(!t.verify);
    QCOMPARE(t.caFile, QStringLiteral("/c/ca.pem"));
    QCOMPARE(t.caPath, QStringLiteral("/c/dir"));
    QCOMPARE(t.clientCert, QStringLiteral("/c/me.pem"));
    QCOMPARE(t.clientKey, QStringLiteral("/c/me.key"));
    QCOMPARE(t.minVersion, QStringLiteral("1.3"));
    QCOMPARE(t.maxVersion, QStringLiteral("1.3"));
    QCOMPARE(t.ciphers, QStringLiteral("ECDHE-ECDSA-AES128-GCM-SHA256"));
    QCOMPARE(t.tls13Ciphers, QStringLiteral("TLS_AES_128_GCM_SHA256"));
    QCOMPARE(r.spec.connectTimeoutMs, 1500);
    QString out = CurlCommand::format(r.spec);
    for (const char* flag : {"-k", "--cacert /c/ca.pem", "--capath /c/dir", "--cert /c/me.pem", "--key /c/me.key",
                             "--tlsv1.3", "--tls-max 1.3", "--connect-timeout 1.500"})
      QVERIFY2(out.contains(QLatin1String(flag)), qPrintable(out + QStringLiteral(" lacks ") + QLatin1String(flag)));
    QCOMPARE(CurlCommand::parse(out).spec, r.spec);
    // The defaults add no TLS flag.
    QVERIFY(!CurlCommand::format(RequestSpec{}).contains(QLatin1String("-k")));
  }

  void badTlsValuesAreWorded_data() {
    QTest::addColumn<QString>("command");
    QTest::addColumn<QString>("words");
    QTest::newRow("tls-max") << "curl --tls-max 1.1 https://h/" << "--tls-max '1.1'";
    QTest::newRow("cert password") << "curl -E me.pem:secret https://h/" << "password";
    QTest::newRow("connect-timeout") << "curl --connect-timeout x https://h/" << "--connect-timeout 'x'";
    QTest::newRow("missing value") << "curl https://h/ --cacert" << "--cacert needs a value";
  }
  void badTlsValuesAreWorded() {
    QFETCH(QString, command);
    QFETCH(QString, words);
    CurlImport r = CurlCommand::parse(command);
    QVERIFY(!r.ok);
    QVERIFY2(r.error.contains(words), qPrintable(r.error));
  }

  void unsupportedOptionsAreListedByName() {
    CurlImport r = CurlCommand::parse(
        QStringLiteral("curl --resolve h:1:127.0.0.1 -x http://proxy:3128 --http2 -G --retry 3 http://h:1/x"));
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.spec.url, QStringLiteral("http://h:1/x"));  // the values of skipped options are not taken as URLs
    QCOMPARE(r.unsupported, (QStringList{"--resolve", "-x", "--http2", "-G", "--retry"}));
  }

  void typedUrlsArePercentEncoded() {
    QCOMPARE(sluice::ui::encodeTypedUrl(QStringLiteral(" http://h:1/a b/caf\u00e9?q=x y ")),
             QStringLiteral("http://h:1/a%20b/caf%C3%A9?q=x%20y"));
    QCOMPARE(sluice::ui::encodeTypedUrl(QStringLiteral("http://h:1/a%20b")), QStringLiteral("http://h:1/a%20b"));
  }
};

QTEST_APPLESS_MAIN(TestCurlImport)
#include "test_curl_import.moc"
