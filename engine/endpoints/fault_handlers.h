#pragma once
/** Helpers the fault endpoints share. */
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "engine/endpoints/endpoints.h"

namespace sluice::endpoints {

/** Runs fn once the connection has handed all queued output to the kernel (at most ~5 s). */
void whenFlushed(Exchange& ex, std::function<void()> fn);

}  // namespace sluice::endpoints
