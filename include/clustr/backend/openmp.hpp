#pragma once
// The OpenMP backend: host threads. It overrides only for_each; the generic
// primitives are written over for_each with a fixed chunking that does not
// depend on the thread count, so reductions and scans give the same bits as
// the serial backend at any number of threads.

#include <omp.h>

#include "clustr/core/config.hpp"
#include "clustr/core/space.hpp"

namespace clustr {

struct openmp {
  using memory_space = host_space;
  static constexpr const char* name = "openmp";

  /// Number of threads; 0 means OpenMP's default (OMP_NUM_THREADS or all cores).
  int threads = 0;

  int thread_count() const { return threads > 0 ? threads : omp_get_max_threads(); }

  /// f(i) for i in [0, n), statically scheduled. Bodies must not throw and
  /// must not call another parallel primitive (no nested parallelism).
  template <class F>
  void for_each(index_t n, F f) const {
    if (n <= 0) return;
    const int nt = thread_count();
    if (nt <= 1 || n == 1 || omp_in_parallel()) {
      for (index_t i = 0; i < n; ++i) f(i);
      return;
    }
#pragma omp parallel for schedule(static) num_threads(nt)
    for (index_t i = 0; i < n; ++i) f(i);
  }

  /// f(i) for i in [0, n), dynamically scheduled in blocks of `grain`: for
  /// bodies of uneven cost (per-row work in sparse data).
  template <class F>
  void for_each_dynamic(index_t n, index_t grain, F f) const {
    if (n <= 0) return;
    const int nt = thread_count();
    if (nt <= 1 || omp_in_parallel()) {
      for (index_t i = 0; i < n; ++i) f(i);
      return;
    }
#pragma omp parallel for schedule(dynamic, grain) num_threads(nt)
    for (index_t i = 0; i < n; ++i) f(i);
  }
};

}  // namespace clustr
