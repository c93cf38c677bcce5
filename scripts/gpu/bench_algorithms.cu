// The issue-3/4 GPU comparisons: exact kNN search and graph, and 20 Lloyd
// iterations of k-means, on the CUDA backend, at the sizes of
// shared/bench/peers_gpu.py (PyTorch GEMM + topk / argmin baselines), run in
// the same call as that script. Each result is first validated against the
// OpenMP backend on a subset, then timed with CUDA events after a warm-up
// (median of repeats). Prints one JSON object.
//
//   nvcc -std=c++20 -O3 -arch=sm_90 --extended-lambda --expt-relaxed-constexpr -Xcompiler=-fopenmp \
//        -Iinclude scripts/gpu/bench_algorithms.cu -lcublas -o bench_algorithms
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "clustr/backend/cuda.cuh"
#include "clustr/backend/openmp.hpp"
#include "clustr/cluster/kmeans.hpp"
#include "clustr/core/rng.hpp"
#include "clustr/neighbors/knn.hpp"
#include "clustr/stats/stats.hpp"
#include "bench_util.cuh"

using clustr::index_t;

namespace {

using bench::median_ms;
using bench::randn;
using bench::want;

/// Fraction of rows of `got` whose index sets equal the reference (near ties
/// allowed where the distances agree to 1e-4 relative).
double knn_agreement(const std::vector<std::int64_t>& gi, const std::vector<float>& gd,
                     const std::vector<std::int64_t>& ri, const std::vector<float>& rd, index_t rows, index_t k) {
  index_t ok = 0;
  for (index_t i = 0; i < rows; ++i) {
    bool row_ok = true;
    for (index_t c = 0; c < k; ++c) {
      const auto e = static_cast<std::size_t>(i * k + c);
      const bool same = gi[e] == ri[e] || std::abs(gd[e] - rd[e]) <= 1e-4f * std::max(1.0f, rd[e]);
      row_ok = row_ok && same && std::abs(gd[e] - rd[e]) <= 1e-3f * std::max(1.0f, rd[e]);
    }
    ok += row_ok;
  }
  return static_cast<double>(ok) / static_cast<double>(rows);
}

}  // namespace

// BENCH_ONLY=knn_search,knn_graph,kmeans,silhouette,trustworthiness (comma
// separated; unset: all) runs a subset.
/// CLUSTR_BENCH_GEMM=fp32|tf32x3|tf32 picks the backend's GEMM math (default: the backend's default).
clustr::cuda gpu_from_env() {
  clustr::cuda gpu{};
  if (const char* m = std::getenv("CLUSTR_BENCH_GEMM")) {
    const std::string s = m;
    gpu.gemm = s == "fp32" ? clustr::cuda::gemm_math::fp32
               : s == "tf32" ? clustr::cuda::gemm_math::tf32
                             : clustr::cuda::gemm_math::tf32x3;
  }
  return gpu;
}

const char* math_name(clustr::cuda::gemm_math m) {
  return m == clustr::cuda::gemm_math::fp32 ? "fp32" : m == clustr::cuda::gemm_math::tf32 ? "tf32" : "tf32x3";
}

