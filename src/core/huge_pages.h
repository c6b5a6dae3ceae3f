#pragma once
// Memory for data the engine streams through again and again: weights, all of which
// every decoded token reads. It is anonymous memory aligned to 2 MiB and advised for
// transparent huge pages, so that a pass over hundreds of MB needs one TLB entry per
// 2 MiB instead of one per 4 KiB page (on the 336 M model at one thread, decode ran up
// to 9 % faster than from 4 KiB pages in alternating runs). Where the kernel gives no huge pages
// (transparent huge pages off, other systems) it is ordinary anonymous memory. Only
// whole 2 MiB stretches become huge pages; the last partial one stays in 4 KiB pages, so
// a buffer holds its size rounded up to 4 KiB and no more.

#include <cstddef>
#include <cstdint>

namespace pd {

class HugePageBuffer {
 public:
  HugePageBuffer() = default;
  // `bytes` zero bytes. Throws Error (Runtime) when the system cannot provide them.
  explicit HugePageBuffer(size_t bytes);
  ~HugePageBuffer();
  HugePageBuffer(HugePageBuffer&& other) noexcept;
  HugePageBuffer& operator=(HugePageBuffer&& other) noexcept;
  HugePageBuffer(const HugePageBuffer&) = delete;
  HugePageBuffer& operator=(const HugePageBuffer&) = delete;

  uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

  static constexpr size_t kHugePage = size_t{2} << 20;

 private:
  void release();

  void* mapping_ = nullptr;  // the mapping: starts on a 2 MiB boundary, ends with the data
  size_t mapped_ = 0;
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace pd
