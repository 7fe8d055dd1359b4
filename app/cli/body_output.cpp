#include "app/cli/body_output.h"

#include <cstdio>

#include "engine/util/units.h"

namespace sluice::cli {

int parseStreamFlag(StreamFlags& flags, std::string_view arg, const std::function<const char*()>& value) {
  if (arg == "--compressed") return flags.compressed = true, 0;
  if (arg == "--events") return flags.events = true, flags.lines = flags.chunks = false, 0;
  if (arg == "--lines") return flags.lines = true, flags.events = flags.chunks = false, 0;
  if (arg == "--progress") return flags.progress = true, 0;
  if (arg == "--chunks") return flags.chunks = true, flags.events = flags.lines = false, 0;
  if (arg == "-L" || arg == "--location") return flags.redirects.follow = true, 0;
  if (arg == "--location-trusted") return flags.redirects.follow = flags.redirects.keepCredentialsAcrossOrigins = true, 0;
  if (arg != "--max-decoded" && arg != "--max-ratio" && arg != "--max-redirs") return kNotStreamFlag;
  const char* v = value();
  if (!v) return std::fprintf(stderr, "sluice-cli request: %.*s needs a value\n", static_cast<int>(arg.size()), arg.data()), 2;
  if (arg == "--max-decoded") {
    auto size = parseSize(v);
    if (!size) return std::fprintf(stderr, "sluice-cli request: --max-decoded: %s\n", size.error().message.c_str()), 2;
    flags.limits.maxDecodedBytes = *size;
    return 0;
  }
  uint64_t n = 0;
  if (arg == "--max-redirs") {
    if (!parseUint(v, n) || n > 1000) return std::fprintf(stderr, "sluice-cli request: --max-redirs needs a number up to 1000\n"), 2;
    flags.redirects.maxRedirects = static_cast<int>(n);
    return 0;
  }
  if (!parseUint(v, n)) return std::fprintf(stderr, "sluice-cli request: --max-ratio needs a number (0: no ratio limit)\n"), 2;
  flags.limits.maxRatio = n;
  return 0;
}

const char* streamFlagsHelp() {
  return "  -L, --location            follow redirects (303, and 301/302 after POST, become GET; 307/308 resend the body)\n"
         "      --max-redirs N        at most N redirects [10]\n"
         "      --location-trusted    also send Authorization, Cookie, Proxy-Authorization to other origins\n"
         "      --compressed          ask for gzip, deflate or br and decode the body as it streams\n"
         "      --max-decoded SIZE    stop decoding past SIZE (K, M, G) [1G]; 0: no limit\n"
         "      --max-ratio N         stop decoding past N decoded bytes per wire byte [1000]; 0: no limit\n"
         "      --events              one line per server-sent event: +MSms event=TYPE id=ID data=DATA\n"
         "      --lines               one line per NDJSON / JSON Lines / json-seq record: +MSms #N RECORD\n"
         "      --progress            upload and download progress on stderr even when it is not a terminal (-s: none)\n"
         "      --chunks              one line per chunk of a chunked body: +MSms chunk SIZE bytes ext=EXTENSIONS\n";
}

void applyStreamFlags(const StreamFlags& flags, client::Request& request) {
  if (flags.compressed && !request.headers.has("Accept-Encoding")) request.headers.add("Accept-Encoding", "gzip, deflate, br");
}

Result<client::Exchange> fetchWithFlags(const StreamFlags& flags, client::Client& client, client::Request request, bool quiet) {
  if (!flags.redirects.follow) return client.fetch(std::move(request));
  auto followed = client::fetchFollowing(client, std::move(request), flags.redirects, [quiet](const client::RedirectHop& h) {
    if (quiet || (h.location.empty() && h.droppedHeaders.empty())) return;
    std::string dropped;
    for (const auto& d : h.droppedHeaders) dropped += (dropped.empty() ? " (not sent to this origin: " : ", ") + d;
    std::string to = h.location.empty() ? "" : " -> " + h.location;
    std::fprintf(stderr, "* %d %s %s%s (request #%llu, %s)%s%s\n", h.status, h.method.c_str(), h.url.c_str(), to.c_str(),
                 static_cast<unsigned long long>(h.requestId), h.verdict.c_str(), dropped.c_str(), dropped.empty() ? "" : ")");
  });
  if (!followed) return unexpected<Error>(followed.error());
  return std::move(followed->exchange);
}

namespace {

/** Keeps an event or record on one line: CR, LF and backslash escaped. */
std::string oneLine(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\\') out += "\\\\";
    else out += c;
  }
  return out;
}

}  // namespace

