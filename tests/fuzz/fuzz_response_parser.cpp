#include "fuzz_parser_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return sluice::fuzz::runParserTarget(sluice::http::Parser::Kind::kResponse, data, size);
}
