// sluice-cli serve: the local stream server in the foreground.
#include <signal.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "app/cli/commands.h"
#include "app/cli/tls_flags.h"
#include "engine/client/request.h"
#include "engine/observe/event_buffer.h"
#include "engine/site/site_options.h"
#include "engine/wiring/default_router.h"
#include "engine/server/server.h"
#include "engine/util/units.h"

namespace sluice::cli {

namespace {

using server::ServerConfig;
using site::RouteOptions;

const char* kServeHelp =
    "usage: sluice-cli serve [options]\n\n"
    "Runs the local stream server: upload (PUT/POST/PATCH /upload), files (/files/),\n"
    "and the test endpoints /sink /echo /bytes/<n> /status/<code> /delay/<ms> /drip /fault/...\n\n"
    "options (defaults in brackets):\n"
    "  --listen HOST:PORT        address to bind [127.0.0.1:8080]; port 0 picks a free one\n"
    "  --workers N               event-loop threads [1]\n"
    "  --io auto|epoll|uring     how the loops wait: io_uring falls back to epoll where the kernel\n"
    "                            refuses it; auto follows SLUICE_IO, else the measured default [auto]\n"
    "  --mode stream|buffered    stream bodies to handlers, or read them whole first [stream]\n"
    "  --dir DIR                 upload and download folder, created if missing [./sluice-uploads]\n"
    "  --max-body SIZE           largest request body, 413 beyond (K, M, G suffixes) [unlimited]\n"
    "  --max-header SIZE         largest request head, 431 beyond [16K]\n"
    "  --max-request-line SIZE   longest request line, 414 beyond [8K]\n"
    "  --max-headers N           most header fields, 431 beyond [100]\n"
    "  --max-chunk-ext SIZE      largest chunk extension, 413 beyond [16K]\n"
    "  --max-chunk-ext-total SIZE  chunk-extension bytes in one body, all chunks together, 413 beyond [64K]\n"
    "  --read-buffer SIZE        per-connection read buffer [64K]\n"
    "  --bulk-read SIZE          read size for bodies that go straight to a sink or a file [1M]\n"
    "  --sink-splice on|off      /sink Content-Length bodies over plain TCP go socket -> pipe ->\n"
    "                            /dev/null by splice(2), never copied into the process [on]\n"
    "  --file-send auto|sendfile|readwrite\n"
    "                            how /files/ bodies are sent: auto reads and writes through a buffer\n"
    "                            on tmpfs (faster there) and uses sendfile elsewhere [auto]\n"
    "  --file-buffer SIZE        buffer per download on the read/write path, at least 4K [256K]\n"
    "  --header-timeout DUR      time to receive a request head, 408 after (ms, s) [10s]\n"
    "  --body-timeout DUR        longest pause between body bytes, 408 after [30s]\n"
    "  --keepalive-timeout DUR   idle keep-alive connections are closed after [60s]\n"
    "  --write-timeout DUR       a peer that reads nothing this long is dropped [60s]\n"
    "  --output-buffer SIZE      response bytes one connection may hold in memory; generators wait\n"
    "                            while the socket is full (at least 4K) [32K]\n"
    "  --conn-write-budget SIZE  bytes one connection may send per event-loop turn (16K+) [1M]\n"
    "  --turn-write-budget SIZE  bytes all connections of a worker may send per turn (16K+) [4M]\n"
    "  --memory-trim DUR         after a burst of connections, return freed memory (malloc_trim)\n"
    "                            this long after it fell by half; 0 turns it off [1s]\n"
    "  --max-connections N       stop accepting at this many open connections [10000]\n"
    "  --drain-max SIZE          unread body drained after a response, at most [1M]\n"
    "  --drain-time DUR          ... and for at most [1s]; past either bound the connection closes\n"
    "  --shutdown-grace DUR      on SIGINT/SIGTERM, time for in-flight responses [5s]\n"
    "  --token T                 require 'Authorization: Bearer T' for uploads\n"
    "  --token-all               ... and for downloads too\n"
    "  --allow-host HOST         accept this Host header too (repeatable)\n"
    "  --cors ORIGIN             send CORS headers for ORIGIN [none]\n"
    "  --allow-open-redirect     let /redirect-to send clients to other origins (off: own origin only)\n"
    "  --proxy URL               reverse proxy: forward every request to URL (http:// or https://HOST:PORT)\n"
    "  --proxy-cacert FILE       trust these CAs for an https:// upstream [system store]\n"
    "  --proxy-insecure          do not verify an https:// upstream's certificate\n"
    "                            through the client engine and its pool [off]\n"
    "  --tls                     serve HTTPS; without --cert, a self-signed ECDSA P-256 certificate for\n"
    "                            localhost, 127.0.0.1 and ::1, made once in $XDG_DATA_HOME/sluice\n"
    "  --cert FILE --key FILE    the certificate chain and key for --tls (PEM)\n"
    "  --quiet                   no access log on stderr\n"
    "  -h, --help                this help\n\n"
    "The first line on stdout is 'listening on http://HOST:PORT' (https with --tls; the next line then gives\n"
    "the certificate's SHA-256 fingerprint and PEM path). SIGINT or SIGTERM stops gracefully.\n";

struct ServeArgs {
  ServerConfig config;
  RouteOptions routes;
  bool quiet = false;
  ServeTls tls;
};

bool setSize(const char* v, uint64_t& out, const char* flag) {
  auto r = parseSize(v);
  if (!r) {
    std::fprintf(stderr, "sluice-cli serve: %s: %s\n", flag, r.error().message.c_str());
    return false;
  }
  out = *r;
  return true;
}

bool setDuration(const char* v, std::chrono::milliseconds& out, const char* flag) {
  auto r = parseDuration(v);
  if (!r) {
    std::fprintf(stderr, "sluice-cli serve: %s: %s\n", flag, r.error().message.c_str());
    return false;
  }
  out = *r;
  return true;
}

// Returns 0 to run, 1 to exit successfully (help), 2 on a usage error.
enum class ValueFlag { kOk, kBad, kUnknown };

/** One option that takes a value: flag is its name, v its value. */
ValueFlag applyValueFlag(ServeArgs& a, std::string_view f, const char* v, const char* flag) {
  ServerConfig& c = a.config;
  uint64_t n = 0;
  bool ok = true;
  if (f == "--listen") c.listen = v;
  else if (f == "--workers") { ok = parseUint(v, n) && n >= 1 && n <= 256; c.workers = static_cast<int>(n); }
  else if (f == "--io") {
    auto io = net::parseIoBackend(v);
    ok = io.has_value();
    c.io = io.value_or(net::IoBackend::kAuto);
  }
  else if (f == "--mode") {
    std::string_view m = v;
    ok = m == "stream" || m == "buffered";
    c.mode = m == "buffered" ? server::BodyMode::kBuffered : server::BodyMode::kStream;
  }
  else if (f == "--file-send") {
    std::string_view m = v;
    ok = m == "auto" || m == "sendfile" || m == "readwrite";
    c.fileSend = m == "sendfile" ? server::FileSendMode::kSendfile : m == "readwrite" ? server::FileSendMode::kReadWrite : server::FileSendMode::kAuto;
  }
  else if (f == "--file-buffer") { ok = setSize(v, n, flag) && n >= 4096; c.fileBufferBytes = n; }
  else if (f == "--dir") a.routes.uploadDir = v;
  else if (f == "--max-body") ok = setSize(v, c.maxBodyBytes, flag);
  else if (f == "--max-header") { ok = setSize(v, n, flag); c.parse.maxHeadBytes = n; }
  else if (f == "--max-request-line") { ok = setSize(v, n, flag); c.parse.maxStartLine = n; }
  else if (f == "--max-headers") { ok = parseUint(v, n) && n > 0; c.parse.maxHeaderCount = n; }
  else if (f == "--max-chunk-ext") { ok = setSize(v, n, flag); c.parse.maxChunkExtension = n; }
  else if (f == "--max-chunk-ext-total") { ok = setSize(v, n, flag); c.parse.maxChunkExtensionsPerMessage = n; }
  else if (f == "--read-buffer") { ok = setSize(v, n, flag); c.readBufferBytes = n; }
  else if (f == "--bulk-read") { ok = setSize(v, n, flag) && n >= 4096; c.bulkReadBytes = n; }
  else if (f == "--sink-splice") {
    ok = v == std::string_view("on") || v == std::string_view("off");
    c.sinkSplice = v != std::string_view("off");
  }
  else if (f == "--header-timeout") ok = setDuration(v, c.headerTimeout, flag);
  else if (f == "--body-timeout") ok = setDuration(v, c.bodyIdleTimeout, flag);
  else if (f == "--keepalive-timeout") ok = setDuration(v, c.keepAliveTimeout, flag);
  else if (f == "--write-timeout") ok = setDuration(v, c.writeTimeout, flag);
  else if (f == "--output-buffer") { ok = setSize(v, n, flag) && n >= 4096; c.outputBufferBytes = n; }
  else if (f == "--conn-write-budget") { ok = setSize(v, n, flag) && n >= 16384; c.connectionWriteBudgetBytes = n; }
  else if (f == "--turn-write-budget") { ok = setSize(v, n, flag) && n >= 16384; c.turnWriteBudgetBytes = n; }
  else if (f == "--memory-trim") ok = setDuration(v, c.memoryTrimDelay, flag);
  else if (f == "--max-connections") { ok = parseUint(v, n) && n > 0; c.maxConnections = n; }
  else if (f == "--drain-max") ok = setSize(v, c.drainMaxBytes, flag);
  else if (f == "--drain-time") ok = setDuration(v, c.drainMaxTime, flag);
  else if (f == "--shutdown-grace") ok = setDuration(v, c.shutdownGrace, flag);
  else if (f == "--token") a.routes.token = v;
  else if (f == "--allow-host") a.routes.allowHosts.push_back(v);
  else if (f == "--cors") a.routes.corsOrigin = v;
  else if (f == "--proxy") a.routes.proxyUpstream = v;
  else if (f == "--cert") a.tls.certFile = v;
  else if (f == "--proxy-cacert") a.routes.proxyTls.caFile = v;
  else if (f == "--key") a.tls.keyFile = v;
  else return ValueFlag::kUnknown;
  return ok ? ValueFlag::kOk : ValueFlag::kBad;
}

int parseArgs(int argc, char** argv, ServeArgs& a) {
  for (int i = 0; i < argc; ++i) {
    std::string_view f = argv[i];
    if (f == "-h" || f == "--help") {
      std::fputs(kServeHelp, stdout);
      return 1;
    }
    if (f == "--token-all") { a.routes.tokenAll = true; continue; }
    if (f == "--allow-open-redirect") { a.routes.allowOpenRedirect = true; continue; }
    if (f == "--quiet") { a.quiet = true; continue; }
    if (f == "--tls") { a.tls.enabled = true; continue; }
    if (f == "--proxy-insecure") { a.routes.proxyTls.verify = false; continue; }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "sluice-cli serve: unknown option or missing value: %s\n(see --help)\n", argv[i]);
      return 2;
    }
    const char* v = argv[++i];
    ValueFlag r = applyValueFlag(a, f, v, argv[i - 1]);
    if (r == ValueFlag::kUnknown) {
      std::fprintf(stderr, "sluice-cli serve: unknown option %s (see --help)\n", argv[i - 1]);
      return 2;
    }
    if (r == ValueFlag::kBad) {
      std::fprintf(stderr, "sluice-cli serve: bad value '%s' for %s (see --help)\n", v, argv[i - 1]);
      return 2;
    }
  }
  a.routes.maxBodyBytes = a.config.maxBodyBytes;
  return 0;
}

