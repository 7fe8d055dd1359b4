#include "support/process.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

extern char** environ;

namespace sluice::test {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::string ExitInfo::describe() const {
  if (exited) return "exit code " + std::to_string(code);
  if (signal) return std::string("killed by signal ") + std::to_string(signal) + " (" + strsignal(signal) + ")";
  return "not finished";
}

namespace {

std::string findInPath(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path = std::getenv("PATH");
  std::string p = path ? path : "/usr/local/bin:/usr/bin:/bin";
  std::stringstream ss(p);
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    std::string full = (dir.empty() ? std::string(".") : dir) + "/" + name;
    if (::access(full.c_str(), X_OK) == 0) return full;
  }
  return name;
}

}  // namespace

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !reaped_) terminate(2s);
  if (writer_.joinable()) writer_.join();
  if (reader_.joinable()) reader_.join();
  if (inFd_ >= 0) ::close(inFd_);
}

bool ChildProcess::start(const std::vector<std::string>& argv, const SpawnOptions& options) {
  if (argv.empty()) {
    error_ = "empty argv";
    return false;
  }
  std::signal(SIGPIPE, SIG_IGN);
  const std::string exe = findInPath(argv[0]);

  // Everything the child needs is prepared before fork: only async-signal-safe calls after it.
  std::vector<std::string> envStore;
  for (char** e = environ; e && *e; ++e) {
    std::string entry = *e;
    bool overridden = false;
    for (const auto& x : options.env) {
      auto eq = x.find('=');
      if (eq != std::string::npos && entry.compare(0, eq + 1, x, 0, eq + 1) == 0) overridden = true;
    }
    if (!overridden) envStore.push_back(std::move(entry));
  }
  for (const auto& x : options.env) envStore.push_back(x);
  std::vector<char*> envp;
  for (auto& s : envStore) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argStore = argv;
  std::vector<char*> args;
  for (auto& s : argStore) args.push_back(s.data());
  args.push_back(nullptr);

  int outPipe[2], errPipe[2], inPipe[2] = {-1, -1};
  if (::pipe2(outPipe, O_CLOEXEC) != 0 || ::pipe2(errPipe, O_CLOEXEC) != 0) {
    error_ = std::string("pipe: ") + std::strerror(errno);
    return false;
  }
  int stdinFd = -1;
  if (!options.stdinFile.empty()) {
    stdinFd = ::open(options.stdinFile.c_str(), O_RDONLY | O_CLOEXEC);
    if (stdinFd < 0) {
      error_ = "cannot open " + options.stdinFile + ": " + std::strerror(errno);
      ::close(outPipe[0]), ::close(outPipe[1]), ::close(errPipe[0]), ::close(errPipe[1]);
      return false;
    }
  } else if (options.feedStdin) {
    if (::pipe2(inPipe, O_CLOEXEC) != 0) {
      error_ = std::string("pipe: ") + std::strerror(errno);
      return false;
    }
    stdinFd = inPipe[0];
  } else {
    stdinFd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  }
  const bool setNofile = options.maxOpenFiles.has_value();
  rlimit nofile{};
  if (setNofile) nofile.rlim_cur = nofile.rlim_max = static_cast<rlim_t>(*options.maxOpenFiles);
  const std::string workDir = options.workDir;
  const pid_t parent = ::getpid();

  pid_t pid = ::fork();
  if (pid < 0) {
    error_ = std::string("fork: ") + std::strerror(errno);
    return false;
  }
  if (pid == 0) {
    // The child dies with the test process, whatever happens to it.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(stdinFd, 0);
    ::dup2(outPipe[1], 1);
    ::dup2(errPipe[1], 2);
    ::close_range(3, ~0U, 0);  // no test sockets or files leak into the child
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    if (setNofile && ::setrlimit(RLIMIT_NOFILE, &nofile) != 0) ::_exit(126);
    if (!workDir.empty() && ::chdir(workDir.c_str()) != 0) ::_exit(126);
    ::execve(exe.c_str(), args.data(), envp.data());
    ::_exit(127);
  }
  pid_ = pid;
  ::close(outPipe[1]);
  ::close(errPipe[1]);
  ::close(stdinFd);
  outFd_ = outPipe[0];
  errFd_ = errPipe[0];
  reader_ = std::thread([this] { readerMain(); });
  if (options.feedStdin) {
    inFd_ = inPipe[1];
    stdinData_ = options.stdinData;
    writer_ = std::thread([this] {
      size_t off = 0;
      while (off < stdinData_.size()) {
        ssize_t n = ::write(inFd_, stdinData_.data() + off, stdinData_.size() - off);
        if (n < 0) {
          if (errno == EINTR) continue;
          break;  // the child closed stdin or died
        }
        off += static_cast<size_t>(n);
      }
      ::close(inFd_);
      inFd_ = -1;
    });
  }
  return true;
}

