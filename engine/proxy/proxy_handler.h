#pragma once
/**
 * Reverse proxy: a server whose requests are forwarded to one upstream through the
 * client engine. The upstream response body is pushed into the server response with
 * BodyStream::forward(), which releases the upstream connection implicitly at the
 * end: the reverse-proxy case of the one release path (SEMANTICS.md).
 *
 * Request bodies are read whole first (bounded by maxRequestBody, 413 beyond), so a
 * failed attempt on a reused upstream connection can be retried. Response bodies
 * stream, with backpressure both ways across the two loops.
 */
#include <memory>
#include <string>

#include "engine/client/client.h"
#include "engine/server/router.h"

namespace sluice::proxy {

using server::Exchange;
using server::RequestHandler;
using server::Router;

/** The upstream and the client that talks to it (its own loop thread). */
class ProxyUpstream {
 public:
  /** base: "http://host:port" (a path prefix is allowed). */
  static Result<std::shared_ptr<ProxyUpstream>> create(std::string base, uint64_t maxRequestBody = 8 * 1024 * 1024);
  ProxyUpstream(std::string base, uint64_t maxRequestBody);

  client::Client& client() { return client_; }
  const std::string& base() const { return base_; }
  uint64_t maxRequestBody() const { return maxRequestBody_; }
  /** Trust and identity toward an https:// upstream (default: the system store). */
  const tls::ClientSettings& tls() const { return tls_; }
  void setTls(tls::ClientSettings s) { tls_ = std::move(s); }

 private:
  std::string base_;
  uint64_t maxRequestBody_;
  tls::ClientSettings tls_;
  client::Client client_;
};

/** Sends every request to the upstream. */
void addProxyRoutes(Router& router, std::shared_ptr<ProxyUpstream> upstream);

}  // namespace sluice::proxy
