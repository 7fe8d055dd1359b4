#pragma once
/**
 * A response body kept on disk while it streams, so "Save body as…" can write what
 * was already received without sending the request again. The file is created in a
 * folder (the system temp folder by default) and unlinked at once: nothing is left
 * behind, whatever happens to the process. Memory stays constant whatever the size.
 *
 * append() runs on the client loop thread; size(), kept() and copyTo() on any thread.
 * copyTo() reads with pread(), so a copy can run while the body still streams in.
 */
#include <QString>
#include <atomic>
#include <memory>
#include <mutex>
#include <string_view>

namespace sluice::ui {

class BodySpill {
 public:
  /** Where spills go and how large one may grow (0: no limit). */
  struct Options {
    QString folder;          ///< empty: QDir::tempPath()
    quint64 maxBytes = 0;    ///< past this the spill stops (not kept); 0: no limit
  };

  /** A spill, or one that is not kept and says why (the folder cannot be written). */
  static std::shared_ptr<BodySpill> create(const Options& options, const QString& what);
  ~BodySpill();
  BodySpill(const BodySpill&) = delete;
  BodySpill& operator=(const BodySpill&) = delete;

  /** Loop thread: appends body bytes. After an error or past the limit, the spill stops for good. */
  void append(std::string_view data);
  /** Stops the spill (not kept) with a reason, e.g. "decoding failed". */
  void abandon(const QString& why);
  /** Bytes on disk (a prefix of the body). */
  quint64 size() const { return size_.load(std::memory_order_acquire); }
  /** True while every byte so far is on disk. */
  bool kept() const;
  /** Why the body is not kept, in words; empty when kept. */
  QString whyNotKept() const;
  /** Writes the first n bytes (n <= size()) into path. Blocking: never on the GUI thread. Empty on success, else the error. */
  QString copyTo(const QString& path, quint64 n) const;

 private:
  BodySpill(int fd, QString what, quint64 maxBytes);
  void stop(const QString& why);

  int fd_ = -1;
  const QString what_;
  const quint64 maxBytes_;
  std::atomic<quint64> size_{0};
  std::atomic<bool> stopped_{false};
  mutable std::mutex mutex_;
  QString why_;
};

}  // namespace sluice::ui
