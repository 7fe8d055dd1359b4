#include "ui/bridge/event_pump.h"

#include <QTimer>

#include "ui/bridge/gui_waker.h"

namespace sluice::ui {

EventPump::EventPump(observe::EventBuffer& buffer, QObject* parent)
    : QObject(parent), buffer_(&buffer), waker_(std::make_shared<GuiWaker>(this, "wake")) {
  buffer_->setNotifier([w = waker_] { w->wake(); });
  // Events pushed before the notifier was installed would otherwise wait for the next one.
  QMetaObject::invokeMethod(this, "drain", Qt::QueuedConnection);
}

EventPump::~EventPump() { detach(); }

void EventPump::detach() {
  waker_->detach();
  if (buffer_) buffer_->setNotifier(nullptr);
  buffer_ = nullptr;
}

void EventPump::wake() {
  if (drainScheduled_) return;
  qint64 since = sinceDrain_.isValid() ? sinceDrain_.elapsed() : kFrameMs;
  if (since >= kFrameMs) return drain();
  // The buffer stays non-empty until then, so no other wake comes: this one drain is due.
  drainScheduled_ = true;
  QTimer::singleShot(static_cast<int>(kFrameMs - since), this, [this] {
    drainScheduled_ = false;
    drain();
  });
}

void EventPump::drain() {
  if (!buffer_) return;
  sinceDrain_.start();
  scratch_.clear();
  size_t n = buffer_->drain(scratch_);
  // Read after the drain: a drop counted now happened before any later event we take.
  quint64 total = buffer_->dropped();
  if (n > 0) emit batch(scratch_);
  scratch_.clear();
  // The lost events came after every event of this batch (the buffer was full).
  if (total > dropped_) {
    quint64 newly = total - dropped_;
    dropped_ = total;
    emit eventsDropped(newly, total);
  }
}

}  // namespace sluice::ui
