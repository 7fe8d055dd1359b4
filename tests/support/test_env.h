#pragma once
/** Shared test environment helpers: temporary folders under the build tree. */
#include <string>

namespace sluice::test {

/** A fresh, empty folder for one test (under $SLUICE_TEST_TMP or /tmp), removed by the caller. */
std::string makeTempDir(const std::string& tag);
/** Removes a folder tree; ignores errors. */
void removeTree(const std::string& path);
/** A whole (small) file's bytes; empty when it cannot be read. */
std::string readFile(const std::string& path);

/** A temporary folder that is removed when it goes out of scope, also when a test fails early. */
class TempDir {
 public:
  explicit TempDir(const std::string& tag) : path_(makeTempDir(tag)) {}
  ~TempDir() { removeTree(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  bool ok() const { return !path_.empty(); }

 private:
  std::string path_;
};

}  // namespace sluice::test
