#pragma once
/** Error values for the engine: no exceptions on the data path. */
#include <expected>
#include <string>
#include <string_view>

namespace sluice {

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
};

/** An error code plus a message written for the person reading it. */
struct Error {
  ErrorCode code = ErrorCode::kOk;
  std::string message;

  static Error system(std::string_view what, int err);
  static Error make(ErrorCode c, std::string msg) { return Error{c, std::move(msg)}; }
};

template <typename T>
using Result = std::expected<T, Error>;

using Status = std::expected<void, Error>;

inline std::unexpected<Error> fail(ErrorCode c, std::string msg) {
  return std::unexpected(Error{c, std::move(msg)});
}

const char* errorCodeName(ErrorCode c);

}  // namespace sluice
