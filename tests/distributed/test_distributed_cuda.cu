// Distributed k-means and kNN on the CUDA backend, device buffers through
// NCCL (nccl_communicator, one GPU per rank) and through host staging
// (communicator). Compared with the single-process CUDA results on the
// concatenated data. Run under mpirun on a machine with one GPU per rank
// (NCCL_NVLS_ENABLE=0 on the lent H200s).

#include <cmath>
#include <cstdint>
#include <vector>

#include "clustr/backend/cuda.cuh"
#include "clustr/cluster/kmeans.hpp"
#include "clustr/distributed/distributed.hpp"
#include "clustr/distributed/nccl_communicator.cuh"
#include "clustr/neighbors/knn.hpp"
#include "support/catch.hpp"

namespace {

using clustr::index_t;
namespace dist = clustr::distributed;

struct block {
  index_t first = 0, count = 0;
};
inline block my_block(const dist::communicator& c, index_t n) {
  const int p = c.size(), me = c.rank();
  const index_t total = static_cast<index_t>(p) * (p + 1) / 2;
  const index_t acc = static_cast<index_t>(me) * (me + 1) / 2;
  return {n * acc / total, n * (acc + me + 1) / total - n * acc / total};
}

std::vector<float> blobs(index_t n, index_t d, int centres, std::uint64_t seed) {
  const clustr::rng::random_stream rs{seed, 3};
  std::vector<float> X(static_cast<std::size_t>(n * d));
  for (index_t i = 0; i < n; ++i) {
    const auto c = rs.below(static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(centres));
    for (index_t j = 0; j < d; ++j)
      X[static_cast<std::size_t>(i * d + j)] = static_cast<float>(
          20.0 * rs.uniform<double>((1ull << 30) + c * static_cast<std::uint64_t>(d) + static_cast<std::uint64_t>(j)) - 10.0 +
          0.7 * rs.normal<double>((1ull << 40) | static_cast<std::uint64_t>(i * d + j)));
  }
  return X;
}

std::vector<float> integer_grid(index_t n, index_t d, std::uint64_t seed) {
  const clustr::rng::random_stream rs{seed, 5};
  std::vector<float> v(static_cast<std::size_t>(n * d));
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(rs.below(i, 4));
  return v;
}

template <class Comm>
void kmeans_case(const clustr::cuda& be, const Comm& comm) {
  const auto& hc = dist::detail::host_comm(comm);
  const index_t n = 3000, d = 8, k = 6;
  const auto X = blobs(n, d, k, 17);
  const auto b = my_block(hc, n);
  const clustr::matrix_view<const float> Xall(X.data(), n, d), Xl(X.data() + b.first * d, b.count, d);
  const clustr::matrix_view<const float> C0(X.data() + 100 * d, k, d);
  clustr::kmeans::params kp{.n_clusters = k};
  const auto ref = clustr::kmeans::fit(be, kp, Xall, clustr::vector_view<const float>{}, C0);
  const auto got = dist::kmeans::fit(be, comm, kp, Xl, clustr::vector_view<const float>{}, C0);
  const auto rl = ref.labels.to_std_vector();
  CHECK(got.labels.to_std_vector() == std::vector<std::int32_t>(rl.begin() + b.first, rl.begin() + b.first + b.count));
  const auto rc = ref.centroids.to_std_vector(), gc = got.centroids.to_std_vector();
  double worst = 0;
  for (std::size_t i = 0; i < rc.size(); ++i) worst = std::max(worst, std::abs(double(rc[i]) - gc[i]) / (1 + std::abs(double(rc[i]))));
  CHECK(worst <= 1e-5);
  CHECK(std::abs(got.inertia - ref.inertia) <= 1e-5 * ref.inertia);
  // k-means++ with every row sampled: the single-process init.
  kp.seed = 3;
  const auto ref2 = clustr::kmeans::fit(be, kp, Xall);
  const auto got2 = dist::kmeans::fit(be, comm, kp, Xl);
  const auto rl2 = ref2.labels.to_std_vector();
  CHECK(got2.labels.to_std_vector() == std::vector<std::int32_t>(rl2.begin() + b.first, rl2.begin() + b.first + b.count));
}

template <class Comm>
void knn_case(const clustr::cuda& be, const Comm& comm) {
  const auto& hc = dist::detail::host_comm(comm);
  const index_t n = 1001, d = 5, k = 9;
  const auto X = integer_grid(n, d, 4);  // exact distances in float, many ties
  const auto b = my_block(hc, n);
  const clustr::matrix_view<const float> Xall(X.data(), n, d), Xl(X.data() + b.first * d, b.count, d);
  clustr::knn::params<> p{.k = k, .batch_size = 128};
  const auto ref = clustr::knn::graph(be, p, Xall);
  const auto got = dist::knn::graph(be, comm, p, Xl);
  const auto ri = ref.indices.to_std_vector();
  CHECK(got.indices.to_std_vector() == std::vector<std::int64_t>(ri.begin() + b.first * k, ri.begin() + (b.first + b.count) * k));
  const auto all = dist::knn::gather_graph(be, comm, got, 0);
  if (hc.rank() == 0) CHECK(all.indices.to_std_vector() == ri);
  const auto rs = clustr::knn::search(be, p, Xall, Xall);
  const auto gs = dist::knn::search(be, comm, p, Xl, Xl);
  const auto rsi = rs.indices.to_std_vector();
  CHECK(gs.indices.to_std_vector() == std::vector<std::int64_t>(rsi.begin() + b.first * k, rsi.begin() + (b.first + b.count) * k));
}

}  // namespace

TEST_CASE("distributed k-means and kNN on CUDA through NCCL", "[distributed][cuda]") {
  const dist::communicator mpi;
  const dist::nccl_communicator nccl(mpi);
  const auto be = nccl.backend();
  kmeans_case(be, nccl);
  knn_case(be, nccl);
  // The ordered all-reduce of device buffers.
  auto v = clustr::make_vector<double>(be, 3);
  clustr::fill(be, v.view(), 0.5 * (mpi.rank() + 1));
  dist::detail::allreduce_sum_ordered(be, nccl, v.data(), 3);
  const int p = mpi.size();
  CHECK(v.to_std_vector() == std::vector<double>(3, 0.25 * p * (p + 1)));
  // NCCL allreduce (min / max / sum) and bcast on device buffers.
  auto w = clustr::make_vector<std::int64_t>(be, 2);
  clustr::fill(be, w.view(), static_cast<std::int64_t>(mpi.rank() + 1));
  nccl.allreduce(be, w.data(), 2, dist::reduce_op::max);
  CHECK(w.to_std_vector() == std::vector<std::int64_t>(2, p));
  nccl.allreduce(be, w.data(), 2, dist::reduce_op::sum);
  CHECK(w.to_std_vector() == std::vector<std::int64_t>(2, static_cast<std::int64_t>(p) * p));
  auto f = clustr::make_vector<float>(be, 4);
  clustr::fill(be, f.view(), static_cast<float>(mpi.rank()) + 0.5f);
  nccl.bcast(be, f.data(), 4, p - 1);
  CHECK(f.to_std_vector() == std::vector<float>(4, static_cast<float>(p - 1) + 0.5f));
}

TEST_CASE("distributed k-means and kNN on CUDA staged through host MPI", "[distributed][cuda]") {
  const dist::communicator mpi;
  int count = 1;
  cudaGetDeviceCount(&count);
  clustr::cuda be;
  be.device = mpi.local_rank() % count;
  kmeans_case(be, mpi);
  knn_case(be, mpi);
}
