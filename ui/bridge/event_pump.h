#pragma once
/** Drains an engine EventBuffer on the GUI thread in whole batches. */
#include <QObject>
#include <memory>
#include <vector>

#include "engine/observe/event_buffer.h"

namespace sluice::ui {

class GuiWaker;

/**
 * Installs itself as the buffer's notifier: when the buffer turns non-empty the
 * engine thread posts ONE queued call; drain() then takes every event at once and
 * emits batch(). The buffer must outlive the pump (or call detach() first).
 */
class EventPump : public QObject {
  Q_OBJECT
 public:
  EventPump(observe::EventBuffer& buffer, QObject* parent = nullptr);
  ~EventPump() override;
  /** Stops listening; the buffer may then be destroyed. */
  void detach();

 public slots:
  void drain();

 signals:
  void batch(const std::vector<sluice::observe::Event>& events);

 private:
  observe::EventBuffer* buffer_;
  std::shared_ptr<GuiWaker> waker_;
  std::vector<observe::Event> scratch_;
};

}  // namespace sluice::ui
