#pragma once
/** Drains an engine EventBuffer on the GUI thread in whole batches. */
#include <QElapsedTimer>
#include <QObject>
#include <memory>
#include <vector>

#include "engine/observe/event_buffer.h"

namespace sluice::ui {

class GuiWaker;

/**
 * Installs itself as the buffer's notifier: when the buffer turns non-empty the
 * engine thread posts ONE queued call; the pump then takes every event at once and
 * emits batch(), at most once per frame (a wake soon after a drain waits for the
 * frame's end). The buffer must outlive the pump (or call detach() first).
 */
class EventPump : public QObject {
  Q_OBJECT
 public:
  EventPump(observe::EventBuffer& buffer, QObject* parent = nullptr);
  ~EventPump() override;
  /** Stops listening; the buffer may then be destroyed. */
  void detach();
  /** Events the buffer refused so far because it was full (none are lost silently). */
  quint64 dropped() const { return dropped_; }
  /** Shortest time between two batches. */
  static constexpr int kFrameMs = 16;

 public slots:
  /** Takes every buffered event now. */
  void drain();
  /** The engine's wake-up: drains now, or at the end of the current frame. */
  void wake();

 signals:
  void batch(const std::vector<sluice::observe::Event>& events);
  /** Some events were lost before this drain: newly since the last one, total so far. Emitted after the batch they follow. */
  void eventsDropped(quint64 newly, quint64 total);

 private:
  observe::EventBuffer* buffer_;
  std::shared_ptr<GuiWaker> waker_;
  std::vector<observe::Event> scratch_;
  quint64 dropped_ = 0;
  QElapsedTimer sinceDrain_;
  bool drainScheduled_ = false;
};

}  // namespace sluice::ui
