// quickstart: k-means and a kNN graph on generated blobs with the OpenMP
// backend. The README's first command builds and runs this.
#include <chrono>
#include <cstdio>
#include <vector>

#include "clustr/backend/openmp.hpp"
#include "clustr/cluster/kmeans.hpp"
#include "clustr/core/rng.hpp"
#include "clustr/neighbors/knn.hpp"

int main() {
  using clustr::index_t;
  // 20,000 points in 16 dimensions around 6 centres (make_blobs-like, std 1).
  const index_t n = 20000, d = 16, centres = 6;
  const clustr::rng::random_stream rs{2026, 0};
  std::vector<float> X(static_cast<std::size_t>(n * d));
  std::vector<int> truth(static_cast<std::size_t>(n));
  for (index_t i = 0; i < n; ++i) {
    const int c = static_cast<int>(i % centres);
    truth[static_cast<std::size_t>(i)] = c;
    for (index_t j = 0; j < d; ++j)
      X[static_cast<std::size_t>(i * d + j)] =
          10.0f * rs.uniform<float>(static_cast<std::uint64_t>(c * d + j), -1.0f, 1.0f) +
          rs.normal<float>(static_cast<std::uint64_t>(1000000 + i * d + j));
  }
  const auto data = clustr::make_matrix_view(X.data(), n, d);
  const clustr::openmp be{};
  std::printf("clustr quickstart: %ld points, d = %ld, %d true clusters, OpenMP with %d threads\n",
              static_cast<long>(n), static_cast<long>(d), static_cast<int>(centres), be.thread_count());

  auto t0 = std::chrono::steady_clock::now();
  const auto km = clustr::kmeans::fit(be, {.n_clusters = centres, .n_init = 3, .seed = 7}, data);
  auto t1 = std::chrono::steady_clock::now();
  // Agreement with the generating centres: every true cluster maps to one label.
  std::vector<std::vector<int>> table(static_cast<std::size_t>(centres), std::vector<int>(static_cast<std::size_t>(centres), 0));
  for (index_t i = 0; i < n; ++i) ++table[static_cast<std::size_t>(truth[static_cast<std::size_t>(i)])][static_cast<std::size_t>(km.labels[i])];
  index_t pure = 0;
  for (const auto& row : table) {
    int best = 0;
    for (int v : row) best = v > best ? v : best;
    pure += best;
  }
  std::printf("k-means (k-means++, 3 inits): inertia %.1f after %ld iterations (%s), %.1f%% of points in their "
              "true cluster's majority label, %.3f s\n",
              km.inertia, static_cast<long>(km.n_iter), km.converged ? "converged" : "not converged",
              100.0 * static_cast<double>(pure) / static_cast<double>(n), std::chrono::duration<double>(t1 - t0).count());

  t0 = std::chrono::steady_clock::now();
  const auto g = clustr::knn::graph(be, {.k = 15}, data);
  t1 = std::chrono::steady_clock::now();
  index_t same = 0;
  for (index_t i = 0; i < n; ++i)
    for (index_t c = 0; c < g.k; ++c) same += truth[static_cast<std::size_t>(g.indices(i, c))] == truth[static_cast<std::size_t>(i)];
  std::printf("exact kNN graph (k = 15, Euclidean, self excluded): %.3f s; %.2f%% of neighbours share the point's "
              "true cluster; point 0's nearest neighbour is %ld at distance %.3f\n",
              std::chrono::duration<double>(t1 - t0).count(),
              100.0 * static_cast<double>(same) / static_cast<double>(n * g.k), static_cast<long>(g.indices(0, 0)),
              static_cast<double>(g.distances(0, 0)));

  const auto kd = clustr::knn::k_distance(g, 5);
  std::printf("k-distance curve (k = 5): knee at %ld of %ld points, suggested DBSCAN eps = %.3f\n",
              static_cast<long>(kd.knee_index), static_cast<long>(n), static_cast<double>(kd.eps));
  return 0;
}
