#pragma once
/** Error values for the engine: no exceptions on the data path. */
#include <string>
#include <string_view>
#include <version>

#ifdef __cpp_lib_expected
#include <expected>
#else
#include "engine/util/expected_compat.h"
#endif

namespace sluice {

#ifdef __cpp_lib_expected
// g++ (libstdc++ 12 with -std=c++2b): the standard types. Engine code spells
// them sluice::expected / sluice::unexpected so that clang 14, whose concepts
// support is too old for libstdc++'s <expected>, gets expected_compat.h instead.
using std::expected;
using std::unexpected;
#endif

/** What went wrong, as a code a program can branch on. */
enum class ErrorCode {
  kOk = 0,
  kSystem,          ///< an OS call failed; the message carries strerror
  kInvalidArgument, ///< bad configuration or user input
  kParse,           ///< malformed protocol input
  kLimit,           ///< a configured limit was hit
  kTimeout,
  kClosed,          ///< the peer closed the connection
  kReset,           ///< the peer reset the connection
  kCancelled,
  kNotFound,
  kExists,
  kNoSpace,
  kResolve,
  kConnect,
  kPoolExhausted,
  kProtocol,
  kTls,             ///< a TLS handshake or record failed (the message says why and what to do)
};

/** An error code plus a message written for the person reading it. */
struct Error {
  ErrorCode code = ErrorCode::kOk;
  std::string message;

  static Error system(std::string_view what, int err);
  static Error make(ErrorCode c, std::string msg) { return Error{c, std::move(msg)}; }
};

template <typename T>
using Result = expected<T, Error>;

using Status = expected<void, Error>;

inline unexpected<Error> fail(ErrorCode c, std::string msg) {
  return unexpected<Error>(Error{c, std::move(msg)});
}

const char* errorCodeName(ErrorCode c);

}  // namespace sluice
