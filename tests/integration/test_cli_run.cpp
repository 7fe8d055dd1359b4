// sluice-cli run against our own server: exit codes, JUnit XML, reuse across requests
// checked against the server's access log, and a large "< ./big.bin" body that keeps
// the runner's memory flat.
#include <QtTest>
#include <QXmlStreamReader>

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "support/har_check.h"
#include "support/serve_fixture.h"
#include "support/test_env.h"

using namespace sluice::test;
using namespace std::chrono_literals;

namespace {

struct RunDir {
  std::string path = makeTempDir("cli-run");
  ~RunDir() { removeTree(path); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path + "/" + name, std::ios::binary) << text;
    return path + "/" + name;
  }
};

std::string readText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

RunResult run(std::vector<std::string> args) {
  args.insert(args.begin(), {cliPath(), "run"});
  return runProcess(args, 60s);
}

// conn=N of every access log line whose request line contains needle.
std::vector<std::string> connsFor(const std::string& log, const std::string& needle) {
  std::vector<std::string> out;
  std::istringstream in(log);
  std::regex conn(R"(conn=(\d+))");
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (line.find(needle) != std::string::npos && std::regex_search(line, m, conn)) out.push_back(m[1].str());
  }
  return out;
}

}  // namespace

class TestCliRun : public QObject {
  Q_OBJECT
  CliServer server_;
  std::string base_;

 private slots:
  void initTestCase() {
    QVERIFY2(server_.start(), server_.error().c_str());
    base_ = server_.url("").substr(0, server_.url("").size());
    if (base_.ends_with("/")) base_.pop_back();
  }
  void cleanupTestCase() { server_.stop(); }

  void exitCodes_data() {
    QTest::addColumn<QString>("body");
    QTest::addColumn<QStringList>("extra");
    QTest::addColumn<int>("code");
    QTest::newRow("200") << "GET {{base}}/bytes/10\n" << QStringList{} << 0;
    QTest::newRow("404 fails") << "GET {{base}}/status/404\n" << QStringList{} << 1;
    QTest::newRow("404 allowed") << "GET {{base}}/status/404\n" << QStringList{"--allow-4xx"} << 0;
    QTest::newRow("500 fails even allowed") << "GET {{base}}/status/503\n" << QStringList{"--allow-4xx"} << 1;
    QTest::newRow("transport error") << "GET http://127.0.0.1:1/x\n" << QStringList{} << 1;
    QTest::newRow("unresolved variable") << "GET {{base}}/{{nope}}\n" << QStringList{} << 1;
    QTest::newRow("unknown name") << "GET {{base}}/bytes/1\n" << QStringList{"--name", "absent"} << 2;
    QTest::newRow("unknown environment") << "GET {{base}}/bytes/1\n" << QStringList{"--env", "absent"} << 2;
    QTest::newRow("bad file") << "GET {{base}}/ HTTP/1.1 junk\n" << QStringList{} << 2;
  }
  void exitCodes() {
    QFETCH(QString, body);
    QFETCH(QStringList, extra);
    QFETCH(int, code);
    RunDir dir;
    auto file = dir.write("t.http", body.toStdString());
    std::vector<std::string> args{file, "--var", "base=" + base_};
    for (const auto& e : extra) args.push_back(e.toStdString());
    auto r = run(args);
    QVERIFY(r.started && !r.timedOut);
    QVERIFY2(r.exit.exited && r.exit.code == code, (r.exit.describe() + "\n" + r.out + r.err).c_str());
  }

  void unresolvedVariableIsNeverSent() {
    RunDir dir;
    auto file = dir.write("t.http", "### marker\nGET {{base}}/bytes/7?unresolved-{{nope}}\n");
    auto r = run({file, "--var", "base=" + base_});
    QVERIFY(r.out.find("unresolved variable {{nope}}") != std::string::npos);
    QVERIFY(!server_.process().waitForStderr("unresolved-", 300ms));
  }

  void reuseAcrossRequestsMatchesTheServer() {
    RunDir dir;
    auto file = dir.write("t.http",
                          "### one\nGET {{base}}/bytes/100?r=one\n\n### two\nPOST {{base}}/echo?r=two\n\nhi\n\n"
                          "### close\nGET {{base}}/fault/connection-close?r=close\n\n### after\nGET {{base}}/bytes/5?r=after\n");
    auto r = run({file, "--var", "base=" + base_});
    QVERIFY2(r.ok(), (r.out + r.err).c_str());
    QVERIFY(std::regex_search(r.out, std::regex(R"(one\s+200.*new connection #1: pool empty)")));
    QVERIFY(std::regex_search(r.out, std::regex(R"(two\s+200.*reused connection #1)")));
    QVERIFY(std::regex_search(r.out, std::regex(R"(close\s+200.*reused connection #1)")));
    QVERIFY2(std::regex_search(r.out, std::regex(R"(after\s+200.*new connection #2)")), r.out.c_str());
    QVERIFY(server_.process().waitForStderr("r=after", 5s));
    auto log = server_.process().stderrText();
    auto one = connsFor(log, "r=one"), two = connsFor(log, "r=two"), close = connsFor(log, "r=close"), after = connsFor(log, "r=after");
    QCOMPARE(one.size(), size_t(1));
    QCOMPARE(two, one);
    QCOMPARE(close, one);
    QCOMPARE(after.size(), size_t(1));
    QVERIFY(after != one);
  }

