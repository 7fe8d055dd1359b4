// sluice-cli request: the streaming client and its pool from the command line (flags follow curl).
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "app/cli/body_output.h"
#include "app/cli/commands.h"
#include "app/cli/tls_flags.h"
#include "engine/client/client.h"
#include "engine/util/units.h"

namespace sluice::cli {
namespace {

using namespace sluice::client;

enum class ReleaseMode { kLate, kNow, kReset, kDouble, kLeak };

struct Options {
  std::string method;
  http::Headers headers;
  std::optional<RequestBody> body;
  std::string output;  ///< -o; empty: stdout
  int repeat = 1;
  int concurrency = 1;
  ReleaseMode release = ReleaseMode::kLate;
  ClientConfig config;
  bool noReuse = false;
  bool json = false;
  bool verbose = false;
  bool silent = false;
  StreamFlags stream;  ///< --compressed, --events, --lines (body_output.h)
  std::vector<std::string> urls;
  tls::ClientSettings tls;
};

void usage(FILE* out) {
  std::fprintf(out,
               "usage: sluice-cli request [options] URL...\n\n"
               "  -X, --request M           method (default GET, POST with -d, PUT with -T)\n"
               "  -H, --header 'K: V'       add a header (repeatable)\n"
               "  -d, --data DATA           send DATA (form content type, like curl)\n"
               "      --data-binary @FILE   send FILE's bytes (or the literal text)\n"
               "  -T, --upload-file FILE    stream FILE with Content-Length (PUT)\n"
               "  -o, --output FILE         write bodies to FILE instead of stdout\n"
               "      --repeat N            send each URL N times\n"
               "      --concurrency C       C requests at a time (bodies are discarded when C > 1)\n"
               "      --release MODE        late (read, then release; default), now (release at the head),\n"
               "                            reset, double (release twice), leak (never release)\n"
               "      --max-conns N         maxConnsPerHost\n"
               "      --conn-wait MS        how long a request waits for a free connection\n"
               "      --idle-timeout MS     idle connection timeout\n"
               "      --no-reuse            a new connection for every request\n"
               "      --json                one JSON line per request and a summary line\n"
               "  -v, --verbose             one line per request: status, bytes, timings, reuse verdict\n"
               "  -s, --silent              no progress bar and no status lines (errors still show)\n");
  std::fputs(tlsUsage(), out);
  std::fputs(streamFlagsHelp(), out);
}

Result<RequestBody> bodyFromData(std::string_view arg, bool binary) {
  if (binary && !arg.empty() && arg.front() == '@') {
    std::ifstream in(std::string(arg.substr(1)), std::ios::binary);
    if (!in) return fail(ErrorCode::kNotFound, "cannot read '" + std::string(arg.substr(1)) + "'");
    std::ostringstream ss;
    ss << in.rdbuf();
    return RequestBody::fromBytes(ss.str());
  }
  return RequestBody::fromBytes(std::string(arg));
}

Result<uint64_t> numberArg(std::string_view flag, const char* value) {
  uint64_t n = 0;
  if (!value || !parseUint(value, n)) return fail(ErrorCode::kInvalidArgument, std::string(flag) + " needs a number");
  return n;
}

// Returns 0 to go on, or an exit code.
int parseOne(Options& o, int argc, char** argv, int& i) {
  std::string_view a = argv[i];
  auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
  auto need = [&](const char* v) {
    if (!v) std::fprintf(stderr, "sluice-cli request: %.*s needs a value\n", static_cast<int>(a.size()), a.data());
    return v != nullptr;
  };
  auto num = [&](uint64_t& out) {
    auto n = numberArg(a, value());
    if (!n) std::fprintf(stderr, "sluice-cli request: %s\n", n.error().message.c_str());
    else out = *n;
    return n.has_value();
  };
  uint64_t n = 0;
  if (a == "-h" || a == "--help") return usage(stdout), -1;
  if (auto t = parseTlsFlag(o.tls, argc, argv, i); t != FlagResult::kNotMine) return t == FlagResult::kBad ? 2 : 0;
  if (a == "--tls-timeout") { if (!num(n)) return 2; o.config.tlsHandshakeTimeout = std::chrono::milliseconds(n); return 0; }
  if (a == "-X" || a == "--request") { const char* v = value(); if (!need(v)) return 2; o.method = v; }
  else if (a == "-H" || a == "--header") {
    const char* v = value();
    if (!need(v)) return 2;
    std::string_view h = v;
    auto colon = h.find(':');
    if (colon == std::string_view::npos) return std::fprintf(stderr, "sluice-cli request: header '%s' has no ':'\n", v), 2;
    o.headers.add(std::string(h.substr(0, colon)), std::string(http::trimOws(h.substr(colon + 1))));
  } else if (a == "-d" || a == "--data" || a == "--data-binary") {
    const char* v = value();
    if (!need(v)) return 2;
    auto b = bodyFromData(v, a == "--data-binary");
    if (!b) return std::fprintf(stderr, "sluice-cli request: %s\n", b.error().message.c_str()), 2;
    o.body = std::move(*b);
    if (a != "--data-binary" && !o.headers.has("Content-Type")) o.headers.add("Content-Type", "application/x-www-form-urlencoded");
  } else if (a == "-T" || a == "--upload-file") { const char* v = value(); if (!need(v)) return 2; o.body = RequestBody::fromFile(v); }
  else if (a == "-o" || a == "--output") { const char* v = value(); if (!need(v)) return 2; o.output = v; }
  else if (a == "--repeat") { if (!num(n)) return 2; o.repeat = static_cast<int>(std::max<uint64_t>(n, 1)); }
  else if (a == "--concurrency") { if (!num(n)) return 2; o.concurrency = static_cast<int>(std::max<uint64_t>(n, 1)); }
  else if (a == "--max-conns") { if (!num(n)) return 2; o.config.pool.maxConnsPerHost = std::max<uint64_t>(n, 1); }
  else if (a == "--conn-wait") { if (!num(n)) return 2; o.config.pool.connWaitTimeout = std::chrono::milliseconds(n); }
  else if (a == "--idle-timeout") { if (!num(n)) return 2; o.config.pool.idleTimeout = std::chrono::milliseconds(n); }
  else if (a == "--release") {
    const char* v = value();
    if (!need(v)) return 2;
    static const std::map<std::string_view, ReleaseMode> kModes{{"late", ReleaseMode::kLate}, {"now", ReleaseMode::kNow},
        {"reset", ReleaseMode::kReset}, {"double", ReleaseMode::kDouble}, {"leak", ReleaseMode::kLeak}};
    auto it = kModes.find(v);
    if (it == kModes.end()) return std::fprintf(stderr, "sluice-cli request: --release takes now, late, reset, double or leak\n"), 2;
    o.release = it->second;
  } else if (a == "--no-reuse") o.noReuse = true;
  else if (a == "--json") o.json = true;
  else if (a == "-v" || a == "--verbose") o.verbose = true;
  else if (a == "-s" || a == "--silent") o.silent = true;
  else if (int r = parseStreamFlag(o.stream, a, value); r != kNotStreamFlag) { if (r) return r; }
  else if (!a.empty() && a.front() == '-') return std::fprintf(stderr, "sluice-cli request: unknown option '%s'\n", argv[i]), 2;
  else o.urls.emplace_back(a);
  return 0;
}

std::string jsonEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\', out += c;
    else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else out += c;
  }
  return out;
}

