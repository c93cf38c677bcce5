#pragma once
// Parameters and model of clustr::dbscan (exact DBSCAN with scikit-learn's
// meanings and defaults, plus eps from the k-distance knee and predict).

#include <cstddef>
#include <cstdint>

#include "clustr/core/array.hpp"
#include "clustr/metric/metric.hpp"

namespace clustr::dbscan {

/// How eps-neighbours are found.
enum class algorithm {
  automatic,  ///< grid when the metric is Minkowski-family (sqeuclidean, euclidean,
              ///< manhattan, chebyshev, minkowski) and d <= grid_max_dim, else brute
  grid,       ///< cells of side ~eps/diameter, sorted by cell key; O(n log n + n * neighbours)
  brute,      ///< tiled distance blocks (batch_size x columns), any metric; O(n^2 d)
  graph       ///< a precomputed radius graph: only fit(backend, params, graph [, X])
};

/// Largest dimension the grid supports (it visits (2r+1)^d cells, r = 1 or 2).
inline constexpr index_t grid_dim_limit = 8;

template <class Metric = metric::euclidean>
struct params {
  /// Neighbourhood radius, inclusive (d <= eps), in the metric's own units
  /// (squared distance for sqeuclidean). Default 0.5 as scikit-learn. Ignored
  /// when eps_auto is true.
  double eps = 0.5;
  /// Choose eps from the data: the knee of the k-distance curve
  /// (knn::k_distance) with k = min_samples neighbours counted as
  /// min_samples_includes_self says. The eps used is model.eps. Default false.
  /// Costs an exact kNN graph (O(n^2 d) time, O(n k) memory).
  bool eps_auto = false;
  /// A point is core when at least this many points lie within eps
  /// (default 5 as scikit-learn).
  index_t min_samples = 5;
  /// true (default): min_samples counts the point itself (scikit-learn, cuML).
  /// false: it counts only the others (the hdbscan library's meaning), i.e.
  /// scikit-learn's min_samples + 1.
  bool min_samples_includes_self = true;
  /// The distance.
  Metric metric{};
  /// automatic (default) | grid | brute | graph.
  algorithm algo = algorithm::automatic;
  /// automatic uses the grid for d <= grid_max_dim (default 3, at most
  /// grid_dim_limit); algo = grid with larger d throws.
  index_t grid_max_dim = 3;
  /// brute: rows of X per distance tile (default 4096).
  index_t batch_size = 4096;
  /// Most bytes of temporary work memory beyond the O(n) per-point arrays
  /// (brute's distance tiles: batch_size x columns, columns shrunk to fit).
  /// Neighbourhoods and neighbour pairs are never stored, whatever their
  /// number. Default 256 MiB; a bound below one tile column throws naming it.
  std::size_t max_workspace_bytes = std::size_t(256) << 20;
};

/// A fitted model. Arrays live in the backend's memory space.
template <class T, class Metric = metric::euclidean, class Space = host_space>
struct model {
  /// Cluster of each training row, -1 for noise. Clusters are numbered
  /// 0..n_clusters-1 in the order of their smallest core point index (as
  /// scikit-learn). A border point joins the cluster of its nearest core point
  /// within eps, ties to the smaller index.
  vector<std::int32_t, Space> labels;
  /// 1 for core points, 0 otherwise.
  vector<std::uint8_t, Space> is_core;
  /// Indices of the core points, ascending (scikit-learn's core_sample_indices_).
  vector<index_t, Space> core_sample_indices;
  /// The core points' coordinates (rows in core_sample_indices order) and
  /// labels: what predict() needs. Empty when fitted from a graph without X.
  matrix<T, Space> core_points;
  vector<std::int32_t, Space> core_labels;
  index_t n_clusters = 0;
  index_t n_features = 0;
  /// The eps used (params.eps, or the k-distance knee when eps_auto).
  T eps = T(0);
  index_t min_samples = 5;
  bool min_samples_includes_self = true;
  Metric metric{};
  /// The algorithm that ran (automatic resolved).
  algorithm algo = algorithm::automatic;
  /// Peak temporary work memory beyond the O(n) arrays, in bytes (<= params.max_workspace_bytes).
  std::size_t workspace_bytes = 0;
  /// Whether core_points is filled (predict needs it).
  bool has_core_points = false;
};

}  // namespace clustr::dbscan
