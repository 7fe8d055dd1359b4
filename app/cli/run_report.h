#pragma once
/** sluice-cli run: what one request gave, and the reports written from it (JUnit XML, HAR). */
#include <string>
#include <vector>

#include "engine/client/client.h"
#include "engine/workspace/har.h"
#include "engine/workspace/resolve.h"

namespace sluice::cli {

/** The outcome of one request of a run. */
struct RunOutcome {
  std::string name;
  int status = 0;            ///< 0: no response
  double elapsedMs = 0;      ///< submit to body end
  std::string verdict;       ///< the reuse verdict in words
  std::string failure;       ///< why the request counts as failed; empty when it passed
  bool transportError = false;
  std::vector<std::string> notRun;
  workspace::HarEntry har;
};

/** Fills the HAR entry of a finished exchange from the client's response and timings. */
workspace::HarEntry harEntryFor(const workspace::ResolvedRequest& rq, const client::Response& rs, const client::Timings& t,
                                const client::DrainPolicy& policy);
/** The HAR timings of an exchange: -1 for DNS and connect on a reused connection. */
workspace::HarTimings harTimings(const client::Timings& t, bool reused);
/** A JUnit XML report: one testsuite (the file), one testcase per request. */
std::string junitXml(const std::string& suite, const std::vector<RunOutcome>& outcomes);
/** "drain up to 262144 bytes within 200 ms": the release policy in words. */
std::string releasePolicyText(const client::DrainPolicy& policy);

}  // namespace sluice::cli
