#pragma once
/**
 * The CLI's upload progress line: while a request body is being sent, stderr shows
 * "\r  sent 12.0 MiB / 2.0 GiB (0%)  412.0 MiB/s", at most 4 times a second, sampled
 * from the engine's UploadProgress counter on a thread of its own (no event per write).
 */
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "engine/client/request.h"

namespace sluice::cli {

class UploadMeter {
 public:
  static constexpr std::chrono::milliseconds kPeriod{250};

  /** Starts sampling progress (a null progress does nothing). */
  explicit UploadMeter(std::shared_ptr<client::UploadProgress> progress);
  /** Stops; prints the final figures (and ends the line) when any body byte went out. */
  ~UploadMeter();
  UploadMeter(const UploadMeter&) = delete;
  UploadMeter& operator=(const UploadMeter&) = delete;

 private:
  void run();
  void show();

  std::shared_ptr<client::UploadProgress> progress_;
  std::chrono::steady_clock::time_point start_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool shown_ = false;
  std::thread thread_;
};

}  // namespace sluice::cli
