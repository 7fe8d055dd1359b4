// A batch pushed into the event buffer under one lock (the client's loop collects a
// turn's events and pushes them together): every event that fits is kept in order with
// its own timestamp, what does not fit is counted as dropped, and draining keeps the
// buffer's capacity for the producers.
#include <QtTest>

#include "engine/observe/event_buffer.h"

using sluice::observe::Event;
using sluice::observe::EventBuffer;
using sluice::observe::EventKind;

namespace {
std::vector<Event> numbered(int n, int64_t firstTime) {
  std::vector<Event> batch;
  for (int i = 0; i < n; ++i) {
    Event& ev = batch.emplace_back();
    ev.kind = EventKind::kClientRequest;
    ev.requestId = static_cast<uint64_t>(i + 1);
    ev.timeNs = firstTime ? firstTime + i : 0;
  }
  return batch;
}
}  // namespace

class TestEventBatch : public QObject {
  Q_OBJECT
 private slots:
  void aBatchKeepsOrderAndTimestamps() {
    EventBuffer buffer(16);
    auto batch = numbered(5, 1000);
    QCOMPARE(buffer.push(batch), size_t{5});
    QVERIFY(batch.empty());
    auto stamped = numbered(1, 0);
    QCOMPARE(buffer.push(stamped), size_t{1});
    std::vector<Event> out;
    QCOMPARE(buffer.drain(out), size_t{6});
    for (int i = 0; i < 5; ++i) {
      QCOMPARE(out[static_cast<size_t>(i)].requestId, static_cast<uint64_t>(i + 1));
      QCOMPARE(out[static_cast<size_t>(i)].timeNs, int64_t{1000 + i});
    }
    QVERIFY2(out[5].timeNs > 0, "an event without a timestamp got none");
    QCOMPARE(buffer.pushed(), uint64_t{6});
    QCOMPARE(buffer.dropped(), uint64_t{0});
  }

  void whatDoesNotFitIsCountedAsDropped() {
    EventBuffer buffer(4);
    auto first = numbered(3, 1);
    QCOMPARE(buffer.push(first), size_t{3});
    auto second = numbered(3, 1);
    QCOMPARE(buffer.push(second), size_t{1});
    QCOMPARE(buffer.dropped(), uint64_t{2});
    QCOMPARE(buffer.pushed(), uint64_t{4});
    std::vector<Event> out;
    QCOMPARE(buffer.drain(out), size_t{4});
    QCOMPARE(out.back().requestId, uint64_t{1});  // the first of the second batch, not its last
  }

  void drainingIntoAnEmptyVectorKeepsCapacityForProducers() {
    EventBuffer buffer(1024);
    std::vector<Event> reader;
    reader.reserve(256);
    auto batch = numbered(100, 1);
    buffer.push(batch);
    QCOMPARE(buffer.drain(reader), size_t{100});
    QCOMPARE(reader.size(), size_t{100});
    reader.clear();  // the reader's capacity (256) goes back to the buffer at the next drain
    auto again = numbered(10, 1);
    buffer.push(again);
    QCOMPARE(buffer.drain(reader), size_t{10});
    std::vector<Event> appended = numbered(2, 1);
    auto more = numbered(3, 1);
    buffer.push(more);
    QCOMPARE(buffer.drain(appended), size_t{3});  // a non-empty out is appended to
    QCOMPARE(appended.size(), size_t{5});
  }
};

QTEST_APPLESS_MAIN(TestEventBatch)
#include "test_event_batch.moc"
