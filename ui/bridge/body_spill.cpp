#include "ui/bridge/body_spill.h"

#include <QDir>
#include <QFile>
#include <QLocale>
#include <QThreadPool>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace sluice::ui {

namespace {
QString errnoText(int err) { return QString::fromLocal8Bit(std::strerror(err)); }

/** 1.5 GiB style sizes for the "over the limit" note. */
QString bytesText(quint64 n) { return QLocale::system().formattedDataSize(static_cast<qint64>(n), 1, QLocale::DataSizeTraditionalFormat); }
}  // namespace

std::shared_ptr<BodySpill> BodySpill::create(const Options& options, const QString& what) {
  QString folder = options.folder.isEmpty() ? QDir::tempPath() : options.folder;
  QByteArray pattern = QFile::encodeName(QDir(folder).filePath(QStringLiteral("sluice-body-XXXXXX")));
  int fd = ::mkostemp(pattern.data(), O_CLOEXEC);
  int err = errno;
  auto spill = std::shared_ptr<BodySpill>(new BodySpill(fd, what, options.maxBytes));
  if (fd < 0) spill->stop(QStringLiteral("cannot create a temporary file in %1: %2").arg(folder, errnoText(err)));
  else ::unlink(pattern.constData());  // anonymous from now on: the kernel frees it with the last descriptor
  return spill;
}

BodySpill::BodySpill(int fd, QString what, quint64 maxBytes) : fd_(fd), what_(std::move(what)), maxBytes_(maxBytes) {}

BodySpill::~BodySpill() {
  // The last close frees a file of up to the whole body (GiBs): never on the GUI thread, where
  // the transfer that owns the spill usually dies.
  if (fd_ >= 0) QThreadPool::globalInstance()->start([fd = fd_] { ::close(fd); });
}

void BodySpill::stop(const QString& why) {
  std::lock_guard lock(mutex_);
  if (stopped_.exchange(true)) return;
  why_ = why;
}

void BodySpill::abandon(const QString& why) { stop(why); }

void BodySpill::append(std::string_view data) {
  if (stopped_.load(std::memory_order_relaxed) || data.empty()) return;
  quint64 at = size_.load(std::memory_order_relaxed);
  if (maxBytes_ && at + data.size() > maxBytes_)
    return stop(QStringLiteral("the %1 body is larger than the %2 spill limit (setting body/spillMaxBytes), so it was not kept")
                    .arg(what_, bytesText(maxBytes_)));
  while (!data.empty()) {
    ssize_t n = ::pwrite(fd_, data.data(), data.size(), static_cast<off_t>(at));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return stop(QStringLiteral("writing the %1 body to its temporary file failed: %2").arg(what_, errnoText(n < 0 ? errno : ENOSPC)));
    at += static_cast<quint64>(n);
    data.remove_prefix(static_cast<size_t>(n));
  }
  size_.store(at, std::memory_order_release);  // what a reader may copy: already written
}

bool BodySpill::kept() const { return !stopped_.load(std::memory_order_acquire); }

QString BodySpill::whyNotKept() const {
  std::lock_guard lock(mutex_);
  return why_;
}

QString BodySpill::copyTo(const QString& path, quint64 n) const {
  if (fd_ < 0) return whyNotKept();
  QByteArray name = QFile::encodeName(path);
  int out = ::open(name.constData(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0) return QStringLiteral("cannot write %1: %2").arg(path, errnoText(errno));
  std::unique_ptr<char[]> buf(new char[256 * 1024]);
  QString error;
  for (quint64 done = 0; done < n && error.isEmpty();) {
    size_t want = static_cast<size_t>(std::min<quint64>(n - done, 256 * 1024));
    ssize_t r = ::pread(fd_, buf.get(), want, static_cast<off_t>(done));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      error = QStringLiteral("reading the kept body failed: %1").arg(r < 0 ? errnoText(errno) : QStringLiteral("it is shorter than expected"));
      break;
    }
    for (ssize_t off = 0; off < r;) {
      ssize_t w = ::write(out, buf.get() + off, static_cast<size_t>(r - off));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        error = QStringLiteral("writing %1 failed: %2").arg(path, errnoText(w < 0 ? errno : ENOSPC));
        break;
      }
      off += w;
    }
    done += static_cast<quint64>(r);
  }
  if (::close(out) != 0 && error.isEmpty()) error = QStringLiteral("closing %1 failed: %2").arg(path, errnoText(errno));
  return error;
}

}  // namespace sluice::ui
