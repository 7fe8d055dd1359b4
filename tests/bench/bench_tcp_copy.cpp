// The baseline for upload benchmarks: copy a file over a loopback TCP socket with no HTTP
// at all, reading in 64 KiB pieces on both ends.
//   bench_tcp_copy FILE [READER_CPU WRITER_CPU]            raw: its own reading thread
//   bench_tcp_copy FILE READER_CPU WRITER_CPU PORT PATH    the same sender, as an HTTP PUT
//                                                          with Content-Length to 127.0.0.1:PORT
// prints "bytes seconds bytes_per_second". With CPUs given, the reading end (the server's
// role) and the sending end are pinned like the HTTP runs they are compared with; in HTTP
// mode only the sender is ours (READER_CPU is the server's, pinned by the caller). Both modes
// share the sender, so raw vs HTTP compares the receiving ends alone.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace {
constexpr size_t kPiece = 64 * 1024;

// Pins the calling thread; a CPU below 0 leaves it where the scheduler puts it.
bool pinTo(int cpu) {
  if (cpu < 0) return true;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

bool writeAll(int s, const char* data, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(s, data, n);
    if (w <= 0) return false;
    data += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// Like curl -T: read the file in pieces and send them.
bool sendFile(int s, int file) {
  std::vector<char> buf(kPiece);
  ssize_t n;
  while ((n = ::read(file, buf.data(), buf.size())) > 0)
    if (!writeAll(s, buf.data(), static_cast<size_t>(n))) return false;
  return n == 0;
}

// Reads until the peer closes; returns the byte count.
unsigned long long drain(int c) {
  std::vector<char> buf(kPiece);
  unsigned long long received = 0;
  ssize_t n;
  while ((n = ::read(c, buf.data(), buf.size())) > 0) received += static_cast<unsigned long long>(n);
  return received;
}

int fail(const char* what) {
  std::perror(what);
  return 1;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 && argc != 4 && argc != 6) {
    std::fprintf(stderr, "usage: %s FILE [READER_CPU WRITER_CPU [PORT PATH]]\n", argv[0]);
    return 2;
  }
  const int readerCpu = argc >= 4 ? std::atoi(argv[2]) : -1;
  const int writerCpu = argc >= 4 ? std::atoi(argv[3]) : -1;
  const bool http = argc == 6;
  if (!pinTo(writerCpu)) return fail("cannot pin the writer");
  int file = ::open(argv[1], O_RDONLY);
  struct stat st {};
  if (file < 0 || ::fstat(file, &st) != 0) return fail(argv[1]);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int lfd = -1;
  if (http) {
    addr.sin_port = htons(static_cast<uint16_t>(std::atoi(argv[4])));
  } else {
    lfd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (::bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(lfd, 1) != 0 ||
        ::getsockname(lfd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
      return fail("listen");
  }
  unsigned long long received = 0;
  std::thread reader;
  if (!http) reader = std::thread([&] {
    if (!pinTo(readerCpu)) std::fprintf(stderr, "cannot pin the reader to CPU %d\n", readerCpu);
    int c = ::accept(lfd, nullptr, nullptr);
    received = drain(c);
    ::close(c);
  });
  auto t0 = std::chrono::steady_clock::now();
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  if (::connect(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return fail("connect");
  if (http) {
    std::string head = std::string("PUT ") + argv[5] + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " +
                       std::to_string(st.st_size) + "\r\nConnection: close\r\n\r\n";
    if (!writeAll(s, head.data(), head.size())) return fail("write");
  }
  if (!sendFile(s, file)) return fail("send");
  if (http) {
    char status[16] = {};
    if (::read(s, status, sizeof status - 1) < 12 || std::string(status, 12) != "HTTP/1.1 200")
      return std::fprintf(stderr, "the server did not answer 200: %s\n", status), 1;
    received = static_cast<unsigned long long>(st.st_size);
  } else {
    ::shutdown(s, SHUT_WR);
    reader.join();
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%llu %.6f %.0f\n", received, secs, static_cast<double>(received) / secs);
  ::close(s);
  ::close(file);
  if (lfd >= 0) ::close(lfd);
  return 0;
}