/** Shared state of one run: output, counters, leaked streams. */
struct Run {
  const Options& opt;
  Client& client;
  int outFd = 1;
  std::mutex mutex;
  std::vector<BodyStream> leaked;
  std::atomic<uint64_t> failures{0};
  std::atomic<uint64_t> bodyBytes{0};
  bool progress = false;
};

void report(Run& run, const std::string& url, const Response* r, uint64_t bytes, const Timings& t, const Error* err) {
  if (!run.opt.json && !run.opt.verbose) {
    if (err) std::fprintf(stderr, "sluice-cli request: %s: %s\n", url.c_str(), err->message.c_str());
    return;
  }
  char line[8192];
  if (run.opt.json) {
    std::snprintf(line, sizeof line,
                  "{\"request\":%llu,\"url\":\"%s\",\"status\":%d,\"bytes\":%llu,\"connection\":%llu,\"reused\":%s,"
                  "\"verdict\":\"%s\",\"timings_us\":{\"dns\":%llu,\"connect\":%llu,\"tls_handshake\":%llu,\"written\":%llu,\"first_byte\":%llu,"
                  "\"complete\":%llu},\"tls_handshake_ms\":%.3f,\"error\":%s}\n",
                  (unsigned long long)(r ? r->requestId : 0), jsonEscape(url).c_str(), r ? r->status : 0, (unsigned long long)bytes,
                  (unsigned long long)(r ? r->connectionId : 0), r && r->verdict.reused ? "true" : "false",
                  r ? jsonEscape(r->verdict.text()).c_str() : "", (unsigned long long)t.dnsUs, (unsigned long long)t.connectUs,
                  (unsigned long long)t.tlsUs,
                  (unsigned long long)t.writtenUs, (unsigned long long)t.firstByteUs, (unsigned long long)t.completeUs,
                  t.tlsUs ? static_cast<double>(t.tlsUs - t.connectUs) / 1000.0 : 0.0,
                  err ? ("\"" + jsonEscape(err->message) + "\"").c_str() : "null");
  } else {
    std::string tlsPhase = t.tlsUs ? "  tls_handshake " + msText(t.tlsUs - t.connectUs) : std::string();
    std::snprintf(line, sizeof line, "* %s %d %llu bytes %s first byte %.3f ms  complete %.3f ms  %s%s%s\n%s", url.c_str(),
                  r ? r->status : 0, (unsigned long long)bytes, tlsPhase.c_str(), t.firstByteUs / 1000.0, t.completeUs / 1000.0,
                  r ? r->verdict.text().c_str() : "", err ? "  error: " : "", err ? err->message.c_str() : "",
                  r ? tlsVerboseLines(*r).c_str() : "");
  }
  std::lock_guard lock(run.mutex);
  std::fputs(line, run.opt.json ? stdout : stderr);
}

