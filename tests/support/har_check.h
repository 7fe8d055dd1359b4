#pragma once
/**
 * A HAR 1.2 checker written from the specification
 * (http://www.softwareishard.com/blog/har-12-spec/): every required field present with
 * its type, timings non-negative (blocked, dns, connect, ssl may be -1), and the entry's
 * time equal to the sum of its timings. Returns one line per problem; empty when valid.
 */
#include <string>
#include <string_view>
#include <vector>

namespace sluice::test {

std::vector<std::string> checkHar12(std::string_view json);

}  // namespace sluice::test
