#pragma once
// This process's memory as the kernel accounts it (Linux /proc/self/status): what is
// resident now and the high-water mark since the process started. Memory benchmarks
// compare these with the bytes the data structures say they hold.

#include <cstdint>

namespace pd {

// VmRSS and VmHWM in bytes; 0 where /proc is not available.
uint64_t resident_bytes();
uint64_t peak_resident_bytes();

}  // namespace pd
