#pragma once
// This process's memory as the kernel accounts it (Linux /proc/self/status): what is
// resident now and the high-water mark since the process started; and the system's
// available memory (/proc/meminfo). Memory benchmarks
// compare these with the bytes the data structures say they hold.

#include <cstdint>

namespace pd {

// VmRSS and VmHWM in bytes; 0 where /proc is not available.
uint64_t resident_bytes();
uint64_t peak_resident_bytes();

// The memory the system could give new allocations without swapping (MemAvailable of
// /proc/meminfo) in bytes; 0 where it is not known.
uint64_t available_memory_bytes();

}  // namespace pd
