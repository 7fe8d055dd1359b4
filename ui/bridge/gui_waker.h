#pragma once
/** A thread-safe way for engine threads to wake a GUI object with one queued call. */
#include <QObject>
#include <QPointer>
#include <memory>
#include <mutex>

namespace sluice::ui {

/**
 * Holds a target object and a slot name. wake() may be called from any thread:
 * it posts one queued call to the slot. detach() (GUI thread, before the target
 * dies) makes later wakes do nothing, so an engine thread never touches a dead
 * object. Share it with engine callbacks through a shared_ptr.
 */
class GuiWaker {
 public:
  GuiWaker(QObject* target, const char* slot) : target_(target), slot_(slot) {}

  void wake() {
    std::lock_guard lock(mutex_);
    if (target_) QMetaObject::invokeMethod(target_, slot_, Qt::QueuedConnection);
  }
  void detach() {
    std::lock_guard lock(mutex_);
    target_ = nullptr;
  }

 private:
  std::mutex mutex_;
  QObject* target_;
  const char* slot_;
};

}  // namespace sluice::ui
