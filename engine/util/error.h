#pragma once
/** Error values for the engine: no exceptions on the data path. */
#include <expected>
#include <string>
#include <string_view>

namespace sluice {

// The standard types, spelled sluice::expected / sluice::unexpected in engine code.
// Every build has them: g++ 12 with libstdc++, and the fuzz build's clang 16 with libc++ 16.
using std::expected;
using std::unexpected;

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

/**
 * One byte named for an error message: "'!'", "a space (0x20)", "CR (0x0D)",
 * "LF (0x0A)", "a tab (0x09)", "NUL (0x00)", or "byte 0xC3". Never echoes a
 * control byte, so the message is safe to print or log.
 */
std::string describeByte(char c);

}  // namespace sluice
