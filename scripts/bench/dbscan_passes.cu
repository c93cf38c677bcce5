// Times the three brute-force DBSCAN passes separately on CUDA (cosine,
// directions + noise as in scripts/gpu/bench_dbscan.cu), to see where fit's time goes.
// Run: a.out [n] [batch_size] [max_workspace MiB]
// nvcc -arch=sm_90 -std=c++20 --extended-lambda --expt-relaxed-constexpr -O3 -Iinclude scripts/bench/dbscan_passes.cu -lcublas
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "clustr/backend/cuda.cuh"
#include "clustr/cluster/dbscan.hpp"
#include "clustr/core/rng.hpp"

using clustr::index_t;

int main(int argc, char** argv) {
  const index_t n = argc > 1 ? std::atoll(argv[1]) : 300000, d = 256;
  const index_t batch = argc > 2 ? std::atoll(argv[2]) : 4096;
  const std::size_t ws = (argc > 3 ? std::atoll(argv[3]) : 256) << 20;
  const int centres = 100;
  std::vector<float> X(static_cast<std::size_t>(n * d));
  const clustr::rng::random_stream rs{2025, 2};
  for (index_t i = 0; i < n; ++i) {
    const bool bg = rs.uniform<double>((std::uint64_t(1) << 45) + i) < 0.05;
    const auto c = rs.below(i, centres);
    for (index_t j = 0; j < d; ++j)
      X[i * d + j] = static_cast<float>(bg ? rs.normal<double>((std::uint64_t(1) << 46) + i * d + j)
                                           : rs.normal<double>((std::uint64_t(1) << 44) + c * d + j) / 16.0 +
                                                 0.03 * rs.normal<double>(i * d + j));
  }
  const clustr::cuda be{};
  const auto Xd = clustr::clone(be, clustr::make_matrix_view(static_cast<const float*>(X.data()), n, d));
  const auto Xv = clustr::matrix_view<const float, clustr::device_space>(Xd.view());
  const clustr::metric::cosine m{};
  const float eps_r = 0.25f;
  namespace det = clustr::dbscan::detail;
  auto tick = [&] { be.fence(); return std::chrono::steady_clock::now(); };
  auto secs = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
  for (int rep = 0; rep < 1; ++rep) {
    auto core = clustr::make_vector<std::uint8_t>(be, n);
    auto t0 = tick();
    det::brute_core(be, m, Xv, eps_r, 5, batch, ws, core.data());
    auto t1 = tick();
    auto rows = clustr::make_vector<index_t>(be, n);
    const std::uint8_t* cp = core.data();
    const index_t c = clustr::copy_if(be, n, [=] __host__ __device__(index_t i) { return cp[i] != 0; }, rows.view());
    auto Xc = clustr::make_matrix<float>(be, c, d);
    float* xc = Xc.data();
    const index_t* r = rows.data();
    clustr::for_each_2d(be, c, d, [=] __host__ __device__(index_t k, index_t j) { xc[k * d + j] = Xv(r[k], j); });
    auto parent = clustr::make_vector<index_t>(be, c);
    auto t2 = tick();
    det::brute_unite(be, m, clustr::matrix_view<const float, clustr::device_space>(Xc.view()), eps_r, batch,
                     ws, parent.data());
    auto t3 = tick();
    // A bare tile loop: GEMM + epilogue only, same tiles as pass 2.
    const clustr::matrix_view<const float, clustr::device_space> Xcv(Xc.view());
    auto tile = clustr::make_vector<float>(be, 4096 * 16384);
    index_t tiles = 0;
    for (index_t r0 = 0; r0 < c; r0 += 4096)
      for (index_t c0 = r0; c0 < c; c0 += 16384, ++tiles) {
        const index_t nr = std::min<index_t>(4096, c - r0), nc = std::min<index_t>(16384, c - c0);
        clustr::pairwise_distance(be, m, Xcv.row_block(r0, nr), Xcv.row_block(c0, nc),
                                  clustr::matrix_view<float, clustr::device_space>(tile.data(), nr, nc),
                                  clustr::distance_form::reduced);
      }
    auto t4 = tick();
    auto lab = clustr::make_vector<std::int32_t>(be, n);
    auto cl = clustr::make_vector<std::int32_t>(be, c);
    clustr::fill(be, cl.view(), 0);
    auto other = clustr::make_vector<index_t>(be, n);
    const index_t nc = clustr::copy_if(be, n, [=] __host__ __device__(index_t i) { return cp[i] == 0; }, other.view());
    auto t5 = tick();
    det::brute_nearest(be, m, Xv, other.data(), nc, Xcv, cl.data(), eps_r, batch, ws, lab.data());
    auto t6 = tick();
    std::printf("pass3 (%lld non-core rows) %.3f s\n", (long long)nc, secs(t5, t6));
    std::printf("batch %lld workspace %zu MiB: ", (long long)batch, ws >> 20);
    std::printf("n %lld core %lld: pass1 %.3f s, gather %.3f s, pass2 %.3f s (of which distance tiles alone %.3f s, %lld tiles)\n",
                (long long)n, (long long)c, secs(t0, t1), secs(t1, t2), secs(t2, t3), secs(t3, t4), (long long)tiles);
  }
  return 0;
}
