// knn_graph: an exact kNN graph, an approximate one by NN-descent, their
// agreement, a radius query and the k-distance eps suggestion for DBSCAN.
#include <algorithm>
#include <cstdio>
#include <vector>

#include "clustr/backend/openmp.hpp"
#include "clustr/core/rng.hpp"
#include "clustr/neighbors/knn.hpp"

int main() {
  using clustr::index_t;
  const index_t n = 10000, d = 8, k = 10;
  const clustr::rng::random_stream rs{1, 0};
  std::vector<float> X(static_cast<std::size_t>(n * d));
  for (index_t i = 0; i < n; ++i)
    for (index_t j = 0; j < d; ++j)
      X[static_cast<std::size_t>(i * d + j)] = 4.0f * rs.uniform<float>(static_cast<std::uint64_t>((i % 10) * d + j) << 32) +
                                               rs.normal<float>(static_cast<std::uint64_t>(i * d + j));
  const auto data = clustr::make_matrix_view(X.data(), n, d);
  const clustr::openmp be{};

  const auto exact = clustr::knn::graph(be, {.k = k}, data);
  const auto approx = clustr::knn::graph(be, {.k = k, .algo = clustr::knn::algorithm::nn_descent}, data);
  index_t found = 0;
  for (index_t i = 0; i < n; ++i)
    for (index_t a = 0; a < k; ++a)
      for (index_t b = 0; b < k; ++b) found += exact.indices(i, a) == approx.indices(i, b);
  std::printf("kNN graph of %ld points (d = %ld, k = %ld): NN-descent recall %.4f against exact\n",
              static_cast<long>(n), static_cast<long>(d), static_cast<long>(k),
              static_cast<double>(found) / static_cast<double>(n * k));

  const auto near = clustr::knn::radius(be, clustr::knn::radius_params<>{.sort_results = true}, data,
                                        clustr::make_matrix_view(X.data(), 1, d), 2.5f);
  std::printf("point 0 has %ld neighbours within 2.5 (itself included)\n", static_cast<long>(near.indices.size()));

  const auto curve = clustr::knn::k_distance(exact, 4);
  std::printf("4-distance knee at %ld of %ld: suggested DBSCAN eps %.3f (min_samples = 5 with self)\n",
              static_cast<long>(curve.knee_index), static_cast<long>(n), static_cast<double>(curve.eps));
  return 0;
}
