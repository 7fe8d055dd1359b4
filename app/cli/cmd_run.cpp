// sluice-cli run: sends the requests of a .http file in order on one client (so
// connection reuse across them is real), prints one line per request, and writes
// JUnit XML and HAR 1.2 reports.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "app/cli/commands.h"
#include "app/cli/run_report.h"
#include "engine/observe/event_drainer.h"
#include "engine/observe/process_stats.h"
#include "engine/util/units.h"
#include "engine/workspace/http_file.h"

namespace sluice::cli {
namespace {

using namespace sluice::workspace;

struct RunOptions {
  std::string file;
  std::string environment;
  std::vector<std::string> names;
  std::vector<std::pair<std::string, std::string>> vars;
  std::string junit;
  std::string har;
  bool failFast = false;
  bool allow4xx = false;
  bool includeSecrets = false;
  uint64_t keepBodyBytes = 1 << 20;
  client::ClientConfig config;
};

void usage(FILE* out) {
  std::fprintf(out,
               "usage: sluice-cli run FILE.http [options]\n\n"
               "Sends the file's requests in order on one client and prints one line per request:\n"
               "name, status, time and the connection reuse verdict.\n\n"
               "      --env NAME          environment from http-client.env.json (and the private file) beside FILE\n"
               "      --name REQUEST      run only this request (repeatable; file order is kept)\n"
               "      --var K=V           set a variable, above every other source (repeatable)\n"
               "      --junit OUT.xml     write a JUnit XML report\n"
               "      --har OUT.har       write the run as HAR 1.2\n"
               "      --include-secrets   keep Authorization credentials and private values in the HAR\n"
               "      --keep-body SIZE    response body kept for the HAR, per request [1M]\n"
               "      --fail-fast         stop at the first failed request\n"
               "      --allow-4xx         a 4xx status does not fail the run\n\n"
               "Exit status: 0 when every request passed; 1 when one failed (transport error, 5xx,\n"
               "4xx unless --allow-4xx, unresolved variable); 2 for bad usage or an unreadable file.\n");
}

int parseArgs(int argc, char** argv, RunOptions& o) {
  for (int i = 0; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    if (a == "-h" || a == "--help") return usage(stdout), -1;
    if (a == "--fail-fast") { o.failFast = true; continue; }
    if (a == "--allow-4xx") { o.allow4xx = true; continue; }
    if (a == "--include-secrets") { o.includeSecrets = true; continue; }
    if (!a.starts_with("--")) {
      if (!o.file.empty()) return std::fprintf(stderr, "sluice-cli run: one file at a time ('%s' and '%s')\n", o.file.c_str(), argv[i]), 2;
      o.file = a;
      continue;
    }
    const char* v = value();
    if (!v) return std::fprintf(stderr, "sluice-cli run: %s needs a value (see --help)\n", argv[i]), 2;
    if (a == "--env") o.environment = v;
    else if (a == "--name") o.names.emplace_back(v);
    else if (a == "--junit") o.junit = v;
    else if (a == "--har") o.har = v;
    else if (a == "--keep-body") {
      auto n = parseSize(v);
      if (!n) return std::fprintf(stderr, "sluice-cli run: --keep-body: %s\n", n.error().message.c_str()), 2;
      o.keepBodyBytes = *n;
    } else if (a == "--var") {
      std::string_view kv = v;
      auto eq = kv.find('=');
      if (eq == std::string_view::npos || eq == 0) return std::fprintf(stderr, "sluice-cli run: --var needs NAME=VALUE, got '%s'\n", v), 2;
      o.vars.emplace_back(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
    } else {
      return std::fprintf(stderr, "sluice-cli run: unknown option '%s' (see --help)\n", argv[i - 1]), 2;
    }
  }
  if (o.file.empty()) return usage(stderr), 2;
  return 0;
}

Result<client::Request> toClientRequest(const ResolvedRequest& r) {
  auto url = client::Url::parse(r.url);
  if (!url) return fail(url.error().code, "request '" + r.name + "': " + url.error().message);
  client::Request rq;
  rq.method = r.method;
  rq.url = std::move(*url);
  for (const auto& [k, v] : r.headers) rq.headers.add(k, v);
  if (r.bodyFile) rq.body = client::RequestBody::fromFile(*r.bodyFile);
  else if (!r.body.empty()) rq.body = client::RequestBody::fromBytes(r.body);
  return rq;
}

std::string failureOf(int status, bool allow4xx) {
  if (status >= 500) return "server error " + std::to_string(status);
  if (status >= 400 && !allow4xx) return "client error " + std::to_string(status) + " (--allow-4xx lets it pass)";
  return {};
}

// Sends one resolved request and reads its body to the end (keeping keepBodyBytes of it).
RunOutcome sendOne(client::Client& c, const ResolvedRequest& r, const RunOptions& o) {
  RunOutcome out;
  out.name = r.name;
  out.notRun = r.notRun;
  auto start = std::chrono::steady_clock::now();
  auto wall = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  auto elapsed = [&] { return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count(); };
  auto fail = [&](const std::string& why) {
    out.failure = why, out.transportError = true, out.elapsedMs = elapsed();
    out.har.method = r.method, out.har.url = r.url, out.har.name = r.name, out.har.error = why, out.har.startedMs = wall;
    out.har.requestHeaders = r.headers, out.har.secretValues = r.secretValues;
    return out;
  };
  auto rq = toClientRequest(r);
  if (!rq) return fail(rq.error().message);
  uint64_t drainedBefore = c.stats().drainedBytes;
  auto ex = c.fetch(std::move(*rq));
  if (!ex) return fail(ex.error().message);
  std::string kept;
  uint64_t total = 0;
  Status bodyStatus;
  while (true) {
    auto chunk = ex->body.next();
    if (!chunk) { bodyStatus = unexpected(chunk.error()); break; }
    if (chunk->empty()) break;
    total += chunk->size();
    if (kept.size() < o.keepBodyBytes) kept.append(chunk->data().substr(0, o.keepBodyBytes - kept.size()));
  }
  auto timings = ex->body.timings();
  ex->body.release();
  out.elapsedMs = elapsed();
  out.status = ex->response.status;
  out.verdict = ex->response.verdict.text();
  out.har = harEntryFor(r, ex->response, timings, c.config().drain);
  out.har.startedMs = wall;
  out.har.responseBody = std::move(kept);
  out.har.responseBodyKept = total <= o.keepBodyBytes;
  out.har.responseBodySize = static_cast<int64_t>(total);
  out.har.bytesDrained = c.stats().drainedBytes - drainedBefore;
  if (!bodyStatus) out.failure = "body failed: " + bodyStatus.error().message, out.transportError = true;
  else out.failure = failureOf(out.status, o.allow4xx);
  return out;
}

void printLine(const RunOutcome& o) {
  if (o.status == 0) {
    std::printf("%-32s ERR  %8.1f ms  %s\n", o.name.c_str(), o.elapsedMs, o.failure.c_str());
  } else {
    std::printf("%-32s %3d  %8.1f ms  %s%s%s\n", o.name.c_str(), o.status, o.elapsedMs, o.verdict.c_str(),
                o.failure.empty() ? "" : "  FAILED: ", o.failure.c_str());
  }
  for (const auto& n : o.notRun) std::printf("    %s\n", n.c_str());
  std::fflush(stdout);
}

bool writeText(const std::string& path, const std::string& text, const char* what) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (out.flush()) return true;
  std::fprintf(stderr, "sluice-cli run: cannot write the %s report to '%s'\n", what, path.c_str());
  return false;
}

Result<std::vector<size_t>> selectBlocks(const HttpFile& file, const RunOptions& o) {
  if (o.names.empty()) return file.requestIndexes();
  std::vector<size_t> out;
  for (const auto& n : o.names)
    if (!file.findByName(n)) return fail(ErrorCode::kNotFound, "no request named '" + n + "' in " + o.file);
  for (size_t i : file.requestIndexes())
    for (const auto& n : o.names)
      if (file.blocks[i].name() == n) { out.push_back(i); break; }
  return out;
}

}  // namespace

int runRun(int argc, char** argv) {
  RunOptions o;
  if (int rc = parseArgs(argc, argv, o); rc != 0) return rc < 0 ? 0 : rc;
  auto file = loadHttpFile(o.file);
  if (!file) return std::fprintf(stderr, "sluice-cli run: %s\n", file.error().message.c_str()), 2;
  auto dir = std::filesystem::absolute(o.file).parent_path().string();
  auto envs = Environments::load(dir);
  if (!envs) return std::fprintf(stderr, "sluice-cli run: %s\n", envs.error().message.c_str()), 2;
  if (!o.environment.empty()) {
    VariableSet probe;
    if (auto st = envs->apply(o.environment, probe); !st) return std::fprintf(stderr, "sluice-cli run: %s\n", st.error().message.c_str()), 2;
  }
  auto blocks = selectBlocks(*file, o);
  if (!blocks) return std::fprintf(stderr, "sluice-cli run: %s\n", blocks.error().message.c_str()), 2;
  ResolveContext ctx{.baseDir = dir, .environments = &*envs, .environment = o.environment, .overrides = o.vars, .limits = {}};
  client::Client c(o.config);
  // The run shows no lanes, but its event buffer is drained all the same: a full
  // buffer drops events, and a drop is reported, never silent.
  observe::EventDrainer drainer(c.events());
  std::vector<RunOutcome> outcomes;
  for (size_t i : *blocks) {
    auto r = resolveRequest(*file, i, ctx);
    RunOutcome out;
    if (!r) {
      out.name = file->blocks[i].displayName();
      out.failure = r.error().message;  // never sent: nothing half-resolved goes out
      out.transportError = true;
    } else {
      out = sendOne(c, *r, o);
    }
    printLine(out);
    bool failed = !out.failure.empty();
    outcomes.push_back(std::move(out));
    if (failed && o.failFast) break;
  }
  drainer.stop();
  auto stats = c.stats();
  size_t failed = 0;
  for (const auto& out : outcomes) failed += !out.failure.empty();
  uint64_t dropped = c.events().dropped();
  std::string droppedText = dropped ? "; " + std::to_string(dropped) + " events dropped" : std::string();
  std::printf("%zu requests, %zu failed; %llu connections opened, %llu reused; peak RSS %s%s\n", outcomes.size(), failed,
              static_cast<unsigned long long>(stats.connectionsOpened), static_cast<unsigned long long>(stats.reused),
              formatBytes(observe::readProcessStats().peakRssBytes).c_str(), droppedText.c_str());
  bool written = true;
  if (!o.junit.empty()) written &= writeText(o.junit, junitXml(std::filesystem::path(o.file).filename().string(), outcomes), "JUnit");
  if (!o.har.empty()) {
    std::vector<HarEntry> entries;
    for (const auto& out : outcomes) entries.push_back(out.har);
    written &= writeText(o.har, writeHar(entries, HarOptions{.includeSecrets = o.includeSecrets}), "HAR");
  }
  if (!written) return 2;
  return failed ? 1 : 0;
}

}  // namespace sluice::cli
