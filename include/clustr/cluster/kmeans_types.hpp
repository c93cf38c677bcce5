#pragma once
// Parameters and model of clustr::kmeans (Lloyd's algorithm with k-means++,
// random or given initial centroids), with scikit-learn's meanings and
// defaults.

#include <cstdint>

#include "clustr/core/array.hpp"

namespace clustr::kmeans {

/// How the initial centroids are chosen.
enum class init_method {
  kmeans_plus_plus,  ///< greedy k-means++ as scikit-learn (2 + ln k local trials)
  kmeans_parallel,   ///< k-means|| (Bahmani et al. 2012) as cuML: a few rounds of
                     ///< oversampling, then weighted k-means++ on the candidates
  random,            ///< n_clusters distinct rows drawn uniformly (by weight)
  array              ///< the initial_centroids passed to fit()
};

struct params {
  /// Number of clusters k (scikit-learn's n_clusters, default 8).
  index_t n_clusters = 8;
  /// kmeans_plus_plus (default) | kmeans_parallel | random | array.
  init_method init = init_method::kmeans_plus_plus;
  /// k-means|| only: candidates expected per round, as a multiple of
  /// n_clusters (cuML's oversampling_factor, default 2.0).
  double oversampling_factor = 2.0;
  /// k-means|| only: sampling rounds (default 5; Bahmani et al. found 5
  /// enough; cuML runs about log(initial cost) rounds).
  index_t init_rounds = 5;
  /// Independent runs with different seeds; the one with the lowest inertia
  /// is kept (default 1, scikit-learn's n_init="auto" for k-means++).
  index_t n_init = 1;
  /// Most Lloyd iterations per run (default 300).
  index_t max_iter = 300;
  /// Convergence tolerance, relative as in scikit-learn: a run stops when the
  /// squared centroid shift (summed over clusters) is <= tol * mean per-feature
  /// variance of X. 0 runs until labels stop changing or max_iter.
  double tol = 1e-4;
  /// Seed of every random draw (Philox, the same on every backend).
  std::uint64_t seed = 0;
  /// Spherical (cosine) k-means: rows and centroids are scaled to unit
  /// length and points go to the centroid of largest cosine similarity.
  /// Inertia is then the (weighted) sum of cosine distances 1 - cos(x, c).
  /// Rows of zero length are rejected. Default false (Euclidean).
  bool spherical = false;
};

/// A fitted model.
template <class T, class Space = host_space>
struct model {
  matrix<T, Space> centroids;         ///< n_clusters x d
  vector<std::int32_t, Space> labels; ///< cluster of each training row
  double inertia = 0;                 ///< sum of (weighted) squared distances to the closest centroid
  index_t n_iter = 0;                 ///< Lloyd iterations of the kept run
  bool converged = false;             ///< whether the kept run met tol before max_iter
  index_t n_empty_reseeded = 0;       ///< empty clusters re-seeded from far points in the kept run
  bool spherical = false;             ///< fitted as spherical k-means (predict/transform/score use cosine)
};

/// One row of sweep(): the fit for one k and its scores.
struct sweep_row {
  index_t k = 0;
  double inertia = 0;            ///< as model::inertia
  double silhouette = 0;         ///< mean silhouette (Euclidean; cosine when spherical), NaN for k = 1
  double davies_bouldin = 0;     ///< lower is better, NaN for k = 1
  double calinski_harabasz = 0;  ///< higher is better, NaN for k = 1
  index_t n_iter = 0;
  bool converged = false;
};

/// Options of sweep() beyond the k-means params.
struct sweep_params {
  /// Points scored by the silhouette (0: all, O(n^2 d) time per k; default
  /// 10000: a Philox sample as scikit-learn's sample_size).
  index_t silhouette_sample_size = 10000;
  /// Compute the scores (false: inertia and n_iter only).
  bool scores = true;
};

}  // namespace clustr::kmeans
