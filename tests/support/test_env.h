#pragma once
/** Shared test environment helpers: temporary folders under the build tree. */
#include <string>

namespace sluice::test {

/** A fresh, empty folder for one test (under $SLUICE_TEST_TMP or /tmp), removed by the caller. */
std::string makeTempDir(const std::string& tag);
/** Removes a folder tree; ignores errors. */
void removeTree(const std::string& path);

}  // namespace sluice::test
