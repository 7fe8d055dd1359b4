#pragma once
/** What the client sends: a method, an http:// URL, headers and a body source. */
#include <atomic>
#include <chrono>
#include <memory>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "engine/http/message.h"
#include "engine/http/url.h"
#include "engine/tls/tls_settings.h"
#include "engine/util/error.h"

namespace sluice::client {

/**
 * Where the client sends a request: an http::Url (parsed by http::parseUrl,
 * the one URL grammar) that this client can reach.
 */
struct Url : http::Url {
  /** Parses "http(s)://host[:port][/path?query]"; refuses userinfo. */
  static Result<Url> parse(std::string_view text);
  /** 443 for https, else 80. */
  uint16_t defaultPort() const { return http::defaultPort(scheme); }
  /** "scheme://host:port": one pool per distinct value (with the TLS settings' key for https). */
  std::string poolKey() const;
};

/**
 * Pulls the next piece of a streamed upload. Writes up to buf.size() bytes and
 * returns how many; 0 means the end. Called on the client's loop thread, so it
 * must not block for long. A pull source is sent with chunked framing.
 */
using PullSource = std::function<Result<size_t>(std::span<char> buf)>;

/** A request body: none, bytes in memory, a file (streamed, Content-Length), or a pull source (chunked). */
struct RequestBody {
  enum class Kind { kNone, kBytes, kFile, kPull };
  Kind kind = Kind::kNone;
  std::string bytes;
  std::string filePath;
  PullSource pull;

  static RequestBody none() { return {}; }
  static RequestBody fromBytes(std::string data);
  static RequestBody fromFile(std::string path);
  static RequestBody fromPull(PullSource source);
  /** True when the body can be sent again for a retry (none or bytes). */
  bool replayable() const { return kind == Kind::kNone || kind == Kind::kBytes; }
};

/**
 * How much of a request body went out: the connection adds what each socket write
 * carried past the head (chunk framing included for a chunked body); readers on any
 * thread sample it (a progress line, a progress bar), so no event is sent per write.
 * A retried attempt starts again from 0.
 */
struct UploadProgress {
  std::atomic<uint64_t> sent{0};   ///< body bytes written to the socket
  std::atomic<uint64_t> total{0};  ///< the body's size; 0 when unknown (chunked) or none
  std::atomic<bool> done{false};   ///< the whole request was written (or the server answered before it)
};

/** GET, HEAD, OPTIONS, TRACE, PUT and DELETE: the methods RFC 9110 §9.2.2 calls idempotent. */
bool idempotentMethod(std::string_view method);

/**
 * A request head serialized once and written again for each send of the same request
 * (`sluice-cli request --repeat`): the first connection that builds the head of a
 * request carrying one stores it here, with the framing facts derived with it; later
 * sends copy the bytes instead of merging headers and serializing again. Only requests
 * whose body is none or bytes use it (a file is re-opened and re-measured every time,
 * a pull source is never sent twice). Touched on the client's loop thread only.
 */
struct PreparedHead {
  const void* builtBy = nullptr;      ///< the client whose settings (User-Agent, Expect threshold) shaped it
  std::string head;                   ///< request line, headers, blank line
  bool chunked = false;               ///< the body goes chunked
  std::optional<uint64_t> bodySize;   ///< Content-Length, when not chunked
  bool expectContinue = false;        ///< the head says Expect: 100-continue
  bool connectionClose = false;       ///< the head says Connection: close
};

/** One HTTP/1.1 request and its per-request controls. */
struct Request {
  std::string method = "GET";
  Url url;
  http::Headers headers;  ///< Host, Content-Length / Transfer-Encoding are added when absent
  RequestBody body;
  tls::ClientSettings tls;  ///< for https: trust, identity, versions, ciphers (part of the pool key)

  /**
   * Send "Expect: 100-continue" and wait for the 100 before the body. Unset: the
   * client decides (ClientConfig::expectContinueBytes: bodies above it, and pull
   * sources, whose size is unknown).
   */
  std::optional<bool> expectContinue;
  std::chrono::milliseconds continueTimeout{1000};  ///< send the body anyway after this
  bool forceNewConnection = false;  ///< never take an idle connection (verdict: reuse disabled)
  bool noReturnToPool = false;      ///< close the connection after this exchange instead of pooling it
  bool reportChunks = false;        ///< a chunked response's chunk headers go to BodyStream::takeChunks()
  std::shared_ptr<UploadProgress> uploadProgress;  ///< when set, updated as the body is written
  /**
   * Set by a caller that sends this request several times unchanged (copies share it):
   * the head is serialized once (PreparedHead). Whoever changes the method, URL, headers,
   * body or expectContinue of a copy must reset it first.
   */
  std::shared_ptr<PreparedHead> preparedHead;
  /** 0: the client's default. Time allowed from request written to response head. */
  std::chrono::milliseconds headTimeout{0};
  /** 0: the client's default (ClientConfig::totalTimeout). The whole exchange, body included, from send(). */
  std::chrono::milliseconds totalTimeout{0};
  /** 0: the client's default (ClientConfig::connectTimeout). TCP connect of a new connection made for this request. */
  std::chrono::milliseconds connectTimeout{0};
  /** 0: the client's default (ClientConfig::bodyIdleTimeout). Longest wait for the next body byte. */
  std::chrono::milliseconds bodyIdleTimeout{0};

  /** Convenience: GET url. */
  static Result<Request> get(std::string_view url);
  /**
   * True when a failed attempt may be sent again: GET, HEAD, OPTIONS, TRACE, PUT or
   * DELETE (or any method with an Idempotency-Key header) with a replayable body.
   */
  bool replayable() const;
  /** Why replayable() is false, in words for an error message; empty when it is true. */
  std::string notReplayableReason() const;
};

/**
 * The one check of what goes on the wire, run before connecting: the method is an
 * RFC 9110 token; the host and request target hold no control character, space or
 * non-ASCII byte; header names are tokens and values hold no CR, LF, NUL or other
 * control character (HTAB allowed). Refuses with a worded error naming the part.
 */
Status checkWireSafe(const Request& r);

}  // namespace sluice::client
