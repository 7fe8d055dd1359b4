#pragma once
/**
 * Child processes for tests: spawn a program with argv, optional resource
 * limits, environment and stdin; capture stdout and stderr in the background
 * (so a chatty child never blocks on a full pipe); read the first stdout line
 * with a timeout; stop with SIGTERM, a bounded wait, and SIGKILL as fallback.
 * The destructor always reaps the child.
 */
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace sluice::test {

struct SpawnOptions {
  std::vector<std::string> env;        ///< extra "NAME=value" entries on top of the test's environment
  std::optional<uint64_t> maxOpenFiles;///< RLIMIT_NOFILE (soft and hard) set in the child before exec
  std::string stdinFile;               ///< stdin from this file; else stdinData; else /dev/null
  std::string stdinData;               ///< written to the child's stdin through a pipe, then closed
  bool feedStdin = false;              ///< use stdinData (even when empty)
  std::string workDir;                 ///< chdir in the child when set
};

/** How a child ended. */
struct ExitInfo {
  bool exited = false;     ///< normal exit (code valid)
  int code = -1;           ///< exit status when exited
  int signal = 0;          ///< terminating signal otherwise
  std::string describe() const;
};

class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  /** Starts argv[0] (searched in PATH when it has no slash). False with error() on failure. */
  bool start(const std::vector<std::string>& argv, const SpawnOptions& options = {});
  const std::string& error() const { return error_; }
  pid_t pid() const { return pid_; }
  /** True while the child has not been reaped. */
  bool running();

  /** The first (next unread) line of stdout, without the newline, or nullopt on timeout/EOF. */
  std::optional<std::string> readStdoutLine(std::chrono::milliseconds timeout);
  /** Everything captured so far. */
  std::string stdoutText();
  std::string stderrText();
  /** Waits until stderr contains needle; false on timeout. */
  bool waitForStderr(const std::string& needle, std::chrono::milliseconds timeout);

  /** Waits for the child to exit on its own. nullopt on timeout (child still running). */
  std::optional<ExitInfo> wait(std::chrono::milliseconds timeout);
  /** Sends a signal (no-op after exit). */
  void signal(int sig);
  /** SIGTERM, wait up to grace, then SIGKILL. Returns how it ended. */
  ExitInfo terminate(std::chrono::milliseconds grace = std::chrono::seconds(5));
  /** True when terminate() had to fall back to SIGKILL. */
  bool killed() const { return killed_; }

 private:
  void readerMain();
  void reap(int status);

  pid_t pid_ = -1;
  bool reaped_ = false;
  bool killed_ = false;
  ExitInfo exit_;
  std::string error_;
  int outFd_ = -1;
  int errFd_ = -1;
  int inFd_ = -1;
  std::string stdinData_;
  std::thread reader_;
  std::thread writer_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::string out_;
  std::string err_;
  size_t outLinePos_ = 0;
  bool outEof_ = false;
  bool errEof_ = false;
};

/** The result of running a program to completion. */
struct RunResult {
  bool started = false;
  bool timedOut = false;
  ExitInfo exit;
  std::string out;
  std::string err;
  bool ok() const { return started && !timedOut && exit.exited && exit.code == 0; }
};

/** Runs argv to completion within timeout (killed past it) and returns its output. */
RunResult runProcess(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                     const SpawnOptions& options = {});

/** A field from /proc/<pid>/status in bytes (for kB fields like VmRSS, VmHWM); nullopt when unknown. */
std::optional<uint64_t> procStatusBytes(pid_t pid, const std::string& field);
/** utime + stime of a process in seconds, from /proc/<pid>/stat; nullopt when unknown. */
std::optional<double> procCpuSeconds(pid_t pid);
/** Number of open descriptors of a process (entries in /proc/<pid>/fd). */
size_t procOpenFds(pid_t pid);

}  // namespace sluice::test
