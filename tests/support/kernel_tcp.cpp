#include "support/kernel_tcp.h"

#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

namespace sluice::test {

RefusingPort::RefusingPort() : fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (fd.valid() && ::bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
}

namespace {

std::string loopbackUp() {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::string("socket: ") + std::strerror(errno);
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  std::string err;
  if (::ioctl(fd, SIOCGIFFLAGS, &ifr) != 0) err = std::string("SIOCGIFFLAGS lo: ") + std::strerror(errno);
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (err.empty() && ::ioctl(fd, SIOCSIFFLAGS, &ifr) != 0) err = std::string("SIOCSIFFLAGS lo: ") + std::strerror(errno);
  ::close(fd);
  return err;
}

}  // namespace

std::string enterPrivateNetns() {
  if (::unshare(CLONE_NEWNET) != 0) {
    int e = errno;
    if (e == EPERM)
      return std::string("unshare(CLONE_NEWNET) is not permitted: ") + std::strerror(e) +
             " (network namespaces need root or CAP_SYS_ADMIN; CI runs as root)";
    return std::string("creating a network namespace failed: ") + std::strerror(e);
  }
  return loopbackUp();
}

TcpMib readTcpMib() {
  std::ifstream in("/proc/net/snmp");
  std::string names, values, line;
  while (std::getline(in, line)) {
    if (line.rfind("Tcp: ", 0) != 0) continue;
    if (names.empty()) names = line;
    else values = line;
  }
  std::istringstream n(names), v(values);
  std::string name, value;
  TcpMib mib;
  while (n >> name && v >> value) {
    if (name == "ActiveOpens") mib.activeOpens = std::stoull(value);
    else if (name == "AttemptFails") mib.attemptFails = std::stoull(value);
    else if (name == "CurrEstab") mib.currEstab = std::stoull(value);
  }
  return mib;
}

std::map<std::string, int> socketsToPort(uint16_t remotePort) {
  // include/net/tcp_states.h numbering.
  static const char* kStates[] = {"?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT",
                                  "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV"};
  std::map<std::string, int> out;
  for (const char* path : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::istringstream f(line);
      std::string sl, local, remote, st;
      if (!(f >> sl >> local >> remote >> st)) continue;
      auto colon = remote.rfind(':');
      if (colon == std::string::npos) continue;
      if (std::stoul(remote.substr(colon + 1), nullptr, 16) != remotePort) continue;
      unsigned long s = std::stoul(st, nullptr, 16);
      out[s < std::size(kStates) ? kStates[s] : "?"] += 1;
    }
  }
  return out;
}

}  // namespace sluice::test
