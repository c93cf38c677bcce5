#pragma once
// What the GPU benchmark drivers share: CUDA-event timing after a warm-up
// (every call checked), random normal data from clustr's counter-based
// generator, and the BENCH_ONLY section filter.

#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "clustr/backend/detail/cuda/error.cuh"
#include "clustr/core/rng.hpp"

namespace bench {

using clustr::index_t;

/// Milliseconds of each of `reps` calls of f (after one warm-up call), timed
/// with CUDA events on the legacy default stream.
template <class F>
std::vector<double> times_ms(F f, int reps) {
  cudaEvent_t a, b;
  CLUSTR_CUDA_CHECK(cudaEventCreate(&a));
  CLUSTR_CUDA_CHECK(cudaEventCreate(&b));
  f();  // warm-up
  std::vector<double> t;
  for (int r = 0; r < reps; ++r) {
    CLUSTR_CUDA_CHECK(cudaEventRecord(a));
    f();
    CLUSTR_CUDA_CHECK(cudaEventRecord(b));
    CLUSTR_CUDA_CHECK(cudaEventSynchronize(b));
    float ms = 0;
    CLUSTR_CUDA_CHECK(cudaEventElapsedTime(&ms, a, b));
    t.push_back(ms);
  }
  CLUSTR_CUDA_CHECK(cudaEventDestroy(a));
  CLUSTR_CUDA_CHECK(cudaEventDestroy(b));
  return t;
}

inline double median(std::vector<double> t) {
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

template <class F>
double median_ms(F f, int reps) {
  return median(times_ms(f, reps));
}

/// n x d standard normal floats, row-major, from (seed, element index).
inline std::vector<float> randn(index_t n, index_t d, std::uint64_t seed) {
  const clustr::rng::random_stream rs{seed, 0};
  std::vector<float> v(static_cast<std::size_t>(n * d));
#pragma omp parallel for
  for (index_t i = 0; i < n * d; ++i) v[static_cast<std::size_t>(i)] = rs.normal<float>(static_cast<std::uint64_t>(i));
  return v;
}

/// BENCH_ONLY=a,b,c (comma separated; unset: all) runs a subset of sections.
inline bool want(const char* section) {
  const char* only = std::getenv("BENCH_ONLY");
  return !only || std::string(",").append(only).append(",").find(std::string(",") + section + ",") != std::string::npos;
}

}  // namespace bench
