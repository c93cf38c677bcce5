// Times clustr::dbscan::fit on the CUDA backend for the cases of issue #5:
//   blobs2d   200,000 x 2  make_blobs-like (6 centres in [-10,10]^2, std 0.1), eps 0.05, min_samples 10
//   blobs3d   10,000,000 x 3 (20 centres in [-10,10]^3, std 0.5), eps 0.05, min_samples 10
//   cosine256 1,000,000 x 256 (100 random directions + Gaussian noise 0.03 per
//             coordinate, 5% uniform noise points), cosine, eps 0.25, min_samples 5
// Each case first validates the CUDA labels against the serial backend (on
// the whole set for blobs2d, on the first rows for the others, where serial
// would take minutes), then times fit on device-resident float data with
// cudaEvents: one warm-up, then the median of 3.
//
// Build: nvcc -arch=sm_90 -std=c++20 --extended-lambda --expt-relaxed-constexpr -O3 -Iinclude \
//          scripts/gpu/bench_dbscan.cu -o bench_dbscan -lcublas
// Run:   ./bench_dbscan [case ...]   (default: all three)

#include <cuda_runtime.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "clustr/backend/cuda.cuh"
#include "clustr/backend/serial.hpp"
#include "clustr/cluster/dbscan.hpp"
#include "clustr/core/rng.hpp"