void printAccessLog(const std::vector<observe::Event>& events) {
  for (const auto& ev : events) {
    if (ev.kind == observe::EventKind::kRequestFinished) {
      // A response cut off before it all left says so, with the bytes that did leave (head included).
      const bool aborted = ev.outcome == observe::RequestOutcome::kAborted;
      std::fprintf(stderr, "%s \"%s\" %d in=%llu %s=%llu %.3fms conn=%llu%s%s\n", ev.detail.c_str(), ev.text.c_str(), ev.code,
                   static_cast<unsigned long long>(ev.bytesIn), aborted ? "sent" : "out", static_cast<unsigned long long>(ev.bytesOut),
                   static_cast<double>(ev.durationUs) / 1000.0, static_cast<unsigned long long>(ev.connectionId),
                   aborted ? " aborted: " : "", aborted ? ev.reason.c_str() : "");
    } else if (ev.kind == observe::EventKind::kConnectionClosed && ev.text.starts_with("TLS handshake")) {
      std::fprintf(stderr, "%s tls: %s (conn=%llu)\n", ev.detail.c_str(), ev.text.c_str(), static_cast<unsigned long long>(ev.connectionId));
    } else if (ev.kind == observe::EventKind::kServerNotice) {
      std::fprintf(stderr, "%s notice: %s%s%s\n", ev.detail.empty() ? "-" : ev.detail.c_str(),
                   ev.code ? std::to_string(ev.code).c_str() : "", ev.code ? " " : "", ev.text.c_str());
    }
  }
}

