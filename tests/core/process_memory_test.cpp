#include "core/process_memory.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace pd {
namespace {

TEST(ProcessMemory, PeakFollowsATouchedAllocation) {
  const uint64_t before = resident_bytes();
  ASSERT_GT(before, 0u);
  EXPECT_GE(peak_resident_bytes(), before);
  const size_t size = 64u << 20;
  std::vector<char> block(size);
  std::memset(block.data(), 1, size);  // resident only once written
  const uint64_t during = resident_bytes();
  // Sanitizer builds add shadow memory, so only lower bounds hold everywhere.
  EXPECT_GE(during, before + size / 2) << before << " -> " << during;
  EXPECT_GE(peak_resident_bytes(), during);
  EXPECT_EQ(block[size - 1], 1);
}

}  // namespace
}  // namespace pd
