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

#include <nlohmann/json.hpp>

#include "app/cli/body_output.h"
#include "app/cli/commands.h"
#include "app/cli/request_options.h"
#include "app/cli/tls_flags.h"
#include "app/cli/upload_meter.h"
#include "engine/client/client.h"
#include "engine/observe/event_drainer.h"
#include "engine/observe/process_stats.h"
#include "engine/util/units.h"

namespace sluice::cli {
namespace {

using namespace sluice::client;

using Options = RequestOptions;

// With --json the JSON lines own stdout, so bodies are kept only when -o names a file
// (as curl's -w goes to stdout while -o keeps the body).
bool bodyToOutput(const Options& o) { return !o.json || !o.output.empty(); }

/**
 * Where bodies go. Writing to a file named by -o, pieces are gathered into writes of up
 * to the buffer's size, as curl's stdio does for its output (a loop of small responses
 * makes one write per buffer, not one per response); a piece as large as the buffer goes
 * straight out. Stdout is written through, so a streamed body shows as it comes. Only
 * the thread that reads bodies writes (one at a time).
 */
class BodySink {
 public:
  void open(int fd, size_t buffer) {
    fd_ = fd;
    cap_ = buffer;
    if (cap_) buf_.reserve(cap_);
  }
  void write(std::string_view data) {
    if (cap_ == 0) return writeAll(data);
    if (buf_.size() + data.size() > cap_) flush();
    if (data.size() >= cap_) return writeAll(data);
    buf_.append(data);
  }
  void flush() {
    writeAll(buf_);
    buf_.clear();
  }
  int fd() const { return fd_; }

 private:
  void writeAll(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::write(fd_, data.data(), data.size());
      if (n <= 0) return;
      data.remove_prefix(static_cast<size_t>(n));
    }
  }
  int fd_ = 1;
  size_t cap_ = 0;
  std::string buf_;
};

/** Shared state of one run: output, counters, leaked streams. */
struct Run {
  const Options& opt;
  Client& client;
  BodySink out;
  std::mutex mutex;
  std::vector<BodyStream> leaked;
  std::atomic<uint64_t> failures{0};
  std::atomic<uint64_t> bodyBytes{0};
  bool progress = false;
};

/**
 * The CLI's event consumer (on the drainer's thread): it shows no lanes, but it drains
 * every event, so the buffer never fills, and prints the warnings the client raised
 * (junk after a response, ...), one line each on stderr.
 */
void printWarnings(std::vector<observe::Event>& batch) {
  for (const auto& ev : batch)
    if (ev.kind == observe::EventKind::kClientWarning)
      std::fprintf(stderr, "sluice-cli request: warning: %s on connection #%llu: %s\n", ev.text.c_str(),
                   (unsigned long long)ev.connectionId, ev.detail.c_str());
}

void report(Run& run, const std::string& url, const Response* r, uint64_t bytes, const Timings& t, const Error* err) {
  std::lock_guard lock(run.mutex);
  if (run.opt.json) {
    nlohmann::json line{{"request", r ? r->requestId : 0}, {"url", url}, {"status", r ? r->status : 0}, {"bytes", bytes},
                        {"connection", r ? r->connectionId : 0}, {"reused", r && r->verdict.reused},
                        {"verdict", r ? r->verdict.text() : ""},
                        {"timings_us", {{"dns", t.dnsUs}, {"connect", t.connectUs}, {"tls_handshake", t.tlsUs}, {"written", t.writtenUs},
                                        {"first_byte", t.firstByteUs}, {"complete", t.completeUs}}},
                        {"tls_handshake_ms", t.tlsUs ? static_cast<double>(t.tlsUs - t.connectUs) / 1000.0 : 0.0},
                        {"error", err ? nlohmann::json(err->message) : nlohmann::json(nullptr)}};
    std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    std::fputs(text.c_str(), stdout);
    return;
  }
  if (!run.opt.verbose) {
    if (err) std::fprintf(stderr, "sluice-cli request: %s: %s\n", url.c_str(), err->message.c_str());
    return;
  }
  std::string tlsPhase = t.tlsUs ? " tls_handshake " + msText(t.tlsUs - t.connectUs) + " " : std::string(" ");
  std::fprintf(stderr, "* %s %d %llu bytes %s first byte %.3f ms  complete %.3f ms  %s%s%s\n%s", url.c_str(), r ? r->status : 0,
               (unsigned long long)bytes, tlsPhase.c_str(), t.firstByteUs / 1000.0, t.completeUs / 1000.0,
               r ? r->verdict.text().c_str() : "", err ? "  error: " : "", err ? err->message.c_str() : "",
               r ? tlsVerboseLines(*r).c_str() : "");
}

void writeBody(Run& run, std::string_view data) { run.out.write(data); }

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
      if (run.opt.stream.chunks) view->showChunks(ex.body.takeChunks());
    } else if (print) writeBody(run, chunk->data());
    if (run.progress && print) {
      auto now = std::chrono::steady_clock::now();
      if (now - lastShown > std::chrono::milliseconds(200)) showProgress(bytes, ex.body.contentLength(), start), lastShown = now;
    }
  }
  if (run.progress && print) showProgress(bytes, ex.body.contentLength(), start), std::fputs("\n", stderr);
  if (view) {
    if (run.opt.stream.chunks) view->showChunks(ex.body.takeChunks());  // the last chunk, and any chunk of no data
    if (auto st = view->finish(); !st) return std::unexpected(st.error());
  }
  return bytes;
}