void writeBody(Run& run, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(run.outFd, data.data(), data.size());
    if (n <= 0) return;
    data.remove_prefix(static_cast<size_t>(n));
  }
}

void showProgress(uint64_t bytes, std::optional<uint64_t> total, std::chrono::steady_clock::time_point start) {
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double rate = s > 0 ? static_cast<double>(bytes) / s : 0;
  std::string line = "\r  " + formatBytes(bytes);
  if (total && *total > 0) line += " / " + formatBytes(*total) + " (" + std::to_string(bytes * 100 / *total) + "%)";
  line += "  " + formatBytes(static_cast<uint64_t>(rate)) + "/s   ";
  std::fputs(line.c_str(), stderr);
}

// Reads the body according to the release mode; returns the bytes read.
Result<uint64_t> consumeBody(Run& run, Exchange& ex, bool print) {
  uint64_t bytes = 0;
  auto start = std::chrono::steady_clock::now();
  auto lastShown = start;
  std::optional<BodyOutput> view;  // decoding and the event / record views
  if (print && run.opt.stream.any())
    view.emplace(run.opt.stream, ex.response, start - std::chrono::microseconds(ex.response.timings.firstByteUs),
                 [&run](std::string_view d) { writeBody(run, d); });
  for (;;) {
    auto chunk = ex.body.next(std::chrono::milliseconds(60000));
    if (!chunk) return std::unexpected(chunk.error());
    if (chunk->empty()) break;
    bytes += chunk->size();
    if (view) {
      if (auto st = view->feed(chunk->data()); !st) return std::unexpected(st.error());
    } else if (print) writeBody(run, chunk->data());
    if (run.progress && print) {
      auto now = std::chrono::steady_clock::now();
      if (now - lastShown > std::chrono::milliseconds(200)) showProgress(bytes, ex.body.contentLength(), start), lastShown = now;
    }
  }
  if (run.progress && print) showProgress(bytes, ex.body.contentLength(), start), std::fputs("\n", stderr);
  if (view) {
    if (auto st = view->finish(); !st) return std::unexpected(st.error());
  }
  return bytes;
}

Result<Request> buildRequest(const Options& o, const std::string& url) {
  auto req = Request::get(url);
  if (!req) return req;
  req->headers = o.headers;
  if (o.body) req->body = *o.body;
  req->method = !o.method.empty() ? o.method : !o.body ? "GET" : o.body->kind == RequestBody::Kind::kFile ? "PUT" : "POST";
  if (o.body && o.body->kind == RequestBody::Kind::kFile && req->url.target.back() == '/') {
    std::string name = o.body->filePath.substr(o.body->filePath.rfind('/') + 1);
    req->url.target += name;  // like curl -T FILE http://host/dir/
  }
  req->forceNewConnection = o.noReuse;
  req->tls = o.tls;
  applyStreamFlags(o.stream, *req);
  return req;
}

