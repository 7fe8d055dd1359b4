#include "engine/util/error.h"

#include <cerrno>
#include <cstring>

namespace sluice {

Error Error::system(std::string_view what, int err) {
  std::string msg(what);
  msg += ": ";
  msg += std::strerror(err);
  ErrorCode code = ErrorCode::kSystem;
  if (err == ECONNRESET || err == EPIPE) code = ErrorCode::kReset;
  if (err == ENOSPC || err == EDQUOT || err == EFBIG) code = ErrorCode::kNoSpace;
  if (err == ECONNREFUSED || err == EHOSTUNREACH || err == ENETUNREACH) code = ErrorCode::kConnect;
  if (err == ETIMEDOUT) code = ErrorCode::kTimeout;
  if (err == EEXIST) code = ErrorCode::kExists;
  if (err == ENOENT) code = ErrorCode::kNotFound;
  return Error{code, std::move(msg)};
}

const char* errorCodeName(ErrorCode c) {
  switch (c) {
    case ErrorCode::kOk: return "ok";
    case ErrorCode::kSystem: return "system";
    case ErrorCode::kInvalidArgument: return "invalid-argument";
    case ErrorCode::kParse: return "parse";
    case ErrorCode::kLimit: return "limit";
    case ErrorCode::kTimeout: return "timeout";
    case ErrorCode::kClosed: return "closed";
    case ErrorCode::kReset: return "reset";
    case ErrorCode::kCancelled: return "cancelled";
    case ErrorCode::kNotFound: return "not-found";
    case ErrorCode::kExists: return "exists";
    case ErrorCode::kNoSpace: return "no-space";
    case ErrorCode::kResolve: return "resolve";
    case ErrorCode::kConnect: return "connect";
    case ErrorCode::kPoolExhausted: return "pool-exhausted";
    case ErrorCode::kProtocol: return "protocol";
    case ErrorCode::kTls: return "tls";
  }
  return "unknown";
}

std::string describeByte(char c) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  auto b = static_cast<unsigned char>(c);
  if (b > 0x20 && b < 0x7f) return std::string("'") + c + "'";
  std::string code = std::string("0x") + kHex[b >> 4] + kHex[b & 15];
  switch (b) {
    case ' ': return "a space (" + code + ")";
    case '\r': return "CR (" + code + ")";
    case '\n': return "LF (" + code + ")";
    case '\t': return "a tab (" + code + ")";
    case 0: return "NUL (" + code + ")";
    default: return "byte " + code;
  }
}

}  // namespace sluice
