#pragma once
// Wall-clock timestamps for records and reports, in one format everywhere.

#include <string>

namespace pd {

// Now, in UTC, as ISO 8601 to the second: "2026-11-23T18:09:59Z".
std::string utc_now();

}  // namespace pd
