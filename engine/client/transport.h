#pragma once
/**
 * The byte pipe under a client connection. Plain TCP today; TLS later slots in
 * behind the same interface (chosen by URL scheme in makeTransport()).
 */
#include <sys/types.h>

#include <memory>
#include <string_view>

#include "engine/net/socket.h"
#include "engine/util/error.h"

namespace sluice::client {

/** n > 0: bytes moved; n == 0: end of stream (reads); n < 0: err holds errno (EAGAIN: try later). */
struct IoResult {
  ssize_t n = 0;
  int err = 0;
  bool wouldBlock() const { return n < 0 && (err == EAGAIN || err == EWOULDBLOCK); }
};

class Transport {
 public:
  virtual ~Transport() = default;
  /** Starts a non-blocking connect; completion is signalled by writability. */
  virtual Status connect(const net::SocketAddress& addr) = 0;
  /** After writability: 0 when connected, else the errno. */
  virtual int finishConnect() = 0;
  virtual int fd() const = 0;
  virtual IoResult read(char* buf, size_t n) = 0;
  virtual IoResult write(const char* buf, size_t n) = 0;
  /** For an idle connection: true when nothing is readable and the peer has not closed. */
  virtual bool idleAlive() = 0;
  virtual void close() = 0;
};

/** The transport for a URL scheme, or nullptr when the scheme is not supported. */
std::unique_ptr<Transport> makeTransport(std::string_view scheme);

}  // namespace sluice::client
