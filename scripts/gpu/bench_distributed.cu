// Issue 10's multi-GPU runs: distributed k-means (n = 10M, d = 128, k = 1000,
// 20 Lloyd iterations from given centroids) and the exact kNN graph
// (2M x 128, k = 15) on the CUDA backend, one rank per GPU, device buffers
// through NCCL. Run it with mpirun -np 1 and -np 2 (scripts/gpu/run_distributed.sh);
// rank 0 prints one JSON line per benchmark. Every rank generates its own
// block of the same global data set on its GPU (Philox by global row), so
// the results are comparable across rank counts: the k-means inertia must
// agree, and the kNN graph is validated on sampled rows against a
// single-GPU search over the whole data set.
//
// Build (development machine, nvcc + Open MPI + NCCL; scripts/gpu/build_distributed.sh):
//   nvcc -std=c++20 -O3 -arch=sm_90 --extended-lambda --expt-relaxed-constexpr -ccbin mpicxx \
//        -Iinclude scripts/gpu/bench_distributed.cu -lcublas -lnccl -o bench_distributed
// Options: --what kmeans,knn  --kmeans-n N --d D --k K --iters I --knn-n N --knn-k K
//          --staged (device buffers through host MPI instead of NCCL)  --validate R (rows per rank)
//          --baseline (at 1 rank: also time the single-process clustr::kmeans::fit / knn::graph)
#include <cuda_runtime.h>
#include <mpi.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "clustr/backend/cuda.cuh"
#include "clustr/cluster/kmeans.hpp"
#include "clustr/core/rng.hpp"
#include "clustr/distributed/distributed.hpp"
#include "clustr/distributed/nccl_communicator.cuh"
#include "clustr/neighbors/knn.hpp"

using clustr::index_t;
namespace dist = clustr::distributed;

