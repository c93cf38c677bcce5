// Validates, then times, the CUDA backend's fused_distance_argmin and select_k
// on shapes from the k-means / kNN workloads. Build and run: see
// scripts/gpu/build.sh and scripts/gpu/run.sh. Timing: cudaEvents around each
// call on the backend's stream after two warm-up calls, median of 5.

#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "clustr/backend/cuda.cuh"
#include "clustr/clustr.hpp"

namespace bench {

using clustr::index_t;
using dspace = clustr::device_space;

/// Y: m uniform centres in [-1, 1)^d; X: row i = Y[label[i]] + 0.1 * uniform
/// noise, so every row has a clear nearest centre (label[i]).
void make_clustered(const clustr::cuda& be, clustr::matrix_view<float, dspace> X, clustr::matrix_view<float, dspace> Y,
                    clustr::vector_view<std::int32_t, dspace> label) {
  const index_t d = X.cols(), m = Y.rows();
  const clustr::rng::random_stream ry{1, 1}, rx{2, 2}, rl{3, 3};
  float* y = Y.data();
  clustr::for_each(be, m * d, CLUSTR_LAMBDA(index_t e) { y[e] = ry.uniform<float>(e, -1.0f, 1.0f); });
  std::int32_t* l = label.data();
  clustr::for_each(be, X.rows(), CLUSTR_LAMBDA(index_t i) { l[i] = static_cast<std::int32_t>(rl.below(i, m)); });
  float* x = X.data();
  clustr::for_each(be, X.rows() * d, CLUSTR_LAMBDA(index_t e) {
    x[e] = y[static_cast<index_t>(l[e / d]) * d + e % d] + 0.1f * rx.uniform<float>(e, -1.0f, 1.0f);
  });
}

index_t count_mismatch(const clustr::cuda& be, clustr::vector_view<const std::int32_t, dspace> a,
                       clustr::vector_view<const std::int32_t, dspace> b) {
  const std::int32_t* pa = a.data();
  const std::int32_t* pb = b.data();
  return clustr::count_if(be, a.size(), CLUSTR_LAMBDA(index_t i) { return pa[i] != pb[i]; });
}

void make_uniform(const clustr::cuda& be, clustr::vector_view<float, dspace> v, std::uint64_t seed) {
  const clustr::rng::random_stream r{seed, 7};
  float* p = v.data();
  clustr::for_each(be, v.size(), CLUSTR_LAMBDA(index_t e) { p[e] = r.uniform<float>(e); });
}

template <class F>
double median_ms(cudaStream_t s, F&& f) {
  f();
  f();  // warm-up: cuBLAS handle, allocator pool, module load
  std::vector<double> t;
  cudaEvent_t a, b;
  cudaEventCreate(&a);
  cudaEventCreate(&b);
  for (int rep = 0; rep < 5; ++rep) {
    cudaEventRecord(a, s);
    f();
    cudaEventRecord(b, s);
    cudaEventSynchronize(b);
    float ms = 0;
    cudaEventElapsedTime(&ms, a, b);
    t.push_back(ms);
  }
  cudaEventDestroy(a);
  cudaEventDestroy(b);
  std::sort(t.begin(), t.end());
  return t[2];
}

int fused_argmin(const clustr::cuda& be, index_t n, index_t m, index_t d) {
  auto X = clustr::make_matrix<float>(be, n, d);
  auto Y = clustr::make_matrix<float>(be, m, d);
  auto label = clustr::make_vector<std::int32_t>(be, n);
  auto idx = clustr::make_vector<std::int32_t>(be, n);
  auto dist = clustr::make_vector<float>(be, n);
  make_clustered(be, X.view(), Y.view(), label.view());
  const clustr::metric::sqeuclidean metric{};
  auto run = [&] { clustr::fused_distance_argmin(be, metric, std::as_const(X).view(), std::as_const(Y).view(), idx.view(),
                                  dist.view()); };
  run();
  // Validation 1: every row's argmin is its own centre.
  const index_t wrong = count_mismatch(be, std::as_const(idx).view(), std::as_const(label).view());
  // Validation 2: distances of 1000 sampled rows against a double host reference.
  const auto hi = idx.to_std_vector();
  const auto hd = dist.to_std_vector();
  const auto hy = Y.to_std_vector();
  std::vector<float> row(static_cast<std::size_t>(d));
  double worst = 0;
  for (index_t s = 0; s < 1000; ++s) {
    const index_t i = (s * 999983) % n;
    clustr::copy(be, clustr::make_vector_view(row.data(), d),
                 clustr::vector_view<const float, dspace>(X.data() + i * d, d));
    double r = 0;
    for (index_t c = 0; c < d; ++c) {
      const double t = double(row[c]) - hy[static_cast<std::size_t>(hi[i] * d + c)];
      r += t * t;
    }
    worst = std::max(worst, std::fabs(hd[i] - r) / (r + 1e-3));
  }
  const double gflop = 2.0 * double(n) * double(m) * double(d) * 1e-9;
  for (std::size_t mib : {64, 128, 512}) {  // the bound on the dot-product block
    clustr::cuda small = be;
    small.workspace_bytes = mib << 20;
    const double t = median_ms(be.stream, [&] {
      clustr::fused_distance_argmin(small, metric, std::as_const(X).view(), std::as_const(Y).view(), idx.view(),
                                    dist.view());
    });
    std::printf("  workspace_bytes = %zu MiB: median %.3f ms, %.1f GFLOP/s\n", mib, t, gflop / (t * 1e-3));
  }
  {  // Reference: cuBLAS SGEMM X Y^T alone, the whole n x m product stored.
    auto C = clustr::make_matrix<float>(be, n, m);
    const double t = median_ms(be.stream, [&] {
      clustr::detail::cuda::device_guard g(be.device);
      clustr::detail::cuda::gemm_xyt(be.context(), n, m, d, X.data(), d, Y.data(), d, C.data(), m);
    });
    std::printf("  reference: cuBLAS SGEMM of the same shape alone (n x m stored): median %.3f ms, %.1f GFLOP/s\n", t,
                gflop / (t * 1e-3));
  }
  const double ms = median_ms(be.stream, run);
  std::printf("fused_distance_argmin sqeuclidean fp32 n=%lld m=%lld d=%lld: wrong labels %lld / %lld, "
              "max rel. distance error (1000 rows) %.2e; median %.3f ms, %.1f GFLOP/s (2*n*m*d)\n",
              (long long)n, (long long)m, (long long)d, (long long)wrong, (long long)n, worst, ms, gflop / (ms * 1e-3));
  return wrong == 0 && worst < 1e-3 ? 0 : 1;
}

int fused_argmin_tiled(const clustr::cuda& be, index_t n, index_t m, index_t d) {
  // Manhattan: the shared-memory tiled kernel (no GEMM expansion).
  auto X = clustr::make_matrix<float>(be, n, d);
  auto Y = clustr::make_matrix<float>(be, m, d);
  auto label = clustr::make_vector<std::int32_t>(be, n);
  auto idx = clustr::make_vector<std::int32_t>(be, n);
  auto dist = clustr::make_vector<float>(be, n);
  make_clustered(be, X.view(), Y.view(), label.view());
  auto run = [&] {
    clustr::fused_distance_argmin(be, clustr::metric::manhattan{}, std::as_const(X).view(), std::as_const(Y).view(),
                                  idx.view(), dist.view());
  };
  run();
  const index_t wrong = count_mismatch(be, std::as_const(idx).view(), std::as_const(label).view());
  const double ms = median_ms(be.stream, run);
  const double gop = 3.0 * double(n) * double(m) * double(d) * 1e-9;
  std::printf("fused_distance_argmin manhattan fp32 (tiled kernel) n=%lld m=%lld d=%lld: wrong labels %lld; "
              "median %.3f ms, %.1f Gop/s (3*n*m*d: sub, abs, add)\n",
              (long long)n, (long long)m, (long long)d, (long long)wrong, ms, gop / (ms * 1e-3));
  return wrong == 0 ? 0 : 1;
}

int select(const clustr::cuda& be, index_t rows, index_t cols, index_t k) {
  auto in = clustr::make_matrix<float>(be, rows, cols);
  make_uniform(be, in.view().flat(), 11 + k);
  auto ov = clustr::make_matrix<float>(be, rows, k);
  auto oi = clustr::make_matrix<std::int32_t>(be, rows, k);
  auto run = [&] { clustr::select_k(be, clustr::matrix_view<const float, dspace>(in.view()), ov.view(), oi.view()); };
  run();
  // Validation: 64 sampled rows against std::sort of (value, id).
  const auto gv = ov.to_std_vector();
  const auto gi = oi.to_std_vector();
  std::vector<float> row(static_cast<std::size_t>(cols));
  index_t bad = 0;
  for (index_t s = 0; s < 64; ++s) {
    const index_t i = (s * 7919) % rows;
    clustr::copy(be, clustr::make_vector_view(row.data(), cols),
                 clustr::vector_view<const float, dspace>(in.data() + i * cols, cols));
    std::vector<std::pair<float, std::int32_t>> p(static_cast<std::size_t>(cols));
    for (index_t j = 0; j < cols; ++j) p[j] = {row[j], static_cast<std::int32_t>(j)};
    std::partial_sort(p.begin(), p.begin() + k, p.end());
    for (index_t j = 0; j < k; ++j)
      bad += p[j].first != gv[i * k + j] || p[j].second != gi[i * k + j];
  }
  const double ms = median_ms(be.stream, run);
  const double gb = double(rows) * double(cols) * sizeof(float) * 1e-9;
  std::printf("select_k fp32 %lld x %lld k=%lld: %lld mismatches in 64 sampled rows; median %.3f ms, "
              "%.1f GB/s of input read once\n",
              (long long)rows, (long long)cols, (long long)k, (long long)bad, ms, gb / (ms * 1e-3));
  return bad == 0 ? 0 : 1;
}

/// fused_distance_topk of the first nq rows of a base of nb rows against the
/// whole base, self excluded (a kNN graph block), validated on 100 sampled
/// rows against a double-precision host brute force (near-ties allowed).
template <class Metric>
int topk(const clustr::cuda& be, const Metric& metric, index_t nq, index_t nb, index_t d, index_t k) {
  auto B = clustr::make_matrix<float>(be, nb, d);
  make_uniform(be, B.view().flat(), 21);
  auto od = clustr::make_matrix<float>(be, nq, k);
  auto oi = clustr::make_matrix<std::int32_t>(be, nq, k);
  const clustr::matrix_view<const float, dspace> base(B.data(), nb, d), queries(B.data(), nq, d);
  auto run = [&] { clustr::fused_distance_topk(be, metric, queries, base, od.view(), oi.view(), 0); };
  run();
  const auto gd = od.to_std_vector();
  const auto gi = oi.to_std_vector();
  const auto hb = B.to_std_vector();
  index_t bad = 0;
  std::vector<std::pair<double, index_t>> all(static_cast<std::size_t>(nb));
  for (index_t s = 0; s < 100; ++s) {
    const index_t i = (s * 7907) % nq;
    for (index_t j = 0; j < nb; ++j) {
      typename Metric::template accumulator<double> acc{};
      for (index_t c = 0; c < d; ++c) metric.accumulate(acc, double(hb[i * d + c]), double(hb[j * d + c]));
      all[j] = {j == i ? 1e300 : metric.finalize(acc), j};
    }
    std::partial_sort(all.begin(), all.begin() + k, all.end());
    for (index_t c = 0; c < k; ++c) {
      const double ref = all[c].first, got = gd[i * k + c];
      const index_t g = gi[i * k + c];
      double gref = 0;  // the reference distance of the returned index
      {
        typename Metric::template accumulator<double> acc{};
        for (index_t q = 0; q < d; ++q) metric.accumulate(acc, double(hb[i * d + q]), double(hb[g * d + q]));
        gref = metric.finalize(acc);
      }
      const double tol = 1e-4 * (std::fabs(ref) + 1.0);
      bad += g == i || std::fabs(got - ref) > tol || std::fabs(gref - ref) > 2 * tol;
    }
  }
  const double ms = median_ms(be.stream, run);
  std::printf("fused_distance_topk %s fp32 %lld queries x %lld base, d=%lld, k=%lld, self excluded: %lld bad of "
              "%lld checked; median %.3f ms, %.1f GFLOP/s (2*nq*nb*d)\n",
              Metric::name, (long long)nq, (long long)nb, (long long)d, (long long)k, (long long)bad,
              (long long)(100 * k), ms, 2.0 * double(nq) * double(nb) * double(d) * 1e-9 / (ms * 1e-3));
  return bad == 0 ? 0 : 1;
}

}  // namespace bench

int main() {
  int dev = 0;
  cudaDeviceProp prop{};
  cudaGetDevice(&dev);
  cudaGetDeviceProperties(&prop, dev);
  std::printf("device: %s, %d SMs, %.1f GiB\n", prop.name, prop.multiProcessorCount,
              double(prop.totalGlobalMem) / (1 << 30));
  cudaStream_t s;
  cudaStreamCreate(&s);
  int failures = 0;
  {
    const clustr::cuda be{.stream = s, .device = dev};
    failures += bench::fused_argmin(be, 1000000, 1000, 256);
    failures += bench::fused_argmin_tiled(be, 100000, 1000, 256);
    failures += bench::select(be, 16384, 4096, 10);
    failures += bench::select(be, 16384, 4096, 100);
    failures += bench::select(be, 16384, 4096, 1000);
    failures += bench::topk(be, clustr::metric::sqeuclidean{}, 16384, 100000, 128, 16);
    failures += bench::topk(be, clustr::metric::manhattan{}, 4096, 20000, 16, 10);
  }
  cudaStreamDestroy(s);
  std::printf("%s\n", failures ? "VALIDATION FAILED" : "all validations passed");
  return failures ? 1 : 0;
}