BodyOutput::BodyOutput(const StreamFlags& flags, const client::Response& response, std::chrono::steady_clock::time_point start,
                       Write write)
    : flags_(flags), start_(start), write_(std::move(write)) {
  if (flags.chunks && !http::hasToken(response.headers.get("Transfer-Encoding"), "chunked"))
    std::fprintf(stderr, "sluice-cli request: the response is not chunked (%s), so --chunks has no chunk to show\n",
                 response.headers.has("Content-Length") ? "it has a Content-Length" : "its body runs to the close");
  std::string_view coding = response.headers.get("Content-Encoding");
  // Without --compressed the raw output stays the wire bytes, as curl does; events and
  // records cannot be read from compressed bytes, so those views always decode.
  if (!coding.empty() && (flags.compressed || flags.events || flags.lines)) {
    auto dec = http::ContentDecoder::create(coding, flags.limits);
    if (dec) decoder_ = std::move(*dec);
    else std::fprintf(stderr, "sluice-cli request: %s\n", dec.error().message.c_str());
  }
  if (flags.events) {
    http::SseCallbacks cb;
    cb.onEvent = [this](const http::SseEvent& e) {
      line_ = stamp(e.arrivalUs) + " event=" + e.type + (e.lastEventId.empty() ? "" : " id=" + oneLine(e.lastEventId)) +
              " data=" + oneLine(e.data) + "\n";
      write_(line_);
    };
    cb.onRetry = [this](uint64_t ms, uint64_t us) { write_(stamp(us) + " retry=" + std::to_string(ms) + "\n"); };
    sse_ = std::make_unique<http::SseParser>(cb);
  } else if (flags.lines) {
    auto framing = http::jsonFramingForContentType(response.headers.get("Content-Type")).value_or(http::JsonFraming::kLines);
    records_ = std::make_unique<http::JsonLinesParser>(framing, [this](const http::JsonRecord& r) {
      line_ = stamp(r.arrivalUs) + " #" + std::to_string(r.index) + " " + oneLine(r.text) + (r.validJson ? "" : "  (not JSON)") +
              (r.truncated ? "  (truncated)" : "") + "\n";
      write_(line_);
    });
  }
}

BodyOutput::~BodyOutput() = default;

uint64_t BodyOutput::sinceStartUs() const {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start_).count());
}

std::string BodyOutput::stamp(uint64_t us) const { return "+" + std::to_string(us / 1000) + "ms"; }

Status BodyOutput::feed(std::string_view wire) {
  if (!decoder_) {
    plainBytes_ += wire.size();
    return show(wire);
  }
  decoded_.clear();
  if (auto st = decoder_->decode(wire, decoded_); !st) return st;
  return show(decoded_);
}

void BodyOutput::showChunks(const std::vector<client::ChunkBoundary>& chunks) {
  for (const auto& c : chunks) {
    line_ = stamp(c.arrivedUs) + " chunk " + std::to_string(c.size) + " bytes" + (c.size == 0 ? " (last)" : "") +
            (c.extensions.empty() ? "" : " ext=" + oneLine(c.extensions)) + "\n";
    write_(line_);
  }
}

Status BodyOutput::show(std::string_view decoded) {
  if (flags_.chunks) return {};
  if (sse_) return sse_->feed(decoded, sinceStartUs());
  if (records_) return records_->feed(decoded, sinceStartUs());
  if (!decoded.empty()) write_(decoded);
  return {};
}

Status BodyOutput::finish() {
  if (decoder_) {
    if (auto st = decoder_->finish(); !st) return st;
  }
  if (sse_) sse_->finish();
  if (records_) records_->finish(sinceStartUs());
  return {};
}

uint64_t BodyOutput::decodedBytes() const { return decoder_ ? decoder_->decodedBytes() : plainBytes_; }

}  // namespace sluice::cli
