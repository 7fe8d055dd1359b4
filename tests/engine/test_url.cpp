// The one URL and authority parser: good and bad URLs as a table, CR/LF
// injection, IPv6 literals, port limits, userinfo, fragments, percent-encoding.
#include <QtTest>

#include "support/test_env.h"
#include "engine/http/url.h"

using sluice::http::parseAuthority;
using sluice::http::parseUrl;

namespace {
// A refusal whose message names what went wrong and never carries a raw CR or LF.
template <typename R>
void expectRefused(const R& result, const QByteArray& text, const QString& wordedAs) {
  QVERIFY2(!result.has_value(), text.constData());
  QString message = QString::fromStdString(result.error().message);
  QVERIFY2(message.contains(wordedAs), qPrintable(message));
  QVERIFY2(!message.contains('\r') && !message.contains('\n'), qPrintable(message));
}

std::string_view view(const QByteArray& b) { return std::string_view(b.constData(), static_cast<size_t>(b.size())); }
}  // namespace

class TestUrl : public QObject {
  Q_OBJECT
 private slots:
  void goodUrls_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("scheme");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("target");
    QTest::addColumn<QString>("authority");
    QTest::newRow("plain") << "http://example.com" << "http" << "example.com" << 80 << "/" << "example.com";
    QTest::newRow("path and query") << "http://h/a/b?x=1&y" << "http" << "h" << 80 << "/a/b?x=1&y" << "h";
    QTest::newRow("query only") << "http://h?x=1" << "http" << "h" << 80 << "/?x=1" << "h";
    QTest::newRow("fragment dropped") << "http://h/p?q#frag" << "http" << "h" << 80 << "/p?q" << "h";
    QTest::newRow("fragment only") << "http://h#top" << "http" << "h" << 80 << "/" << "h";
    QTest::newRow("upper-case scheme and host") << "HTTP://Example.COM/Path" << "http" << "example.com" << 80 << "/Path" << "example.com";
    QTest::newRow("https default port") << "https://h/" << "https" << "h" << 443 << "/" << "h";
    QTest::newRow("https explicit 80") << "https://h:80/" << "https" << "h" << 80 << "/" << "h:80";
    QTest::newRow("explicit default port") << "http://h:80/" << "http" << "h" << 80 << "/" << "h";
    QTest::newRow("empty port") << "http://h:/x" << "http" << "h" << 80 << "/x" << "h";
    QTest::newRow("port 1") << "http://h:1/" << "http" << "h" << 1 << "/" << "h:1";
    QTest::newRow("port 65535") << "http://h:65535/" << "http" << "h" << 65535 << "/" << "h:65535";
    QTest::newRow("leading zeros") << "http://h:008080/" << "http" << "h" << 8080 << "/" << "h:8080";
    QTest::newRow("ipv4") << "http://127.0.0.1:8080/x" << "http" << "127.0.0.1" << 8080 << "/x" << "127.0.0.1:8080";
    QTest::newRow("ipv6") << "http://[::1]:8080/x" << "http" << "::1" << 8080 << "/x" << "[::1]:8080";
    QTest::newRow("ipv6 no port") << "http://[2001:DB8::1]/" << "http" << "2001:db8::1" << 80 << "/" << "[2001:db8::1]";
    QTest::newRow("ipv4-mapped ipv6") << "http://[::ffff:127.0.0.1]/" << "http" << "::ffff:127.0.0.1" << 80 << "/" << "[::ffff:127.0.0.1]";
    QTest::newRow("percent-encoding kept") << "http://h/a%20b?q=%E2%82%AC" << "http" << "h" << 80 << "/a%20b?q=%E2%82%AC" << "h";
    QTest::newRow("sub-delims in path") << "http://h/a;b=c,d!$'()*+" << "http" << "h" << 80 << "/a;b=c,d!$'()*+" << "h";
  }
  void goodUrls() {
    QFETCH(QString, text);
    auto url = parseUrl(text.toStdString());
    QVERIFY2(url.has_value(), url ? "" : url.error().message.c_str());
    QTEST(QString::fromStdString(url->scheme), "scheme");
    QTEST(QString::fromStdString(url->host), "host");
    QTEST(int(url->port), "port");
    QTEST(QString::fromStdString(url->target), "target");
    QTEST(QString::fromStdString(url->authority()), "authority");
    QVERIFY(!url->userinfo.has_value());
  }

  void userinfoIsReported() {
    auto url = parseUrl("http://user:pa%40ss@h:81/x");
    QVERIFY2(url.has_value(), url ? "" : url.error().message.c_str());
    QCOMPARE(url->userinfo.value_or("?"), std::string("user:pa%40ss"));
    QCOMPARE(url->host, std::string("h"));
    QCOMPARE(int(url->port), 81);
    QCOMPARE(url->target, std::string("/x"));
  }

  void badUrls_data() {
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("wordedAs");
    QTest::newRow("CRLF injection") << QByteArray("http://h/x HTTP/1.1\r\nX: y") << "a space (0x20) at position 11";
    QTest::newRow("CR") << QByteArray("http://h/x\rX") << "CR (0x0D) at position 11";
    QTest::newRow("LF in host") << QByteArray("http://h\nx/") << "LF (0x0A) at position 9";
    QTest::newRow("tab") << QByteArray("http://h/\t") << "a tab (0x09) at position 10";
    QTest::newRow("NUL") << QByteArray("http://h/\0x", 11) << "NUL (0x00) at position 10";
    QTest::newRow("DEL") << QByteArray("http://h/\x7f") << "byte 0x7F at position 10";
    QTest::newRow("non-ASCII") << QByteArray("http://h/caf\xc3\xa9") << "byte 0xC3 at position 13";
    QTest::newRow("empty") << QByteArray("") << "empty";
    QTest::newRow("no scheme") << QByteArray("example.com/x") << "http:// or https://";
    QTest::newRow("ftp") << QByteArray("ftp://h/") << "not ftp://";
    QTest::newRow("no slashes") << QByteArray("http:h") << "has no host";
    QTest::newRow("empty host") << QByteArray("http:///x") << "has no host";
    QTest::newRow("empty host with port") << QByteArray("http://:80/") << "has no host";
    QTest::newRow("port 0") << QByteArray("http://h:0/") << "port 0";
    QTest::newRow("port 65536") << QByteArray("http://h:65536/") << "port 65536, outside 0-65535";
    QTest::newRow("huge port") << QByteArray("http://h:99999999999999999999/") << "outside 0-65535";
    QTest::newRow("letters in port") << QByteArray("http://h:8o/") << "'o' at position 11 in its port";
    QTest::newRow("unclosed ipv6") << QByteArray("http://[::1/") << "not valid";
    QTest::newRow("bad ipv6") << QByteArray("http://[::g]/") << "not valid";
    QTest::newRow("bad percent") << QByteArray("http://h/%zz") << "'z' at position 11";
    QTest::newRow("percent host") << QByteArray("http://%41/") << "percent-encoded host";
    QTest::newRow("ipvfuture") << QByteArray("http://[v1.x]/") << "IPvFuture";
    QTest::newRow("backslash") << QByteArray("http://h\\x/") << "'\\' at position 9";
  }
  void badUrls() {
    QFETCH(QByteArray, text);
    QFETCH(QString, wordedAs);
    expectRefused(parseUrl(view(text)), text, wordedAs);
  }

  void goodAuthorities_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");  // -1: none
    QTest::addColumn<bool>("ipv6");
    QTest::newRow("name") << "Example.com" << "example.com" << -1 << false;
    QTest::newRow("name and port") << "localhost:8080" << "localhost" << 8080 << false;
    QTest::newRow("port 0") << "127.0.0.1:0" << "127.0.0.1" << 0 << false;
    QTest::newRow("port 65535") << "h:65535" << "h" << 65535 << false;
    QTest::newRow("empty port") << "h:" << "h" << -1 << false;
    QTest::newRow("ipv6") << "[::1]:80" << "::1" << 80 << true;
    QTest::newRow("ipv6 alone") << "[fe80::1]" << "fe80::1" << -1 << true;
    QTest::newRow("trailing dot") << "localhost." << "localhost." << -1 << false;
  }
  void goodAuthorities() {
    QFETCH(QString, text);
    QFETCH(int, port);
    auto a = parseAuthority(text.toStdString());
    QVERIFY2(a.has_value(), a ? "" : a.error().message.c_str());
    QTEST(QString::fromStdString(a->host), "host");
    QCOMPARE(a->port ? int(*a->port) : -1, port);
    QTEST(a->ipv6, "ipv6");
  }

  void badAuthorities_data() {
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("wordedAs");
    QTest::newRow("CR LF") << QByteArray("h\r\nX: y") << "CR (0x0D) at position 2";
    QTest::newRow("space") << QByteArray("h :80") << "a space (0x20) at position 2";
    QTest::newRow("empty") << QByteArray("") << "empty";
    QTest::newRow("port only") << QByteArray(":80") << "has no host";
    QTest::newRow("port 65536") << QByteArray("h:65536") << "port 65536";
    QTest::newRow("letters in port") << QByteArray("127.0.0.1:abc") << "'a' at position 11 in its port";
    QTest::newRow("userinfo") << QByteArray("u@h") << "'@' at position 2";
    QTest::newRow("path") << QByteArray("h/x") << "'/' at position 2";
    QTest::newRow("query") << QByteArray("h?x") << "'?' at position 2";
    QTest::newRow("IPv6 without brackets") << QByteArray("::1:80") << "put an IPv6 address in brackets";
    QTest::newRow("port with a sign") << QByteArray("h:+80") << "'+' at position 3 in its port";
    QTest::newRow("unclosed ipv6") << QByteArray("[::1") << "not valid";
  }
  void badAuthorities() {
    QFETCH(QByteArray, text);
    QFETCH(QString, wordedAs);
    expectRefused(parseAuthority(view(text)), text, wordedAs);
  }

  void formatAuthorityBracketsIpv6() {
    QCOMPARE(sluice::http::formatAuthority("::1", 8080), std::string("[::1]:8080"));
    QCOMPARE(sluice::http::formatAuthority("h", std::nullopt), std::string("h"));
  }
};

#if __has_include("test_url.moc")
QTEST_APPLESS_MAIN(TestUrl)
#include "test_url.moc"
#else
SLUICE_TEST_MAIN_WITHOUT_MOC("test_url")
#endif