void printStatusLine(Run& run, const Response& r) {
  if (run.opt.json || run.opt.silent) return;
  std::lock_guard lock(run.mutex);
  std::fprintf(stderr, "HTTP/1.%d %d %s\n", r.versionMinor, r.status, r.reason.c_str());
}

/**
 * Sequential requests driven from the client's own loop: each response's end sends
 * the next request, so no request pays for two thread hand-offs (fetch() and the
 * blocking body reads do). Used for one-at-a-time runs without a progress bar.
 */
class LoopChain {
 public:
  LoopChain(Run& run, const std::vector<std::string>& jobs) : run_(run), jobs_(jobs) {}
  void runAll() {
    auto finished = done_.get_future();
    sendNext();
    finished.wait();
    // A round trip through the loop: the last end callback has returned before the
    // stream it belongs to is dropped here.
    (void)run_.client.snapshot();
    current_.reset();
  }

 private:
  void sendNext() {
    while (next_ < jobs_.size()) {
      const std::string& url = jobs_[next_++];
      auto req = buildRequest(run_.opt, url);
      if (!req) {
        run_.failures++;
        report(run_, url, nullptr, 0, {}, &req.error());
        continue;
      }
      run_.client.send(std::move(*req), [this, &url](Result<Exchange> ex) { onHead(url, std::move(ex)); });
      return;
    }
    done_.set_value();
  }
  void onHead(const std::string& url, Result<Exchange> ex) {
    if (!ex) {
      run_.failures++;
      report(run_, url, nullptr, 0, {}, &ex.error());
      return sendNext();
    }
    printStatusLine(run_, ex->response);
    // The previous exchange is dropped here, outside its own callbacks.
    current_ = std::make_unique<Exchange>(std::move(*ex));
    bytes_ = 0;
    const bool print = !run_.opt.json;
    current_->body.setCallbacks(
        [this, print](std::string_view data) {
          bytes_ += data.size();
          if (print) writeBody(run_, data);
          return BodyStream::Action::kContinue;
        },
        [this, &url](Status st) { onEnd(url, st); });
  }
  void onEnd(const std::string& url, Status st) {
    BodyStream& body = current_->body;
    if (run_.opt.release == ReleaseMode::kReset) body.reset();
    else body.release();
    if (run_.opt.release == ReleaseMode::kDouble) body.release();
    run_.bodyBytes += bytes_;
    if (!st) run_.failures++;
    report(run_, url, &current_->response, bytes_, body.timings(), st ? nullptr : &st.error());
    sendNext();
  }

  Run& run_;
  const std::vector<std::string>& jobs_;
  size_t next_ = 0;
  uint64_t bytes_ = 0;
  std::unique_ptr<Exchange> current_;
  std::promise<void> done_;
};

void oneRequest(Run& run, const std::string& url) {
  const Options& o = run.opt;
  auto req = buildRequest(o, url);
  if (!req) {
    run.failures++;
    return report(run, url, nullptr, 0, {}, &req.error());
  }
  auto ex = fetchWithFlags(o.stream, run.client, std::move(*req), o.json || o.silent);
  if (!ex) {
    run.failures++;
    return report(run, url, nullptr, 0, {}, &ex.error());
  }
  bool print = o.concurrency == 1 && !o.json && o.release != ReleaseMode::kNow;
  printStatusLine(run, ex->response);
  Result<uint64_t> bytes = uint64_t{0};
  if (o.release == ReleaseMode::kNow) ex->body.release();
  else bytes = consumeBody(run, *ex, print);
  if (bytes) run.bodyBytes += *bytes;
  else run.failures++;
  switch (o.release) {
    case ReleaseMode::kReset: ex->body.reset(); break;
    case ReleaseMode::kDouble: ex->body.release(); ex->body.release(); break;
    case ReleaseMode::kLeak: { std::lock_guard lock(run.mutex); run.leaked.push_back(std::move(ex->body)); break; }
    default: ex->body.release(); break;
  }
  Timings t = o.release == ReleaseMode::kLeak ? ex->response.timings : ex->body.timings();
  report(run, url, &ex->response, bytes ? *bytes : 0, t, bytes ? nullptr : &bytes.error());
}

