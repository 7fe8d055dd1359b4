// The client reports a chunked response's chunk headers (size, extensions, arrival
// time, body offset) to the BodyStream reader, in blocking and in push mode, and only
// when the request asked for them. A raw server writes chunks apart in time.
#include <QtTest>

#include <future>
#include <thread>

#include "engine/client/client.h"
#include "support/client_events.h"
#include "support/client_raw_server.h"

using namespace sluice;
using namespace std::chrono_literals;
using sluice::test::ClientRawServer;

namespace {

constexpr auto kGap = 40ms;

/** Answers each request with three chunks (the second kGap after the first) and the last chunk. */
void answerInChunks(int fd) {
  while (!ClientRawServer::readRequest(fd).empty()) {
    ClientRawServer::writeAll(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;name=v\r\nhello\r\n");
    std::this_thread::sleep_for(kGap);  // the server's pacing, not a wait for an outcome
    ClientRawServer::writeAll(fd, "6;q=\"a b\"\r\n world\r\n1;flag\r\n!\r\n0\r\n\r\n");
  }
}

std::string describe(const std::vector<client::ChunkBoundary>& cs) {
  std::string s;
  for (const auto& c : cs) s += std::to_string(c.size) + c.extensions + "@" + std::to_string(c.bodyOffset) + "|";
  return s;
}

}  // namespace

class TestClientChunks : public QObject {
  Q_OBJECT
  ClientRawServer raw_{[](int fd, int) { answerInChunks(fd); }};

  Result<client::Exchange> fetch(client::Client& c, bool report) {
    auto req = client::Request::get(raw_.url("/chunks"));
    if (!req) return unexpected<Error>(req.error());
    req->reportChunks = report;
    return c.fetch(std::move(*req));
  }

 private slots:
  void blockingReaderGetsEveryChunkHeader() {
    client::Client c(test::quietClientConfig());
    auto ex = fetch(c, true);
    QVERIFY2(ex, ex ? "" : ex.error().message.c_str());
    std::string body;
    std::vector<client::ChunkBoundary> chunks;
    for (;;) {
      auto piece = ex->body.next(5000ms);
      QVERIFY2(piece, piece ? "" : piece.error().message.c_str());
      if (piece->empty()) break;
      body.append(piece->data());
      for (auto& b : ex->body.takeChunks()) chunks.push_back(std::move(b));
    }
    for (auto& b : ex->body.takeChunks()) chunks.push_back(std::move(b));
    ex->body.release();
    QCOMPARE(body, std::string("hello world!"));
    QCOMPARE(describe(chunks), std::string("5;name=v@0|6;q=\"a b\"@5|1;flag@11|0@12|"));
    // Arrival times are the reads' times: the second read came kGap after the first.
    QVERIFY(chunks[0].arrivedUs > 0);
    QVERIFY2(chunks[1].arrivedUs >= chunks[0].arrivedUs + 30'000,
             (std::to_string(chunks[0].arrivedUs) + " then " + std::to_string(chunks[1].arrivedUs)).c_str());
    QCOMPARE(chunks[2].arrivedUs, chunks[1].arrivedUs);  // same read
    QCOMPARE(chunks[3].arrivedUs, chunks[1].arrivedUs);
  }

  void pushReaderTakesChunksFromItsCallbacks() {
    client::Client c(test::quietClientConfig());
    auto ex = fetch(c, true);
    QVERIFY(ex);
    client::BodyStream* stream = &ex->body;  // outlives the callbacks: released below, after the end
    std::promise<std::string> done;
    auto seen = std::make_shared<std::string>();
    stream->setCallbacks(
        [stream, seen](std::string_view) {
          *seen += describe(stream->takeChunks());
          return client::BodyStream::Action::kContinue;
        },
        [stream, seen, &done](Status st) {
          *seen += describe(stream->takeChunks());
          done.set_value(st ? *seen : "ERROR: " + st.error().message);
        });
    auto f = done.get_future();
    QVERIFY(f.wait_for(5s) == std::future_status::ready);
    QCOMPARE(f.get(), std::string("5;name=v@0|6;q=\"a b\"@5|1;flag@11|0@12|"));
    stream->release();
  }

  void nothingRecordedUnlessAsked() {
    client::Client c(test::quietClientConfig());
    auto ex = fetch(c, false);
    QVERIFY(ex);
    QCOMPARE(test::readBodyOrError(*ex), std::string("hello world!"));
    QVERIFY(ex->body.takeChunks().empty());
    ex->body.release();
  }
};

QTEST_APPLESS_MAIN(TestClientChunks)
#include "test_client_chunks.moc"
