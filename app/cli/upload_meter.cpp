#include "app/cli/upload_meter.h"

#include <cstdio>
#include <string>

#include "engine/util/units.h"

namespace sluice::cli {

UploadMeter::UploadMeter(std::shared_ptr<client::UploadProgress> progress)
    : progress_(std::move(progress)), start_(std::chrono::steady_clock::now()) {
  if (progress_) thread_ = std::thread([this] { run(); });
}

UploadMeter::~UploadMeter() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
  if (shown_ || progress_->sent.load(std::memory_order_relaxed) > 0) {  // a fast upload still gets its one line
    show();
    std::fputs("\n", stderr);
  }
}

void UploadMeter::run() {
  std::unique_lock lock(mutex_);
  while (!cv_.wait_for(lock, kPeriod, [this] { return stop_; })) {
    if (progress_->done.load(std::memory_order_acquire) && shown_) continue;  // the final line comes at the end
    if (progress_->sent.load(std::memory_order_relaxed) == 0 && !shown_) continue;
    show();
  }
}

void UploadMeter::show() {
  uint64_t sent = progress_->sent.load(std::memory_order_relaxed);
  uint64_t total = progress_->total.load(std::memory_order_relaxed);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string line = "\r  sent " + formatBytes(sent);
  if (total > 0) line += " / " + formatBytes(total) + " (" + std::to_string(sent * 100 / total) + "%)";
  line += "  " + formatBytes(static_cast<uint64_t>(s > 0 ? static_cast<double>(sent) / s : 0)) + "/s   ";
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
  shown_ = true;
}

}  // namespace sluice::cli
