#include "core/thread_pool.h"

#include <algorithm>
#include <chrono>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace pd {

namespace {

void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#else
  std::this_thread::yield();
#endif
}

// Spins until `ready()` or for about 200 microseconds, whichever comes first: the next
// piece of a parallel loop usually arrives within microseconds, far sooner than a
// sleeping thread wakes up. Returns whether `ready()` became true.
template <typename Ready>
bool spin_until(Ready ready) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(200);
  for (int i = 0;; ++i) {
    if (ready()) return true;
    if ((i & 63) == 63 && std::chrono::steady_clock::now() > deadline) return false;
    cpu_relax();
  }
}

}  // namespace

struct ThreadPool::Job {
  const std::function<void(int64_t, int64_t)>* body = nullptr;
  int64_t n = 0;
  int64_t grain = 1;
  int64_t blocks = 0;
  int64_t pieces = 0;
  std::vector<int64_t> starts;  // piece k is blocks [starts[k], starts[k + 1])
  std::atomic<int64_t> next{0};  // the next piece to take
  std::atomic<int64_t> done{0};  // pieces finished (or failed)
  std::mutex error_mutex;
  std::exception_ptr error;
  std::mutex* pool_mutex = nullptr;
  std::condition_variable* finished = nullptr;
};

// Where the pieces of `blocks` start (and, last, `blocks`). One piece per thread: equal
// contiguous ranges (decode's streams). More: each piece takes a share of what is left,
// so that the pieces shrink towards the end and the last one a thread finishes leaves
// the others little to wait for; no piece is smaller than a quarter of an equal split's.
std::vector<int64_t> ThreadPool::piece_starts(int64_t blocks, int64_t threads, int64_t pieces_per_thread) {
  std::vector<int64_t> starts{0};
  if (pieces_per_thread == 1) {
    const int64_t pieces = std::min(blocks, threads);
    for (int64_t k = 1; k <= pieces; ++k) starts.push_back(blocks * k / pieces);
    return starts;
  }
  const int64_t equal_pieces = pieces_per_thread * threads;
  const int64_t smallest = std::max<int64_t>(1, blocks / (4 * equal_pieces));
  // Each piece takes this part of what is left: the first is twice an equal piece, and
  // the pieces shrink geometrically down to the smallest.
  const int64_t parts_of_rest = equal_pieces / 2;
  for (int64_t at = 0; at < blocks;) {
    const int64_t share = (blocks - at + parts_of_rest - 1) / parts_of_rest;
    at = std::min(blocks, at + std::max(smallest, share));
    starts.push_back(at);
  }
  return starts;
}

void ThreadPool::work_on(Job& job) {
  for (;;) {
    const int64_t piece = job.next.fetch_add(1);
    if (piece >= job.pieces) return;
    // The body is only reached through a taken piece, and the caller waits for every
    // taken piece, so it is still alive here.
    const int64_t begin = job.starts[piece] * job.grain;
    const int64_t end = std::min(job.n, job.starts[piece + 1] * job.grain);
    try {
      if (begin < end) (*job.body)(begin, end);
    } catch (...) {
      std::lock_guard<std::mutex> lock(job.error_mutex);
      if (!job.error) job.error = std::current_exception();
    }
    if (job.done.fetch_add(1) + 1 == job.pieces) {
      // Taking the mutex orders this notification after the caller's check of done.
      { std::lock_guard<std::mutex> lock(*job.pool_mutex); }
      job.finished->notify_one();
    }
  }
}

ThreadPool::ThreadPool(int threads) {
  const int count = std::max(1, threads);
  workers_.reserve(count - 1);
  for (int i = 1; i < count; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  start_.notify_all();
  for (auto& worker : workers_) worker.join();
}

int ThreadPool::default_threads() {
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

void ThreadPool::worker_loop(int index) {
  uint64_t seen = 0;
  for (;;) {
    spin_until([&] { return stopping_.load() || generation_.load() != seen; });
    const std::function<void(int)>* task;
    std::shared_ptr<Job> job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      start_.wait(lock, [&] { return stopping_.load() || generation_.load() != seen; });
      if (stopping_) return;
      seen = generation_;
      task = task_;
      job = job_;
    }
    if (job) {
      work_on(*job);
      continue;
    }
    std::exception_ptr error;
    try {
      (*task)(index);
    } catch (...) {
      error = std::current_exception();
    }
    if (error) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!error_) error_ = error;
    }
    if (pending_.fetch_sub(1) == 1) {
      // Taking the mutex orders this notification after the caller's check of pending_.
      { std::lock_guard<std::mutex> lock(mutex_); }
      done_.notify_one();
    }
  }
}

void ThreadPool::run(const std::function<void(int)>& task) {
  if (workers_.empty()) {
    task(0);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    task_ = &task;
    job_ = nullptr;
    pending_ = static_cast<int>(workers_.size());
    error_ = nullptr;
    ++generation_;
  }
  start_.notify_all();
  std::exception_ptr error;
  try {
    task(0);
  } catch (...) {
    error = std::current_exception();
  }
  spin_until([&] { return pending_.load() == 0; });
  std::unique_lock<std::mutex> lock(mutex_);
  done_.wait(lock, [&] { return pending_.load() == 0; });
  if (!error) error = error_;
  if (error) std::rethrow_exception(error);
}

void ThreadPool::parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& body,
                              int64_t grain, int64_t pieces_per_thread) {
  if (n <= 0) return;
  grain = std::max<int64_t>(1, grain);
  const int64_t blocks = (n + grain - 1) / grain;
  const int64_t parts = std::min<int64_t>(size(), blocks);
  if (parts <= 1) {
    body(0, n);
    return;
  }
  auto job = std::make_shared<Job>();
  job->body = &body;
  job->n = n;
  job->grain = grain;
  job->blocks = blocks;
  job->starts = piece_starts(blocks, size(), std::max<int64_t>(1, pieces_per_thread));
  job->pieces = static_cast<int64_t>(job->starts.size()) - 1;
  job->pool_mutex = &mutex_;
  job->finished = &done_;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    task_ = nullptr;
    job_ = job;
    ++generation_;
  }
  start_.notify_all();
  work_on(*job);
  spin_until([&] { return job->done.load() == job->pieces; });
  {
    // job_ stays set: a worker waking for this generation finds every piece taken.
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [&] { return job->done.load() == job->pieces; });
  }
  if (job->error) std::rethrow_exception(job->error);
}

}  // namespace pd
