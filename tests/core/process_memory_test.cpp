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

TEST(ProcessMemory, AvailableMemoryIsReadFromTheSystem) {
  const uint64_t available = available_memory_bytes();
  ASSERT_GT(available, 0u);  // Linux: /proc/meminfo
  EXPECT_GT(available, uint64_t{16} << 20);   // a machine that runs these tests has more than 16 MiB free
  EXPECT_LT(available, uint64_t{1} << 50);    // and less than a petabyte
}

}  // namespace
}  // namespace pd