Result<Request> buildRequest(const Options& o, const std::string& url) {
  auto req = Request::get(url);
  if (!req) return req;
  req->headers = o.headers;
  if (o.body) req->body = *o.body;
  req->method = !o.method.empty() ? o.method : o.headOnly ? "HEAD" : !o.body ? "GET" : o.upload ? "PUT" : "POST";
  if (o.body && o.body->kind == RequestBody::Kind::kFile && req->url.target.back() == '/') {
    std::string name = o.body->filePath.substr(o.body->filePath.rfind('/') + 1);
    req->url.target += name;  // like curl -T FILE http://host/dir/
  }
  req->forceNewConnection = o.noReuse;
  req->reportChunks = o.stream.chunks;
  req->tls = o.tls;
  applyStreamFlags(o.stream, *req);
  return req;
}

/**
 * One request to send: a URL and the request built from it once, however many times
 * it is repeated (each send is a copy sharing one PreparedHead).
 */
struct Job {
  const std::string* url;
  const Result<Request>* request;
};

/** The requests of a run, one per URL, built once; repeats share the serialized head. */
std::vector<Result<Request>> buildRequests(const Options& o) {
  std::vector<Result<Request>> built;
  built.reserve(o.urls.size());
  for (const auto& u : o.urls) {
    built.push_back(buildRequest(o, u));
    if (built.back() && o.repeat > 1) built.back()->preparedHead = std::make_shared<PreparedHead>();
  }
  return built;
}

/** The response head as curl -i writes it. */
std::string headText(const Response& r) {
  std::string text = "HTTP/1." + std::to_string(r.versionMinor) + " " + std::to_string(r.status) + " " + r.reason + "\r\n";
  for (const auto& h : r.headers) text += h.name + ": " + h.value + "\r\n";
  return text + "\r\n";
}

/** -v: the request head as sent ("> " lines); -i/-I: the response head into the output; else the status line on stderr. */
void printHead(Run& run, const Response& r) {
  if (run.opt.json) return;
  std::lock_guard lock(run.mutex);
  if (run.opt.verbose) {
    std::string_view head = r.requestHead;
    for (size_t at = 0, end; (end = head.find("\r\n", at)) != std::string_view::npos && end > at; at = end + 2)
      std::fprintf(stderr, "> %.*s\n", static_cast<int>(end - at), head.data() + at);
    if (r.bodyCutShort) std::fputs("* the server answered before the whole request body was sent\n", stderr);
  }
  if (run.opt.include || run.opt.headOnly) writeBody(run, headText(r));
  else if (!run.opt.silent) std::fprintf(stderr, "HTTP/1.%d %d %s\n", r.versionMinor, r.status, r.reason.c_str());
}

/**
 * Sequential requests driven from the client's own loop: each response's end sends
 * the next request, so no request pays for two thread hand-offs (fetch() and the
 * blocking body reads do). Used for one-at-a-time runs without a progress bar.
 */
class LoopChain {
 public:
  LoopChain(Run& run, const std::vector<Job>& jobs) : run_(run), jobs_(jobs) {}
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
      const Job& job = jobs_[next_++];
      const std::string& url = *job.url;
      if (!*job.request) {
        run_.failures++;
        report(run_, url, nullptr, 0, {}, &job.request->error());
        continue;
      }
      run_.client.send(**job.request, [this, &url](Result<Exchange> ex) { onHead(url, std::move(ex)); });
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
    printHead(run_, ex->response);
    // The previous exchange is dropped here, outside its own callbacks.
    current_ = std::make_unique<Exchange>(std::move(*ex));
    bytes_ = 0;
    const bool print = bodyToOutput(run_.opt);
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
  const std::vector<Job>& jobs_;
  size_t next_ = 0;
  uint64_t bytes_ = 0;
  std::unique_ptr<Exchange> current_;
  std::promise<void> done_;
};