void ChildProcess::readerMain() {
  char buf[65536];
  bool outOpen = true, errOpen = true;
  while (outOpen || errOpen) {
    pollfd fds[2];
    nfds_t n = 0;
    if (outOpen) fds[n++] = {outFd_, POLLIN, 0};
    if (errOpen) fds[n++] = {errFd_, POLLIN, 0};
    int r = ::poll(fds, n, 200);
    if (r < 0 && errno != EINTR) break;
    for (nfds_t i = 0; i < n; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
      if (got < 0 && errno == EINTR) continue;
      std::lock_guard lock(mutex_);
      bool isOut = fds[i].fd == outFd_;
      if (got <= 0) {
        (isOut ? outOpen : errOpen) = false;
        (isOut ? outEof_ : errEof_) = true;
      } else {
        (isOut ? out_ : err_).append(buf, static_cast<size_t>(got));
      }
      cv_.notify_all();
    }
  }
  ::close(outFd_);
  ::close(errFd_);
  std::lock_guard lock(mutex_);
  outEof_ = errEof_ = true;
  cv_.notify_all();
}

std::optional<std::string> ChildProcess::readStdoutLine(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  auto deadline = Clock::now() + timeout;
  while (true) {
    auto nl = out_.find('\n', outLinePos_);
    if (nl != std::string::npos) {
      std::string line = out_.substr(outLinePos_, nl - outLinePos_);
      outLinePos_ = nl + 1;
      return line;
    }
    if (outEof_) return std::nullopt;
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout) return std::nullopt;
  }
}

std::string ChildProcess::stdoutText() {
  std::lock_guard lock(mutex_);
  return out_;
}

std::string ChildProcess::stderrText() {
  std::lock_guard lock(mutex_);
  return err_;
}

bool ChildProcess::waitForStderr(const std::string& needle, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  auto deadline = Clock::now() + timeout;
  while (err_.find(needle) == std::string::npos) {
    if (errEof_) return false;
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout) return err_.find(needle) != std::string::npos;
  }
  return true;
}

void ChildProcess::reap(int status) {
  reaped_ = true;
  if (WIFEXITED(status)) {
    exit_.exited = true;
    exit_.code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    exit_.signal = WTERMSIG(status);
  }
}

bool ChildProcess::running() {
  if (pid_ <= 0 || reaped_) return false;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    reap(status);
    return false;
  }
  return true;
}

std::optional<ExitInfo> ChildProcess::wait(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return std::nullopt;
  auto deadline = Clock::now() + timeout;
  while (!reaped_) {
    if (!running()) break;
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(5ms);
  }
  // Let the reader collect the last output (the pipes close with the child).
  if (reader_.joinable()) {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, 2s, [this] { return outEof_ && errEof_; });
  }
  return exit_;
}

void ChildProcess::signal(int sig) {
  if (pid_ > 0 && !reaped_ && running()) ::kill(pid_, sig);
}

ExitInfo ChildProcess::terminate(std::chrono::milliseconds grace) {
  if (pid_ <= 0) return exit_;
  if (!reaped_) {
    signal(SIGTERM);
    if (!wait(grace)) {
      killed_ = true;
      if (!reaped_) ::kill(pid_, SIGKILL);
      wait(5s);
    }
  }
  return exit_;
}

RunResult runProcess(const std::vector<std::string>& argv, std::chrono::milliseconds timeout, const SpawnOptions& options) {
  RunResult r;
  ChildProcess p;
  if (!p.start(argv, options)) {
    r.err = p.error();
    return r;
  }
  r.started = true;
  auto done = p.wait(timeout);
  if (!done) {
    r.timedOut = true;
    r.exit = p.terminate(1s);
  } else {
    r.exit = *done;
  }
  r.out = p.stdoutText();
  r.err = p.stderrText();
  return r;
}

std::optional<uint64_t> procStatusBytes(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, field.size() + 1, field + ":") != 0) continue;
    std::istringstream ls(line.substr(field.size() + 1));
    uint64_t kb = 0;
    if (ls >> kb) return kb * 1024;
  }
  return std::nullopt;
}

std::optional<double> procCpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = all.rfind(')');  // the command name may hold spaces
  if (close == std::string::npos) return std::nullopt;
  std::istringstream ss(all.substr(close + 2));
  std::string field;
  // After the name: state(3) ... utime is field 14, stime 15 (1-based over the whole line).
  uint64_t utime = 0, stime = 0;
  for (int i = 3; i <= 15; ++i) {
    if (!(ss >> field)) return std::nullopt;
    if (i == 14) utime = std::strtoull(field.c_str(), nullptr, 10);
    if (i == 15) stime = std::strtoull(field.c_str(), nullptr, 10);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

size_t procOpenFds(pid_t pid) {
  size_t n = 0;
  DIR* d = ::opendir(("/proc/" + std::to_string(pid) + "/fd").c_str());
  if (!d) return 0;
  while (dirent* e = ::readdir(d))
    if (e->d_name[0] != '.') ++n;
  ::closedir(d);
  return n;
}

}  // namespace sluice::test
