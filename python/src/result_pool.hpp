// Memory for the large arrays that round() returns, reused across calls.
//
// A new NumPy array of 10^7 float32 (40 MB) is fresh memory: np.empty does not fill it, but the
// kernel zeroes every page on first touch (2 MiB huge pages here), and that costs about as much as
// rounding into it. An array handed out here keeps its block in a capsule; when NumPy frees the
// array the block comes back to a small cache and the next round() of a similar size writes into
// pages already mapped. The cache is bounded (kMaxCachedBytes, kMaxBlocks); arrays below
// kMinBytes are left to NumPy's allocator (their pages are usually reused by malloc already).
#pragma once

#include <cstddef>
#include <cstdlib>
#include <mutex>
#include <new>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace floatscope::python {

class ResultPool {
 public:
  static constexpr std::size_t kMinBytes = std::size_t{1} << 20;
  static constexpr std::size_t kMaxCachedBytes = std::size_t{256} << 20;
  static constexpr std::size_t kMaxBlocks = 8;

  struct Block {
    void* data;
    std::size_t capacity;
  };

  // Never destroyed: capsules of arrays still alive at interpreter exit may release into it.
  static ResultPool& instance() {
    static ResultPool* pool = new ResultPool;
    return *pool;
  }

  // A block of at least `bytes` (a cached one of at most twice that size, else a new one),
  // aligned to 64 bytes (a whole AVX-512 vector; huge-page aligned when large).
  Block acquire(std::size_t bytes) {
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      std::size_t best = free_.size();
      for (std::size_t i = 0; i < free_.size(); ++i)
        if (free_[i].capacity >= bytes && free_[i].capacity / 2 <= bytes &&
            (best == free_.size() || free_[i].capacity < free_[best].capacity))
          best = i;
      if (best < free_.size()) {
        const Block b = free_[best];
        free_.erase(free_.begin() + static_cast<std::ptrdiff_t>(best));
        cached_ -= b.capacity;
        return b;
      }
    }
    const std::size_t align = bytes >= kHugePage ? kHugePage : 64;
    const std::size_t capacity = (bytes + align - 1) / align * align;
    void* p = std::aligned_alloc(align, capacity);
    if (p == nullptr) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (capacity >= kHugePage) madvise(p, capacity, MADV_HUGEPAGE);  // as NumPy does; a hint only
#endif
    return {p, capacity};
  }

  // Takes a block back: cached while the cache has room (oldest blocks make way), else freed.
  void release(Block b) noexcept {
    std::vector<void*> drop;
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      if (b.capacity > kMaxCachedBytes) {
        drop.push_back(b.data);
      } else {
        while (!free_.empty() && (cached_ + b.capacity > kMaxCachedBytes || free_.size() >= kMaxBlocks)) {
          drop.push_back(free_.front().data);
          cached_ -= free_.front().capacity;
          free_.erase(free_.begin());
        }
        free_.push_back(b);
        cached_ += b.capacity;
      }
    }
    for (void* p : drop) std::free(p);
  }

  // Frees every cached block (floatscope._core.pool_clear()); returns the bytes freed.
  std::size_t clear() noexcept {
    std::vector<Block> blocks;
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      blocks.swap(free_);
      cached_ = 0;
    }
    std::size_t bytes = 0;
    for (const Block& b : blocks) {
      bytes += b.capacity;
      std::free(b.data);
    }
    return bytes;
  }

  std::size_t cached_bytes() {
    const std::lock_guard<std::mutex> lock(mutex_);
    return cached_;
  }

 private:
  static constexpr std::size_t kHugePage = std::size_t{2} << 20;
  ResultPool() = default;
  std::mutex mutex_;
  std::vector<Block> free_;  // oldest first
  std::size_t cached_ = 0;
};

}  // namespace floatscope::python
