// sluice-cli request: the command line (flags follow curl's names and meanings).
#include <openssl/evp.h>

#include <cmath>
#include <map>

#include "app/cli/request_options.h"
#include "app/cli/tls_flags.h"
#include "engine/util/units.h"

namespace sluice::cli {

using client::RequestBody;

void printRequestUsage(FILE* out) {
  std::fprintf(out,
               "usage: sluice-cli request [options] URL...\n\n"
               "  -X, --request M           method (default GET, POST with -d/-F, PUT with -T, HEAD with -I)\n"
               "  -H, --header 'K: V'       add a header (repeatable)\n"
               "  -A, --user-agent UA       User-Agent\n"
               "  -e, --referer URL         Referer\n"
               "  -b, --cookie 'n=v; m=w'   Cookie (a cookie file is not supported)\n"
               "  -u, --user USER:PASS      Basic authentication\n"
               "  -d, --data DATA           send DATA (form content type); @FILE reads FILE without line breaks, @- stdin\n"
               "      --data-raw DATA       send DATA as is, a leading @ included\n"
               "      --data-binary DATA    @FILE sends FILE's bytes as they are, @- streams stdin\n"
               "  -F, --form NAME=VALUE     multipart/form-data part; NAME=@FILE[;type=T][;filename=F] streams a file,\n"
               "                            NAME=<FILE sends its text as the value (repeatable)\n"
               "  -T, --upload-file FILE    stream FILE with Content-Length (PUT); - streams stdin (chunked)\n"
               "  -o, --output FILE         write bodies to FILE instead of stdout\n"
               "      --output-buffer N     gather up to N bytes of bodies per write to the -o FILE (default 64 KiB)\n"
               "  -N, --no-buffer           write each piece of a body to the -o FILE as it comes (--output-buffer 0)\n"
               "  -i, --include             write the response head before the body\n"
               "  -I, --head                send HEAD and write the response head\n"
               "      --connect-timeout S   seconds allowed to connect (fractions allowed; default 5)\n"
               "  -m, --max-time S          seconds allowed for the whole exchange, body included (default: none)\n"
               "      --head-timeout S      seconds from the request written to the response head (default 30)\n"
               "      --body-timeout S      seconds without a body byte before the body fails (default 30; 0: none)\n"
               "      --expect-threshold N  send Expect: 100-continue for bodies over N bytes (default 1 MiB; 0: never)\n"
               "      --no-expect           never send Expect: 100-continue\n"
               "      --repeat N            send each URL N times (N >= 1)\n"
               "      --concurrency C       C requests at a time (bodies are discarded when C > 1)\n"
               "      --release MODE        late (read, then release; default), now (release at the head),\n"
               "                            reset, double (release twice), leak (never release)\n"
               "      --max-conns N         maxConnsPerHost (N >= 1)\n"
               "      --conn-wait MS        how long a request waits for a free connection\n"
               "      --idle-timeout MS     idle connection timeout\n"
               "      --no-reuse            a new connection for every request\n"
               "      --json                one JSON line per request and a summary line (bodies go to -o FILE only)\n"
               "  -v, --verbose             the request head sent and one line per request: status, bytes, timings, reuse\n"
               "  -s, --silent              nothing but the body and errors (no progress, status lines or summary)\n");
  std::fputs(tlsUsage(), out);
  std::fputs(streamFlagsHelp(), out);
}

namespace {
int usageError(const std::string& message) {
  std::fprintf(stderr, "sluice-cli request: %s\n", message.c_str());
  return 2;
}

/** Seconds as curl takes them ("2", "0.5") into milliseconds. */
std::optional<std::chrono::milliseconds> seconds(const char* v) {
  if (!v || !*v) return std::nullopt;
  char* end = nullptr;
  double s = std::strtod(v, &end);
  if (*end != '\0' || !std::isfinite(s) || s < 0 || s > 86400.0 * 365) return std::nullopt;
  return std::chrono::milliseconds(static_cast<int64_t>(std::llround(s * 1000)));
}

std::string basicAuth(std::string_view userPass) {
  std::string out(4 * ((userPass.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(userPass.data()),
                          static_cast<int>(userPass.size()));
  out.resize(static_cast<size_t>(n));
  return "Basic " + out;
}

/** A flag that takes a value: the value and what to do with it. */
using ValueFlag = int (*)(RequestOptions&, std::string_view flag, const char* value);

int setBody(RequestOptions& o, Result<RequestBody> b, bool form) {
  if (!b) return usageError(b.error().message);
  o.body = std::move(*b);
  if (form && !o.headers.has("Content-Type")) o.headers.add("Content-Type", "application/x-www-form-urlencoded");
  return 0;
}

int setTimeout(std::chrono::milliseconds& out, std::string_view flag, const char* v) {
  auto ms = seconds(v);
  if (!ms) return usageError(std::string(flag) + " takes seconds, such as 2 or 0.5");
  out = *ms;
  return 0;
}

int setCount(uint64_t& out, std::string_view flag, const char* v, uint64_t min) {
  uint64_t n = 0;
  if (!parseUint(v, n)) return usageError(std::string(flag) + " needs a number");
  if (n < min) return usageError(std::string(flag) + " must be at least " + std::to_string(min));
  out = n;
  return 0;
}

const std::map<std::string_view, ValueFlag>& valueFlags() {
  static const std::map<std::string_view, ValueFlag> kFlags{
      {"-X", [](RequestOptions& o, std::string_view, const char* v) { return o.method = v, 0; }},
      {"-H", [](RequestOptions& o, std::string_view, const char* v) {
         std::string_view h = v;
         auto colon = h.find(':');
         if (colon == std::string_view::npos) return usageError("header '" + std::string(h) + "' has no ':'");
         o.headers.add(std::string(h.substr(0, colon)), std::string(http::trimOws(h.substr(colon + 1))));
         return 0;
       }},
      {"-A", [](RequestOptions& o, std::string_view, const char* v) { return o.headers.set("User-Agent", v), 0; }},
      {"-e", [](RequestOptions& o, std::string_view, const char* v) { return o.headers.set("Referer", v), 0; }},
      {"-b", [](RequestOptions& o, std::string_view, const char* v) {
         if (!std::string_view(v).contains('='))
           return usageError("-b '" + std::string(v) + "' looks like a cookie file, which is not supported; give name=value pairs");
         return o.headers.add("Cookie", v), 0;
       }},
      {"-u", [](RequestOptions& o, std::string_view, const char* v) {
         if (!std::string_view(v).contains(':')) return usageError("-u needs user:password (there is no password prompt)");
         return o.headers.set("Authorization", basicAuth(v)), 0;
       }},
      {"-d", [](RequestOptions& o, std::string_view, const char* v) { return setBody(o, bodyFromData(v), true); }},
      {"--data-raw", [](RequestOptions& o, std::string_view, const char* v) { return setBody(o, RequestBody::fromBytes(v), true); }},
      {"--data-binary", [](RequestOptions& o, std::string_view, const char* v) { return setBody(o, bodyFromBinary(v), false); }},
      {"-F", [](RequestOptions& o, std::string_view, const char* v) {
         auto st = o.form.add(v);
         return st ? 0 : usageError(st.error().message);
       }},
      {"-T", [](RequestOptions& o, std::string_view, const char* v) {
         o.body = std::string_view(v) == "-" ? bodyFromStdin() : RequestBody::fromFile(v);
         return o.upload = true, 0;
       }},
      {"-o", [](RequestOptions& o, std::string_view, const char* v) { return o.output = v, 0; }},
      {"--connect-timeout", [](RequestOptions& o, std::string_view f, const char* v) { return setTimeout(o.config.connectTimeout, f, v); }},
      {"-m", [](RequestOptions& o, std::string_view f, const char* v) { return setTimeout(o.config.totalTimeout, f, v); }},
      {"--head-timeout", [](RequestOptions& o, std::string_view f, const char* v) { return setTimeout(o.config.headTimeout, f, v); }},
      {"--body-timeout", [](RequestOptions& o, std::string_view f, const char* v) { return setTimeout(o.config.bodyIdleTimeout, f, v); }},
      {"--output-buffer", [](RequestOptions& o, std::string_view f, const char* v) { return setCount(o.outputBuffer, f, v, 0); }},
      {"--expect-threshold", [](RequestOptions& o, std::string_view f, const char* v) { return setCount(o.config.expectContinueBytes, f, v, 0); }},
      {"--repeat", [](RequestOptions& o, std::string_view f, const char* v) {
         uint64_t n = 0;
         int rc = setCount(n, f, v, 1);
         return o.repeat = static_cast<int>(std::min<uint64_t>(n, 1u << 30)), rc;
       }},
      {"--concurrency", [](RequestOptions& o, std::string_view f, const char* v) {
         uint64_t n = 0;
         int rc = setCount(n, f, v, 1);
         return o.concurrency = static_cast<int>(std::min<uint64_t>(n, 65536)), rc;
       }},
      {"--max-conns", [](RequestOptions& o, std::string_view f, const char* v) {
         uint64_t n = 0;
         int rc = setCount(n, f, v, 1);
         return o.config.pool.maxConnsPerHost = n, rc;
       }},
      {"--conn-wait", [](RequestOptions& o, std::string_view f, const char* v) {
         uint64_t n = 0;
         int rc = setCount(n, f, v, 0);
         return o.config.pool.connWaitTimeout = std::chrono::milliseconds(n), rc;
       }},
      {"--idle-timeout", [](RequestOptions& o, std::string_view f, const char* v) {
         uint64_t n = 0;
         int rc = setCount(n, f, v, 0);
         return o.config.pool.idleTimeout = std::chrono::milliseconds(n), rc;
       }},
      {"--tls-timeout", [](RequestOptions& o, std::string_view f, const char* v) {
         uint64_t n = 0;
         int rc = setCount(n, f, v, 1);
         return o.config.tlsHandshakeTimeout = std::chrono::milliseconds(n), rc;
       }},
      {"--release", [](RequestOptions& o, std::string_view, const char* v) {
         static const std::map<std::string_view, ReleaseMode> kModes{{"late", ReleaseMode::kLate}, {"now", ReleaseMode::kNow},
             {"reset", ReleaseMode::kReset}, {"double", ReleaseMode::kDouble}, {"leak", ReleaseMode::kLeak}};
         auto it = kModes.find(v);
         if (it == kModes.end()) return usageError("--release takes now, late, reset, double or leak");
         return o.release = it->second, 0;
       }},
  };
  return kFlags;
}

/** Long names of the short flags above. */
std::string_view canonical(std::string_view a) {
  static const std::map<std::string_view, std::string_view> kLong{
      {"--request", "-X"}, {"--header", "-H"}, {"--user-agent", "-A"}, {"--referer", "-e"}, {"--cookie", "-b"},
      {"--user", "-u"},    {"--data", "-d"},   {"--data-ascii", "-d"},  {"--form", "-F"},    {"--upload-file", "-T"},
      {"--output", "-o"},  {"--max-time", "-m"}, {"--include", "-i"}, {"--head", "-I"},     {"--verbose", "-v"},
      {"--silent", "-s"},  {"--help", "-h"}, {"--no-buffer", "-N"}};
  auto it = kLong.find(a);
  return it == kLong.end() ? a : it->second;
}

int parseSwitch(RequestOptions& o, std::string_view a) {
  if (a == "-h") return printRequestUsage(stdout), -1;
  if (a == "-i") o.include = true;
  else if (a == "-I") o.headOnly = true;
  else if (a == "-v") o.verbose = true;
  else if (a == "-s") o.silent = true;
  else if (a == "-N") o.outputBuffer = 0;
  else if (a == "--no-reuse") o.noReuse = true;
  else if (a == "--no-expect") o.config.expectContinueBytes = 0;
  else if (a == "--json") o.json = true;
  else return usageError("unknown option '" + std::string(a) + "' (see sluice-cli request --help)");
  return 0;
}
}  // namespace

int parseRequestOptions(RequestOptions& o, int argc, char** argv) {
  for (int i = 0; i < argc; ++i) {
    std::string_view raw = argv[i];
    if (raw.empty() || raw.front() != '-' || raw == "-") {
      o.urls.emplace_back(raw);
      continue;
    }
    if (auto r = parseTlsFlag(o.tls, argc, argv, i); r != FlagResult::kNotMine) {
      if (r == FlagResult::kBad) return 2;
      continue;
    }
    std::string_view a = canonical(raw);
    if (auto it = valueFlags().find(a); it != valueFlags().end()) {
      if (i + 1 >= argc) return usageError(std::string(raw) + " needs a value");
      if (int rc = it->second(o, raw, argv[++i]); rc != 0) return rc;
      continue;
    }
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    if (int r = parseStreamFlag(o.stream, raw, value); r != kNotStreamFlag) {
      if (r != 0) return r;
      continue;
    }
    if (int rc = parseSwitch(o, a); rc != 0) return rc;
  }
  if (!o.form.empty()) {
    if (o.body) return usageError("-F cannot be combined with -d, --data-binary or -T");
    o.body = o.form.body();
    o.headers.set("Content-Type", "multipart/form-data; boundary=" + o.form.boundary());
  }
  if (o.headOnly && o.body) return usageError("-I (HEAD) cannot send a body");
  return 0;
}

}  // namespace sluice::cli
