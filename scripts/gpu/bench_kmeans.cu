// Issue 4 on the GPU: 20 Lloyd iterations of k-means (array init, tol 0, as
// shared/bench/peers_gpu.py's PyTorch loop) at the issue's three sizes, for
// each GEMM math of the CUDA backend (fp32 SGEMM, tf32x3, tf32), with
// - validation: the two smaller sizes against the OpenMP backend (relative
//   centroid and inertia differences), every math against fp32 (inertia,
//   share of equal labels);
// - a breakdown of one iteration: the fused assignment, the centroid update
//   (with the label-change count it carries) and the shift, each timed alone;
// - the GEMM alone (the assignment's floor under each math).
// Timed with CUDA events after a warm-up, median of 5. Prints one JSON object.
//
//   nvcc -std=c++20 -O3 -arch=sm_90 --extended-lambda --expt-relaxed-constexpr
//        -Xcompiler=-fopenmp -Iinclude scripts/gpu/bench_kmeans.cu -lcublas -o bench_kmeans
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <tuple>
#include <vector>

#include "bench_util.cuh"
#include "clustr/backend/cuda.cuh"
#include "clustr/backend/openmp.hpp"
#include "clustr/cluster/kmeans.hpp"

using clustr::index_t;
using math = clustr::cuda::gemm_math;
namespace km = clustr::kmeans;

namespace {

std::string json = "{";
void add(const std::string& key, double v) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "%s\"%s\": %.6g", json.size() > 1 ? ", " : "", key.c_str(), v);
  json += buf;
  std::fprintf(stderr, "%s = %.6g\n", key.c_str(), v);
}

const char* name(math m) { return m == math::fp32 ? "fp32" : m == math::tf32 ? "tf32" : "tf32x3"; }

double rel_diff(const std::vector<float>& a, const std::vector<float>& b) {
  double err = 0, nrm = 0;
  for (std::size_t e = 0; e < a.size(); ++e) {
    err += (double(a[e]) - b[e]) * (double(a[e]) - b[e]);
    nrm += double(b[e]) * b[e];
  }
  return std::sqrt(err / nrm);
}

double same_share(const std::vector<std::int32_t>& a, const std::vector<std::int32_t>& b) {
  std::size_t s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] == b[i];
  return double(s) / double(a.size());
}

}  // namespace

