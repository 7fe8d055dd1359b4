#pragma once
/** Server configuration: every limit is here, with its default. */
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "engine/http/parser.h"
#include "engine/net/event_loop.h"
#include "engine/net/loop_clock.h"

namespace sluice::tls {
class TlsContext;
}

namespace sluice::server {

using std::chrono::milliseconds;

/** Stream: the handler reads the body as it arrives. Buffered: the whole body first (Hertz netpoll). */
enum class BodyMode { kStream, kBuffered };

/**
 * How file bodies (GET /files/) leave the process. kAuto reads and writes through a
 * buffer when the file lives on tmpfs, where that beats sendfile (docs/performance.md),
 * and uses sendfile(2) on every other file system.
 */
enum class FileSendMode { kAuto, kSendfile, kReadWrite };

struct ServerConfig {
  std::string listen = "127.0.0.1:8080";
  /** Serve HTTPS with this context (TlsContext::server); nullptr: plain HTTP. */
  std::shared_ptr<tls::TlsContext> tls;
  int workers = 1;
  BodyMode mode = BodyMode::kStream;

  size_t readBufferBytes = 64 * 1024;        ///< per-connection read buffer bound
  size_t bulkReadBytes = 1024 * 1024;        ///< read size for handlers that never pause (Exchange::setBulkReads)
  /** Content-Length bodies a handler discards (/sink) go socket -> pipe -> /dev/null by splice(2), plain TCP only. */
  bool sinkSplice = true;
  /**
   * Most response bytes one connection holds in user space. Exchange::write() returns false at
   * this mark, and as soon as the socket refuses bytes: a generator (/bytes, /sse, /echo) then
   * stops until the socket drains, so a peer that never reads costs at most this much.
   */
  size_t outputBufferBytes = 32 * 1024;
  size_t connectionWriteBudgetBytes = 1024 * 1024;  ///< bytes one connection may send per loop turn
  size_t turnWriteBudgetBytes = 4 * 1024 * 1024;    ///< bytes all of a worker's connections may send per loop turn
  /** After a burst (open connections fell to half a peak of at least trimBurstConnections), memory is
   *  handed back to the system (malloc_trim) once this long has passed; 0 turns it off. */
  milliseconds memoryTrimDelay{1'000};
  size_t trimBurstConnections = 64;
  FileSendMode fileSend = FileSendMode::kAuto;  ///< sendfile or read/write for file bodies
  size_t fileBufferBytes = 256 * 1024;       ///< read size, and buffer per file response, on the read/write path
  uint64_t maxBodyBytes = 0;                 ///< 413; 0 = no limit (buffered mode caps at 1 GiB)
  http::ParseLimits parse;                   ///< 431 head, 414 request line, 413 chunk extensions

  milliseconds headerTimeout{10'000};     ///< 408 and close when the head is not complete in time
  milliseconds bodyIdleTimeout{30'000};   ///< 408 when no body byte arrives for this long
  milliseconds keepAliveTimeout{60'000};  ///< idle keep-alive connections are closed quietly
  milliseconds writeTimeout{60'000};      ///< a peer that reads nothing for this long is dropped
  size_t maxConnections = 10'000;         ///< stop accepting at this many open connections

  uint64_t drainMaxBytes = 1024 * 1024;   ///< unread body discarded after a response, at most
  milliseconds drainMaxTime{1'000};       ///< ... and for at most this long; else close
  milliseconds lingerTime{2'000};         ///< lingering close after an error response
  milliseconds shutdownGrace{5'000};      ///< graceful stop deadline for in-flight responses

  /** How the worker loops wait (net::IoBackend): kAuto follows SLUICE_IO, else the measured default. */
  net::IoBackend io = net::IoBackend::kAuto;
  std::shared_ptr<net::LoopClock> clock;  ///< time source of the worker loops; null: the steady clock (tests inject a ManualClock)
  bool emitEvents = true;                 ///< request and connection events into the event buffer
  size_t eventCapacity = 65536;           ///< events buffered for the observer; beyond, they are dropped and counted
  std::string serverName = "sluice";
};

/** A one-line description of how the server is set up, for logs. */
std::string describe(const ServerConfig& c);

/**
 * The backend the worker loops ask for. kAuto follows SLUICE_IO when set; otherwise a TLS
 * server gets epoll (OpenSSL reads and writes its sockets itself, so io_uring could only
 * emulate readiness for them, which measured ~5 % slower: docs/performance.md) and a plain
 * one the measured default (net::resolveIoBackend).
 */
net::IoBackend loopBackend(const ServerConfig& c);

}  // namespace sluice::server
