// Reports of sluice-cli run: HAR entries from client exchanges, JUnit XML.
#include "app/cli/run_report.h"

#include <arpa/inet.h>

#include <chrono>
#include <cstdio>

namespace sluice::cli {
namespace {

// XML text and attribute escaping: five characters, and control characters dropped
// (XML 1.0 cannot carry them). No XML library is in the CLI's dependencies.
std::string xmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\n' || c == '\t') out += c;
    }
  }
  return out;
}

bool isIpLiteral(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

}  // namespace

std::string releasePolicyText(const client::DrainPolicy& p) {
  return "drain up to " + std::to_string(p.maxBytes) + " bytes within " + std::to_string(p.maxTime.count()) + " ms";
}

workspace::HarTimings harTimings(const client::Timings& t, bool reused) {
  return workspace::harTimingsFrom({t.dnsUs, t.connectUs, t.writtenUs, t.firstByteUs, t.completeUs}, reused);
}

workspace::HarEntry harEntryFor(const workspace::ResolvedRequest& rq, const client::Response& rs, const client::Timings& t,
                                const client::DrainPolicy& policy) {
  workspace::HarEntry e;
  e.name = rq.name;
  e.method = rq.method;
  e.url = rq.url;
  e.requestHeaders = rq.headers;
  e.requestBody = rq.body;
  e.requestBodySize = rq.bodyFile ? -1 : static_cast<int64_t>(rq.body.size());
  e.secretValues = rq.secretValues;
  e.status = rs.status;
  e.statusText = rs.reason;
  e.responseVersion = "HTTP/1." + std::to_string(rs.versionMinor);
  for (const auto& h : rs.headers) e.responseHeaders.emplace_back(h.name, h.value);
  e.connection = std::to_string(rs.connectionId);
  if (auto url = client::Url::parse(rq.url); url && isIpLiteral(url->host)) e.serverIPAddress = url->host;
  e.timings = harTimings(t, rs.verdict.reused);
  e.reused = rs.verdict.reused;
  e.reuseVerdict = rs.verdict.text();
  e.releasePolicy = releasePolicyText(policy);
  return e;
}

std::string junitXml(const std::string& suite, const std::vector<RunOutcome>& outcomes) {
  size_t failures = 0, errors = 0;
  double total = 0;
  for (const auto& o : outcomes) {
    if (!o.failure.empty()) (o.transportError ? errors : failures)++;
    total += o.elapsedMs;
  }
  char head[256];
  std::snprintf(head, sizeof head, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" time=\"%.3f\">\n", outcomes.size(), failures,
                errors, total / 1000.0);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"" + xmlEscape(suite) + head;
  for (const auto& o : outcomes) {
    char time[32];
    std::snprintf(time, sizeof time, "%.3f", o.elapsedMs / 1000.0);
    out += "    <testcase classname=\"" + xmlEscape(suite) + "\" name=\"" + xmlEscape(o.name) + "\" time=\"" + time + "\"";
    if (o.failure.empty() && o.notRun.empty()) {
      out += "/>\n";
      continue;
    }
    out += ">\n";
    if (!o.failure.empty())
      out += std::string("      <") + (o.transportError ? "error" : "failure") + " message=\"" + xmlEscape(o.failure) + "\"/>\n";
    if (!o.notRun.empty()) {
      std::string text;
      for (const auto& n : o.notRun) text += n + "\n";
      out += "      <system-out>" + xmlEscape(text) + "</system-out>\n";
    }
    out += "    </testcase>\n";
  }
  return out + "  </testsuite>\n</testsuites>\n";
}

}  // namespace sluice::cli
