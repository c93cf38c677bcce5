// hdbscan_soft: the tail of the users' pipeline (UMAP -> HDBSCAN -> soft
// clusters -> the gap between each point's top two membership
// probabilities), on generated 5-d blobs with the OpenMP backend. Fits with
// prediction_data, takes the top-2 memberships per point (O(n k) memory, no
// n x n_clusters matrix), and checks them against the dense
// all_points_membership_vectors. Also predicts a few new points.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

#include "clustr/backend/openmp.hpp"
#include "clustr/cluster/hdbscan.hpp"
#include "clustr/cluster/hdbscan_predict.hpp"
#include "clustr/core/rng.hpp"

int main() {
  using clustr::index_t;
  // 6,000 points in 5-d (a UMAP output's dimension) around 8 centres, plus uniform background.
  const index_t n = 6000, d = 5, centres = 8, background = 300;
  const clustr::rng::random_stream rs{2026, 5};
  std::vector<double> X(static_cast<std::size_t>(n * d));
  for (index_t i = 0; i < n; ++i) {
    const auto c = static_cast<std::uint64_t>(i % centres);
    for (index_t j = 0; j < d; ++j) {
      const auto k = static_cast<std::uint64_t>(i * d + j);
      X[static_cast<std::size_t>(i * d + j)] =
          i < n - background ? 8.0 * rs.uniform<double>(c * static_cast<std::uint64_t>(d) + static_cast<std::uint64_t>(j), -1.0, 1.0) +
                                   0.6 * rs.normal<double>(1000000 + k)
                             : rs.uniform<double>(2000000 + k, -10.0, 10.0);
    }
  }
  const auto data = clustr::make_matrix_view(X.data(), n, d);
  const clustr::openmp be{};

  auto t0 = std::chrono::steady_clock::now();
  clustr::hdbscan::params<> p;
  p.min_cluster_size = 50;
  p.prediction_data = true;
  const auto model = clustr::hdbscan::fit(be, p, data);
  auto t1 = std::chrono::steady_clock::now();
  const auto top = clustr::hdbscan::all_points_membership_top_k(be, model, 2);
  auto t2 = std::chrono::steady_clock::now();
  std::printf("HDBSCAN (min_cluster_size 50, prediction_data): %ld clusters in %.3f s; top-2 memberships in %.3f s "
              "(OpenMP, %d threads)\n",
              static_cast<long>(model.n_clusters), std::chrono::duration<double>(t1 - t0).count(),
              std::chrono::duration<double>(t2 - t1).count(), be.thread_count());
  if (model.n_clusters < 2) {
    std::printf("FAILED: expected several clusters\n");
    return 1;
  }

  // The gap between each point's two most likely clusters: small = ambiguous.
  std::vector<double> gap(static_cast<std::size_t>(n));
  for (index_t i = 0; i < n; ++i) gap[static_cast<std::size_t>(i)] = top.probabilities(i, 0) - top.probabilities(i, 1);
  std::vector<double> sorted = gap;
  std::sort(sorted.begin(), sorted.end());
  std::printf("top-2 gap: min %.3f, median %.3f, max %.3f; %.1f%% of points with gap < 0.1; point 0: cluster %d "
              "(p = %.3f), then %d (p = %.3f), noise %.3f\n",
              sorted.front(), sorted[static_cast<std::size_t>(n / 2)], sorted.back(),
              100.0 * static_cast<double>(std::lower_bound(sorted.begin(), sorted.end(), 0.1) - sorted.begin()) /
                  static_cast<double>(n),
              top.clusters(0, 0), top.probabilities(0, 0), top.clusters(0, 1), top.probabilities(0, 1),
              top.noise_probability[0]);

  // The same from the dense matrix (n x n_clusters), as hdbscan returns it.
  const auto dense = clustr::hdbscan::all_points_membership_vectors(be, model);
  index_t wrong = 0;
  for (index_t i = 0; i < n; ++i) {
    double a = -1, b = -1;
    double sum = 0;
    for (index_t c = 0; c < model.n_clusters; ++c) {
      const double v = dense(i, c);
      sum += v;
      if (v > a) {
        b = a;
        a = v;
      } else if (v > b) {
        b = v;
      }
    }
    wrong += std::fabs((a - b) - gap[static_cast<std::size_t>(i)]) > 1e-12 ||
             std::fabs(1.0 - sum - top.noise_probability[i]) > 1e-12;
  }
  std::printf("dense all_points_membership_vectors: %ld x %ld; rows disagreeing with the top-2: %ld\n",
              static_cast<long>(dense.rows()), static_cast<long>(dense.cols()), static_cast<long>(wrong));

  // New points: a training point shifted a little joins its cluster.
  std::vector<double> Y(X.begin(), X.begin() + 3 * d);
  for (auto& v : Y) v += 0.05;
  const auto pred = clustr::hdbscan::approximate_predict(be, model, clustr::make_matrix_view(Y.data(), 3, d));
  const auto scores = clustr::hdbscan::approximate_predict_scores(be, model, clustr::make_matrix_view(Y.data(), 3, d));
  index_t moved = 0;
  for (index_t i = 0; i < 3; ++i) {
    std::printf("new point %ld: label %d (training point %ld has %d), probability %.3f, outlier score %.3f\n",
                static_cast<long>(i), pred.labels[i], static_cast<long>(i), model.labels.view()[i],
                pred.probabilities[i], scores[i]);
    moved += model.labels.view()[i] >= 0 && pred.labels[i] != model.labels.view()[i];
  }
  if (wrong != 0 || moved != 0) {
    std::printf("FAILED\n");
    return 1;
  }
  std::printf("OK\n");
  return 0;
}