void printSummary(Run& run, double seconds) {
  ClientStats s = run.client.stats();
  auto snap = run.client.snapshot();
  double reuse = s.requests ? static_cast<double>(s.reused) / static_cast<double>(s.requests) : 0;
  std::string closes;
  for (size_t i = 0; i < s.closes.size(); ++i)
    if (s.closes[i]) {
      closes += closes.empty() ? "" : ", ";
      closes += std::string(closeReasonName(static_cast<CloseReason>(i))) + " " + std::to_string(s.closes[i]);
    }
  if (run.opt.json) {
    std::printf("{\"summary\":{\"requests\":%llu,\"failures\":%llu,\"connections_opened\":%llu,\"reused\":%llu,\"reuse_ratio\":%.3f,"
                "\"retries\":%llu,\"double_releases\":%llu,\"leaks\":%llu,\"body_bytes\":%llu,\"seconds\":%.3f,\"open_fds\":%llu,"
                "\"closes\":\"%s\"}}\n",
                (unsigned long long)s.requests, (unsigned long long)run.failures.load(), (unsigned long long)s.connectionsOpened,
                (unsigned long long)s.reused, reuse, (unsigned long long)s.retries, (unsigned long long)s.doubleReleases,
                (unsigned long long)s.leaks, (unsigned long long)run.bodyBytes.load(), seconds, (unsigned long long)snap.openFds,
                jsonEscape(closes).c_str());
    return;
  }
  std::fprintf(stderr,
               "-- %llu requests (%llu failed) in %.3f s, %s body; %llu connections opened, reuse %.1f%%, %llu retried\n"
               "-- closes: %s; double releases %llu, leaks %llu, open fds %llu\n",
               (unsigned long long)s.requests, (unsigned long long)run.failures.load(), seconds, formatBytes(run.bodyBytes).c_str(),
               (unsigned long long)s.connectionsOpened, reuse * 100, (unsigned long long)s.retries, closes.empty() ? "none" : closes.c_str(),
               (unsigned long long)s.doubleReleases, (unsigned long long)s.leaks, (unsigned long long)snap.openFds);
}

}  // namespace

int runRequest(int argc, char** argv) {
  Options o;
  o.config.heldTooLong = std::chrono::milliseconds(0);
  for (int i = 0; i < argc; ++i)
    if (int rc = parseOne(o, argc, argv, i); rc != 0) return rc < 0 ? 0 : rc;
  if (o.urls.empty()) return usage(stderr), 2;
  Client client(o.config);
  Run run{o, client};
  if (!o.output.empty()) {
    run.outFd = ::open(o.output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (run.outFd < 0) return std::fprintf(stderr, "sluice-cli request: cannot write '%s': %s\n", o.output.c_str(), std::strerror(errno)), 1;
  }
  run.progress = !o.silent && !o.json && ::isatty(2) && o.concurrency == 1;
  std::vector<std::string> jobs;
  for (const auto& u : o.urls)
    for (int k = 0; k < o.repeat; ++k) jobs.push_back(u);
  std::atomic<size_t> next{0};
  auto start = std::chrono::steady_clock::now();
  const bool chained = o.concurrency == 1 && !run.progress && !o.stream.any() &&
                       (o.release == ReleaseMode::kLate || o.release == ReleaseMode::kReset || o.release == ReleaseMode::kDouble);
  if (chained) {
    LoopChain(run, jobs).runAll();
  } else {
    std::vector<std::thread> workers;
    for (int w = 0; w < std::min<int>(o.concurrency, static_cast<int>(jobs.size())); ++w)
      workers.emplace_back([&] {
        for (size_t j; (j = next.fetch_add(1)) < jobs.size();) oneRequest(run, jobs[j]);
      });
    for (auto& t : workers) t.join();
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  run.leaked.clear();  // dropping them now records the leaks
  std::this_thread::sleep_for(std::chrono::milliseconds(o.release == ReleaseMode::kLeak ? 50 : 0));
  printSummary(run, seconds);
  if (run.outFd != 1) ::close(run.outFd);
  return run.failures ? 1 : 0;
}

}  // namespace sluice::cli
