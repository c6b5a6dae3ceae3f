// HugePageBuffer: aligned, zeroed, writable memory that moves without copying.

#include "core/huge_pages.h"

#include <gtest/gtest.h>

#include <cstring>
#include <utility>

namespace pd {
namespace {

TEST(HugePageBuffer, IsAlignedZeroedAndWritable) {
  for (size_t bytes : {size_t{1}, size_t{4096}, HugePageBuffer::kHugePage, 3 * HugePageBuffer::kHugePage + 7}) {
    HugePageBuffer buffer(bytes);
    ASSERT_NE(buffer.data(), nullptr);
    EXPECT_EQ(buffer.size(), bytes);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(buffer.data()) % HugePageBuffer::kHugePage, 0u) << bytes;
    size_t nonzero = 0;
    for (size_t i = 0; i < bytes; ++i) nonzero += buffer.data()[i] != 0;
    EXPECT_EQ(nonzero, 0u) << bytes;
    std::memset(buffer.data(), 0xAB, bytes);
    EXPECT_EQ(buffer.data()[bytes - 1], 0xAB);
  }
}

TEST(HugePageBuffer, MovesOwnership) {
  HugePageBuffer empty;
  EXPECT_EQ(empty.data(), nullptr);
  EXPECT_EQ(empty.size(), 0u);
  EXPECT_EQ(HugePageBuffer(0).data(), nullptr);
  HugePageBuffer a(100);
  a.data()[99] = 7;
  uint8_t* where = a.data();
  HugePageBuffer b(std::move(a));
  EXPECT_EQ(a.data(), nullptr);
  EXPECT_EQ(b.data(), where);
  EXPECT_EQ(b.data()[99], 7);
  HugePageBuffer c(10);
  c = std::move(b);
  EXPECT_EQ(c.data(), where);
  EXPECT_EQ(c.size(), 100u);
  EXPECT_EQ(b.size(), 0u);
}

}  // namespace
}  // namespace pd
