#pragma once
// Parameters and results of clustr::stats: cluster-quality scores
// (silhouette, Davies-Bouldin, Calinski-Harabasz, DBCV), partition
// comparisons (ARI, AMI, NMI, homogeneity/completeness/V-measure) and
// embedding quality (trustworthiness). Meanings and defaults follow
// scikit-learn (and the hdbscan library for DBCV); see docs/stats.md.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "clustr/core/config.hpp"
#include "clustr/metric/metric.hpp"

namespace clustr::stats {

/// What a score does with points labelled -1 (DBSCAN's and HDBSCAN's noise).
/// Only the value -1 is noise; other negative labels are ordinary clusters.
enum class noise_policy {
  exclude,    ///< (default) noise points are left out of the score, as if absent
  as_cluster  ///< -1 is one more cluster label (scikit-learn's behaviour)
};

/// How AMI and NMI normalise the mutual information by the two entropies
/// (scikit-learn's average_method).
enum class average_method { min, geometric, arithmetic, max };

/// Options of the partition comparisons (ARI, AMI, NMI, homogeneity...).
struct partition_params {
  /// exclude (default): a point labelled -1 in either labelling is left out.
  noise_policy noise = noise_policy::exclude;
  /// AMI and NMI normaliser (default arithmetic, as scikit-learn >= 0.22).
  average_method average = average_method::arithmetic;
  /// V-measure weight of homogeneity against completeness (default 1).
  double beta = 1.0;
};

/// Options of silhouette_score / silhouette_samples. `Metric` is any metric
/// policy struct (default Euclidean); distances are true distances.
template <class Metric = metric::euclidean>
struct silhouette_params {
  /// The distance between points.
  Metric metric{};
  /// exclude (default): noise points are neither scored nor counted in any
  /// cluster; silhouette_samples gives them NaN.
  noise_policy noise = noise_policy::exclude;
  /// 0 (default): score every point. Otherwise score a random subset of this
  /// many points (drawn by Philox from `seed`), computing the silhouette on
  /// the subset alone, as scikit-learn's sample_size.
  index_t sample_size = 0;
  /// Seed of the sample_size draw.
  std::uint64_t seed = 0;
  /// Points scored per batch on device backends (host backends run their
  /// own blocked kernel): memory is batch_rows x n_clusters doubles plus the
  /// tile. 0 (default): automatic, see auto_batch_rows().
  index_t batch_rows = 0;
  /// Points per distance tile: a tile is tile_cols x batch_rows distances.
  index_t tile_cols = 2048;
};

/// batch_rows = 0: the most rows (at most 32768, at least 1) whose distance
/// tile (rows x tile_cols values of `value_bytes`) and per-row state (rows x
/// per_row_bytes) each stay within 256 MiB. Large batches keep a GPU busy:
/// 2048-row batches left the reduction passes with too few threads.
inline index_t auto_batch_rows(index_t batch_rows, index_t tile_cols, std::size_t value_bytes, std::size_t per_row_bytes) {
  if (batch_rows > 0) return batch_rows;
  constexpr std::size_t budget = std::size_t(256) << 20;
  std::size_t rows = 32768;
  const std::size_t tile_row = static_cast<std::size_t>(tile_cols) * value_bytes;
  if (tile_row > 0 && rows * tile_row > budget) rows = budget / tile_row;
  if (per_row_bytes > 0 && rows * per_row_bytes > budget) rows = budget / per_row_bytes;
  return static_cast<index_t>(rows < 1 ? 1 : rows);
}

/// Options of trustworthiness(). `Metric` is the distance in the original
/// space; neighbours in the embedding are Euclidean, as scikit-learn's.
template <class Metric = metric::euclidean>
struct trustworthiness_params {
  /// Neighbourhood size k (scikit-learn's n_neighbors, default 5); must be
  /// < n / 2.
  index_t n_neighbors = 5;
  /// The distance in the original space X.
  Metric metric{};
  /// Points whose ranks are counted per batch on device backends; 0
  /// (default): automatic, see auto_batch_rows().
  index_t batch_rows = 0;
  /// Points per distance tile (tile_cols x batch_rows distances).
  index_t tile_cols = 2048;
};

/// Options of dbcv().
template <class Metric = metric::euclidean>
struct dbcv_params {
  /// The distance (hdbscan's validity_index metric).
  Metric metric{};
  /// exclude (default, as hdbscan): noise belongs to no cluster but counts in
  /// the total n that weights each cluster; as_cluster: -1 is one more cluster.
  noise_policy noise = noise_policy::exclude;
};

/// Result of homogeneity_completeness_v_measure().
struct homogeneity_completeness_v {
  double homogeneity = 0;
  double completeness = 0;
  double v_measure = 0;
};

/// Result of dbcv_per_cluster(): the score and its parts, one entry per
/// cluster in ascending label order.
struct dbcv_result {
  double score = 0;                          ///< sum over clusters of (size / n) * validity
  std::vector<std::int64_t> cluster_labels;  ///< the label of each cluster
  std::vector<double> validity;              ///< per-cluster validity in [-1, 1]
  std::vector<double> density_sparseness;    ///< largest internal MST edge of each cluster
  std::vector<double> density_separation;    ///< smallest separation to any other cluster
  std::vector<index_t> sizes;                ///< points in each cluster
};

}  // namespace clustr::stats
