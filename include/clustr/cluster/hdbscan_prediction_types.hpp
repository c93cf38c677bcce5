#pragma once
// What clustr::hdbscan keeps for approximate_predict and soft clustering
// (params.prediction_data = true), and the results of soft clustering.
// Filled by hdbscan::detail::build_prediction_data (detail/hdbscan_prediction.hpp)
// with the hdbscan library's PredictionData semantics.

#include <cstdint>
#include <vector>

#include "clustr/core/array.hpp"
#include "clustr/metric/metric.hpp"

namespace clustr::hdbscan {

/// Kept by fit() when params.prediction_data is set (empty otherwise).
/// Condensed-tree cluster nodes are numbered as in the condensed tree minus
/// n_samples ("node" 0 is the root). Host vectors are the tree tables the
/// sequential parts read; the *_dev arrays are their copies in the backend's
/// memory space for the batched kernels.
template <class T, class Space = host_space>
struct prediction_data {
  bool present = false;
  matrix<T, Space> data;             ///< the training points (a copy)
  /// hdbscan's PredictionData.core_distances: distance to the min_samples-th
  /// neighbour counting the point itself (one neighbour fewer than fit's core
  /// distance: the hdbscan library does exactly this).
  vector<T, Space> core_distances;
  /// hdbscan's min_samples (min_samples or min_cluster_size): approximate_predict
  /// looks at the 2 * min_samples nearest training points of a new point.
  index_t min_samples = 0;
  metric::kind metric_kind = metric::kind::euclidean;  ///< the fit's distance
  double metric_p = 2.0;                               ///< Minkowski's p

  // --- the cluster tree (condensed tree without point rows), host side ---
  index_t n_nodes = 0;                       ///< cluster nodes in the condensed tree (root included)
  std::vector<std::int32_t> node_parent;     ///< parent node, -1 for the root
  std::vector<T> node_lambda;                ///< lambda at which the node split off its parent (0 for the root)
  std::vector<std::int32_t> node_depth;      ///< 0 for the root
  std::vector<T> leaf_max_lambda;            ///< hdbscan's leaf_max_lambdas: max lambda over the node's own rows
  std::vector<T> subtree_max_lambda;         ///< max lambda over the node's subtree (GLOSH of new points)
  std::vector<std::int32_t> cluster_map;     ///< label of the selected cluster at or above the node, else -1
  std::vector<T> max_lambda;                 ///< hdbscan's max_lambdas: leaf_max_lambda of that selected cluster
  /// Selected clusters as nodes, ascending; label j is selected_clusters[j].
  /// fit() may fill it before build_prediction_data; otherwise it is derived from the labels.
  std::vector<std::int32_t> selected_clusters;

  // --- per training point, backend memory ---
  vector<std::int32_t, Space> point_node;    ///< the node the point fell out of (its condensed-tree parent)
  vector<T, Space> point_lambda;             ///< the lambda at which it fell out

  // --- tree tables in backend memory (same contents as the host vectors) ---
  vector<std::int32_t, Space> node_parent_dev;
  vector<T, Space> node_lambda_dev;
  vector<std::int32_t, Space> node_depth_dev;
  vector<T, Space> leaf_max_lambda_dev;
  vector<T, Space> subtree_max_lambda_dev;
  vector<std::int32_t, Space> cluster_map_dev;
  vector<T, Space> max_lambda_dev;
  vector<std::int32_t, Space> selected_dev;

  // --- exemplars, grouped by cluster (CSR), backend memory ---
  vector<std::int64_t, Space> exemplar_offsets;  ///< n_clusters + 1
  matrix<T, Space> exemplar_points;              ///< the exemplar rows of data, cluster by cluster

  index_t n_clusters() const { return static_cast<index_t>(selected_clusters.size()); }
};

/// Per point: its k most likely clusters (descending probability, ties to the
/// smaller cluster id), their probabilities, and the probability of being
/// noise (1 - prob_in_some_cluster, i.e. 1 - the sum of the point's full
/// membership vector); memory O(n k).
template <class T, class Space = host_space>
struct top_k_membership {
  matrix<std::int32_t, Space> clusters;  ///< n x k, -1 where fewer than k clusters exist
  matrix<T, Space> probabilities;        ///< n x k (0 where clusters is -1)
  vector<T, Space> noise_probability;    ///< n
};

/// approximate_predict's result for new points (hdbscan's approximate_predict
/// with return_connecting_points=True).
template <class T, class Space = host_space>
struct approximate_prediction {
  vector<std::int32_t, Space> labels;         ///< cluster of the fit, -1 noise
  vector<T, Space> probabilities;             ///< strength of membership (0 for noise)
  vector<std::int64_t, Space> connecting_points;  ///< nearest mutual-reachability training point (-1 without a cluster tree)
};

}  // namespace clustr::hdbscan
