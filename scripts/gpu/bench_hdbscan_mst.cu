// HDBSCAN's core distances + exact mutual-reachability MST (Borůvka over a
// kd-tree) on the CUDA backend, for 100k x 5-d and 1M x 5-d make_blobs-like
// data (20 centres uniform in [-10, 10), sd 1), min_samples 50. The 100k
// result is first validated against a host backend (OpenMP when compiled
// with -Xcompiler=-fopenmp, else serial): MST total weight and edge list.
// Timed with CUDA events after a warm-up, median of 3: core_distances and
// mutual_reachability_mst called separately, and core_distances_and_mst (one
// kd-tree for both). Prints one JSON object.
//
//   nvcc -arch=sm_90 -std=c++20 --extended-lambda --expt-relaxed-constexpr -O3 -Iinclude \
//        scripts/gpu/bench_hdbscan_mst.cu -lcublas -o bench_hdbscan_mst && ./bench_hdbscan_mst
#include <cuda_runtime.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

#include "clustr/backend/cuda.cuh"
#include "clustr/backend/serial.hpp"
#include "clustr/cluster/detail/hdbscan_mst.hpp"
#include "clustr/core/rng.hpp"
#include "bench_util.cuh"
#if defined(_OPENMP)
#include "clustr/backend/openmp.hpp"
using host_backend = clustr::openmp;
#else
using host_backend = clustr::serial;
#endif

using clustr::index_t;
namespace hd = clustr::hdbscan::detail;

namespace {

std::vector<float> blobs(index_t n, index_t d, index_t centers, std::uint64_t seed) {
  const clustr::rng::random_stream rc{seed, 1}, rs{seed, 2}, rl{seed, 3};
  std::vector<float> c(static_cast<std::size_t>(centers * d));
  for (std::size_t i = 0; i < c.size(); ++i) c[i] = rc.uniform<float>(i, -10.0f, 10.0f);
  std::vector<float> x(static_cast<std::size_t>(n * d));
  for (index_t i = 0; i < n; ++i) {
    const auto k = static_cast<index_t>(rl.uniform<double>(static_cast<std::uint64_t>(i), 0.0, 1.0) * centers) % centers;
    for (index_t j = 0; j < d; ++j)
      x[static_cast<std::size_t>(i * d + j)] =
          c[static_cast<std::size_t>(k * d + j)] + rs.normal<float>(static_cast<std::uint64_t>(i * d + j));
  }
  return x;
}

using bench::median;
using bench::times_ms;

double total_weight(const std::vector<clustr::hdbscan::mst_edge<float>>& e) {
  double s = 0;
  for (const auto& x : e) s += x.weight;
  return s;
}

}  // namespace

