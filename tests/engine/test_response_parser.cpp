// Unit tests of sluice::http::Parser in response mode: framing, bodies that end at
// close, HEAD, 1xx/204/304, and splits at every byte.
#include "support/parser_recorder.h"

using namespace sluice::test;

class TestResponseParser : public QObject {
  Q_OBJECT

 private slots:
  void responseContentLengthAndChunked();
  void responseCloseDelimitedEndsAtFinish();
  void responseTruncatedIsAnErrorAtFinish();
  void responseToHeadHasNoBody();
  void response204And304HaveNoBody();
  void response204And304IgnoreFramingHeaders();
  void response100ContinueThenFinal();
  void responsesSplitAtEveryByte();
  void chunkHeadersReportedWithExtensions();
};

void TestResponseParser::responseContentLengthAndChunked() {
  const std::string in =
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
      "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nT: v\r\n\r\n"
      "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
  Outcome o = parseWhole(in, Parser::Kind::kResponse);
  QCOMPARE(o.errorStatus, 0);
  QCOMPARE(o.count, uint64_t(3));
  QCOMPARE(o.messages.size(), size_t(3));
  QCOMPARE(o.messages[0].head, std::string("200 OK HTTP/1.1|Content-Length=5"));
  QCOMPARE(o.messages[0].body, std::string("hello"));
  QCOMPARE(o.messages[1].head, std::string("201 Created HTTP/1.1|Transfer-Encoding=chunked"));
  QCOMPARE(o.messages[1].body, std::string("abcde"));
  QCOMPARE(o.messages[2].body, std::string());
  QVERIFY(o.messages[2].complete);
}

