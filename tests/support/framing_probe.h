#pragma once
/**
 * What the framing and smuggling suites share: raw bytes with NULs kept, the request
 * smuggled behind a refused one, sending a request in small pieces, and the check that
 * a fresh connection is still served.
 */
#include <QByteArray>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "support/raw_client.h"

namespace sluice::test {

/** A request that must never be answered when it rides behind a refused one (its status, 299, is unique). */
inline const QByteArray kSmuggledRequest = "GET /status/299 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

/** The bytes of a string literal, embedded NUL bytes included. */
template <size_t N>
QByteArray rawBytes(const char (&s)[N]) {
  return QByteArray(s, N - 1);
}

/**
 * Sends bytes in pieces of step bytes, waiting up to pause for a reply every `every`
 * bytes, so the server sees many small reads. False when a send failed (the server
 * may have closed early, which the caller judges by what it reads).
 */
bool sendInPieces(RawClient& c, const QByteArray& bytes, qsizetype step, qsizetype every, std::chrono::milliseconds pause);

/** Empty when a new connection to port gets 200 for GET /status/200; else what went wrong. */
std::string unhealthy(uint16_t port);

}  // namespace sluice::test
