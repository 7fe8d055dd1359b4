// Linked into every test executable: adopt the locale the environment names,
// as QApplication does for the GUI (setlocale(LC_ALL, "")). Under the usual
// environment this is the C locale; the locale/ CTest variants run the suites
// with LC_ALL=de_DE.UTF-8 to prove that no wire format depends on it.
#include <clocale>

namespace {
[[maybe_unused]] const bool kLocaleAdopted = std::setlocale(LC_ALL, "") != nullptr;
}  // namespace
