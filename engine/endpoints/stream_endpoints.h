#pragma once
/**
 * Streamed test endpoints for the stream views and content decoding:
 *  - /sse?count=N&interval=MS&size=B&batch=K&encoding=E   an event stream: a retry field,
 *    comments, typed and untyped events with ids, each event's data on two lines
 *    (joined, a JSON object); K events every MS ms (interval 0: as fast as the peer reads)
 *  - /ndjson?count=N&interval=MS&batch=K&format=seq&encoding=E   one JSON object per line
 *    (application/x-ndjson), or RFC 7464 records with format=seq (application/json-seq)
 * With encoding=gzip|deflate|br the body is compressed as it streams, flushed after
 * every tick so that each event can be decoded as soon as it arrives.
 */
#include <memory>
#include <string>

#include "engine/endpoints/endpoints.h"
#include "engine/http/content_coding.h"

namespace sluice::endpoints {

/** Writes a response body through an optional content encoder. */
class EncodedWriter {
 public:
  /** Reads ?encoding=; on a bad name returns an error message for a 400. */
  static Result<EncodedWriter> fromQuery(const http::RequestHead& head);
  /** Adds Content-Encoding when encoding. */
  void addHeaders(http::Headers& h) const;
  /** Same contract as Exchange::write (false: wait for onWritable). flush: decodable now. */
  bool write(Exchange& ex, std::string_view data, bool flush);
  /** Writes the coding's trailer and ends the response. */
  void end(Exchange& ex);
  bool encoding() const { return encoder_ != nullptr; }

 private:
  http::ContentCoding coding_ = http::ContentCoding::kIdentity;
  std::unique_ptr<http::ContentEncoder> encoder_;
  std::string out_;
};

/** Adds /sse and /ndjson. */
void addStreamRoutes(Router& router);

}  // namespace sluice::endpoints