void oneRequest(Run& run, const Job& job) {
  const Options& o = run.opt;
  const std::string& url = *job.url;
  Result<Request> req = *job.request;  // a copy: it is sent, and may get a progress meter
  if (!req) {
    run.failures++;
    return report(run, url, nullptr, 0, {}, &req.error());
  }
  std::shared_ptr<UploadProgress> sending;
  if (run.progress && req->body.kind != RequestBody::Kind::kNone) req->uploadProgress = sending = std::make_shared<UploadProgress>();
  auto ex = [&] {
    UploadMeter meter(sending);  // "sent 12 MiB / 2 GiB" while the body goes out and the head is awaited
    return fetchWithFlags(o.stream, run.client, std::move(*req), o.json || o.silent);
  }();
  if (!ex) {
    run.failures++;
    return report(run, url, nullptr, 0, {}, &ex.error());
  }
  bool print = o.concurrency == 1 && bodyToOutput(o) && o.release != ReleaseMode::kNow;
  printHead(run, ex->response);
  Result<uint64_t> bytes = uint64_t{0};
  if (o.release == ReleaseMode::kNow) ex->body.release();
  else bytes = consumeBody(run, *ex, print);
  if (bytes) run.bodyBytes += *bytes;
  else run.failures++;
  switch (o.release) {
    case ReleaseMode::kReset: ex->body.reset(); break;
    case ReleaseMode::kDouble: ex->body.release(); ex->body.release(); break;
    case ReleaseMode::kLeak: { std::lock_guard lock(run.mutex); run.leaked.push_back(std::move(ex->body)); break; }
    case ReleaseMode::kNow: break;  // released at the head already
    default: ex->body.release(); break;
  }
  Timings t = o.release == ReleaseMode::kLeak ? ex->response.timings : ex->body.timings();
  report(run, url, &ex->response, bytes ? *bytes : 0, t, bytes ? nullptr : &bytes.error());
}

void printSummary(Run& run, double seconds, uint64_t eventsDropped) {
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
    nlohmann::json summary{{"requests", s.requests}, {"failures", run.failures.load()}, {"connections_opened", s.connectionsOpened},
                           {"reused", s.reused}, {"reuse_ratio", reuse}, {"retries", s.retries},
                           {"double_releases", s.doubleReleases}, {"leaks", s.leaks}, {"body_bytes", run.bodyBytes.load()},
                           {"seconds", seconds}, {"open_fds", snap.openFds}, {"closes", closes},
                           {"connects_failed", s.connectsFailed}, {"held_streams", s.heldStreams}, {"events_dropped", eventsDropped},
                           {"peak_rss_bytes", observe::readProcessStats().peakRssBytes}};
    std::puts(nlohmann::json{{"summary", summary}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return;
  }
  if (run.opt.silent) return;
  std::string dropped = eventsDropped ? "; " + std::to_string(eventsDropped) + " events dropped" : std::string();
  std::fprintf(stderr,
               "-- %llu requests (%llu failed) in %.3f s, %s body; %llu connections opened (%llu connects failed), reuse %.1f%%, %llu retried\n"
               "-- closes: %s; double releases %llu, leaks %llu, open fds %llu, peak RSS %s%s\n",
               (unsigned long long)s.requests, (unsigned long long)run.failures.load(), seconds, formatBytes(run.bodyBytes).c_str(),
               (unsigned long long)s.connectionsOpened, (unsigned long long)s.connectsFailed, reuse * 100, (unsigned long long)s.retries,
               closes.empty() ? "none" : closes.c_str(), (unsigned long long)s.doubleReleases, (unsigned long long)s.leaks,
               (unsigned long long)snap.openFds, formatBytes(observe::readProcessStats().peakRssBytes).c_str(), dropped.c_str());
}

}  // namespace

int runRequest(int argc, char** argv) {
  Options o;
  o.config.heldTooLong = std::chrono::milliseconds(0);
  if (int rc = parseRequestOptions(o, argc, argv); rc != 0) return rc < 0 ? 0 : rc;
  if (o.urls.empty()) return printRequestUsage(stderr), 2;
  if (o.body && o.body->kind == RequestBody::Kind::kPull && o.urls.size() * static_cast<size_t>(o.repeat) > 1)
    return std::fprintf(stderr, "sluice-cli request: a body streamed from stdin or -F is sent once; it cannot go with --repeat or several URLs\n"), 2;
  Client client(o.config);
  // Every event is drained (warnings printed), so the buffer never fills and drops.
  observe::EventDrainer drainer(client.events(), printWarnings);
  Run run{o, client};
  if (!o.output.empty()) {
    int fd = ::open(o.output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    run.out.open(fd, static_cast<size_t>(std::min<uint64_t>(o.outputBuffer, 64u << 20)));
    if (fd < 0) return std::fprintf(stderr, "sluice-cli request: cannot write '%s': %s\n", o.output.c_str(), std::strerror(errno)), 1;
  }
  run.progress = !o.silent && !o.json && (::isatty(2) || o.stream.progress) && o.concurrency == 1;
  const std::vector<Result<Request>> requests = buildRequests(o);
  std::vector<Job> jobs;
  jobs.reserve(o.urls.size() * static_cast<size_t>(o.repeat));
  for (size_t u = 0; u < o.urls.size(); ++u)
    for (int k = 0; k < o.repeat; ++k) jobs.push_back(Job{&o.urls[u], &requests[u]});
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
  run.out.flush();  // the last gathered bodies are written inside the timed run
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  run.leaked.clear();  // dropping them now records the leaks
  // Every release, drop and close above is applied before the counts are read.
  if (!client.settle(std::chrono::milliseconds(10000)))
    std::fprintf(stderr, "sluice-cli request: the pool did not settle within 10 s; the summary may be incomplete\n");
  drainer.stop();
  printSummary(run, seconds, client.events().dropped());
  if (run.out.fd() != 1) ::close(run.out.fd());
  return run.failures ? 1 : 0;
}

}  // namespace sluice::cli