  void junitReport() {
    RunDir dir;
    auto file = dir.write("suite.http", "### ok\nGET {{base}}/bytes/1\n\n### missing\nGET {{base}}/status/404\n\n"
                                        "### down\nGET http://127.0.0.1:1/\n\n> {% client.test(\"t\", () => {}); %}\n");
    auto xml = dir.path + "/out.xml";
    auto r = run({file, "--var", "base=" + base_, "--junit", xml});
    QCOMPARE(r.exit.code, 1);
    QXmlStreamReader reader(QByteArray::fromStdString(readText(xml)));
    QStringList cases, failures, errors;
    QString suiteTests, suiteFailures, suiteErrors;
    while (!reader.atEnd()) {
      if (reader.readNext() != QXmlStreamReader::StartElement) continue;
      auto a = reader.attributes();
      if (reader.name() == u"testsuite") suiteTests = a.value("tests").toString(), suiteFailures = a.value("failures").toString(),
                                         suiteErrors = a.value("errors").toString();
      if (reader.name() == u"testcase") cases << a.value("name").toString();
      if (reader.name() == u"failure") failures << a.value("message").toString();
      if (reader.name() == u"error") errors << a.value("message").toString();
    }
    QVERIFY2(!reader.hasError(), qPrintable(reader.errorString()));
    QCOMPARE(cases, (QStringList{"ok", "missing", "down"}));
    QCOMPARE(suiteTests, QString("3"));
    QCOMPARE(suiteFailures, QString("1"));
    QCOMPARE(suiteErrors, QString("1"));
    QVERIFY(failures.at(0).contains("404"));
    QCOMPARE(errors.size(), 1);
  }

  void failFastStops() {
    RunDir dir;
    auto file = dir.write("t.http", "GET {{base}}/status/500\n\n###\nGET {{base}}/bytes/3?r=not-reached\n");
    auto r = run({file, "--var", "base=" + base_, "--fail-fast"});
    QCOMPARE(r.exit.code, 1);
    QVERIFY(r.out.find("1 requests, 1 failed") != std::string::npos);
    QVERIFY(!server_.process().waitForStderr("r=not-reached", 300ms));
  }

  void harExportCarriesConnections() {
    RunDir dir;
    auto file = dir.write("t.http", "### a\nGET {{base}}/bytes/10\n\n### b\nGET {{base}}/fault/connection-close\n\n"
                                    "### c\nGET {{base}}/bytes/20\nAuthorization: Bearer {{token}}\n");
    dir.write("http-client.private.env.json", R"({"dev": {"token": "tok-s3cret"}})");
    auto har = dir.path + "/out.har";
    auto r = run({file, "--var", "base=" + base_, "--env", "dev", "--har", har});
    QVERIFY2(r.ok(), (r.out + r.err).c_str());
    auto text = readText(har);
    std::string problems;
    for (const auto& p : checkHar12(text)) problems += p + "\n";
    QVERIFY2(problems.empty(), problems.c_str());
    auto j = nlohmann::json::parse(text);
    auto& e = j["log"]["entries"];
    QCOMPARE(e.size(), size_t(3));
    QCOMPARE(e[0]["connection"], e[1]["connection"]);  // b reused a's connection
    QVERIFY(e[2]["connection"] != e[1]["connection"]);  // b said Connection: close
    QCOMPARE(e[1]["_sluice"]["reused"].get<bool>(), true);
    QCOMPARE(e[0]["timings"]["ssl"].get<double>(), -1.0);
    QCOMPARE(e[1]["timings"]["dns"].get<double>(), -1.0);
    QCOMPARE(e[1]["timings"]["connect"].get<double>(), -1.0);
    QVERIFY(e[2]["timings"]["connect"].get<double>() >= 0);
    QCOMPARE(e[2]["serverIPAddress"].get<std::string>(), std::string("127.0.0.1"));
    QVERIFY(text.find("tok-s3cret") == std::string::npos);
    QVERIFY(text.find("Bearer <redacted>") != std::string::npos);
  }

  // A sparse file makes the size cheap on disk; the runner must stream it, not load it.
  void bigBodyFileKeepsMemoryFlat() {
    RunDir dir;
    const uint64_t size = 256ull << 20;
    int fd = ::open((dir.path + "/big.bin").c_str(), O_CREAT | O_WRONLY, 0600);
    QVERIFY(fd >= 0);
    QCOMPARE(::ftruncate(fd, static_cast<off_t>(size)), 0);
    ::close(fd);
    auto file = dir.write("big.http", "PUT {{base}}/sink\nContent-Type: application/octet-stream\n\n< ./big.bin\n");
    auto r = run({file, "--var", "base=" + base_});
    QVERIFY2(r.ok(), (r.out + r.err).c_str());
    std::smatch m;
    QVERIFY2(std::regex_search(r.out, m, std::regex(R"(peak RSS ([0-9.]+) (KiB|MiB|GiB))")), r.out.c_str());
    double mib = std::stod(m[1].str()) * (m[2] == "KiB" ? 1.0 / 1024 : m[2] == "GiB" ? 1024 : 1);
    QVERIFY2(mib < 48, r.out.c_str());  // a loaded body would be 256 MiB
    QVERIFY(server_.process().waitForStderr("in=" + std::to_string(size), 10s));
  }
};

QTEST_APPLESS_MAIN(TestCliRun)
#include "test_cli_run.moc"