void TestResponseParser::responseCloseDelimitedEndsAtFinish() {
  Recorder r(Parser::Kind::kResponse);
  QCOMPARE(r.feed("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nabc"), Parser::State::kOk);
  QCOMPARE(r.feed("def"), Parser::State::kOk);
  QVERIFY(r.parser.bodyIsCloseDelimited());
  QCOMPARE(r.parser.messages(), uint64_t(0));
  QVERIFY(!r.messages.at(0).complete);
  QCOMPARE(r.parser.finish(), Parser::State::kOk);
  QCOMPARE(r.parser.messages(), uint64_t(1));
  QVERIFY(r.messages.at(0).complete);
  QCOMPARE(r.messages.at(0).body, std::string("abcdef"));
  // HTTP/1.0 without a length is close-delimited too.
  Recorder s(Parser::Kind::kResponse);
  QCOMPARE(s.feed("HTTP/1.0 200 OK\r\n\r\nold"), Parser::State::kOk);
  QVERIFY(s.parser.bodyIsCloseDelimited());
  QCOMPARE(s.parser.finish(), Parser::State::kOk);
  QCOMPARE(s.messages.at(0).body, std::string("old"));
  // A Content-Length body is not close-delimited.
  Recorder t(Parser::Kind::kResponse);
  QCOMPARE(t.feed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n"), Parser::State::kOk);
  QVERIFY(!t.parser.bodyIsCloseDelimited());
  // Finish between messages is a clean end (a keep-alive peer closing an idle connection).
  Recorder u(Parser::Kind::kResponse);
  QCOMPARE(u.feed("HTTP/1.1 204 No Content\r\n\r\n"), Parser::State::kOk);
  QCOMPARE(u.parser.finish(), Parser::State::kOk);
  QCOMPARE(u.parser.messages(), uint64_t(1));
  Recorder v(Parser::Kind::kResponse);
  QCOMPARE(v.feed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"), Parser::State::kOk);
  QCOMPARE(v.parser.finish(), Parser::State::kOk);
}

void TestResponseParser::responseTruncatedIsAnErrorAtFinish() {
  Recorder r(Parser::Kind::kResponse);
  QCOMPARE(r.feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"), Parser::State::kOk);
  QCOMPARE(r.parser.finish(), Parser::State::kError);
  QCOMPARE(r.parser.messages(), uint64_t(0));
  Recorder s(Parser::Kind::kResponse);
  QCOMPARE(s.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab"), Parser::State::kOk);
  QCOMPARE(s.parser.finish(), Parser::State::kError);
  Recorder t(Parser::Kind::kResponse);
  QCOMPARE(t.feed("HTTP/1.1 200 OK\r\nContent-"), Parser::State::kOk);
  QCOMPARE(t.parser.finish(), Parser::State::kError);
}

void TestResponseParser::responseToHeadHasNoBody() {
  Recorder r(Parser::Kind::kResponse);
  r.parser.setExpectNoBody(true);
  // A HEAD response announces a length but carries no body; the next response follows at once.
  QCOMPARE(r.feed("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"), Parser::State::kOk);
  QCOMPARE(r.parser.messages(), uint64_t(1));
  QVERIFY(r.messages.at(0).complete);
  QCOMPARE(r.messages.at(0).body, std::string());
  r.parser.setExpectNoBody(false);
  QCOMPARE(r.feed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"), Parser::State::kOk);
  QCOMPARE(r.parser.messages(), uint64_t(2));
  QCOMPARE(r.messages.at(1).body, std::string("ok"));
  // Chunked HEAD response: no chunks follow.
  Recorder s(Parser::Kind::kResponse);
  s.parser.setExpectNoBody(true);
  QCOMPARE(s.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"), Parser::State::kOk);
  QCOMPARE(s.parser.messages(), uint64_t(1));
}

void TestResponseParser::response204And304HaveNoBody() {
  const std::string in =
      "HTTP/1.1 204 No Content\r\n\r\n"
      "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext";
  Outcome o = parseWhole(in, Parser::Kind::kResponse);
  QCOMPARE(o.errorStatus, 0);
  QCOMPARE(o.count, uint64_t(3));
  QCOMPARE(o.messages.at(0).body, std::string());
  QCOMPARE(o.messages.at(1).body, std::string());
  QCOMPARE(o.messages.at(2).body, std::string("next"));
  Outcome b = parseByteByByte(in, Parser::Kind::kResponse);
  QVERIFY(b.messages == o.messages);
}

void TestResponseParser::response204And304IgnoreFramingHeaders() {
  // RFC 9112 §6.3: 1xx, 204 and 304 responses end at their head, whatever
  // Content-Length or Transfer-Encoding say; the next response follows at once.
  const std::string in =
      "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n"
      "HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n"
      "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
  Outcome o = parseWhole(in, Parser::Kind::kResponse);
  QCOMPARE(o.errorStatus, 0);
  QCOMPARE(o.count, uint64_t(4));
  for (int i = 0; i < 3; ++i) QCOMPARE(o.messages.at(i).body, std::string());
  QVERIFY(o.messages.at(3).head.starts_with("200 OK"));
  Outcome b = parseByteByByte(in, Parser::Kind::kResponse);
  QVERIFY(b.messages == o.messages);
}

void TestResponseParser::response100ContinueThenFinal() {
  const std::string in =
      "HTTP/1.1 100 Continue\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";
  Outcome o = parseWhole(in, Parser::Kind::kResponse);
  QCOMPARE(o.errorStatus, 0);
  QCOMPARE(o.messages.size(), size_t(2));
  QVERIFY(o.messages[0].head.starts_with("100 Continue"));
  QCOMPARE(o.messages[0].body, std::string());
  QVERIFY(o.messages[1].head.starts_with("200 OK"));
  QCOMPARE(o.messages[1].body, std::string("hi"));
  for (size_t cut = 0; cut <= in.size(); ++cut) QVERIFY(parseSplit(in, {cut}, Parser::Kind::kResponse).messages == o.messages);
}

void TestResponseParser::responsesSplitAtEveryByte() {
  const std::string in =
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n0\r\n\r\n"
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 500 Internal Server Error\r\nContent-Length: 1\r\n\r\nx";
  Outcome whole = parseWhole(in, Parser::Kind::kResponse);
  QCOMPARE(whole.errorStatus, 0);
  QCOMPARE(whole.messages.size(), size_t(4));
  for (size_t cut = 0; cut <= in.size(); ++cut) {
    Outcome o = parseSplit(in, {cut}, Parser::Kind::kResponse);
    if (o.messages != whole.messages || o.errorStatus) QFAIL(qPrintable(QString("split at %1: %2").arg(cut).arg(describe(o.messages))));
  }
  QVERIFY(parseByteByByte(in, Parser::Kind::kResponse).messages == whole.messages);
  // Response-side refusals: the framing must be unambiguous there too.
  QCOMPARE(parseWhole("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx", Parser::Kind::kResponse).errorStatus, 400);
  QCOMPARE(parseWhole("HTTP/1.1 200 OK\nContent-Length: 1\n\nx", Parser::Kind::kResponse).errorStatus, 400);
  QCOMPARE(parseWhole("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", Parser::Kind::kResponse).errorStatus, 400);
}

// Each chunk header reaches the listener with its size and its extensions rebuilt as
// ";name=value", however the input is split (llhttp hands names and values as spans).
// One extension per chunk: Debian's llhttp 8.1 refuses a second one ("5;a=1;b=2").
void TestResponseParser::chunkHeadersReportedWithExtensions() {
  const std::string in =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;name=v\r\nhello\r\n"
      "A;q=\"a b\"\r\n0123456789\r\n"
      "3;flag\r\nabc\r\n"
      "0;end=yes\r\n\r\n";
  const std::string expected = "5;name=v|10;q=\"a b\"|3;flag|0;end=yes|";
  Outcome whole = parseWhole(in, Parser::Kind::kResponse);
  QCOMPARE(whole.errorStatus, 0);
  QCOMPARE(whole.chunkLog, expected);
  QCOMPARE(whole.messages.at(0).body, std::string("hello0123456789abc"));
  for (size_t cut = 1; cut < in.size(); ++cut) {
    Outcome o = parseSplit(in, {cut}, Parser::Kind::kResponse);
    QCOMPARE(o.errorStatus, 0);
    QVERIFY2(o.chunkLog == expected, (std::to_string(cut) + ": " + o.chunkLog).c_str());
  }
  QCOMPARE(parseByteByByte(in, Parser::Kind::kResponse).chunkLog, expected);
  // A Content-Length body has no chunk headers.
  QCOMPARE(parseWhole("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nab", Parser::Kind::kResponse).chunkLog, std::string());
}

QTEST_APPLESS_MAIN(TestResponseParser)
#include "test_response_parser.moc"