int main() {
  const clustr::openmp cpu{};
  for (auto [n, d, k] : {std::tuple<index_t, index_t, index_t>{100000, 2, 6}, {51000, 512, 500}, {1000000, 256, 1000}}) {
    const std::string tag = "_n" + std::to_string(n) + "_d" + std::to_string(d) + "_k" + std::to_string(k);
    const auto X = bench::randn(n, d, 4);
    std::vector<float> C0(static_cast<std::size_t>(k * d));
    for (index_t c = 0; c < k; ++c) std::copy_n(X.begin() + (c * 997 % n) * d, d, C0.begin() + c * d);
    const auto c0 = clustr::make_matrix_view(C0.data(), k, d);
    const km::params p{.n_clusters = k, .max_iter = 20, .tol = 0};
    km::model<float, clustr::host_space> ref;
    const bool validate = n <= 100000;
    if (validate) ref = km::fit(cpu, p, clustr::make_matrix_view(X.data(), n, d), {}, c0);
    std::vector<std::int32_t> labels_fp32;
    double inertia_fp32 = 0;
    for (math mm : {math::fp32, math::tf32x3, math::tf32}) {
      clustr::cuda gpu{};
      gpu.gemm = mm;
      const std::string mt = std::string("_") + name(mm) + tag;
      const auto Xd = clustr::clone(gpu, clustr::make_matrix_view(X.data(), n, d));
      const auto m = km::fit(gpu, p, Xd, {}, c0);
      const auto labels = m.labels.to_std_vector();
      if (mm == math::fp32) {
        labels_fp32 = labels;
        inertia_fp32 = m.inertia;
      } else {
        add("inertia_rel_diff_vs_fp32" + mt, (m.inertia - inertia_fp32) / inertia_fp32);
        add("labels_equal_to_fp32" + mt, same_share(labels, labels_fp32));
      }
      if (validate) {
        add("centroid_rel_diff_vs_openmp" + mt, rel_diff(m.centroids.to_std_vector(), ref.centroids.to_std_vector()));
        add("inertia_rel_diff_vs_openmp" + mt, (m.inertia - ref.inertia) / ref.inertia);
        add("labels_equal_to_openmp" + mt, same_share(labels, ref.labels.to_std_vector()));
      }
      add("inertia" + mt, m.inertia);
      add("clustr_kmeans_it20_s" + mt, bench::median_ms([&] { (void)km::fit(gpu, p, Xd, {}, c0); }, 5) / 1000);

      // One iteration's parts, each alone, from the fitted centroids.
      const auto Xv = Xd.view();
      auto C = clustr::clone(gpu, c0);
      auto C2 = clustr::make_matrix<float>(gpu, k, d);
      auto lab = clustr::make_vector<std::int32_t>(gpu, n);
      auto lab_old = clustr::make_vector<std::int32_t>(gpu, n);
      auto dist = clustr::make_vector<float>(gpu, n);
      const auto Cv = clustr::matrix_view<const float, clustr::device_space>(C.view());
      add("part_assign_ms" + mt, bench::median_ms([&] {
            clustr::fused_distance_argmin(gpu, clustr::metric::sqeuclidean{}, Xv, Cv, lab.view(), dist.view());
          }, 5));
      if (validate) {
        // One assignment from the same centroids: labels and distances against OpenMP.
        std::vector<std::int32_t> ref_lab(static_cast<std::size_t>(n));
        std::vector<float> ref_dist(static_cast<std::size_t>(n));
        clustr::fused_distance_argmin(cpu, clustr::metric::sqeuclidean{}, clustr::matrix_view<const float>(X.data(), n, d),
                                      clustr::matrix_view<const float>(C0.data(), k, d),
                                      clustr::make_vector_view(ref_lab.data(), n), clustr::make_vector_view(ref_dist.data(), n));
        const auto gl = lab.to_std_vector();
        const auto gd = dist.to_std_vector();
        double worst = 0;
        for (index_t i = 0; i < n; ++i)
          worst = std::max(worst, std::abs(double(gd[static_cast<std::size_t>(i)]) - ref_dist[static_cast<std::size_t>(i)]) /
                                      std::max(1.0, double(ref_dist[static_cast<std::size_t>(i)])));
        add("one_step_labels_equal_to_openmp" + mt, same_share(gl, ref_lab));
        add("one_step_max_rel_distance_diff_vs_openmp" + mt, worst);
      }
      // The update as the Lloyd loop calls it: with the previous labels, so
      // it also counts the changed ones (all differ from -1 here).
      std::vector<index_t> counts;
      clustr::fill(gpu, lab_old.view(), std::int32_t(-1));
      add("part_update_ms" + mt, bench::median_ms([&] {
            km::detail::update_centroids(gpu, Xv, static_cast<const float*>(nullptr),
                                         clustr::vector_view<const std::int32_t, clustr::device_space>(lab.view()),
                                         lab_old.data(), Cv, C2.view(), counts);
          }, 5));
      add("part_shift_ms" + mt, bench::median_ms([&] { (void)km::detail::squared_shift(gpu, C.data(), C2.data(), C.size()); }, 5));
      if (d > 16) {
        // The GEMM alone on the assignment's blocks (what fused_distance_argmin issues).
        const auto ctx = gpu.context();
        const index_t batch = clustr::detail::cuda::gemm_batch_rows<float>(ctx, n, k, d, gpu.workspace_bytes);
        auto ws = clustr::make_vector<float>(gpu, batch * k);
        const double ms = bench::median_ms([&] {
          const clustr::detail::cuda::gemm_rows<float> Yg(ctx, C.data(), k, d, d, false);
          for (index_t r0 = 0; r0 < n; r0 += batch) {
            const index_t rows = n - r0 < batch ? n - r0 : batch;
            clustr::detail::cuda::gemm_xyt(ctx, rows, k, clustr::detail::cuda::gemm_rows<float>(ctx, Xv.row(r0), rows, d, d, true),
                                           Yg, ws.data(), k);
          }
        }, 5);
        add("part_gemm_ms" + mt, ms);
        add("gemm_effective_tflops" + mt, 2.0 * n * k * d / (ms * 1e9));
      }
    }
    add("floor_fp32_simt_it20_s_at_67TFLOPs" + tag, 21.0 * 2.0 * n * k * d / 67e12);
    add("floor_tf32_dense_it20_s_at_495TFLOPs" + tag, 21.0 * 2.0 * n * k * d / 495e12);
  }
  json += "}";
  std::printf("%s\n", json.c_str());
  return 0;
}
