// Pick k for k-means: fit k = 2..8 in one call and print inertia (for the
// elbow), silhouette, Davies-Bouldin and Calinski-Harabasz per k, on blobs
// with 5 true clusters. Exits non-zero if the scores do not point at k = 5.
#include <cmath>
#include <cstdio>
#include <vector>

#include "clustr/backend/openmp.hpp"
#include "clustr/cluster/kmeans_sweep.hpp"

int main() {
  // 5 well-separated blobs in 4-d.
  const clustr::index_t n = 5000, d = 4;
  const clustr::rng::random_stream rs{7, 0};
  std::vector<float> X(static_cast<std::size_t>(n * d));
  for (clustr::index_t i = 0; i < n; ++i) {
    const auto c = static_cast<double>(i % 5);
    for (clustr::index_t j = 0; j < d; ++j)
      X[static_cast<std::size_t>(i * d + j)] =
          static_cast<float>(10.0 * std::cos(c * 1.3 + static_cast<double>(j)) + rs.normal<double>(static_cast<std::uint64_t>(i * d + j)));
  }
  const clustr::matrix_view<const float> Xv(X.data(), n, d);

  const auto rows = clustr::kmeans::sweep(clustr::openmp{}, {.n_init = 3, .seed = 1}, Xv, {2, 3, 4, 5, 6, 7, 8});
  std::printf("%3s %12s %10s %14s %17s %6s\n", "k", "inertia", "silhouette", "davies_bouldin", "calinski_harabasz", "iters");
  clustr::index_t best_sil = 0, best_db = 0;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const auto& row = rows[r];
    std::printf("%3lld %12.1f %10.4f %14.4f %17.1f %6lld\n", static_cast<long long>(row.k), row.inertia, row.silhouette,
                row.davies_bouldin, row.calinski_harabasz, static_cast<long long>(row.n_iter));
    if (row.silhouette > rows[static_cast<std::size_t>(best_sil)].silhouette) best_sil = static_cast<clustr::index_t>(r);
    if (row.davies_bouldin < rows[static_cast<std::size_t>(best_db)].davies_bouldin) best_db = static_cast<clustr::index_t>(r);
  }
  const auto k_sil = rows[static_cast<std::size_t>(best_sil)].k, k_db = rows[static_cast<std::size_t>(best_db)].k;
  std::printf("best k by silhouette: %lld, by Davies-Bouldin: %lld\n", static_cast<long long>(k_sil), static_cast<long long>(k_db));
  return k_sil == 5 && k_db == 5 ? 0 : 1;
}
