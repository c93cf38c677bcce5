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
  random,            ///< n_clusters distinct rows drawn uniformly (by weight)
  array              ///< the initial_centroids passed to fit()
};

struct params {
  /// Number of clusters k (scikit-learn's n_clusters, default 8).
  index_t n_clusters = 8;
  /// kmeans_plus_plus (default) | random | array.
  init_method init = init_method::kmeans_plus_plus;
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
};

}  // namespace clustr::kmeans
