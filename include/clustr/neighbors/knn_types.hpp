#pragma once
// Parameters and results of clustr::knn (exact k-nearest-neighbour search,
// kNN graphs, radius search, the k-distance curve).

#include <cstdint>
#include <vector>

#include "clustr/core/array.hpp"
#include "clustr/metric/metric.hpp"

namespace clustr::knn {

/// How neighbours are found.
enum class algorithm {
  exact,       ///< brute force over tiles: every distance computed, exact answer
  nn_descent,  ///< approximate graph by NN-descent (graph() only)
  automatic    ///< graph(): NN-descent above automatic_nn_descent_threshold points on
               ///< host backends, else exact; search(): exact
};

/// NN-descent knobs (recall/speed), used when params.algo selects it.
struct nn_descent_params {
  /// Most refinement iterations (default 20).
  index_t max_iterations = 20;
  /// Stop when at most delta * n * k list entries changed in an iteration
  /// (pynndescent's default 0.001).
  double delta = 0.001;
  /// A point's nearest neighbours that enter its local join each iteration
  /// (0: all k). The main recall/speed knob: smaller is faster and less exact.
  index_t max_candidates = 0;
  /// Reverse neighbours kept per point, drawn at random (0: k). With
  /// max_candidates, the size of each point's join: recall falls quickly
  /// when both are small (see docs/knn.md).
  index_t max_reverse = 0;
  /// Seed of the random initial lists and reverse-list priorities.
  std::uint64_t seed = 0;
};

/// Graphs with more points than this use NN-descent under algorithm::automatic
/// on host backends, as umap-learn (exact below 4096 points): brute force is
/// O(n^2 d), NN-descent about O(n (2k)^2 d) per iteration for a few
/// iterations; on Fashion-MNIST's 10,000 test images NN-descent takes a
/// third of the exact graph's time at recall 0.99. Device backends stay
/// exact: brute force is fast there.
inline constexpr index_t automatic_nn_descent_threshold = 4096;

/// Parameters of search() and graph(). `Metric` is a policy struct from
/// clustr/metric (default Euclidean); `{.k = 15}` deduces the default.
template <class Metric = metric::euclidean>
struct params {
  /// Neighbours per query (scikit-learn's n_neighbors; default 5 as there).
  index_t k = 5;
  /// The distance.
  Metric metric{};
  /// exact | nn_descent | automatic.
  algorithm algo = algorithm::exact;
  /// graph() only: whether each point counts as its own first neighbour.
  /// false (default) matches scikit-learn's kneighbors() with X=None and
  /// cuML/umap-learn graphs built without self.
  bool include_self = false;
  /// Queries processed per batch: bounds device staging and per-batch work.
  index_t batch_size = 16384;
  /// NN-descent settings (algo == nn_descent, or automatic on large data).
  nn_descent_params nn_descent{};
};

/// Result of search(): n_queries x k, sorted ascending by (distance, index).
template <class T, class I = std::int64_t, class Space = host_space>
struct neighbors {
  matrix<I, Space> indices;    ///< row i: indices into the base of query i's neighbours
  matrix<T, Space> distances;  ///< matching true distances (not squared for Euclidean)
};

/// A kNN graph of a data set against itself: the shared artefact that UMAP,
/// HDBSCAN, DBSCAN and the quality metrics accept instead of the data.
template <class T, class I = std::int64_t, class Space = host_space>
struct knn_graph {
  matrix<I, Space> indices;    ///< n x k, ascending by (distance, index)
  matrix<T, Space> distances;  ///< n x k true distances
  index_t k = 0;               ///< neighbours per point
  metric::kind metric = metric::kind::euclidean;  ///< the distance it was built with
  double metric_p = 2.0;       ///< Minkowski's p when metric == minkowski
  bool includes_self = false;  ///< whether column 0 is each point itself
  bool exact = true;           ///< false for approximate (NN-descent) graphs

  index_t n() const { return indices.rows(); }
};

/// Parameters of radius().
template <class Metric = metric::euclidean>
struct radius_params {
  /// The distance.
  Metric metric{};
  /// Queries per batch.
  index_t batch_size = 4096;
  /// Most neighbours one batch may hold; a denser batch throws
  /// clustr::invalid_argument naming batch_size (lower it) so memory stays bounded.
  std::int64_t max_batch_neighbors = std::int64_t(1) << 28;
  /// Sort each row by (distance, index); otherwise rows are by index
  /// (scikit-learn's sort_results=False returns them in no fixed order).
  bool sort_results = false;
};

/// Result of radius(): neighbours of query i are entries [offsets[i],
/// offsets[i+1]) of indices/distances (CSR).
template <class T, class I = std::int64_t, class Space = host_space>
struct radius_neighbors {
  vector<I, Space> offsets;    ///< n_queries + 1
  vector<I, Space> indices;    ///< offsets[n_queries] entries
  vector<T, Space> distances;  ///< true distances

  index_t n_queries() const { return offsets.size() - 1; }
};

/// Result of k_distance(): the sorted k-distance curve and its knee.
template <class T>
struct k_distance_curve {
  std::vector<T> distances;  ///< every point's distance to its k-th neighbour, ascending
  index_t knee_index = 0;    ///< position of the knee in `distances`
  T eps = T(0);              ///< distances[knee_index]: a suggested DBSCAN eps
};

}  // namespace clustr::knn
