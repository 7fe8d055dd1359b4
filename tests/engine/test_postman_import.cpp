// Postman Collection v2.1 import: folders, variables, every body type, auth, the report.
#include <QtTest>

#include <fstream>
#include <sstream>

#include "engine/workspace/postman.h"
#include "engine/workspace/resolve.h"
#include "support/test_env.h"

using namespace sluice::workspace;

namespace {

std::string readText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const PostmanImport::File* fileAt(const PostmanImport& im, const std::string& path) {
  for (const auto& f : im.files)
    if (f.path == path) return &f;
  return nullptr;
}

ResolvedRequest resolved(const HttpFile& f, const std::string& name) {
  for (size_t i : f.requestIndexes())
    if (f.blocks[i].name() == name) {
      auto r = resolveRequest(f, i, {});
      if (!r) qFatal("%s: %s", name.c_str(), r.error().message.c_str());
      return *r;
    }
  qFatal("no request %s", name.c_str());
}

std::string header(const ResolvedRequest& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "<absent>";
}

}  // namespace

class TestPostmanImport : public QObject {
  Q_OBJECT
  PostmanImport im_;

 private slots:
  void initTestCase() {
    auto im = importPostman(readText(std::string(SLUICE_SOURCE_DIR) + "/tests/data/postman/shop.postman_collection.json"));
    QVERIFY2(im.has_value(), im ? "" : im.error().message.c_str());
    im_ = std::move(*im);
  }

  void foldersBecomeFiles() {
    QCOMPARE(im_.requests, size_t(6));
    QCOMPARE(im_.files.size(), size_t(3));
    QVERIFY(fileAt(im_, "Shop.http"));
    QVERIFY(fileAt(im_, "Items/Items.http"));
    QVERIFY(fileAt(im_, "Items/Archive/Archive.http"));
  }

  void variablesAndInheritedBearerAuth() {
    auto r = resolved(fileAt(im_, "Shop.http")->file, "Ping");
    QCOMPARE(r.url, std::string("http://127.0.0.1:8080/ping?limit=10"));
    QCOMPARE(header(r, "Authorization"), std::string("Bearer t0k"));
  }

  void rawJsonBody() {
    auto r = resolved(fileAt(im_, "Items/Items.http")->file, "Create item");
    QCOMPARE(r.method, std::string("POST"));
    QCOMPARE(r.body, std::string("{\"name\": \"pen\"}"));
    QCOMPARE(header(r, "Content-Type"), std::string("application/json"));
    QCOMPARE(header(r, "X-Trace"), std::string("1"));
    QCOMPARE(header(r, "X-Off"), std::string("<absent>"));
    auto text = formatHttpFile(fileAt(im_, "Items/Items.http")->file);
    QVERIFY(text.find("# (disabled) X-Off: no") != std::string::npos);
  }

  void urlencodedBodyAndBasicAuth() {
    auto r = resolved(fileAt(im_, "Items/Items.http")->file, "Search form");
    QCOMPARE(r.body, std::string("q=pen&n=10"));
    QCOMPARE(header(r, "Content-Type"), std::string("application/x-www-form-urlencoded"));
    QCOMPARE(header(r, "Authorization"), std::string("Basic YW5uOnB3"));  // ann:pw
    auto text = formatHttpFile(fileAt(im_, "Items/Items.http")->file);
    QVERIFY(text.find("Authorization: Basic {{search_form_username}} {{search_form_password}}") != std::string::npos);
  }

  void formDataAndFileBodies() {
    const auto& f = fileAt(im_, "Items/Archive/Archive.http")->file;
    auto form = resolved(f, "Upload form");
    QCOMPARE(header(form, "Content-Type"), std::string("multipart/form-data; boundary=SluiceFormBoundary"));
    QVERIFY(form.body.find("name=\"title\"\n\npens\n--SluiceFormBoundary--") != std::string::npos);
    QCOMPARE(f.findByName("Upload file")->bodyFile().value_or(""), std::string("./data.bin"));
  }

  void everythingLeftBehindIsNamed() {
    std::string report;
    for (const auto& n : im_.notCarriedOver) report += n + "\n";
    for (const char* expected : {"collection-level scripts", "test script of request 'Create item'",
                                 "auth of type 'apikey' of request 'Upload form'", "form-data file field 'photo' of request 'Upload form'",
                                 "body of mode 'graphql' of request 'Query'"})
      QVERIFY2(report.find(expected) != std::string::npos, (std::string(expected) + " missing from:\n" + report).c_str());
  }

  void writtenFilesParseBack() {
    auto dir = sluice::test::makeTempDir("postman");
    auto st = writePostmanImport(im_, dir);
    QVERIFY2(st.has_value(), st ? "" : st.error().message.c_str());
    for (const auto& f : im_.files) {
      auto back = loadHttpFile(dir + "/" + f.path);
      QVERIFY2(back.has_value(), back ? "" : back.error().message.c_str());
      QCOMPARE(formatHttpFile(*back), formatHttpFile(f.file));
    }
    auto again = writePostmanImport(im_, dir);
    QVERIFY(!again && again.error().message.find("exists") != std::string::npos);
    sluice::test::removeTree(dir);
  }

  void otherSchemasAreRefused() {
    auto r = importPostman("{\"info\": {\"schema\": \"https:/" "/schema.getpostman.com/json/collection/v2.0.0/collection.json\"}, \"item\": []}");
    QVERIFY(!r && r.error().message.find("v2.1") != std::string::npos);
    QVERIFY(!importPostman("[1]"));
  }
};

QTEST_APPLESS_MAIN(TestPostmanImport)
#include "test_postman_import.moc"