int main() {
  const clustr::cuda gpu = gpu_from_env();
  std::fprintf(stderr, "gemm math: %s\n", math_name(gpu.gemm));
  const clustr::openmp cpu{};
  std::string json = "{";
  auto add = [&](const std::string& key, double v) {
    char buf[128];
    std::snprintf(buf, sizeof buf, "%s\"%s\": %.6g", json.size() > 1 ? ", " : "", key.c_str(), v);
    json += buf;
    std::fprintf(stderr, "%s = %.6g\n", key.c_str(), v);
  };

  // --- kNN search: 10,000 queries x 1,000,000 base, d=128, k=10 ---
  if (want("knn_search")) {
    const index_t nb = 1000000, nq = 10000, d = 128, k = 10;
    const auto B = randn(nb, d, 1), Q = randn(nq, d, 2);
    const auto Bd = clustr::clone(gpu, clustr::make_matrix_view(B.data(), nb, d));
    const auto Qd = clustr::clone(gpu, clustr::make_matrix_view(Q.data(), nq, d));
    const auto res = clustr::knn::search(gpu, {.k = k}, Bd, Qd);
    // Validate 200 queries against the OpenMP backend.
    const index_t nv = 200;
    const auto ref = clustr::knn::search(cpu, {.k = k}, clustr::make_matrix_view(B.data(), nb, d),
                                         clustr::make_matrix_view(Q.data(), nv, d));
    const auto gi = res.indices.to_std_vector();
    const auto gd = res.distances.to_std_vector();
    add("knn_search_agreement_200q", knn_agreement(gi, gd, ref.indices.to_std_vector(), ref.distances.to_std_vector(), nv, k));
    const double ms = median_ms([&] { (void)clustr::knn::search(gpu, {.k = k}, Bd, Qd); }, 5);
    add("clustr_knn_search_nb1000000_nq10000_d128_k10_s", ms / 1000);
    add("floor_fp32_knn_search_s_at_67TFLOPs", 2.0 * nb * nq * d / 67e12);
  }
  // --- kNN graph: 100,000 x 384, k=15 ---
  if (want("knn_graph")) {
    const index_t n = 100000, d = 384, k = 15;
    const auto X = randn(n, d, 3);
    const auto Xd = clustr::clone(gpu, clustr::make_matrix_view(X.data(), n, d));
    const auto g = clustr::knn::graph(gpu, {.k = k}, Xd);
    const index_t nv = 200;
    const auto ref = clustr::knn::search(cpu, {.k = k + 1}, clustr::make_matrix_view(X.data(), n, d),
                                         clustr::make_matrix_view(X.data(), nv, d));
    // The reference includes self at column 0: drop it.
    auto ri = ref.indices.to_std_vector();
    auto rd = ref.distances.to_std_vector();
    std::vector<std::int64_t> ri2;
    std::vector<float> rd2;
    for (index_t i = 0; i < nv; ++i)
      for (index_t c = 1; c <= k; ++c) {
        ri2.push_back(ri[static_cast<std::size_t>(i * (k + 1) + c)]);
        rd2.push_back(rd[static_cast<std::size_t>(i * (k + 1) + c)]);
      }
    add("knn_graph_agreement_200rows", knn_agreement(g.indices.to_std_vector(), g.distances.to_std_vector(), ri2, rd2, nv, k));
    const double ms = median_ms([&] { (void)clustr::knn::graph(gpu, {.k = k}, Xd); }, 3);
    add("clustr_knn_graph_n100000_d384_k15_s", ms / 1000);
    add("floor_fp32_knn_graph_s_at_67TFLOPs", 2.0 * n * n * d / 67e12);
  }
  // --- k-means: 20 Lloyd iterations from given centroids (as peers_gpu.py) ---
  if (want("kmeans"))
  for (auto [n, d, k] : {std::tuple<index_t, index_t, index_t>{100000, 2, 6}, {51000, 512, 500}, {1000000, 256, 1000}}) {
    const auto X = randn(n, d, 4);
    std::vector<float> C0(static_cast<std::size_t>(k * d));
    for (index_t c = 0; c < k; ++c)
      std::copy_n(X.begin() + (c * 997 % n) * d, d, C0.begin() + c * d);
    const auto Xd = clustr::clone(gpu, clustr::make_matrix_view(X.data(), n, d));
    const auto c0 = clustr::make_matrix_view(C0.data(), k, d);
    const clustr::kmeans::params p{.n_clusters = k, .max_iter = 20, .tol = 0};
    const auto m = clustr::kmeans::fit(gpu, p, Xd, {}, c0);
    if (n <= 100000) {  // validate against OpenMP: same centroids within tolerance
      const auto r = clustr::kmeans::fit(cpu, p, clustr::make_matrix_view(X.data(), n, d), {}, c0);
      const auto a = m.centroids.to_std_vector(), b = r.centroids.to_std_vector();
      double err = 0, nrm = 0;
      for (std::size_t e = 0; e < a.size(); ++e) {
        err += (a[e] - b[e]) * (a[e] - b[e]);
        nrm += b[e] * b[e];
      }
      add("kmeans_rel_centroid_diff_vs_openmp_n" + std::to_string(n), std::sqrt(err / nrm));
      add("kmeans_rel_inertia_diff_vs_openmp_n" + std::to_string(n), std::abs(m.inertia - r.inertia) / r.inertia);
    }
    const double ms = median_ms([&] { (void)clustr::kmeans::fit(gpu, p, Xd, {}, c0); }, 3);
    add("clustr_kmeans_n" + std::to_string(n) + "_d" + std::to_string(d) + "_k" + std::to_string(k) + "_it20_s", ms / 1000);
    add("kmeans_iterations_n" + std::to_string(n), static_cast<double>(m.n_iter));
    add("floor_fp32_kmeans_n" + std::to_string(n) + "_s_at_67TFLOPs", 20.0 * 2.0 * n * k * d / 67e12);
    // k-means|| initialisation alone (one Lloyd step after it), and its inertia after 20 steps.
    const clustr::kmeans::params pi{.n_clusters = k, .init = clustr::kmeans::init_method::kmeans_parallel, .max_iter = 1, .tol = 0, .seed = 1};
    const double ms_init = median_ms([&] { (void)clustr::kmeans::fit(gpu, pi, Xd); }, 3);
    add("clustr_kmeans_parallel_init_plus_1_step_n" + std::to_string(n) + "_s", ms_init / 1000);
    auto pi20 = pi;
    pi20.max_iter = 20;
    add("kmeans_parallel_inertia_over_array_init_inertia_n" + std::to_string(n), clustr::kmeans::fit(gpu, pi20, Xd).inertia / m.inertia);
  }
  // --- silhouette: 100,000 x 384, 50 clusters (issue 8) ---
  if (want("silhouette")) {
    const index_t n = 100000, d = 384, c = 50;
    const auto X = randn(n, d, 5);
    std::vector<std::int32_t> labels(static_cast<std::size_t>(n));
    for (index_t i = 0; i < n; ++i) labels[static_cast<std::size_t>(i)] = static_cast<std::int32_t>((i * 7919) % c);
    const auto Xd = clustr::clone(gpu, clustr::make_matrix_view(X.data(), n, d));
    const auto Ld = clustr::clone(gpu, clustr::make_vector_view(labels.data(), n));
    const double s_gpu = clustr::stats::silhouette_score(gpu, Xd, Ld);
    // Validate on the first 8,000 rows against OpenMP.
    const index_t nv = 8000;
    const double s_cpu_sub = clustr::stats::silhouette_score(cpu, clustr::make_matrix_view(X.data(), nv, d),
                                                             clustr::make_vector_view(labels.data(), nv));
    const double s_gpu_sub = clustr::stats::silhouette_score(gpu, clustr::make_matrix_view(X.data(), nv, d),
                                                             clustr::make_vector_view(labels.data(), nv));
    add("silhouette_gpu_minus_openmp_8000rows", s_gpu_sub - s_cpu_sub);
    add("silhouette_value_100k", s_gpu);
    const double ms = median_ms([&] { (void)clustr::stats::silhouette_score(gpu, Xd, Ld); }, 3);
    add("clustr_silhouette_n100000_d384_c50_s", ms / 1000);
    add("floor_fp32_silhouette_s_at_67TFLOPs", 2.0 * n * n * d / 67e12);
  }
  // --- trustworthiness: 70,000 x 784 vs 2-d (issue 8) ---
  if (want("trustworthiness")) {
    const index_t n = 70000, d = 784;
    const auto X = randn(n, d, 6);
    std::vector<float> E(static_cast<std::size_t>(n * 2));
    for (index_t i = 0; i < n; ++i) {
      E[static_cast<std::size_t>(2 * i)] = X[static_cast<std::size_t>(i * d)];
      E[static_cast<std::size_t>(2 * i + 1)] = X[static_cast<std::size_t>(i * d + 1)];
    }
    const auto Xd = clustr::clone(gpu, clustr::make_matrix_view(X.data(), n, d));
    const auto Ed = clustr::clone(gpu, clustr::make_matrix_view(E.data(), n, 2));
    const index_t nv = 5000;
    const double t_cpu = clustr::stats::trustworthiness(cpu, clustr::make_matrix_view(X.data(), nv, d),
                                                        clustr::make_matrix_view(E.data(), nv, 2));
    const double t_gpu = clustr::stats::trustworthiness(gpu, clustr::make_matrix_view(X.data(), nv, d),
                                                        clustr::make_matrix_view(E.data(), nv, 2));
    add("trustworthiness_gpu_minus_openmp_5000rows", t_gpu - t_cpu);
    add("trustworthiness_value_70k", clustr::stats::trustworthiness(gpu, Xd, Ed));
    const double ms = median_ms([&] { (void)clustr::stats::trustworthiness(gpu, Xd, Ed); }, 3);
    add("clustr_trustworthiness_n70000_d784_to2_s", ms / 1000);
  }
  json += "}";
  std::printf("%s\n", json.c_str());
  return 0;
}
