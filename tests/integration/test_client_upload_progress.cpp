// The client's upload progress counter against a raw server that reads the body in two
// steps: while the server holds off, the count is part of the total and the request is
// not done; once it reads the rest, the count is the whole body.
#include <QtTest>


#include <fstream>
#include <future>

#include "engine/client/client.h"
#include "support/client_events.h"
#include "support/client_raw_server.h"
#include "support/test_env.h"

using namespace sluice;
using namespace std::chrono_literals;
using sluice::test::ClientRawServer;

namespace {

constexpr uint64_t kBody = 24ull << 20;  // far more than the socket buffers hold

}  // namespace

class TestClientUploadProgress : public QObject {
  Q_OBJECT

 private slots:
  void countsBodyBytesAsTheyGoOut() {
    test::TempDir dir("upload-progress");
    QVERIFY(dir.ok());
    const std::string file = dir.path() + "/body.bin";
    {
      std::ofstream out(file, std::ios::binary);
      std::string block(1 << 20, 'p');
      for (uint64_t i = 0; i < kBody / block.size(); ++i) out << block;
    }
    std::promise<void> go;
    auto goFuture = go.get_future().share();
    ClientRawServer raw(ClientRawServer::holdingOff(1 << 20, kBody, goFuture, "ok"));
    client::Client c(test::quietClientConfig());
    auto req = client::Request::get(raw.url("/upload"));
    QVERIFY(req);
    req->method = "PUT";
    req->body = client::RequestBody::fromFile(file);
    req->expectContinue = false;
    auto progress = std::make_shared<client::UploadProgress>();
    req->uploadProgress = progress;
    std::promise<Result<client::Exchange>> head;
    c.send(std::move(*req), [&head](Result<client::Exchange> ex) { head.set_value(std::move(ex)); });
    // The server holds off: the count reaches past the 1 MiB read, then stops short of the total.
    QTRY_VERIFY_WITH_TIMEOUT(progress->sent.load() > (1u << 20), 10000);
    QCOMPARE(progress->total.load(), kBody);
    QVERIFY(progress->sent.load() < kBody);
    QVERIFY(!progress->done.load());
    go.set_value();
    auto f = head.get_future();
    QVERIFY(f.wait_for(20s) == std::future_status::ready);
    auto ex = f.get();
    QVERIFY2(ex, ex ? "" : ex.error().message.c_str());
    QCOMPARE(ex->response.status, 200);
    QCOMPARE(progress->sent.load(), kBody);
    QVERIFY(progress->done.load());
    ex->body.release();
  }
};

QTEST_APPLESS_MAIN(TestClientUploadProgress)
#include "test_client_upload_progress.moc"
