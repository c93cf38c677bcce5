// quality_scores: k-means for k = 2..8 on blobs with 5 centres, scored by
// inertia, silhouette, Davies-Bouldin and Calinski-Harabasz (the usual way to
// choose k: the elbow of inertia, the highest silhouette and CH, the lowest
// DB), and the ARI of the k with the best silhouette against the true blobs.
#include <cstdio>
#include <vector>

#include "clustr/backend/openmp.hpp"
#include "clustr/cluster/kmeans.hpp"
#include "clustr/core/rng.hpp"
#include "clustr/stats/stats.hpp"

int main() {
  using clustr::index_t;
  const index_t n = 5000, d = 4, centres = 5;
  const clustr::rng::random_stream rs{7, 0};
  std::vector<float> X(static_cast<std::size_t>(n * d));
  std::vector<std::int32_t> truth(static_cast<std::size_t>(n));
  for (index_t i = 0; i < n; ++i) {
    const auto c = static_cast<index_t>(rs.below(static_cast<std::uint64_t>(i), centres));
    truth[static_cast<std::size_t>(i)] = static_cast<std::int32_t>(c);
    for (index_t j = 0; j < d; ++j)
      X[static_cast<std::size_t>(i * d + j)] =
          (((c >> j) & 1) ? 6.0f : -6.0f) +  // centres on corners of a hypercube
          rs.normal<float>((std::uint64_t(1) << 41) + static_cast<std::uint64_t>(i * d + j));
  }
  const auto data = clustr::make_matrix_view(X.data(), n, d);
  const clustr::openmp be{};

  std::printf(" k      inertia  silhouette  Davies-Bouldin  Calinski-Harabasz\n");
  index_t best_k = 0;
  double best_silhouette = -2.0;
  for (index_t k = 2; k <= 8; ++k) {
    const auto m = clustr::kmeans::fit(be, {.n_clusters = k, .n_init = 3, .seed = 1}, data);
    const double sil = clustr::stats::silhouette_score(be, data, m.labels);
    const double db = clustr::stats::davies_bouldin_score(be, data, m.labels);
    const double ch = clustr::stats::calinski_harabasz_score(be, data, m.labels);
    std::printf("%2ld %12.1f %11.4f %15.4f %18.1f\n", static_cast<long>(k), m.inertia, sil, db, ch);
    if (sil > best_silhouette) {
      best_silhouette = sil;
      best_k = k;
    }
  }
  const auto best = clustr::kmeans::fit(be, {.n_clusters = best_k, .n_init = 3, .seed = 1}, data);
  std::printf("best silhouette at k = %ld (true: %ld); ARI against the true blobs %.4f\n", static_cast<long>(best_k),
              static_cast<long>(centres),
              clustr::stats::adjusted_rand_score(be, clustr::make_vector_view(truth.data(), n), best.labels));
  return 0;
}
