#pragma once
/** Test helper: run a function on an event loop's thread and wait (bounded) for it. */
#include <chrono>
#include <functional>
#include <future>
#include <memory>

#include "engine/net/event_loop.h"

namespace test {

/** Runs fn on the loop thread; false when it did not finish within timeout. */
inline bool runOnLoop(sluice::net::EventLoop& loop, std::function<void()> fn,
                      std::chrono::milliseconds timeout = std::chrono::seconds(3)) {
  auto done = std::make_shared<std::promise<void>>();
  auto fut = done->get_future();
  loop.post([fn = std::move(fn), done] {
    fn();
    done->set_value();
  });
  return fut.wait_for(timeout) == std::future_status::ready;
}

}  // namespace test
