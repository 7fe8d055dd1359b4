// Variables of .http files: environment precedence, dynamic variables, unresolved names.
#include <QtTest>

#include <chrono>
#include <regex>

#include "engine/workspace/resolve.h"

using namespace sluice::workspace;

namespace {

const std::string kSamples = std::string(SLUICE_SOURCE_DIR) + "/tests/data/http";

HttpFile parse(std::string_view text) {
  auto f = parseHttpFile(text);
  if (!f) qFatal("%s", f.error().message.c_str());
  return *f;
}

const char* kPublic = R"({"$shared": {"a": "shared-pub", "b": "shared-pub", "c": "shared-pub", "d": "shared-pub"},
                          "dev": {"a": "dev-pub", "n": 8080}})";
const char* kPrivate = R"({"$shared": {"b": "shared-priv", "e": "shared-priv"},
                           "dev": {"a": "dev-priv", "c": "dev-priv", "token": "s3cret"}})";

}  // namespace

class TestHttpVariables : public QObject {
  Q_OBJECT
 private slots:
  void environmentPrecedence() {
    auto env = Environments::parse(kPublic, kPrivate);
    QVERIFY(env.has_value());
    QCOMPARE(env->names(), std::vector<std::string>{"dev"});
    auto f = parse("@a = inplace\n@b = inplace\n@c = inplace\n@d = inplace\n@e = inplace\n@f = inplace\n"
                   "GET http://x/{{a}}/{{b}}/{{c}}/{{d}}/{{e}}/{{f}}/{{n}}\n");
    ResolveContext ctx;
    ctx.environments = &*env;
    ctx.environment = "dev";
    auto r = resolveRequest(f, 0, ctx);
    QVERIFY2(r.has_value(), r ? "" : r.error().message.c_str());
    // public env > private env > public $shared > private $shared > in-place
    QCOMPARE(r->url, std::string("http://x/dev-pub/shared-pub/dev-priv/shared-pub/shared-priv/inplace/8080"));
    ctx.overrides = {{"a", "cli"}};
    QCOMPARE(resolveRequest(f, 0, ctx)->url.substr(0, 13), std::string("http://x/cli/"));
    ctx.overrides.clear();
    ctx.environment.clear();  // $shared only, over in-place
    auto shared = resolveRequest(parse("@a = inplace\n@f = inplace\nGET http://x/{{a}}/{{b}}/{{e}}/{{f}}\n"), 0, ctx);
    QVERIFY(shared.has_value());
    QCOMPARE(shared->url, std::string("http://x/shared-pub/shared-pub/shared-priv/inplace"));
  }

  void noEnvironmentLeavesNUnresolved() {
    auto env = Environments::parse(kPublic, kPrivate);
    auto f = parse("GET http://x/{{n}}\n");
    ResolveContext ctx;
    ctx.environments = &*env;
    auto r = resolveRequest(f, 0, ctx);
    QVERIFY(!r);
    QVERIFY(r.error().message.find("{{n}}") != std::string::npos);
  }

  void privateValuesAreSecrets() {
    auto env = Environments::parse(kPublic, kPrivate);
    auto f = parse("GET http://x/\nAuthorization: Bearer {{token}}\n");
    ResolveContext ctx{.baseDir = {}, .environments = &*env, .environment = "dev", .overrides = {}, .limits = {}};
    auto r = resolveRequest(f, 0, ctx);
    QVERIFY(r.has_value());
    QCOMPARE(r->headers.at(0).second, std::string("Bearer s3cret"));
    QCOMPARE(r->secretValues, std::vector<std::string>{"s3cret"});
    auto vars = variablesFor(f, 0, ctx);
    QVERIFY(vars->find("token")->secret);
    QVERIFY(!vars->find("a")->secret);
  }