namespace bench {

/// Rows [first, first + count) of a Gaussian mixture with `centres` centres
/// in [-10, 10]^d and unit noise, generated on the GPU from the global row
/// index (the same values for any number of ranks).
clustr::matrix<float, clustr::device_space> mixture(const clustr::cuda& be, index_t first, index_t count, index_t d,
                                                    index_t centres, std::uint64_t seed) {
  auto X = clustr::make_matrix<float>(be, count, d);
  float* x = X.data();
  const clustr::rng::random_stream rs{seed, 1};
  clustr::for_each(be, count * d, CLUSTR_LAMBDA(index_t e) {
    const index_t i = e / d, j = e % d;
    const auto g = static_cast<std::uint64_t>(first + i);
    const std::uint64_t c = rs.below(g, static_cast<std::uint64_t>(centres));
    const double centre = 20.0 * rs.uniform<double>((1ull << 40) + c * static_cast<std::uint64_t>(d) + static_cast<std::uint64_t>(j)) - 10.0;
    x[e] = static_cast<float>(centre + rs.normal<double>((1ull << 41) + g * static_cast<std::uint64_t>(d) + static_cast<std::uint64_t>(j)));
  });
  return X;
}

struct options {
  std::string what = "kmeans,knn";
  index_t kmeans_n = 10000000, d = 128, k = 1000, iters = 20;
  index_t knn_n = 2000000, knn_k = 15;
  bool staged = false;
  index_t validate = 256;
  bool baseline = false;  // --baseline: at 1 rank, also time clustr::kmeans::fit / knn::graph
};

options parse(int argc, char** argv) {
  options o;
  for (int a = 1; a < argc; ++a) {
    const std::string s = argv[a];
    auto next = [&]() -> std::string { return a + 1 < argc ? argv[++a] : ""; };
    if (s == "--what") o.what = next();
    else if (s == "--kmeans-n") o.kmeans_n = std::atoll(next().c_str());
    else if (s == "--d") o.d = std::atoll(next().c_str());
    else if (s == "--k") o.k = std::atoll(next().c_str());
    else if (s == "--iters") o.iters = std::atoll(next().c_str());
    else if (s == "--knn-n") o.knn_n = std::atoll(next().c_str());
    else if (s == "--knn-k") o.knn_k = std::atoll(next().c_str());
    else if (s == "--staged") o.staged = true;
    else if (s == "--validate") o.validate = std::atoll(next().c_str());
    else if (s == "--baseline") o.baseline = true;
  }
  return o;
}

struct block {
  index_t first, count;
};
block my_block(const dist::communicator& c, index_t n) {
  const index_t p = c.size(), r = c.rank();
  return {n * r / p, n * (r + 1) / p - n * r / p};
}

template <class F>
double timed(const clustr::cuda& be, const dist::communicator& mpi, F f) {
  be.fence();
  mpi.barrier();
  const double t0 = MPI_Wtime();
  f();
  be.fence();
  mpi.barrier();
  return MPI_Wtime() - t0;
}

template <class Comm>
void run_kmeans(const clustr::cuda& be, const dist::communicator& mpi, const Comm& comm, const options& o) {
  const auto b = my_block(mpi, o.kmeans_n);
  const auto X = mixture(be, b.first, b.count, o.d, o.k, 7);
  const auto C0 = mixture(be, 0, o.k, o.d, o.k, 7);  // the first k global rows
  clustr::kmeans::params kp{.n_clusters = o.k, .init = clustr::kmeans::init_method::array, .max_iter = 1, .tol = 0.0};
  (void)dist::kmeans::fit(be, comm, kp, X.view(), clustr::vector_view<const float, clustr::device_space>{}, C0.view());  // warm-up
  kp.max_iter = o.iters;
  clustr::kmeans::model<float, clustr::device_space> m;
  const double s = timed(be, mpi, [&] {
    m = dist::kmeans::fit(be, comm, kp, X.view(), clustr::vector_view<const float, clustr::device_space>{}, C0.view());
  });
  if (mpi.size() == 1 && o.baseline) {  // the single-process fit, for the overhead of the distributed one
    clustr::kmeans::model<float, clustr::device_space> m1;
    const double s1 = timed(be, mpi, [&] {
      m1 = clustr::kmeans::fit(be, kp, X.view(), clustr::vector_view<const float, clustr::device_space>{}, C0.view());
    });
    std::printf("{\"bench\": \"kmeans_single_process\", \"n\": %lld, \"iterations\": %lld, \"seconds\": %.4f, "
                "\"inertia\": %.9g}\n",
                static_cast<long long>(o.kmeans_n), static_cast<long long>(m1.n_iter), s1, m1.inertia);
  }
  if (mpi.rank() == 0)
    std::printf("{\"bench\": \"kmeans\", \"ranks\": %d, \"comm\": \"%s\", \"n\": %lld, \"d\": %lld, \"k\": %lld, "
                "\"iterations\": %lld, \"seconds\": %.4f, \"ms_per_iteration\": %.3f, \"inertia\": %.9g}\n",
                mpi.size(), o.staged ? "mpi-staged" : "nccl", static_cast<long long>(o.kmeans_n), static_cast<long long>(o.d),
                static_cast<long long>(o.k), static_cast<long long>(m.n_iter), s, 1e3 * s / static_cast<double>(m.n_iter),
                m.inertia);
}

template <class Comm>
void run_knn(const clustr::cuda& be, const dist::communicator& mpi, const Comm& comm, const options& o) {
  const auto b = my_block(mpi, o.knn_n);
  const auto X = mixture(be, b.first, b.count, o.d, 100, 8);
  const clustr::knn::params<> p{.k = o.knn_k};
  clustr::knn::knn_graph<float, std::int64_t, clustr::device_space> g;
  const double s = timed(be, mpi, [&] { g = dist::knn::graph(be, comm, p, X.view()); });
  if (mpi.size() == 1 && o.baseline) {
    const double s1 = timed(be, mpi, [&] { (void)clustr::knn::graph(be, p, X.view()); });
    std::printf("{\"bench\": \"knn_graph_single_process\", \"n\": %lld, \"seconds\": %.4f}\n",
                static_cast<long long>(o.knn_n), s1);
  }
  // Validation: sampled local rows against a single-GPU search over all rows.
  double agree = 0;
  index_t checked = 0;
  if (o.validate > 0) {
    const auto all = mixture(be, 0, o.knn_n, o.d, 100, 8);
    const index_t m = std::min(o.validate, b.count), step = std::max<index_t>(1, b.count / std::max<index_t>(1, m));
    std::vector<index_t> rows;
    for (index_t r = 0; r < m; ++r) rows.push_back(r * step);
    const auto gi = g.indices.to_std_vector();
    auto Q = clustr::make_matrix<float>(be, m, o.d);
    for (index_t r = 0; r < m; ++r)
      clustr::copy(be, clustr::vector_view<float, clustr::device_space>(Q.data() + r * o.d, o.d),
                   clustr::vector_view<const float, clustr::device_space>(X.data() + rows[r] * o.d, o.d));
    const clustr::knn::params<> q{.k = o.knn_k + 1};
    const auto ref = clustr::knn::search(be, q, all.view(), Q.view()).indices.to_std_vector();
    for (index_t r = 0; r < m; ++r) {
      std::vector<std::int64_t> want;
      for (index_t c = 0; c < o.knn_k + 1 && static_cast<index_t>(want.size()) < o.knn_k; ++c)
        if (ref[r * (o.knn_k + 1) + c] != b.first + rows[r]) want.push_back(ref[r * (o.knn_k + 1) + c]);
      const std::vector<std::int64_t> got(gi.begin() + rows[r] * o.knn_k, gi.begin() + (rows[r] + 1) * o.knn_k);
      agree += got == want ? 1 : 0;
    }
    checked = m;
  }
  agree = mpi.allreduce(agree, dist::reduce_op::sum);
  checked = mpi.allreduce(checked, dist::reduce_op::sum);
  if (mpi.rank() == 0)
    std::printf("{\"bench\": \"knn_graph\", \"ranks\": %d, \"comm\": \"%s\", \"n\": %lld, \"d\": %lld, \"k\": %lld, "
                "\"seconds\": %.4f, \"validated_rows\": %lld, \"identical_rows\": %.4f}\n",
                mpi.size(), o.staged ? "mpi-staged" : "nccl", static_cast<long long>(o.knn_n), static_cast<long long>(o.d),
                static_cast<long long>(o.knn_k), s, static_cast<long long>(checked), checked ? agree / checked : 0.0);
}

}  // namespace bench

int main(int argc, char** argv) {
  dist::environment env(argc, argv);
  const auto o = bench::parse(argc, argv);
  const dist::communicator mpi;
  try {
    const dist::nccl_communicator nccl(mpi);
    cudaStream_t stream;
    cudaSetDevice(nccl.device());
    cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking);
    const auto be = nccl.backend(stream);
    if (mpi.rank() == 0) {
      cudaDeviceProp prop{};
      cudaGetDeviceProperties(&prop, nccl.device());
      std::printf("{\"device\": \"%s\", \"ranks\": %d}\n", prop.name, mpi.size());
    }
    if (o.what.find("kmeans") != std::string::npos) {
      if (o.staged) bench::run_kmeans(be, mpi, mpi, o);
      else bench::run_kmeans(be, mpi, nccl, o);
    }
    if (o.what.find("knn") != std::string::npos) {
      if (o.staged) bench::run_knn(be, mpi, mpi, o);
      else bench::run_knn(be, mpi, nccl, o);
    }
    std::fflush(stdout);
    cudaStreamDestroy(stream);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rank %d: %s\n", mpi.rank(), e.what());
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  return 0;
}