/** Checks what can be checked before serving: the upload folder, the listen address, the proxy, TLS. */
int prepareServe(ServeArgs& args, std::string& tlsLine) {
  std::error_code ec;
  std::filesystem::create_directories(args.routes.uploadDir, ec);
  if (ec) {
    std::fprintf(stderr, "sluice-cli serve: cannot create upload folder %s: %s\n", args.routes.uploadDir.c_str(), ec.message().c_str());
    return 1;
  }
  auto addr = server::parseListenAddress(args.config.listen);
  if (!addr) {
    std::fprintf(stderr, "sluice-cli serve: %s\n", addr.error().message.c_str());
    return 2;
  }
  args.routes.boundHost = addr->host();
  if (!args.routes.proxyUpstream.empty()) {
    if (auto probe = client::Request::get(args.routes.proxyUpstream + "/"); !probe) {
      std::fprintf(stderr, "sluice-cli serve: --proxy: %s\n", probe.error().message.c_str());
      return 2;
    }
  }
  args.config.emitEvents = !args.quiet;

  if (args.tls.enabled || !args.tls.certFile.empty()) {
    auto t = setupServeTls(args.tls);
    if (!t) {
      std::fprintf(stderr, "sluice-cli serve: %s\n", t.error().message.c_str());
      return 2;
    }
    args.config.tls = t->context;
    tlsLine = t->line;
  }
  return 0;
}

