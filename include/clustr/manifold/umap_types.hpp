#pragma once
// Parameters, the fuzzy simplicial set and the model of clustr::umap, with
// umap-learn 0.5's names, meanings and defaults.

#include <cstdint>
#include <functional>
#include <limits>
#include <string>

#include "clustr/core/array.hpp"
#include "clustr/metric/metric.hpp"
#include "clustr/neighbors/knn_types.hpp"

namespace clustr::umap {

/// How the low-dimensional embedding starts.
enum class init_method {
  spectral,  ///< eigenvectors of the normalised Laplacian of the fuzzy graph (umap-learn's default)
  random,    ///< uniform in [-10, 10]^n_components (umap-learn's "random")
  array      ///< params.init_array (n x n_components, host memory)
};

inline const char* name_of(init_method m) {
  switch (m) {
    case init_method::spectral: return "spectral";
    case init_method::random: return "random";
    case init_method::array: break;
  }
  return "array";
}

/// How the kNN graph of X is built by fit(be, params, X).
using knn_algorithm = knn::algorithm;  // exact | nn_descent | automatic

/// The fuzzy simplicial set: a symmetric sparse graph in CSR form, in the
/// memory space `Space`. Row i's neighbours are indices[offsets[i] ..
/// offsets[i+1]), sorted ascending by column, with weights in (0, 1]. No
/// self-loops. Symmetric: (i, j, w) is present iff (j, i, w) is.
template <class T, class Space = host_space>
struct fuzzy_graph {
  vector<index_t, Space> offsets;  ///< n + 1 row offsets
  vector<index_t, Space> indices;  ///< nnz column indices
  vector<T, Space> weights;        ///< nnz membership strengths
  index_t n = 0;                   ///< number of vertices (rows)

  index_t nnz() const { return indices.size(); }
};

/// Called once per optimisation epoch, on the host: (epoch done, n_epochs).
using progress_callback = std::function<void(index_t epoch, index_t n_epochs)>;

/// Parameters of fit() and transform(). `Metric` is a policy struct from
/// clustr/metric (default Euclidean), used for the kNN graph of X and of
/// transform's Y; `{.n_components = 5}` deduces the default.
template <class Metric = metric::euclidean>
struct params {
  /// Size of the local neighbourhood (kNN graph degree, counting each point
  /// as its own first neighbour as umap-learn does). 2 <= n_neighbors < n. Default 15.
  index_t n_neighbors = 15;
  /// Dimension of the embedding (default 2).
  index_t n_components = 2;
  /// The input-space distance.
  Metric metric{};
  /// Minimum distance between embedded points: how tightly points pack
  /// (default 0.1; must be <= spread). Used only to fit a and b.
  double min_dist = 0.1;
  /// Scale of embedded points (default 1.0); with min_dist it fixes a and b.
  double spread = 1.0;
  /// Optimisation epochs; 0 = automatic: 500 when n <= 10000, else 200
  /// (umap-learn's n_epochs=None).
  index_t n_epochs = 0;
  /// Initial SGD step size, decayed linearly to 0 (default 1.0).
  double learning_rate = 1.0;
  /// spectral (default) | random | array.
  init_method init = init_method::spectral;
  /// Initial embedding for init == array: n x n_components, row-major, host
  /// memory (not owned; must outlive fit()).
  matrix_view<const double, host_space> init_array{};
  /// Negative samples per positive edge sample (default 5).
  index_t negative_sample_rate = 5;
  /// Weight of negative samples in the cross entropy, umap-learn's gamma (default 1.0).
  double repulsion_strength = 1.0;
  /// Nearest neighbours assumed fully connected (rho = distance to the
  /// local_connectivity-th neighbour; default 1.0, fractional allowed).
  double local_connectivity = 1.0;
  /// Fuzzy union (1.0, default) vs fuzzy intersection (0.0) when symmetrising.
  double set_op_mix_ratio = 1.0;
  /// Curve parameters of 1 / (1 + a d^(2b)); 0 or NaN = fitted from min_dist
  /// and spread as umap-learn's find_ab_params. Give both or neither.
  double a = std::numeric_limits<double>::quiet_NaN();
  double b = std::numeric_limits<double>::quiet_NaN();
  /// Seed of every random draw (Philox keyed by element: the same on every backend).
  std::uint64_t seed = 0;
  /// true: the optimiser is deterministic in parallel (identical embeddings on
  /// serial and OpenMP at any thread count; run-to-run identical on CUDA).
  /// false (default): hogwild updates within an epoch, as umap-learn and cuML.
  bool deterministic = false;
  /// kNN graph construction for fit(be, params, X): exact | nn_descent | automatic.
  knn_algorithm knn_algo = knn_algorithm::automatic;
  /// Query batch of the kNN search (bounds memory).
  index_t knn_batch_size = 16384;
  /// Optional progress report (host), once per epoch.
  progress_callback progress{};
  /// Supervised fit (fit(..., y)): weight of the labels against the data's
  /// topology, 0..1 (umap-learn's target_weight, default 0.5). Edges between
  /// different labels are scaled by exp(-2.5 / (1 - target_weight)), edges to
  /// unlabelled points (-1) by exp(-1); 1.0 cuts the different-label edges.
  double target_weight = 0.5;
  /// transform(): epochs for new points; 0 = automatic as umap-learn
  /// (n_epochs / 3, or 100 when n <= 10000 else 30 for automatic n_epochs).
  index_t transform_n_epochs = 0;
};

/// The fitted model: the embedding, the graph it came from, and what
/// transform() needs.
template <class T, class Space = host_space, class Metric = metric::euclidean>
struct model {
  matrix<T, Space> embedding;  ///< n x n_components
  fuzzy_graph<T, Space> graph; ///< the fuzzy simplicial set (before pruning of weak edges)
  double a = 0;                ///< curve parameter used
  double b = 0;                ///< curve parameter used
  index_t n_epochs = 0;        ///< epochs run
  init_method init_used = init_method::random;  ///< the init actually used
  std::string init_message;    ///< why the init is what it is (e.g. spectral fell back to random)
  params<Metric> fit_params{}; ///< the parameters of fit (progress and init_array cleared)
  matrix<T, Space> train_data; ///< copy of X for transform(Y); empty when fitted from a kNN graph
  index_t n_train = 0;         ///< training points
};

}  // namespace clustr::umap
