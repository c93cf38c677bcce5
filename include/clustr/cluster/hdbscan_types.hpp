#pragma once
// Parameters and model of clustr::hdbscan (HDBSCAN* with GLOSH outlier scores
// and soft clustering), with the hdbscan library's meanings and defaults.
//
// Ownership while it is being built: the fit side (params, condensed_tree,
// model) belongs to cluster/hdbscan.hpp; the prediction data (what soft
// clustering and approximate_predict need) is in hdbscan_prediction_types.hpp.

#include <cstdint>
#include <functional>
#include <vector>

#include "clustr/cluster/hdbscan_prediction_types.hpp"
#include "clustr/core/array.hpp"
#include "clustr/metric/metric.hpp"

namespace clustr::hdbscan {

/// How flat clusters are chosen from the condensed tree.
enum class selection_method {
  eom,  ///< excess of mass (default, as hdbscan and scikit-learn)
  leaf  ///< the leaves of the condensed tree
};

/// How the mutual-reachability minimum spanning tree is built.
enum class mst_algorithm {
  exact,     ///< the exact MST of the mutual-reachability graph (default)
  knn_graph  ///< the MST of the kNN graph only (approximate, as cuML; may be a forest)
};

template <class Metric = metric::euclidean>
struct params {
  /// Smallest group of points that counts as a cluster (default 5).
  index_t min_cluster_size = 5;
  /// Neighbours that define a point's core distance; 0 means min_cluster_size
  /// (the hdbscan library's and scikit-learn's default).
  index_t min_samples = 0;
  /// false (default, the hdbscan library): the core distance is the distance
  /// to the min_samples-th neighbour not counting the point itself.
  /// true (scikit-learn's HDBSCAN): the point itself counts as the first.
  bool min_samples_includes_self = false;
  /// eom (default) | leaf.
  selection_method cluster_selection_method = selection_method::eom;
  /// Clusters closer than this distance are merged (default 0: off).
  double cluster_selection_epsilon = 0.0;
  /// Clusters larger than this are never selected under eom (0: no limit).
  index_t max_cluster_size = 0;
  /// Whether the root may be selected as the only cluster (default false).
  bool allow_single_cluster = false;
  /// Mutual reachability scales distances by 1/alpha (default 1.0).
  double alpha = 1.0;
  /// The distance.
  Metric metric{};
  /// Keep what approximate_predict and soft clustering need (default false;
  /// all_points_membership_vectors needs it).
  bool prediction_data = false;
  /// exact (default) | knn_graph.
  mst_algorithm mst = mst_algorithm::exact;
  /// Rows processed per batch in the distance stages (bounds memory).
  index_t batch_size = 16384;
  /// Called with (stage name, fraction done in [0, 1]); may be empty.
  std::function<void(const char*, double)> progress{};
};

/// One edge of the minimum spanning tree (mutual-reachability weight).
template <class T>
struct mst_edge {
  std::int64_t from = 0;
  std::int64_t to = 0;
  T weight = T(0);
};

/// The condensed tree in the hdbscan library's layout: one row per
/// (parent cluster, child) where child is a point (< n) or a cluster (>= n,
/// the root is n); lambda_val = 1 / distance at which the child left.
template <class T>
struct condensed_tree {
  std::vector<std::int64_t> parent;
  std::vector<std::int64_t> child;
  std::vector<T> lambda_val;
  std::vector<std::int64_t> child_size;

  index_t size() const { return static_cast<index_t>(parent.size()); }
};

/// The single-linkage tree in scipy's linkage layout: row i merges
/// left and right (points < n, merge j is n + j) at distance into size points.
template <class T>
struct single_linkage_tree {
  std::vector<std::int64_t> left;
  std::vector<std::int64_t> right;
  std::vector<T> distance;
  std::vector<std::int64_t> size;
};

/// A fitted model. Per-point outputs live in the backend's memory space;
/// trees are host-side (they are O(n) and walked sequentially).
template <class T, class Space = host_space>
struct model {
  vector<std::int32_t, Space> labels;   ///< cluster of each point, -1 noise; clusters 0..C-1
  vector<T, Space> probabilities;       ///< strength of membership in its cluster (0 for noise)
  vector<T, Space> outlier_scores;      ///< GLOSH
  std::vector<T> cluster_persistence;   ///< stability of each selected cluster, normalised as hdbscan
  std::vector<std::int64_t> cluster_ids;///< condensed-tree node of cluster c (label c), ascending
  condensed_tree<T> condensed;          ///< hdbscan's condensed_tree_
  single_linkage_tree<T> single_linkage;///< hdbscan's single_linkage_tree_
  std::vector<mst_edge<T>> minimum_spanning_tree;  ///< n-1 edges (fewer for a kNN-graph forest), by weight
  std::vector<std::vector<std::int64_t>> exemplars;///< per cluster: row indices of its exemplar points
  double relative_validity = 0.0;       ///< DBCV as the hdbscan library approximates it
  index_t n_clusters = 0;
  index_t n_samples = 0;
  index_t min_samples_used = 0;         ///< neighbours counted for the core distance, self excluded
  /// Present when params.prediction_data was set.
  prediction_data<T, Space> prediction;
};

}  // namespace clustr::hdbscan
