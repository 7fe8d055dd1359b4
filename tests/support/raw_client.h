#pragma once
/**
 * A blocking loopback TCP client for tests that need exact bytes on the wire:
 * send raw bytes, read one full HTTP/1.1 response (Content-Length, chunked or
 * close-delimited; interim 1xx responses are returned on their own), read until
 * the peer closes, and tell an orderly close (FIN) from a reset (RST) or from
 * silence. Every call takes a timeout. Its response parser is deliberately
 * independent of the engine's parser.
 */
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::test {

using namespace std::chrono_literals;

/** One parsed response. */
struct RawResponse {
  int status = 0;
  std::string reason;
  std::string version;  ///< "HTTP/1.1"
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;     ///< de-chunked
  std::string head;     ///< the raw head bytes, including the blank line
  bool chunked = false;

  /** The first value of a header (case-insensitive name), or nullopt. */
  std::optional<std::string> header(std::string_view name) const;
  bool hasHeader(std::string_view name) const { return header(name).has_value(); }
};

class RawClient {
 public:
  /** How the connection stands after a read. */
  enum class PeerState { kOpen, kClosed, kReset };

  RawClient() = default;
  explicit RawClient(uint16_t port, std::chrono::milliseconds timeout = 3s) { connect(port, timeout); }
  ~RawClient();
  RawClient(RawClient&& o) noexcept;
  RawClient& operator=(RawClient&& o) noexcept;
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  /** Connects to 127.0.0.1:port; a receiveBuffer above 0 sets SO_RCVBUF first (a peer that reads slowly). */
  bool connect(uint16_t port, std::chrono::milliseconds timeout = 3s, int receiveBuffer = 0);
  bool connected() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  const std::string& error() const { return error_; }

  /** Sends every byte (blocking, bounded by timeout). False when the peer is gone or on timeout. */
  bool send(std::string_view bytes, std::chrono::milliseconds timeout = 3s);
  /** Half-closes our side (FIN) so the server sees EOF. */
  void shutdownWrite();
  /** Closes the socket. */
  void close();
  /** Closes with RST (SO_LINGER 0). */
  void reset();

  /**
   * Reads one response. For a response to HEAD pass headRequest (no body is read).
   * A 1xx interim response comes back on its own. nullopt on timeout, close
   * before a complete response, or a malformed response (see error()).
   */
  std::optional<RawResponse> readResponse(std::chrono::milliseconds timeout = 3s, bool headRequest = false);
  /** Reads a final (non-1xx) response, skipping interim ones; interim statuses go into interim. */
  std::optional<RawResponse> readFinalResponse(std::chrono::milliseconds timeout = 3s, bool headRequest = false,
                                               std::vector<int>* interim = nullptr);

  /**
   * Reads (and keeps in received()) until the peer closes or resets, or timeout.
   * Returns kOpen on timeout.
   */
  PeerState readUntilClose(std::chrono::milliseconds timeout);
  /** Waits up to timeout for any byte or for close; returns whether something arrived. */
  bool waitReadable(std::chrono::milliseconds timeout);
  /** Bytes received but not consumed by readResponse(). */
  const std::string& received() const { return buf_; }
  void clearReceived() { buf_.clear(); }
  PeerState peerState() const { return peer_; }

 private:
  /** Reads once into buf_ within timeout. Returns bytes read; 0 on close/reset/timeout. */
  size_t fill(std::chrono::steady_clock::time_point deadline);
  /** Tries to parse one response from buf_; 1 parsed, 0 need more, -1 malformed. */
  int tryParse(RawResponse& out, bool headRequest, bool atEof);

  int fd_ = -1;
  std::string buf_;
  std::string error_;
  PeerState peer_ = PeerState::kOpen;
};

/** A minimal request: "METHOD target HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra header lines + "\r\n" + body. */
std::string makeRequest(std::string_view method, std::string_view target, std::string_view extraHeaders = {},
                        std::string_view body = {});

/** Convenience: one request on a new connection, returning the final response. */
std::optional<RawResponse> fetch(uint16_t port, std::string_view request, std::chrono::milliseconds timeout = 3s,
                                 bool headRequest = false);

}  // namespace sluice::test
