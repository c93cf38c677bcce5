// hdbscan_clusters: HDBSCAN* on blobs with uniform background noise (OpenMP
// backend): labels, membership strengths, GLOSH outlier scores, cluster
// persistence, the relative validity, and a DBSCAN* re-cut of the same tree.
// Exits non-zero if the blobs are not recovered.
#include <chrono>
#include <cstdio>
#include <map>
#include <vector>

#include "clustr/backend/openmp.hpp"
#include "clustr/cluster/hdbscan.hpp"
#include "clustr/core/rng.hpp"

int main() {
  using clustr::index_t;
  // 5,000 points in 3-d: 6 blobs (std 0.6, centres in [-10, 10]^3) and 5% uniform noise.
  const index_t n = 5000, d = 3, centres = 6;
  const clustr::rng::random_stream rs{7, 0};
  std::vector<double> X(static_cast<std::size_t>(n * d));
  std::vector<int> truth(static_cast<std::size_t>(n));
  for (index_t i = 0; i < n; ++i) {
    const bool noise = i % 20 == 19;
    const int c = noise ? -1 : static_cast<int>(i % centres);
    truth[static_cast<std::size_t>(i)] = c;
    for (index_t j = 0; j < d; ++j) {
      const auto e = static_cast<std::uint64_t>(i * d + j);
      X[static_cast<std::size_t>(i * d + j)] =
          noise ? rs.uniform<double>(e, -12.0, 12.0)
                : rs.uniform<double>((1ull << 40) + static_cast<std::uint64_t>(c * d + j), -10.0, 10.0) +
                      0.6 * rs.normal<double>((1ull << 41) + e);
    }
  }
  const clustr::openmp be{};
  clustr::hdbscan::params<> p;
  p.min_cluster_size = 50;
  const auto t0 = std::chrono::steady_clock::now();
  const auto m = clustr::hdbscan::fit(be, p, clustr::matrix_view<const double>(X.data(), n, d));
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  const auto labels = m.labels.to_std_vector();
  const auto prob = m.probabilities.to_std_vector();
  const auto glosh = m.outlier_scores.to_std_vector();
  std::printf("HDBSCAN (min_cluster_size 50, OpenMP %d threads): %ld clusters in %.3f s, relative validity %.3f\n",
              be.thread_count(), static_cast<long>(m.n_clusters), secs, m.relative_validity);
  std::vector<index_t> size(static_cast<std::size_t>(m.n_clusters), 0);
  index_t noise_found = 0;
  double glosh_noise = 0, glosh_members = 0;
  for (index_t i = 0; i < n; ++i) {
    const auto l = labels[static_cast<std::size_t>(i)];
    if (l >= 0) ++size[static_cast<std::size_t>(l)];
    else ++noise_found;
    (truth[static_cast<std::size_t>(i)] < 0 ? glosh_noise : glosh_members) += glosh[static_cast<std::size_t>(i)];
  }
  for (index_t c = 0; c < m.n_clusters; ++c)
    std::printf("  cluster %ld: %ld points, persistence %.3f\n", static_cast<long>(c),
                static_cast<long>(size[static_cast<std::size_t>(c)]),
                static_cast<double>(m.cluster_persistence[static_cast<std::size_t>(c)]));
  const double mean_glosh_noise = glosh_noise / static_cast<double>(n / 20);
  const double mean_glosh_members = glosh_members / static_cast<double>(n - n / 20);
  std::printf("  noise: %ld points; mean GLOSH score of background points %.3f vs blob points %.3f; "
              "point 0 has probability %.3f\n",
              static_cast<long>(noise_found), mean_glosh_noise, mean_glosh_members, static_cast<double>(prob[0]));

  // Each true blob should map to one label (majority), and labels to distinct blobs.
  std::map<int, std::map<int, index_t>> table;
  for (index_t i = 0; i < n; ++i)
    if (truth[static_cast<std::size_t>(i)] >= 0) ++table[truth[static_cast<std::size_t>(i)]][labels[static_cast<std::size_t>(i)]];
  index_t agree = 0, blob_points = 0;
  for (const auto& [t, row] : table) {
    index_t best = 0;
    for (const auto& [l, c] : row) {
      blob_points += c;
      if (l >= 0 && c > best) best = c;
    }
    agree += best;
  }
  const double purity = static_cast<double>(agree) / static_cast<double>(blob_points);
  std::printf("  %.1f%% of blob points carry their blob's majority label\n", 100.0 * purity);

  // DBSCAN* from the same tree: mutual-reachability cut at 1.0.
  const auto db = clustr::hdbscan::dbscan_clustering(m, 1.0, 50);
  int db_clusters = 0;
  for (const auto l : db) db_clusters = l + 1 > db_clusters ? l + 1 : db_clusters;
  std::printf("dbscan_clustering(cut 1.0, min_cluster_size 50): %d clusters\n", db_clusters);

  const bool ok = m.n_clusters == centres && purity > 0.95 && mean_glosh_noise > mean_glosh_members && db_clusters >= 1;
  std::printf("%s\n", ok ? "OK" : "FAILED");
  return ok ? 0 : 1;
}
