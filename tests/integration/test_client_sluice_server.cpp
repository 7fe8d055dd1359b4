// The client against our own server (sluice-cli serve): reuse counted on the server's
// side of the sockets, chunked bodies, streamed uploads from a file and a pull source.
#include <QtTest>

#include <fstream>
#include <sstream>

#include "engine/client/client.h"
#include "support/serve_fixture.h"
#include "support/test_env.h"

using namespace sluice;
using namespace sluice::client;
using namespace std::chrono_literals;

namespace {
// ESTABLISHED sockets whose local port is port (the server's side), from /proc/net/tcp.
int establishedOnLocalPort(uint16_t port) {
  std::ifstream in("/proc/net/tcp");
  std::string line;
  std::getline(in, line);
  int n = 0;
  char want[8];
  std::snprintf(want, sizeof want, "%04X", port);
  while (std::getline(in, line)) {
    std::istringstream ss(line);
    std::string sl, local, remote, st;
    ss >> sl >> local >> remote >> st;
    if (st == "01" && local.substr(local.find(':') + 1) == want) ++n;
  }
  return n;
}
}  // namespace

class TestClientSluiceServer : public QObject {
  Q_OBJECT
 private slots:
  void thousandGetsOneServerConnection();
  void chunkedAndUploads();
};

void TestClientSluiceServer::thousandGetsOneServerConnection() {
  test::CliServer server;
  QVERIFY2(server.start(), server.error().c_str());
  ClientConfig cfg;
  cfg.heldTooLong = 0ms;
  Client client(cfg);
  for (int i = 0; i < 1000; ++i) {
    auto ex = client.fetch(*Request::get(server.url("/bytes/100")));
    QVERIFY2(ex, ex ? "" : ex.error().message.c_str());
    auto n = ex->body.discardAll(5000ms);
    QVERIFY(n && *n == 100);
    ex->body.release();
  }
  QCOMPARE(client.stats().connectionsOpened, uint64_t{1});
  QCOMPARE(establishedOnLocalPort(server.port()), 1);  // the server holds exactly one connection
}

void TestClientSluiceServer::chunkedAndUploads() {
  test::CliServer server;
  QVERIFY2(server.start(), server.error().c_str());
  Client client;
  auto ex = client.fetch(*Request::get(server.url("/bytes/300000?chunked=1")));
  QVERIFY2(ex, ex ? "" : ex.error().message.c_str());
  QVERIFY(!ex->body.contentLength());
  auto n = ex->body.discardAll(5000ms);
  QVERIFY2(n && *n == 300000, n ? "" : n.error().message.c_str());
  ex->body.release();
  // A pull source, sent chunked, echoed back.
  Request echo = *Request::get(server.url("/echo"));
  echo.method = "POST";
  int pieces = 0;
  echo.body = RequestBody::fromPull([&](std::span<char> buf) -> Result<size_t> {
    if (pieces++ == 10) return size_t{0};
    std::fill(buf.begin(), buf.begin() + 1000, 'e');
    return size_t{1000};
  });
  auto e = client.fetch(std::move(echo));
  QVERIFY2(e, e ? "" : e.error().message.c_str());
  std::string out;
  QVERIFY(e->body.readAll(out, 1 << 20, 5000ms));
  QCOMPARE(out.size(), size_t{10000});
  e->body.release();
  // A file streamed with Content-Length.
  const test::TempDir tmp("client-upload");  // removed even when a check below fails
  const std::string& dir = tmp.path();
  std::ofstream(dir + "/up.bin") << std::string(500000, 'u');
  Request put = *Request::get(server.url("/upload/client-up.bin"));
  put.method = "PUT";
  put.body = RequestBody::fromFile(dir + "/up.bin");
  auto p = client.fetch(std::move(put));
  QVERIFY2(p, p ? "" : p.error().message.c_str());
  std::string answer;
  QVERIFY(p->body.readAll(answer, 1 << 20, 5000ms));
  QVERIFY2(p->response.status == 201 || p->response.status == 200, answer.c_str());
  QVERIFY2(answer.find("500000") != std::string::npos, answer.c_str());
  p->body.release();
}

#if __has_include("test_client_sluice_server.moc")
QTEST_APPLESS_MAIN(TestClientSluiceServer)
#include "test_client_sluice_server.moc"
#else
SLUICE_TEST_MAIN_WITHOUT_MOC("test_client_sluice_server")
#endif