namespace {

using clustr::index_t;

struct dataset {
  std::string name;
  index_t n = 0, d = 0;
  std::vector<float> X;
  double eps = 0;
  index_t min_samples = 0;
  bool cosine = false;
  index_t validate_rows = 0;
};

/// Gaussian blobs: centres uniform in [-10, 10]^d.
dataset blobs(const char* name, index_t n, index_t d, int centres, double std, double eps, index_t min_samples,
              index_t validate_rows) {
  dataset s{name, n, d, std::vector<float>(static_cast<std::size_t>(n * d)), eps, min_samples, false, validate_rows};
  const clustr::rng::random_stream rs{2024, 1};
  for (index_t i = 0; i < n; ++i) {
    const auto c = rs.below(static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(centres));
    for (index_t j = 0; j < d; ++j) {
      const double centre = -10.0 + 20.0 * rs.uniform<double>((std::uint64_t(1) << 40) + c * 1024 + static_cast<std::uint64_t>(j));
      s.X[static_cast<std::size_t>(i * d + j)] =
          static_cast<float>(centre + std * rs.normal<double>(static_cast<std::uint64_t>(i * d + j)));
    }
  }
  return s;
}

/// Directions plus noise, for cosine.
dataset directions(index_t n, index_t d, int centres, double noise, double eps, index_t min_samples,
                   index_t validate_rows) {
  dataset s{"cosine256", n, d, std::vector<float>(static_cast<std::size_t>(n * d)), eps, min_samples, true, validate_rows};
  const clustr::rng::random_stream rs{2025, 2};
  std::vector<double> dirs(static_cast<std::size_t>(centres * d));
  for (int c = 0; c < centres; ++c) {
    double norm = 0;
    for (index_t j = 0; j < d; ++j) {
      const double v = rs.normal<double>((std::uint64_t(1) << 44) + static_cast<std::uint64_t>(c * d + j));
      dirs[static_cast<std::size_t>(c * d + j)] = v;
      norm += v * v;
    }
    for (index_t j = 0; j < d; ++j) dirs[static_cast<std::size_t>(c * d + j)] /= std::sqrt(norm);
  }
  for (index_t i = 0; i < n; ++i) {
    const bool background = rs.uniform<double>((std::uint64_t(1) << 45) + static_cast<std::uint64_t>(i)) < 0.05;
    const auto c = rs.below(static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(centres));
    for (index_t j = 0; j < d; ++j) {
      const auto e = static_cast<std::uint64_t>(i * d + j);
      const double v = background ? rs.normal<double>((std::uint64_t(1) << 46) + e)
                                  : dirs[static_cast<std::size_t>(c * static_cast<std::uint64_t>(d) + static_cast<std::uint64_t>(j))] +
                                        noise * rs.normal<double>(e);
      s.X[static_cast<std::size_t>(i * d + j)] = static_cast<float>(v);
    }
  }
  return s;
}

template <class Metric>
clustr::dbscan::params<Metric> params_of(const dataset& s) {
  clustr::dbscan::params<Metric> p;
  p.eps = s.eps;
  p.min_samples = s.min_samples;
  return p;
}

template <class Metric>
int run_case(const dataset& s) {
  const clustr::cuda gpu{};
  const auto p = params_of<Metric>(s);
  // Validation against the serial backend on the first validate_rows rows.
  const index_t nv = std::min(s.n, s.validate_rows);
  const auto sub = clustr::make_matrix_view(s.X.data(), nv, s.d);
  const auto t0 = std::chrono::steady_clock::now();
  const auto ref = clustr::dbscan::fit(clustr::serial{}, p, sub);
  const double serial_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto got = clustr::dbscan::fit(gpu, p, sub);
  const auto a = ref.labels.to_std_vector(), b = got.labels.to_std_vector();
  index_t mismatches = 0;
  for (index_t i = 0; i < nv; ++i) mismatches += a[static_cast<std::size_t>(i)] != b[static_cast<std::size_t>(i)];
  std::printf("%-10s validate %lld rows vs serial (%.2f s): %lld label mismatches, clusters %lld / %lld\n",
              s.name.c_str(), static_cast<long long>(nv), serial_s, static_cast<long long>(mismatches),
              static_cast<long long>(got.n_clusters), static_cast<long long>(ref.n_clusters));

  // Timing on device-resident data.
  const auto Xd = clustr::clone(gpu, clustr::make_matrix_view(static_cast<const float*>(s.X.data()), s.n, s.d));
  cudaEvent_t start, stop;
  cudaEventCreate(&start);
  cudaEventCreate(&stop);
  index_t clusters = 0, cores = 0;
  {
    const auto warm = clustr::dbscan::fit(gpu, p, Xd);  // warm-up: cuBLAS handle, allocator pools
    clusters = warm.n_clusters;
    cores = warm.core_sample_indices.size();
  }
  std::vector<float> ms;
  for (int rep = 0; rep < 3; ++rep) {
    cudaEventRecord(start, gpu.stream);
    const auto m = clustr::dbscan::fit(gpu, p, Xd);
    cudaEventRecord(stop, gpu.stream);
    cudaEventSynchronize(stop);
    float t = 0;
    cudaEventElapsedTime(&t, start, stop);
    ms.push_back(t);
  }
  std::sort(ms.begin(), ms.end());
  std::printf("%-10s n %lld d %lld eps %g min_samples %lld: median fit %.4f s (runs %.4f %.4f %.4f), clusters %lld, core %lld\n",
              s.name.c_str(), static_cast<long long>(s.n), static_cast<long long>(s.d), s.eps,
              static_cast<long long>(s.min_samples), ms[1] / 1e3, ms[0] / 1e3, ms[1] / 1e3, ms[2] / 1e3,
              static_cast<long long>(clusters), static_cast<long long>(cores));
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
  // Expanded metrics take the cuBLAS path on the GPU: distances within an ulp
  // of eps may fall the other way, so allow a few boundary points.
  return mismatches <= nv / 1000 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> which;
  for (int i = 1; i < argc; ++i) which.emplace_back(argv[i]);
  const auto wanted = [&](const char* c) { return which.empty() || std::find(which.begin(), which.end(), c) != which.end(); };
  int bad = 0;
  try {
    if (wanted("blobs2d")) bad += run_case<clustr::metric::euclidean>(blobs("blobs2d", 200000, 2, 6, 0.1, 0.05, 10, 200000));
    if (wanted("blobs3d")) bad += run_case<clustr::metric::euclidean>(blobs("blobs3d", 10000000, 3, 20, 0.5, 0.05, 10, 300000));
    if (wanted("cosine256")) bad += run_case<clustr::metric::cosine>(directions(1000000, 256, 100, 0.03, 0.25, 5, 4000));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
  return bad == 0 ? 0 : 1;
}
