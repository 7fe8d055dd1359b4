#pragma once
/** A file being uploaded: written as <name>.part, hashed as it goes, renamed when complete. */
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/net/socket.h"
#include "engine/codec/sha256.h"
#include "engine/util/error.h"

namespace sluice::site {

/**
 * Owns <dir>/<name>.part. Every open is relative to the upload directory's
 * descriptor with O_NOFOLLOW, and a new part uses O_EXCL, so neither a planted
 * symlink nor a concurrent upload of the same name can be written through.
 * Unless commit() or keep() was called, the destructor removes the part: an
 * upload that dies for any reason leaves nothing behind.
 */
class PartFile {
 public:
  PartFile() = default;
  PartFile(PartFile&& o) noexcept;
  PartFile& operator=(PartFile&& o) noexcept;
  PartFile(const PartFile&) = delete;
  PartFile& operator=(const PartFile&) = delete;
  ~PartFile() { discard(); }

  /** Creates <name>.part; kExists when it is already there (an upload in progress). */
  static Result<PartFile> create(int dirFd, std::string name);
  /** Opens an existing <name>.part to append to (resume). The caller re-hashes it with rehashStep(). */
  static Result<PartFile> openExisting(int dirFd, std::string name);

  /** Appends and hashes; kNoSpace for ENOSPC, EDQUOT and EFBIG (file-size limit). */
  Status write(std::string_view data);
  /** Hashes up to maxBytes more of the existing content; true when all is hashed. */
  Result<bool> rehashStep(uint64_t maxBytes);
  /** Cuts the part back to size bytes (undoing a rejected append) and re-hashing is needed again. */
  Status truncateTo(uint64_t size);

  /**
   * Renames the part to its final name. Without overwrite the rename fails
   * with kExists if the final name appeared meanwhile (RENAME_NOREPLACE).
   */
  Status commit(bool overwrite);
  /** Removes the part now. Idempotent. */
  void discard();
  /** Leaves the part on disk for a later resume. */
  void keep();

  bool isOpen() const { return fd_.valid(); }
  const std::string& name() const { return name_; }
  uint64_t size() const { return size_; }
  /** Bytes of the existing content that are hashed so far (resume). */
  uint64_t hashedBytes() const { return sha_.bytesHashed(); }
  codec::Sha256::Digest digest() { return codec::Sha256(sha_).finish(); }
  int fd() const { return fd_.get(); }

 private:
  PartFile(int dirFd, std::string name, net::Fd fd, uint64_t size);
  std::string partName() const;

  int dirFd_ = -1;
  std::string name_;
  net::Fd fd_;
  uint64_t size_ = 0;
  codec::Sha256 sha_;
  bool live_ = false;  // the part exists and is ours to remove
};

/** Exists, regular file, or other (a directory, a symlink...): for the 409 checks. */
enum class EntryKind { kNone, kRegular, kOther };
EntryKind entryKind(int dirFd, const std::string& name);
/** Free bytes for unprivileged users on the upload directory's file system. */
uint64_t freeBytes(int dirFd);

}  // namespace sluice::site
