#pragma once
// A fixed-size pool of worker threads for data-parallel loops.
//
// Determinism is the point: `parallel_for` splits a range into contiguous pieces that
// depend only on the range and the pool size, and every piece is computed by the same
// code whatever thread runs it. Callers must never split a reduction (a dot product's
// inner dimension) across pieces; then results are bit-identical for any thread count.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace pd {

class ThreadPool {
 public:
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  // Runs task(index) for index in [0, size()) concurrently; the caller runs index 0.
  // Returns when all are done. An exception thrown by a task is rethrown here.
  void run(const std::function<void(int index)>& task);

  // Calls body(begin, end) on disjoint pieces covering [0, n). Pieces are aligned to
  // `grain` (the last may be shorter) so that kernels can work on whole blocks.
  // Threads take pieces as they come free (a few pieces per thread), and the call
  // returns once every piece is done, without waiting for a thread that never got to
  // take one: on a shared machine a worker preempted by another process no longer
  // stalls every loop for a time slice. Which thread runs a piece never matters to the
  // result (see the contract above). `pieces_per_thread` trades the balance of many
  // pieces for the long contiguous ranges of few (a memory-bound stream keeps its
  // prefetch going only within a piece): 1 gives each thread one equal range; more give
  // pieces that shrink towards the end (each a share of what is left, none below a
  // quarter of an equal split's), so the last piece leaves little to wait on.
  void parallel_for(int64_t n, const std::function<void(int64_t begin, int64_t end)>& body,
                    int64_t grain = 1, int64_t pieces_per_thread = kPiecesPerThread);

  // Number of threads to use when the user does not say: the machine's cores.
  static int default_threads();

  // Pieces per thread in parallel_for: enough that a late or slow thread leaves little
  // for the others to wait on, few enough that claiming one costs nothing.
  static constexpr int64_t kPiecesPerThread = 4;

 private:
  struct Job;
  void worker_loop(int index);
  static std::vector<int64_t> piece_starts(int64_t blocks, int64_t threads, int64_t pieces_per_thread);
  // Runs pieces of `job` until none is left to take.
  static void work_on(Job& job);

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable start_;
  std::condition_variable done_;
  const std::function<void(int)>* task_ = nullptr;
  // The parallel_for in progress, if any (else task_'s run()); shared so that a worker
  // that wakes after the call returned still finds valid (exhausted) state.
  std::shared_ptr<Job> job_;
  // Atomic so that threads can spin on them briefly before sleeping on the condition
  // variables (a decoded token is hundreds of short loops; waking a sleeping thread for
  // each cost more than the second core gave). Written under mutex_.
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  std::atomic<bool> stopping_{false};
  std::exception_ptr error_;
};

}  // namespace pd
