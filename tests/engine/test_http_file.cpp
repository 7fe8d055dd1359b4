// The .http parser and writer: round trips of the sample files, structure, edits, errors.
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/workspace/http_file.h"
#include "engine/workspace/resolve.h"

using namespace sluice::workspace;

namespace {

const std::string kSamples = std::string(SLUICE_SOURCE_DIR) + "/tests/data/http";

std::string readText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

HttpFile sample(const char* name) {
  auto f = parseHttpFile(readText(kSamples + "/" + name));
  if (!f) qFatal("%s: %s", name, f.error().message.c_str());
  return *f;
}

}  // namespace

class TestHttpFile : public QObject {
  Q_OBJECT
 private slots:
  void everySampleRoundTripsByteForByte() {
    int n = 0;
    for (const auto& e : std::filesystem::directory_iterator(kSamples)) {
      if (e.path().extension() != ".http") continue;
      auto text = readText(e.path().string());
      auto f = parseHttpFile(text);
      QVERIFY2(f.has_value(), (e.path().string() + ": " + (f ? "" : f.error().message)).c_str());
      QCOMPARE(QString::fromStdString(formatHttpFile(*f)), QString::fromStdString(text));
      ++n;
    }
    QVERIFY2(n >= 20, "fewer than 20 sample files");
  }

  void separatorsAndNames() {
    auto f = sample("04_separators_names.http");
    auto idx = f.requestIndexes();
    QCOMPARE(idx.size(), size_t(3));
    QCOMPARE(f.blocks[idx[0]].name(), std::string("List items"));
    QCOMPARE(f.blocks[idx[1]].method, std::string("POST"));
    QCOMPARE(f.blocks[idx[1]].bodyText(), std::string("{\"name\": \"pen\"}"));
    QCOMPARE(f.blocks[idx[2]].name(), std::string());
    QCOMPARE(f.blocks[idx[2]].displayName(), std::string("DELETE http://example.com/items/1"));
    auto tags = sample("05_name_tags.http");
    QVERIFY(tags.findByName("first") && tags.findByName("second") && tags.findByName("third"));
  }

  void requestLineForms() {
    auto omitted = sample("02_method_omitted.http").blocks.at(0);
    QCOMPARE(omitted.method, std::string("GET"));
    QVERIFY(!omitted.methodWritten);
    auto versioned = sample("03_version.http").blocks.at(0);
    QCOMPARE(versioned.version, std::string("HTTP/1.1"));
    QCOMPARE(versioned.url, std::string("http://example.com/api/items"));
    auto cont = sample("15_query_continuation.http").blocks.at(0);
    QCOMPARE(cont.fullUrl(), std::string("http://example.com/search?q=pens&limit=10"));
    QCOMPARE(cont.headers.size(), size_t(1));
  }

  void commentsAmongHeadersSurvive() {
    auto f = sample("06_comments.http");
    const auto& b = f.blocks.at(0);
    QCOMPARE(b.preamble.size(), size_t(2));
    QCOMPARE(b.headers.size(), size_t(4));
    QVERIFY(b.headers[0].comment && !b.headers[1].comment && b.headers[3].name == "X-Trace");
  }

  void scriptsAreKeptAndListed() {
    auto h = sample("11_response_handler.http").blocks.at(0);
    auto s = h.scripts();
    QCOMPARE(s.size(), size_t(1));
    QVERIFY(s[0].kind == Script::Kind::kResponseHandler);
    QVERIFY(s[0].text.find("client.global.set") != std::string::npos);
    QCOMPARE(h.bodyText(), std::string("{\"user\": \"a\", \"password\": \"b\"}"));
    auto pre = sample("13_pre_request_script.http").blocks.at(0).scripts();
    QCOMPARE(pre.size(), size_t(1));
    QVERIFY(pre[0].kind == Script::Kind::kPreRequest);
    QCOMPARE(sample("12_handler_file.http").blocks.at(0).scripts().size(), size_t(1));
    auto redirect = sample("14_response_redirect.http").blocks.at(0);
    QCOMPARE(redirect.tail.size(), size_t(1));
    QVERIFY(redirect.bodyText().empty());
  }

  void bodyFromFileIsAPath() {
    auto b = sample("10_body_file.http").blocks.at(0);
    QCOMPARE(b.bodyFile().value_or(""), std::string("./data.bin"));
    QVERIFY(!sample("17_multipart.http").blocks.at(0).bodyFile());
  }

  void lineEndingsAreKept() {
    auto crlf = sample("20_crlf.http");
    QVERIFY(crlf.crlf);
    QCOMPARE(crlf.blocks.at(0).bodyText(), std::string("{\"a\": 1}"));
    QVERIFY(!sample("21_no_final_newline.http").finalNewline);
  }

  void editsAreWrittenCanonically() {
    auto f = sample("04_separators_names.http");
    auto& b = f.blocks[f.requestIndexes()[0]];
    b.url = "http://example.com/items?page=2";
    b.headers.push_back({.name = "Accept", .value = "application/json", .comment = false, .raw = {}});
    b.setName("Page two");
    auto text = formatHttpFile(f);
    QVERIFY(text.starts_with("### Page two\nGET http://example.com/items?page=2\nAccept: application/json\n\n### Create item\n"));
    auto tags = sample("05_name_tags.http");
    tags.blocks[0].setName("renamed");
    QVERIFY(formatHttpFile(tags).starts_with("# @name renamed\nGET"));
    auto again = parseHttpFile(text);
    QVERIFY(again && again->findByName("Page two"));
  }

  void badInputIsAWordedError() {
    auto noColon = parseHttpFile("GET http://x/\nthis is not a header\n");
    QVERIFY(!noColon);
    QVERIFY(noColon.error().message.find("line 2") != std::string::npos);
    auto extra = parseHttpFile("###\nGET http://x/ HTTP/1.1 junk\n");
    QVERIFY(!extra);
    QVERIFY(extra.error().message.find("line 2") != std::string::npos);
    QVERIFY(extra.error().message.find("[METHOD] URL") != std::string::npos);
  }

  void resolvesBodyFileAndScripts() {
    auto f = sample("10_body_file.http");
    ResolveContext ctx;
    ctx.baseDir = kSamples;
    auto r = resolveRequest(f, 0, ctx);
    QVERIFY2(r.has_value(), r ? "" : r.error().message.c_str());
    QCOMPARE(r->bodyFile.value_or(""), std::filesystem::path(kSamples + "/data.bin").lexically_normal().string());
    QVERIFY(r->body.empty());
    auto h = resolveRequest(sample("11_response_handler.http"), 0, ctx);
    QVERIFY(h && h->notRun.size() == 1 && h->notRun[0].starts_with("response handler not run"));
    ctx.baseDir = "/nonexistent-dir";
    auto missing = resolveRequest(f, 0, ctx);
    QVERIFY(!missing && missing.error().message.find("does not exist") != std::string::npos);
  }
};

QTEST_APPLESS_MAIN(TestHttpFile)
#include "test_http_file.moc"