int main() {
  const clustr::cuda gpu{};
  const clustr::metric::euclidean l2;
  const index_t d = 5, m = 50, batch = 16384;
  std::printf("{\n  \"device\": ");
  {
    cudaDeviceProp prop{};
    cudaGetDeviceProperties(&prop, 0);
    std::printf("\"%s\",\n", prop.name);
  }
  bool ok = true;
  const index_t sizes[] = {100000, 1000000};
  for (int si = 0; si < 2; ++si) {
    const index_t n = sizes[si];
    const auto x = blobs(n, d, 20, 42);
    const auto X = clustr::clone(gpu, clustr::make_matrix_view(x.data(), n, d));
    // Validation (100k): the host backend's core distances and MST.
    if (n == 100000) {
      const auto t0 = std::chrono::steady_clock::now();
      const host_backend cpu{};
      const auto core_h = hd::core_distances(cpu, l2, clustr::make_matrix_view(x.data(), n, d), m, batch);
      const auto ref = hd::mutual_reachability_mst(cpu, l2, clustr::make_matrix_view(x.data(), n, d), core_h.view(), 1.0f, batch);
      const double host_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      const auto core = hd::core_distances(gpu, l2, X, m, batch);
      const auto mst = hd::mutual_reachability_mst(gpu, l2, X, core.view(), 1.0f, batch);
      const auto core_g = core.to_std_vector();
      double core_err = 0;
      for (index_t i = 0; i < n; ++i)
        core_err = std::max(core_err, std::abs(double(core_g[static_cast<std::size_t>(i)]) - double(core_h[i])) /
                                          std::max(1.0, double(core_h[i])));
      index_t same = 0;
      for (std::size_t i = 0; i < std::min(mst.size(), ref.size()); ++i)
        same += mst[i].from == ref[i].from && mst[i].to == ref[i].to;
      const double wg = total_weight(mst), wr = total_weight(ref);
      const double rel = std::abs(wg - wr) / wr;
      const bool valid = mst.size() == static_cast<std::size_t>(n - 1) && rel < 1e-5 && core_err < 1e-5;
      ok = ok && valid;
      std::printf("  \"validation_100k\": {\"host_backend\": \"%s\", \"host_seconds\": %.3f, \"edges\": %zu, "
                  "\"gpu_weight\": %.6f, \"host_weight\": %.6f, \"rel_diff\": %.3g, \"max_core_rel_err\": %.3g, "
                  "\"identical_edges\": %.6f, \"ok\": %s},\n",
                  host_backend::name, host_s, mst.size(), wg, wr, rel, core_err,
                  double(same) / double(std::max<std::size_t>(1, ref.size())), valid ? "true" : "false");
    }
    std::vector<double> t_core, t_mst;
    const auto t_total = times_ms(
        [&] {
          cudaEvent_t a, b, c;
          CLUSTR_CUDA_CHECK(cudaEventCreate(&a));
          CLUSTR_CUDA_CHECK(cudaEventCreate(&b));
          CLUSTR_CUDA_CHECK(cudaEventCreate(&c));
          CLUSTR_CUDA_CHECK(cudaEventRecord(a));
          const auto core = hd::core_distances(gpu, l2, X, m, batch);
          CLUSTR_CUDA_CHECK(cudaEventRecord(b));
          const auto mst = hd::mutual_reachability_mst(gpu, l2, X, core.view(), 1.0f, batch);
          CLUSTR_CUDA_CHECK(cudaEventRecord(c));
          CLUSTR_CUDA_CHECK(cudaEventSynchronize(c));
          float ms1 = 0, ms2 = 0;
          CLUSTR_CUDA_CHECK(cudaEventElapsedTime(&ms1, a, b));
          CLUSTR_CUDA_CHECK(cudaEventElapsedTime(&ms2, b, c));
          t_core.push_back(ms1);
          t_mst.push_back(ms2);
          CLUSTR_CUDA_CHECK(cudaEventDestroy(a));
          CLUSTR_CUDA_CHECK(cudaEventDestroy(b));
          CLUSTR_CUDA_CHECK(cudaEventDestroy(c));
          if (mst.size() != static_cast<std::size_t>(n - 1)) std::printf("  \"error\": \"wrong edge count\",\n");
        },
        3);
    t_core.erase(t_core.begin());  // the warm-up
    t_mst.erase(t_mst.begin());
    // core_distances_and_mst: one kd-tree for both stages (what fit uses).
    const auto t_both = times_ms(
        [&] {
          const auto r = hd::core_distances_and_mst(gpu, l2, X, m, 1.0f, batch);
          if (r.mst.size() != static_cast<std::size_t>(n - 1)) std::printf("  \"error\": \"wrong edge count\",\n");
        },
        3);
    std::printf("  \"n%lld_d%lld_min_samples%lld\": {\"core_ms\": %.2f, \"mst_ms\": %.2f, \"separate_total_ms\": %.2f, "
                "\"combined_ms\": %.2f, \"combined_ms_all\": [%.2f, %.2f, %.2f]},\n",
                static_cast<long long>(n), static_cast<long long>(d), static_cast<long long>(m), median(t_core),
                median(t_mst), median(t_total), median(t_both), t_both[0], t_both[1], t_both[2]);
  }
  std::printf("  \"ok\": %s\n}\n", ok ? "true" : "false");
  return ok ? 0 : 1;
}