  void sampleEnvironmentFilesLoad() {
    auto env = Environments::load(kSamples);
    QVERIFY2(env.has_value(), env ? "" : env.error().message.c_str());
    QCOMPARE(env->names(), (std::vector<std::string>{"dev", "prod"}));
    auto f = parse("GET http://{{host}}/{{version}}?t={{token}}\n");
    ResolveContext ctx{.baseDir = {}, .environments = &*env, .environment = "dev", .overrides = {}, .limits = {}};
    QCOMPARE(resolveRequest(f, 0, ctx)->url, std::string("http://dev.example/v1?t=dev-secret"));
    ctx.environment = "prod";
    QCOMPARE(resolveRequest(f, 0, ctx)->url, std::string("http://prod.example/v1?t=shared-secret"));
    ctx.environment = "staging";
    auto bad = resolveRequest(f, 0, ctx);
    QVERIFY(!bad && bad.error().message.find("no environment 'staging'") != std::string::npos);
    QVERIFY(bad.error().message.find("dev, prod") != std::string::npos);
  }

  void malformedEnvironmentFileIsNamed() {
    auto env = Environments::parse("{\"dev\": 3}", "");
    QVERIFY(!env && env.error().message.find("http-client.env.json") != std::string::npos);
    auto priv = Environments::parse("", "not json");
    QVERIFY(!priv && priv.error().message.find("http-client.private.env.json") != std::string::npos);
  }

  void dynamicVariables() {
    auto before = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    auto f = parse("GET http://x/{{$uuid}}/{{$uuid}}/{{$timestamp}}/{{$isoTimestamp}}/{{$randomInt}}/{{$random.integer(5, 7)}}\n");
    auto r = resolveRequest(f, 0, {});
    QVERIFY(r.has_value());
    auto after = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    std::smatch m;
    std::regex re(R"(http://x/([0-9a-f-]{36})/([0-9a-f-]{36})/(\d+)/(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)/(\d+)/(\d+))");
    QVERIFY2(std::regex_match(r->url, m, re), r->url.c_str());
    std::regex v4("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    QVERIFY(std::regex_match(m[1].str(), v4));
    QVERIFY(m[1].str() != m[2].str());
    auto ts = std::stoll(m[3].str());
    QVERIFY(ts >= before && ts <= after);
    QVERIFY(std::stoi(m[5].str()) <= 1000);
    auto ri = std::stoi(m[6].str());
    QVERIFY(ri >= 5 && ri < 7);
    auto unknown = resolveRequest(parse("GET http://x/{{$nope}}\n"), 0, {});
    QVERIFY(!unknown && unknown.error().message.find("{{$nope}}") != std::string::npos);
  }

  void unresolvedVariablesAreNamed_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");
    QTest::newRow("url") << "GET http://{{host}}/\n" << "unresolved variable {{host}} in the URL";
    QTest::newRow("header") << "GET http://x/\nX-Key: {{ key }}\n" << "unresolved variable {{key}} in header X-Key";
    QTest::newRow("body") << "POST http://x/\n\n{\"a\": \"{{missing}}\"}\n" << "unresolved variable {{missing}} in the body";
    QTest::newRow("nested") << "@a = {{b}}\nGET http://x/{{a}}\n" << "unresolved variable {{b}} in the URL";
    QTest::newRow("cycle") << "@a = {{b}}\n@b = {{a}}\nGET http://x/{{a}}\n" << "nest deeper than 8 levels";
  }
  void unresolvedVariablesAreNamed() {
    QFETCH(QString, text);
    QFETCH(QString, expected);
    auto r = resolveRequest(parse(text.toStdString()), 0, {});
    QVERIFY(!r);
    QVERIFY2(r.error().message.find(expected.toStdString()) != std::string::npos, r.error().message.c_str());
  }

  void variableRefsAreFound() {
    auto refs = findVariableRefs("a {{x}} b {{ $uuid }} {{unterminated");
    QCOMPARE(refs.size(), size_t(2));
    QCOMPARE(refs[0].offset, size_t(2));
    QCOMPARE(refs[1].name, std::string("$uuid"));
  }
};

QTEST_APPLESS_MAIN(TestHttpVariables)
#include "test_http_variables.moc"
