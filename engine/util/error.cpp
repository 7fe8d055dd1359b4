#include "engine/util/error.h"

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

}  // namespace sluice
