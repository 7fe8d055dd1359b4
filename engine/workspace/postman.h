#pragma once
/**
 * Postman Collection v2.1 import into .http files. Folders become folders, requests become
 * "###" blocks, headers and raw / urlencoded / form-data / file bodies carry over, collection
 * variables become in-place "@var = value" lines, and basic or bearer auth become
 * Authorization headers that use variables. Everything else (scripts, other auth types,
 * file form fields, GraphQL bodies, ...) is listed by name in the report.
 */
#include <string>
#include <string_view>
#include <vector>

#include "engine/util/error.h"
#include "engine/workspace/http_file.h"

namespace sluice::workspace {

struct PostmanImport {
  struct File {
    std::string path;  ///< relative to the target folder: "Collection.http", "Folder/Folder.http"
    HttpFile file;
  };
  std::vector<File> files;
  size_t requests = 0;
  std::vector<std::string> notCarriedOver;  ///< one line per thing left behind, naming it and its request
};

/** Converts a collection. Refuses other schema versions with a worded error. */
Result<PostmanImport> importPostman(std::string_view json);
/** Writes the files under dir (creating folders); refuses to overwrite an existing file. */
Status writePostmanImport(const PostmanImport& import, const std::string& dir);

}  // namespace sluice::workspace
