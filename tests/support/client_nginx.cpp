#include "client_nginx.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <set>
#include <thread>

#include "support/test_env.h"

namespace sluice::test {

uint16_t freeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

bool waitForPort(uint16_t port, int timeoutMs) {
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
  while (std::chrono::steady_clock::now() < end) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    if (ok) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

ClientNginx::ClientNginx(NginxOptions o) {
  dir_ = makeTempDir("client-nginx");
  tls_ = !o.tlsCert.empty();
  port_ = freeLoopbackPort();
  ::chmod(dir_.c_str(), 0755);  // nginx workers may run as nobody
  if (o.bigFileBytes > 0) {
    int fd = ::open((dir_ + "/big").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || ::ftruncate(fd, static_cast<off_t>(o.bigFileBytes)) != 0) error_ = "cannot create the sparse file";
    if (fd >= 0) ::close(fd);
  }
  std::ofstream conf(dir_ + "/nginx.conf");
  conf << "worker_processes 1;\npid " << dir_ << "/nginx.pid;\nerror_log " << dir_ << "/error.log;\n"
       << "events { worker_connections 1024; }\n"
       << "http {\n  log_format conn '$connection $connection_requests $status';\n"
       << "  access_log " << dir_ << "/access.log conn;\n"
       << "  client_body_temp_path " << dir_ << "/body; proxy_temp_path " << dir_ << "/proxy;\n"
       << "  fastcgi_temp_path " << dir_ << "/fcgi; uwsgi_temp_path " << dir_ << "/uwsgi; scgi_temp_path " << dir_ << "/scgi;\n"
       << "  keepalive_timeout " << o.keepaliveTimeoutS << "s;\n  keepalive_requests " << o.keepaliveRequests << ";\n"
       << "  sendfile on;\n"
       << "  server {\n    listen 127.0.0.1:" << port_ << (o.tlsCert.empty() ? "" : " ssl") << ";\n    root " << dir_ << ";\n";
  if (!o.tlsCert.empty())
    conf << "    ssl_certificate " << o.tlsCert << ";\n    ssl_certificate_key " << o.tlsKey << ";\n"
         << "    ssl_protocols TLSv1.2 TLSv1.3;\n    ssl_session_cache shared:tls:1m;\n"
         << "    location = /tls { return 200 '$connection $ssl_protocol $ssl_session_reused\\n'; }\n";
  conf << "    location = / { return 200 '$connection $connection_requests\\n'; }\n"
       << "    location = /post { return 200 'posted\\n'; }\n"
       << "    location = /big { default_type application/octet-stream; }\n"
       << o.extraLocations << "  }\n}\n";
  conf.close();
  child_ = std::make_unique<ChildProcess>();
  if (!child_->start({"/usr/sbin/nginx", "-p", dir_, "-c", dir_ + "/nginx.conf", "-g", "daemon off;"})) {
    error_ = "cannot start nginx: " + child_->error();
    return;
  }
  ok_ = error_.empty() && waitForPort(port_, 5000);
  if (!ok_ && error_.empty()) error_ = "nginx did not listen on " + std::to_string(port_) + ": " + child_->stderrText();
}

ClientNginx::~ClientNginx() {
  child_.reset();  // SIGTERM, bounded wait, SIGKILL
  removeTree(dir_);
}

std::string ClientNginx::url(const std::string& path) const {
  return (tls_ ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port_) + path;
}

std::string ClientNginx::httpsUrl(const std::string& host, const std::string& path) const {
  return "https://" + host + ":" + std::to_string(port_) + path;
}

int ClientNginx::acceptedConnections() const {
  std::ifstream in(dir_ + "/access.log");
  std::set<std::string> conns;
  std::string line;
  while (std::getline(in, line)) conns.insert(line.substr(0, line.find(' ')));
  return static_cast<int>(conns.size());
}

}  // namespace sluice::test
