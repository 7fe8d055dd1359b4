#pragma once
/**
 * How many observation events each engine buffer holds between two GUI drains (the
 * client's, and each server's). Past it, events are dropped, counted and reported in
 * the pool and servers headers. Kept in QSettings ("events/clientCapacity",
 * "events/serverCapacity"); read when a client or a server is created.
 */
#include <cstddef>

namespace sluice::ui {

inline constexpr size_t kDefaultEventCapacity = 65536;
inline constexpr size_t kMinEventCapacity = 1024;
inline constexpr size_t kMaxEventCapacity = 16u << 20;

size_t clientEventCapacity();
size_t serverEventCapacity();
/** Stores both (clamped to the bounds above). */
void setEventCapacities(size_t client, size_t server);

}  // namespace sluice::ui
