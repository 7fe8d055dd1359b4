#include "engine/site/upload/upload_part_file.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace sluice::site {

PartFile::PartFile(int dirFd, std::string name, net::Fd fd, uint64_t size)
    : dirFd_(dirFd), name_(std::move(name)), fd_(std::move(fd)), size_(size), live_(true) {}

PartFile::PartFile(PartFile&& o) noexcept
    : dirFd_(o.dirFd_), name_(std::move(o.name_)), fd_(std::move(o.fd_)), size_(o.size_), sha_(o.sha_),
      live_(std::exchange(o.live_, false)) {}

PartFile& PartFile::operator=(PartFile&& o) noexcept {
  if (this != &o) {
    discard();
    dirFd_ = o.dirFd_;
    name_ = std::move(o.name_);
    fd_ = std::move(o.fd_);
    size_ = o.size_;
    sha_ = o.sha_;
    live_ = std::exchange(o.live_, false);
  }
  return *this;
}

std::string PartFile::partName() const { return name_ + ".part"; }

Result<PartFile> PartFile::create(int dirFd, std::string name) {
  std::string part = name + ".part";
  int fd = ::openat(dirFd, part.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) return sluice::unexpected(Error::system("cannot create " + part, errno));
  return PartFile(dirFd, std::move(name), net::Fd(fd), 0);
}

Result<PartFile> PartFile::openExisting(int dirFd, std::string name) {
  std::string part = name + ".part";
  // O_RDWR: resume reads the old bytes to hash them, then appends.
  int fd = ::openat(dirFd, part.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0 && errno == ELOOP) return fail(ErrorCode::kInvalidArgument, part + " is a symbolic link, not a regular file");
  if (fd < 0) return sluice::unexpected(Error::system("cannot open " + part, errno));
  net::Fd owned(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) return sluice::unexpected(Error::system("cannot stat " + part, errno));
  if (!S_ISREG(st.st_mode)) return fail(ErrorCode::kInvalidArgument, part + " is not a regular file");
  ::fcntl(fd, F_SETFL, O_RDWR);  // drop O_NONBLOCK (it only guarded against opening a FIFO)
  PartFile f(dirFd, std::move(name), std::move(owned), static_cast<uint64_t>(st.st_size));
  return f;
}

Status PartFile::write(std::string_view data) {
  sha_.update(data);
  while (!data.empty()) {
    ssize_t n = ::pwrite(fd_.get(), data.data(), data.size(), static_cast<off_t>(size_));
    if (n < 0) {
      if (errno == EINTR) continue;
      return sluice::unexpected(Error::system("writing " + partName(), errno));
    }
    size_ += static_cast<uint64_t>(n);
    data.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

Result<bool> PartFile::rehashStep(uint64_t maxBytes) {
  std::vector<char> buf(256 * 1024);
  uint64_t done = 0;
  while (sha_.bytesHashed() < size_ && done < maxBytes) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), size_ - sha_.bytesHashed()));
    ssize_t n = ::pread(fd_.get(), buf.data(), want, static_cast<off_t>(sha_.bytesHashed()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sluice::unexpected(Error::system("reading " + partName(), errno));
    if (n == 0) return fail(ErrorCode::kSystem, partName() + " shrank while it was being hashed");
    sha_.update(buf.data(), static_cast<size_t>(n));
    done += static_cast<uint64_t>(n);
  }
  return sha_.bytesHashed() >= size_;
}

Status PartFile::truncateTo(uint64_t size) {
  if (::ftruncate(fd_.get(), static_cast<off_t>(size)) != 0)
    return sluice::unexpected(Error::system("truncating " + partName(), errno));
  size_ = size;
  sha_.reset();
  return {};
}

Status PartFile::commit(bool overwrite) {
  std::string part = partName();
  int rc = overwrite ? ::renameat(dirFd_, part.c_str(), dirFd_, name_.c_str())
                     : ::renameat2(dirFd_, part.c_str(), dirFd_, name_.c_str(), RENAME_NOREPLACE);
  if (rc != 0) {
    int err = errno;
    discard();
    return sluice::unexpected(Error::system("cannot rename " + part + " to " + name_, err));
  }
  live_ = false;
  fd_.reset();
  return {};
}

void PartFile::discard() {
  if (!live_) return;
  live_ = false;
  fd_.reset();
  ::unlinkat(dirFd_, partName().c_str(), 0);
}

void PartFile::keep() {
  live_ = false;
  fd_.reset();
}

EntryKind entryKind(int dirFd, const std::string& name) {
  struct stat st {};
  if (::fstatat(dirFd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return EntryKind::kNone;
  return S_ISREG(st.st_mode) ? EntryKind::kRegular : EntryKind::kOther;
}

uint64_t freeBytes(int dirFd) {
  struct statvfs vfs {};
  if (::fstatvfs(dirFd, &vfs) != 0) return UINT64_MAX;
  return static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
}

}  // namespace sluice::site
