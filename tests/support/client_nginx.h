#pragma once
// nginx as a real peer for client tests: a generated config in a temp dir, one
// loopback port, run as a child with 'daemon off'. "/" answers with nginx's own
// connection number and request count on that connection ("$connection $connection_requests"),
// "/big" serves a sparse file of the requested size.
#include <cstdint>
#include <memory>
#include <string>

#include "support/process.h"

namespace sluice::test {

struct NginxOptions {
  int keepaliveTimeoutS = 5;
  int keepaliveRequests = 10000;
  uint64_t bigFileBytes = 0;  ///< 0: no /big
  std::string tlsCert;        ///< set: listen with TLS (1.2 and 1.3) using this PEM chain and tlsKey
  std::string tlsKey;
  std::string extraLocations;  ///< more nginx "location" blocks for the server
};

class ClientNginx {
 public:
  explicit ClientNginx(NginxOptions options = {});
  ~ClientNginx();
  /** True when nginx answers on its port; error() says why not. */
  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }
  uint16_t port() const { return port_; }
  /** http://127.0.0.1:PORT/path, or https://HOST:PORT/path with TLS (host defaults to 127.0.0.1). */
  std::string url(const std::string& path = "/") const;
  std::string httpsUrl(const std::string& host, const std::string& path = "/") const;
  int pid() const { return child_ ? child_->pid() : 0; }
  /** Distinct connections nginx accepted, from its access log ($connection). */
  int acceptedConnections() const;

 private:
  std::string dir_;
  uint16_t port_ = 0;
  bool ok_ = false;
  bool tls_ = false;
  std::string error_;
  std::unique_ptr<ChildProcess> child_;
};

/** A free loopback TCP port (bound once and released). */
uint16_t freeLoopbackPort();
/** Waits until something accepts on 127.0.0.1:port. */
bool waitForPort(uint16_t port, int timeoutMs);

}  // namespace sluice::test
