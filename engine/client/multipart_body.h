#pragma once
/**
 * A multipart/form-data body (RFC 7578) described as curl's -F arguments, streamed:
 * file parts are read from disk while they are sent. Shared by sluice-cli and the GUI.
 */
#include <string>
#include <string_view>
#include <vector>

#include "engine/client/request.h"
#include "engine/util/error.h"

namespace sluice::client {

/** A whole file's bytes (for small inline values: -F name=<file, -d @file), or a worded error. */
Result<std::string> readFileBytes(const std::string& path);

/** Form parts, in order, sent as one multipart/form-data body (chunked; not replayable). */
class MultipartForm {
 public:
  /** "name=value", "name=@file[;type=T][;filename=F]" or "name=<file" (the file's text as a value). */
  Status add(std::string_view spec);
  bool empty() const { return parts_.empty(); }
  const std::string& boundary() const { return boundary_; }
  /** The body: parts streamed from disk as they are sent (a pull source). */
  RequestBody body() const;

 private:
  struct Part {
    std::string head;      ///< boundary line and part headers
    std::string value;     ///< inline value
    std::string filePath;  ///< or a file streamed from disk
  };
  std::vector<Part> parts_;
  std::string boundary_;
};

}  // namespace sluice::client
