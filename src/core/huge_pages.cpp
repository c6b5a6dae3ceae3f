#include "core/huge_pages.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "core/error.h"

namespace pd {

namespace {

constexpr size_t kSmallPage = 4096;

size_t round_up(size_t n, size_t unit) { return (n + unit - 1) / unit * unit; }

}  // namespace

HugePageBuffer::HugePageBuffer(size_t bytes) {
  if (bytes == 0) return;
  const size_t length = round_up(bytes, kSmallPage);
  // Map one huge page more than needed, start at the first 2 MiB boundary inside and
  // give the rest back: the mapping then ends with the data, so its last partial 2 MiB
  // stays in small pages and the buffer never holds more than `bytes` rounded to 4 KiB.
  const size_t reserved = length + kHugePage;
  void* mapping = ::mmap(nullptr, reserved, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapping == MAP_FAILED) {
    fail_runtime("memory", "cannot allocate " + std::to_string(bytes) + " bytes: " + std::strerror(errno));
  }
  auto* const start = static_cast<uint8_t*>(mapping);
  auto* const aligned = reinterpret_cast<uint8_t*>(round_up(reinterpret_cast<uintptr_t>(start), kHugePage));
  const size_t head = static_cast<size_t>(aligned - start);
  if (head > 0) ::munmap(start, head);
  const size_t tail = reserved - head - length;
  if (tail > 0) ::munmap(aligned + length, tail);
  mapping_ = aligned;
  mapped_ = length;
  data_ = aligned;
  size_ = bytes;
#ifdef MADV_HUGEPAGE
  // Advice only: without transparent huge pages the memory is simply 4 KiB pages.
  ::madvise(data_, length, MADV_HUGEPAGE);
#endif
}

HugePageBuffer::~HugePageBuffer() { release(); }

HugePageBuffer::HugePageBuffer(HugePageBuffer&& other) noexcept { *this = std::move(other); }

HugePageBuffer& HugePageBuffer::operator=(HugePageBuffer&& other) noexcept {
  if (this != &other) {
    release();
    mapping_ = std::exchange(other.mapping_, nullptr);
    mapped_ = std::exchange(other.mapped_, 0);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

void HugePageBuffer::release() {
  if (mapping_ != nullptr) ::munmap(mapping_, mapped_);
  mapping_ = nullptr;
  mapped_ = 0;
  data_ = nullptr;
  size_ = 0;
}

}  // namespace pd
