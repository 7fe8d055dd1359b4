// The baseline for upload benchmarks: copy a file over a loopback TCP socket with
// no HTTP at all, reading in 64 KiB pieces (the same buffer size as the server).
// usage: bench_tcp_copy FILE [READER_CPU WRITER_CPU]   -> prints "bytes seconds bytes_per_second"
// With CPUs given, the reading end (the server's role) and the sending end (curl's role)
// are pinned like the HTTP runs they are compared with.
#include <arpa/inet.h>
#include <pthread.h>
#include <sched.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace {
// Pins the calling thread; a CPU below 0 leaves it where the scheduler puts it.
bool pinTo(int cpu) {
  if (cpu < 0) return true;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 && argc != 4) {
    std::fprintf(stderr, "usage: %s FILE [READER_CPU WRITER_CPU]\n", argv[0]);
    return 2;
  }
  const int readerCpu = argc == 4 ? std::atoi(argv[2]) : -1;
  const int writerCpu = argc == 4 ? std::atoi(argv[3]) : -1;
  if (!pinTo(writerCpu)) {
    std::fprintf(stderr, "cannot pin the writer to CPU %d\n", writerCpu);
    return 1;
  }
  int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(lfd, 1) != 0 ||
      ::getsockname(lfd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::perror("listen");
    return 1;
  }
  unsigned long long received = 0;
  std::thread sink([&] {
    if (!pinTo(readerCpu)) std::fprintf(stderr, "cannot pin the reader to CPU %d\n", readerCpu);
    int c = ::accept(lfd, nullptr, nullptr);
    std::vector<char> buf(64 * 1024);
    ssize_t n;
    while ((n = ::read(c, buf.data(), buf.size())) > 0) received += static_cast<unsigned long long>(n);
    ::close(c);
  });
  int file = ::open(argv[1], O_RDONLY);
  if (file < 0) {
    std::perror(argv[1]);
    return 1;
  }
  auto t0 = std::chrono::steady_clock::now();
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  if (::connect(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    std::perror("connect");
    return 1;
  }
  // Like curl -T: read the file in pieces and send them.
  std::vector<char> buf(64 * 1024);
  ssize_t n;
  while ((n = ::read(file, buf.data(), buf.size())) > 0) {
    ssize_t off = 0;
    while (off < n) {
      ssize_t w = ::write(s, buf.data() + off, static_cast<size_t>(n - off));
      if (w <= 0) {
        std::perror("write");
        return 1;
      }
      off += w;
    }
  }
  ::shutdown(s, SHUT_WR);
  sink.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%llu %.6f %.0f\n", received, secs, static_cast<double>(received) / secs);
  ::close(s);
  ::close(file);
  ::close(lfd);
  return 0;
}
