#include "core/process_memory.h"

#include <cstdio>
#include <cstring>

namespace pd {
namespace {

// The value of a "Key:   1234 kB" line of a /proc file, in bytes.
uint64_t proc_kilobytes(const char* path, const char* key) {
  std::FILE* f = std::fopen(path, "r");
  if (f == nullptr) return 0;
  char line[256];
  uint64_t kb = 0;
  const size_t key_length = std::strlen(key);
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::strncmp(line, key, key_length) == 0 && line[key_length] == ':') {
      unsigned long long value = 0;
      if (std::sscanf(line + key_length + 1, "%llu", &value) == 1) kb = value;
      break;
    }
  }
  std::fclose(f);
  return kb * 1024;
}

}  // namespace

uint64_t resident_bytes() { return proc_kilobytes("/proc/self/status", "VmRSS"); }
uint64_t peak_resident_bytes() { return proc_kilobytes("/proc/self/status", "VmHWM"); }
uint64_t available_memory_bytes() { return proc_kilobytes("/proc/meminfo", "MemAvailable"); }

}  // namespace pd
