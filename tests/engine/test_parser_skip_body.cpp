// Parser::skipBody, the parser's half of the /sink splice path: body bytes moved past the
// parser count as read, the last byte still ends the message in llhttp, and the request
// pipelined behind the body parses cleanly. Bad calls are refused and change nothing.
#include <QtTest/QtTest>

#include "support/parser_recorder.h"

using sluice::http::Parser;
using sluice::test::Recorder;

class TestParserSkipBody : public QObject {
  Q_OBJECT

 private slots:
  void skippedBytesCountAndTheNextRequestParses();
  void headAloneThenSkip();
  void refusedOutsideAContentLengthBody();
  void closeVerdictKept();
};

void TestParserSkipBody::skippedBytesCountAndTheNextRequestParses() {
  Recorder r;
  r.pauseOnHead = true;
  QCOMPARE(r.feed("PUT /sink HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc"), Parser::State::kOk);
  QCOMPARE(r.resumeEmpty(), Parser::State::kOk);
  QCOMPARE(r.parser.bodyBytes(), uint64_t{3});
  QVERIFY(r.parser.skipBody(6));
  QCOMPARE(r.parser.bodyBytes(), uint64_t{9});
  QVERIFY(!r.messages.back().complete);
  QCOMPARE(r.feed("zGET /next HTTP/1.1\r\nHost: x\r\n\r\n"), Parser::State::kOk);
  QCOMPARE(r.resumeEmpty(), Parser::State::kOk);
  QCOMPARE(r.messages.size(), size_t{2});
  QVERIFY(r.messages[0].complete);
  QCOMPARE(r.messages[0].body, std::string("abcz"));  // the skipped six never reached the listener
  QVERIFY(r.messages[1].complete);
  QCOMPARE(r.messages[1].head.substr(0, 19), std::string("GET /next HTTP/1.1|"));
  QCOMPARE(r.parser.messages(), uint64_t{2});
}

// The head alone, the body all skipped but its last byte: llhttp waits in its body state.
void TestParserSkipBody::headAloneThenSkip() {
  Recorder r;
  r.pauseOnHead = true;
  QCOMPARE(r.feed("PUT /sink HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n"), Parser::State::kOk);
  QCOMPARE(r.resumeEmpty(), Parser::State::kOk);
  QVERIFY(r.parser.skipBody(999'998));
  QVERIFY(r.parser.skipBody(1));
  QVERIFY(!r.parser.skipBody(1));  // the last byte must be fed
  QCOMPARE(r.feed("!"), Parser::State::kOk);
  QCOMPARE(r.resumeEmpty(), Parser::State::kOk);
  QVERIFY(r.messages.back().complete);
  QCOMPARE(r.parser.bodyBytes(), uint64_t{1'000'000});  // skipped and fed, as if all were fed
  QVERIFY(!r.parser.inMessage());
}

void TestParserSkipBody::refusedOutsideAContentLengthBody() {
  Recorder chunked;
  chunked.pauseOnHead = true;
  QCOMPARE(chunked.feed("PUT /sink HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab"), Parser::State::kOk);
  QVERIFY(!chunked.parser.skipBody(1));
  QCOMPARE(chunked.feed("cde\r\n0\r\n\r\n"), Parser::State::kOk);
  QCOMPARE(chunked.resumeEmpty(), Parser::State::kOk);
  QCOMPARE(chunked.messages.back().body, std::string("abcde"));
  Recorder idle;
  QVERIFY(!idle.parser.skipBody(1));  // no message yet
  Recorder partialHead;
  QCOMPARE(partialHead.feed("PUT /sink HTTP/1.1\r\nContent-Length: 5\r\n"), Parser::State::kOk);
  QVERIFY(!partialHead.parser.skipBody(1));
}

// llhttp's keep-alive verdict is the one it makes at the message end, skipped bytes or not.
void TestParserSkipBody::closeVerdictKept() {
  Recorder r;
  r.pauseOnHead = true;
  QCOMPARE(r.feed("PUT /sink HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 4\r\n\r\n"), Parser::State::kOk);
  QCOMPARE(r.resumeEmpty(), Parser::State::kOk);
  QVERIFY(r.parser.skipBody(3));
  QCOMPARE(r.feed("x"), Parser::State::kOk);
  QCOMPARE(r.resumeEmpty(), Parser::State::kOk);
  QVERIFY(r.messages.back().complete);
  // Nothing may follow a message that closes the connection.
  QCOMPARE(r.feed("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), Parser::State::kError);
}

QTEST_APPLESS_MAIN(TestParserSkipBody)
#include "test_parser_skip_body.moc"