/** Prints the access log until SIGINT or SIGTERM, then stops the server gracefully. */
void serveUntilStopped(server::Server& srv, const ServeArgs& args, sigset_t& stopSignals) {
  std::vector<observe::Event> batch;
  timespec tick{0, 100 * 1000 * 1000};
  int sig = 0;
  while (true) {
    sig = sigtimedwait(&stopSignals, nullptr, &tick);
    if (!args.quiet) {
      batch.clear();
      srv.events().drain(batch);
      printAccessLog(batch);
    }
    if (sig == SIGINT || sig == SIGTERM) break;
  }
  std::fprintf(stderr, "sluice-cli serve: %s, stopping (grace %lld ms)\n", strsignal(sig),
               static_cast<long long>(args.config.shutdownGrace.count()));
  srv.stop();
  batch.clear();
  srv.events().drain(batch);
  if (!args.quiet) printAccessLog(batch);
  auto s = srv.stats().snapshot();
  std::fprintf(stderr, "sluice-cli serve: stopped after %llu connections, %llu requests, %s in, %s out\n",
               static_cast<unsigned long long>(s.connectionsAccepted), static_cast<unsigned long long>(s.requests),
               formatBytes(s.bytesIn).c_str(), formatBytes(s.bytesOut).c_str());
  if (s.fileBytesSendfile || s.fileBytesReadWrite)
    std::fprintf(stderr, "sluice-cli serve: file bodies: %llu bytes by sendfile, %llu bytes by read/write\n",
                 static_cast<unsigned long long>(s.fileBytesSendfile), static_cast<unsigned long long>(s.fileBytesReadWrite));
}

}  // namespace

int runServe(int argc, char** argv) {
  ServeArgs args;
  if (int rc = parseArgs(argc, argv, args); rc != 0) return rc == 1 ? 0 : rc;

  std::string tlsLine;
  if (int rc = prepareServe(args, tlsLine); rc != 0) return rc;
  // Block the stop signals before any thread starts, so only sigtimedwait sees them.
  sigset_t stopSignals;
  sigemptyset(&stopSignals);
  sigaddset(&stopSignals, SIGINT);
  sigaddset(&stopSignals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);

  auto router = wiring::makeDefaultRouter(args.routes);
  server::Server srv(args.config, router);
  if (auto st = srv.start(); !st) {
    std::fprintf(stderr, "sluice-cli serve: %s\n", st.error().message.c_str());
    return 1;
  }
  args.routes.boundPort = srv.port();
  std::printf("listening on %s\n", srv.url().c_str());
  if (!tlsLine.empty()) std::printf("%s\n", tlsLine.c_str());
  std::fflush(stdout);
  if (!srv.address().isLoopback())
    std::fprintf(stderr, "sluice-cli serve: WARNING: listening on %s, reachable from other machines. "
                         "Use --token to protect uploads.\n", srv.address().toString().c_str());
  std::fprintf(stderr, "sluice-cli serve: %s io=%s dir=%s\n", server::describe(args.config).c_str(),
               std::string(net::ioBackendName(srv.ioBackend())).c_str(), args.routes.uploadDir.c_str());
  if (!srv.ioNote().empty()) std::fprintf(stderr, "sluice-cli serve: %s\n", srv.ioNote().c_str());

  serveUntilStopped(srv, args, stopSignals);
  return 0;
}

}  // namespace sluice::cli
