#pragma once
// clustr::umap: Uniform Manifold Approximation and Projection as umap-learn
// 0.5 — fuzzy simplicial set of the kNN graph, spectral / random / given
// initialisation, negative-sampling SGD layout — plus transform() of new
// points into a fitted embedding. See docs/umap.md.
//
//   auto m = clustr::umap::fit(clustr::openmp{}, {.n_components = 5, .min_dist = 0.0}, X);
//   auto g = clustr::knn::graph(be, {.k = 14}, X);  auto m2 = clustr::umap::fit(be, {.n_components = 5}, g);
//   auto Z = clustr::umap::transform(be, m, Y);

#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "clustr/core/as_view.hpp"
#include "clustr/core/errors.hpp"
#include "clustr/manifold/detail/umap_ab.hpp"
#include "clustr/manifold/detail/umap_graph.hpp"
#include "clustr/manifold/detail/umap_init.hpp"
#include "clustr/manifold/detail/umap_optimize.hpp"
#include "clustr/manifold/umap_types.hpp"
#include "clustr/neighbors/knn.hpp"
#include "clustr/primitives/primitives.hpp"

#if __has_include("clustr/manifold/detail/spectral.hpp")
#include "clustr/manifold/detail/spectral.hpp"
#define CLUSTR_UMAP_HAS_SPECTRAL 1
#else
#define CLUSTR_UMAP_HAS_SPECTRAL 0
#endif

namespace clustr::umap {

namespace detail {

template <class X>
inline constexpr bool is_knn_result_v = false;
template <class T, class I, class S>
inline constexpr bool is_knn_result_v<knn::knn_graph<T, I, S>> = true;
template <class T, class I, class S>
inline constexpr bool is_knn_result_v<knn::neighbors<T, I, S>> = true;

using clustr::detail::concat;
using clustr::detail::throw_invalid;

/// Parameter checks that do not depend on the data (n = number of points).
template <class Metric>
void check_params(const params<Metric>& p, index_t n) {
  if (p.n_neighbors < 2) throw_invalid("params.n_neighbors", p.n_neighbors, "must be >= 2");
  if (p.n_neighbors >= n)
    throw_invalid("params.n_neighbors", p.n_neighbors, concat("must be < the number of points (", n, ")"));
  if (p.n_components < 1) throw_invalid("params.n_components", p.n_components, "must be >= 1");
  if (!(p.spread > 0) || !std::isfinite(p.spread)) throw_invalid("params.spread", p.spread, "must be > 0 and finite");
  if (!(p.min_dist >= 0) || !std::isfinite(p.min_dist)) throw_invalid("params.min_dist", p.min_dist, "must be >= 0");
  if (p.min_dist > p.spread)
    throw_invalid("params.min_dist", p.min_dist, concat("must be <= params.spread (", p.spread, ")"));
  if (p.n_epochs < 0) throw_invalid("params.n_epochs", p.n_epochs, "must be >= 0 (0 = automatic)");
  if (p.transform_n_epochs < 0)
    throw_invalid("params.transform_n_epochs", p.transform_n_epochs, "must be >= 0 (0 = automatic)");
  if (!(p.learning_rate > 0) || !std::isfinite(p.learning_rate))
    throw_invalid("params.learning_rate", p.learning_rate, "must be > 0 and finite");
  if (p.negative_sample_rate < 0) throw_invalid("params.negative_sample_rate", p.negative_sample_rate, "must be >= 0");
  if (!(p.repulsion_strength >= 0) || !std::isfinite(p.repulsion_strength))
    throw_invalid("params.repulsion_strength", p.repulsion_strength, "must be >= 0");
  if (!(p.local_connectivity >= 0) || !std::isfinite(p.local_connectivity))
    throw_invalid("params.local_connectivity", p.local_connectivity, "must be >= 0");
  if (!(p.set_op_mix_ratio >= 0 && p.set_op_mix_ratio <= 1))
    throw_invalid("params.set_op_mix_ratio", p.set_op_mix_ratio, "must be in [0, 1]");
  const bool a_given = std::isfinite(p.a) && p.a != 0, b_given = std::isfinite(p.b) && p.b != 0;
  if (a_given != b_given) throw_invalid("params.a", p.a, concat("give both a and b or neither (b = ", p.b, ")"));
  if (a_given && !(p.a > 0)) throw_invalid("params.a", p.a, "must be > 0");
  if (b_given && !(p.b > 0)) throw_invalid("params.b", p.b, "must be > 0");
  if (p.knn_batch_size < 1) throw_invalid("params.knn_batch_size", p.knn_batch_size, "must be >= 1");
  if (!(p.target_weight >= 0 && p.target_weight <= 1))
    throw_invalid("params.target_weight", p.target_weight, "must be in [0, 1]");
  if (p.init == init_method::array) {
    if (p.init_array.rows() != n || p.init_array.cols() != p.n_components)
      throw_invalid("params.init_array", concat(p.init_array.rows(), " x ", p.init_array.cols()),
                    concat("must be n x n_components = ", n, " x ", p.n_components));
    for (index_t i = 0; i < n; ++i)
      for (index_t c = 0; c < p.n_components; ++c)
        if (!std::isfinite(p.init_array(i, c)))
          throw_invalid("params.init_array", concat("(", i, ", ", c, ") = ", p.init_array(i, c)), "must be finite");
  }
}

/// The curve parameters: given, or fitted from min_dist and spread.
template <class Metric>
ab_params resolve_ab(const params<Metric>& p) {
  if (std::isfinite(p.a) && p.a != 0 && std::isfinite(p.b) && p.b != 0) return {p.a, p.b};
  return find_ab_params(p.spread, p.min_dist);
}

/// umap-learn's default epochs: 500 for <= 10000 points, else 200.
inline index_t default_epochs(index_t n) { return n <= 10000 ? 500 : 200; }

/// n x K neighbour lists with the point itself in column 0, from a kNN graph
/// that does or does not include self.
template <class Backend, class GT, class GI, class GS, class T>
void lists_from_graph(const Backend& be, const knn::knn_graph<GT, GI, GS>& g, index_t K,
                      matrix_view<index_t, memory_space_t<Backend>> J, matrix_view<T, memory_space_t<Backend>> D) {
  const auto gi = stage(be, g.indices.view());
  const auto gd = stage(be, g.distances.view());
  const GI* ip = gi.view().data();
  const GT* dp = gd.view().data();
  const index_t gk = g.indices.cols();
  const index_t shift = g.includes_self ? 0 : 1;
  index_t* jp = J.data();
  T* d = D.data();
  for_each_2d(be, J.rows(), K, CLUSTR_LAMBDA(index_t i, index_t c) {
    if (c < shift) {
      jp[i * K + c] = i;
      d[i * K + c] = T(0);
    } else {
      jp[i * K + c] = static_cast<index_t>(ip[i * gk + c - shift]);
      d[i * K + c] = static_cast<T>(dp[i * gk + c - shift]);
    }
  });
}

/// The initial embedding (before the [0, 10] rescale), reporting what was used.
template <class Backend, class T, class S, class Metric, class Model>
matrix<T, S> initial_embedding(const Backend& be, const params<Metric>& p, const fuzzy_graph<T, S>& graph,
                               Model& m) {
  const index_t n = graph.n, dim = p.n_components;
  if (p.init == init_method::array) {
    std::vector<T> host(static_cast<std::size_t>(n * dim));
    for (index_t i = 0; i < n; ++i)
      for (index_t c = 0; c < dim; ++c) host[static_cast<std::size_t>(i * dim + c)] = static_cast<T>(p.init_array(i, c));
    m.init_used = init_method::array;
    m.init_message = "array: params.init_array";
    return clone(be, matrix_view<const T, host_space>(host.data(), n, dim));
  }
  if (p.init == init_method::spectral) {
#if CLUSTR_UMAP_HAS_SPECTRAL
    // The spectral layout comes scaled to max |x| = 10 plus N(0, 1e-4) noise
    // (umap-learn's noisy_scale_coords), so it is used as is.
    auto r = spectral_layout(be, graph, dim, p.seed);
    const bool usable = r.embedding.rows() == n && r.embedding.cols() == dim;
    if (r.ok && usable) {
      m.init_used = init_method::spectral;
      m.init_message = r.message.empty() ? std::string("spectral") : r.message;
      return std::move(r.embedding);
    }
    // Failed eigen-solves: the spectral code has put uniform random
    // coordinates where it failed (umap-learn falls back to random there too).
    m.init_message = "spectral initialisation fell back to random: " + r.message;
    if (usable) {
      m.init_used = init_method::random;
      return std::move(r.embedding);
    }
#else
    m.init_message = "spectral initialisation not available in this build; fell back to random";
#endif
  } else {
    m.init_message = "random";
  }
  auto Y = make_matrix<T>(be, n, dim);
  random_init(be, Y.view(), p.seed);
  m.init_used = init_method::random;
  return Y;
}

/// Runs the SGD layout on `graph` (pruned, symmetric), updating Y in place.
template <class Backend, class T, class S, class Metric>
void optimize_fit(const Backend& be, const params<Metric>& p, const fuzzy_graph<T, S>& graph, index_t n_epochs,
                  ab_params ab, matrix<T, S>& Y) {
  const index_t nnz = graph.nnz(), n = graph.n;
  auto eps = make_vector<double>(be, nnz);
  auto next = make_vector<double>(be, nnz);
  auto next_neg = make_vector<double>(be, nnz);
  const T wmax = max_weight(be, graph);
  init_schedule(be, graph.weights.view(), wmax, n_epochs, static_cast<double>(p.negative_sample_rate), eps.view(),
                next.view(), next_neg.view());
  sgd_problem<T> pr;
  pr.offsets = graph.offsets.data();
  pr.indices = graph.indices.data();
  pr.epochs_per_sample = eps.data();
  pr.next_sample = next.data();
  pr.next_negative = next_neg.data();
  pr.negative_sample_rate = static_cast<double>(p.negative_sample_rate);
  pr.n_head = n;
  pr.n_tail = n;
  pr.dim = Y.cols();
  pr.a = static_cast<T>(ab.a);
  pr.b = static_cast<T>(ab.b);
  pr.gamma = static_cast<T>(p.repulsion_strength);
  pr.attract_reps = 2;
  pr.skip_self = true;
  pr.seed = p.seed;
  pr.stream_base = stream_fit_epoch;
  matrix<T, S> other;
  if (p.deterministic) other = make_matrix<T>(be, n, Y.cols());
  for (index_t epoch = 0; epoch < n_epochs; ++epoch) {
    const T alpha = static_cast<T>(step_size(p.learning_rate, epoch, n_epochs));
    if (p.deterministic) {
      // Read the previous epoch (Y), write the new one (other), then swap.
      sgd_epoch(be, pr, epoch, alpha, other.data(), Y.data(), Y.data());
      std::swap(Y, other);
    } else {
      sgd_epoch(be, pr, epoch, alpha, Y.data(), Y.data(), static_cast<const T*>(nullptr));
    }
    if (p.progress) p.progress(epoch + 1, n_epochs);
  }
  fence(be);
}

/// fit() on neighbour lists J / D (n x n_neighbors, self in column 0).
template <class Backend, class T, class Metric>
model<T, memory_space_t<Backend>, Metric> fit_lists(const Backend& be, const params<Metric>& p,
                                                    matrix_view<const index_t, memory_space_t<Backend>> J,
                                                    matrix_view<const T, memory_space_t<Backend>> D,
                                                    const index_t* labels = nullptr) {
  using S = memory_space_t<Backend>;
  const index_t n = J.rows(), K = J.cols();
  model<T, S, Metric> m;
  m.n_train = n;
  const ab_params ab = resolve_ab(p);
  m.a = ab.a;
  m.b = ab.b;
  // Fuzzy simplicial set.
  auto sigma = make_vector<T>(be, n);
  auto rho = make_vector<T>(be, n);
  smooth_knn_dist(be, D, static_cast<double>(K), p.local_connectivity, sigma.view(), rho.view());
  auto W = make_matrix<T>(be, n, K);
  membership_strengths(be, J, D, vector_view<const T, S>(sigma.view()), vector_view<const T, S>(rho.view()), false,
                       W.view());
  m.graph = fuzzy_union(be, J, matrix_view<const T, S>(W.view()), p.set_op_mix_ratio);
  if (labels != nullptr) {
    const double far_dist = p.target_weight < 1.0 ? 2.5 * (1.0 / (1.0 - p.target_weight)) : 1.0e12;
    m.graph = categorical_intersection(be, m.graph, labels, far_dist, 1.0);
  }
  // Layout graph: weak edges pruned as umap-learn's simplicial_set_embedding.
  const index_t n_epochs = p.n_epochs > 0 ? p.n_epochs : default_epochs(n);
  m.n_epochs = n_epochs;
  const T wmax = max_weight(be, m.graph);
  const T threshold = wmax / static_cast<T>(n_epochs > 10 ? n_epochs : default_epochs(n));
  const auto pruned = prune(be, m.graph, threshold);
  // Initial layout, rescaled to [0, 10] per column.
  m.embedding = initial_embedding(be, p, pruned, m);
  rescale_to_10(be, m.embedding.view());
  optimize_fit(be, p, pruned, n_epochs, ab, m.embedding);
  m.fit_params = p;
  m.fit_params.progress = {};
  m.fit_params.init_array = {};
  return m;
}

/// Categorical labels (any integer type, -1 = unknown) as index_t in the
/// backend's space; checks their count.
template <class Backend, class Labels>
vector<index_t, memory_space_t<Backend>> stage_labels(const Backend& be, const Labels& y, index_t n) {
  const auto ys = stage(be, as_const_view(y));
  using L = typename std::remove_cv_t<std::remove_reference_t<decltype(ys.view())>>::value_type;
  static_assert(std::is_integral_v<L>, "clustr::umap::fit: y must hold integer class labels (-1 = unknown)");
  if (ys.view().size() != n)
    throw_invalid("y.size()", ys.view().size(), concat("must equal the number of points (", n, ")"));
  auto out = make_vector<index_t>(be, n);
  const L* src = ys.view().data();
  index_t* dst = out.data();
  for_each(be, n, CLUSTR_LAMBDA(index_t i) { dst[i] = src[i] < L(0) ? index_t(-1) : static_cast<index_t>(src[i]); });
  return out;
}

}  // namespace detail

namespace detail {
/// fit() on a kNN graph; labels (backend space, -1 unknown) or nullptr.
template <class Backend, class GT, class GI, class GS, class Metric>
model<GT, memory_space_t<Backend>, Metric> fit_graph(const Backend& be, const params<Metric>& p,
                                                     const knn::knn_graph<GT, GI, GS>& g, const index_t* labels) {
  using S = memory_space_t<Backend>;
  using T = GT;
  static_assert(std::is_floating_point_v<T>, "clustr::umap::fit: distances must be float or double");
  const index_t n = g.indices.rows();
  detail::check_params(p, n);
  const index_t K = p.n_neighbors;
  const index_t have = g.indices.cols() + (g.includes_self ? 0 : 1);
  if (have < K || g.distances.cols() != g.indices.cols() || g.distances.rows() != n)
    clustr::detail::throw_invalid("knn_graph.k", g.indices.cols(),
                                  clustr::detail::concat("too few neighbours for params.n_neighbors = ", K,
                                                         g.includes_self ? "" : " (self excluded: need k >= n_neighbors - 1)"));
  {
    const auto gd = stage(be, g.distances.view());
    check_finite(be, gd.view(), "knn_graph.distances");
  }
  auto J = make_matrix<index_t>(be, n, K);
  auto D = make_matrix<T>(be, n, K);
  detail::lists_from_graph(be, g, K, J.view(), D.view());
  return fit_lists(be, p, matrix_view<const index_t, S>(J.view()), matrix_view<const T, S>(D.view()), labels);
}
}  // namespace detail

/// UMAP of a precomputed kNN graph (knn::graph, with or without self): uses
/// its first n_neighbors - 1 neighbours of each point (n_neighbors counts the
/// point itself, as umap-learn). transform(Y) then needs Y's neighbours
/// (transform(be, model, knn::neighbors)) since the data are not known.
template <class Backend, class GT, class GI, class GS, class Metric = metric::euclidean>
model<GT, memory_space_t<Backend>, Metric> fit(const Backend& be, const params<Metric>& p,
                                               const knn::knn_graph<GT, GI, GS>& g) {
  return detail::fit_graph(be, p, g, static_cast<const index_t*>(nullptr));
}

/// UMAP of the rows of X (n x d, any view or array, host or the backend's
/// space). Builds the kNN graph (params.knn_algo, params.metric), then as
/// above. The model keeps a copy of X for transform().
template <class Backend, class Data, class Metric = metric::euclidean>
  requires(!detail::is_knn_result_v<Data>)
model<value_type_of_t<Data>, memory_space_t<Backend>, Metric> fit(const Backend& be, const params<Metric>& p,
                                                                  const Data& X) {
  using T = value_type_of_t<Data>;
  static_assert(std::is_floating_point_v<T>, "clustr::umap::fit: data must be float or double");
  const auto Xs = stage(be, as_const_view(X));
  const auto xv = Xs.view();
  if (xv.rows() < 1 || xv.cols() < 1)
    clustr::detail::throw_invalid("X", clustr::detail::concat(xv.rows(), " x ", xv.cols()), "must not be empty");
  detail::check_params(p, xv.rows());
  metric::validate(p.metric);
  check_finite(be, xv, "X");
  knn::params<Metric> kp;
  kp.k = p.n_neighbors - 1;
  kp.metric = p.metric;
  kp.algo = p.knn_algo;
  kp.include_self = false;
  kp.batch_size = p.knn_batch_size;
  kp.nn_descent.seed = p.seed;
  const auto g = knn::graph<index_t>(be, kp, xv);
  auto m = fit(be, p, g);
  m.train_data = clone(be, xv);
  return m;
}

/// Supervised UMAP of a kNN graph: y holds one integer class label per point
/// (-1 = unknown; host or the backend's space), mixed in with
/// params.target_weight as umap-learn's categorical target_metric.
template <class Backend, class GT, class GI, class GS, class Labels, class Metric = metric::euclidean>
model<GT, memory_space_t<Backend>, Metric> fit(const Backend& be, const params<Metric>& p,
                                               const knn::knn_graph<GT, GI, GS>& g, const Labels& y) {
  detail::check_params(p, g.indices.rows());
  const auto labels = detail::stage_labels(be, y, g.indices.rows());
  return detail::fit_graph(be, p, g, static_cast<const index_t*>(labels.data()));
}

/// Supervised UMAP of the rows of X with class labels y (see above).
template <class Backend, class Data, class Labels, class Metric = metric::euclidean>
  requires(!detail::is_knn_result_v<Data>)
model<value_type_of_t<Data>, memory_space_t<Backend>, Metric> fit(const Backend& be, const params<Metric>& p,
                                                                  const Data& X, const Labels& y) {
  const auto Xs = stage(be, as_const_view(X));
  const auto xv = Xs.view();
  detail::check_params(p, xv.rows());
  const auto labels = detail::stage_labels(be, y, xv.rows());
  check_finite(be, xv, "X");
  knn::params<Metric> kp;
  kp.k = p.n_neighbors - 1;
  kp.metric = p.metric;
  kp.algo = p.knn_algo;
  kp.batch_size = p.knn_batch_size;
  kp.nn_descent.seed = p.seed;
  const auto g = knn::graph<index_t>(be, kp, xv);
  auto m = detail::fit_graph(be, p, g, static_cast<const index_t*>(labels.data()));
  m.train_data = clone(be, xv);
  return m;
}

/// Embeds new points given their neighbours among the training points
/// (knn::search(be, {.k = n_neighbors}, X_train, Y)), as umap-learn's
/// transform: memberships with local_connectivity - 1, initial position the
/// membership-weighted mean of the neighbours' embeddings, then
/// transform_n_epochs of SGD against the fixed training embedding (step
/// learning_rate / 4). Deterministic on every backend.
template <class Backend, class T, class Space, class Metric, class NT, class NI, class NS>
matrix<T, memory_space_t<Backend>> transform(const Backend& be, const model<T, Space, Metric>& m,
                                             const knn::neighbors<NT, NI, NS>& nb) {
  using S = memory_space_t<Backend>;
  static_assert(std::is_same_v<S, Space>, "clustr::umap::transform: use the backend that fitted the model");
  static_assert(std::is_same_v<T, NT>, "clustr::umap::transform: neighbour distances must have the model's scalar type");
  const params<Metric>& p = m.fit_params;
  const index_t K = p.n_neighbors, nq = nb.indices.rows(), dim = m.embedding.cols(), n_train = m.n_train;
  if (m.embedding.rows() == 0) clustr::detail::throw_invalid("model", "not fitted");
  if (nb.indices.cols() < K || nb.distances.cols() != nb.indices.cols() || nb.distances.rows() != nq)
    clustr::detail::throw_invalid("neighbors.indices.cols()", nb.indices.cols(),
                                  clustr::detail::concat("must be >= params.n_neighbors = ", K));
  auto out = make_matrix<T>(be, nq, dim);
  if (nq == 0) return out;
  const auto si = stage(be, nb.indices.view());
  const auto sd = stage(be, nb.distances.view());
  check_finite(be, sd.view(), "neighbors.distances");
  {
    const NI* ip = si.view().data();
    const index_t gk = nb.indices.cols();
    const index_t bad = count_if(be, nq * K, CLUSTR_LAMBDA(index_t q) {
      const NI v = ip[(q / K) * gk + q % K];
      return v < NI(0) || static_cast<index_t>(v) >= n_train;
    });
    if (bad > 0)
      clustr::detail::throw_invalid("neighbors.indices", clustr::detail::concat(bad, " entries"),
                                    clustr::detail::concat("must be in [0, ", n_train, ")"));
  }
  auto J = make_matrix<index_t>(be, nq, K);
  auto D = make_matrix<T>(be, nq, K);
  {
    const NI* ip = si.view().data();
    const T* dp = sd.view().data();
    const index_t gk = nb.indices.cols();
    index_t* jp = J.data();
    T* d = D.data();
    for_each_2d(be, nq, K, CLUSTR_LAMBDA(index_t i, index_t c) {
      jp[i * K + c] = static_cast<index_t>(ip[i * gk + c]);
      d[i * K + c] = dp[i * gk + c];
    });
  }
  auto sigma = make_vector<T>(be, nq);
  auto rho = make_vector<T>(be, nq);
  const double lc = p.local_connectivity - 1.0 > 0 ? p.local_connectivity - 1.0 : 0.0;
  detail::smooth_knn_dist(be, matrix_view<const T, S>(D.view()), static_cast<double>(K), lc, sigma.view(), rho.view());
  auto W = make_matrix<T>(be, nq, K);
  detail::membership_strengths(be, matrix_view<const index_t, S>(J.view()), matrix_view<const T, S>(D.view()),
                               vector_view<const T, S>(sigma.view()), vector_view<const T, S>(rho.view()), true,
                               W.view());
  // Initial positions: weighted mean of the neighbours' embeddings (a
  // neighbour at membership 1 is copied), as umap-learn's init_graph_transform.
  {
    const index_t* jp = J.data();
    const T* w = W.data();
    const T* emb = m.embedding.data();
    T* o = out.data();
    for_each(be, nq, CLUSTR_LAMBDA(index_t i) {
      T sum = 0;
      for (index_t c = 0; c < K; ++c) sum += w[i * K + c];
      for (index_t d = 0; d < dim; ++d) o[i * dim + d] = T(0);
      for (index_t c = 0; c < K; ++c) {
        const T wc = w[i * K + c];
        if (wc == T(0)) continue;
        const T* e = emb + jp[i * K + c] * dim;
        if (wc == T(1)) {
          for (index_t d = 0; d < dim; ++d) o[i * dim + d] = e[d];
          return;
        }
        for (index_t d = 0; d < dim; ++d) o[i * dim + d] += wc / sum * e[d];
      }
      if (!(sum > T(0))) {  // no membership at all: umap-learn gives NaN; take the nearest neighbour
        const T* e = emb + jp[i * K] * dim;
        for (index_t d = 0; d < dim; ++d) o[i * dim + d] = e[d];
      }
    });
  }
  index_t n_epochs = p.transform_n_epochs;
  if (n_epochs == 0) n_epochs = p.n_epochs == 0 ? (nq <= 10000 ? 100 : 30) : p.n_epochs / 3;
  if (n_epochs <= 0) return out;
  // Prune below max / n_epochs, then the schedule on the n_q x K bipartite graph.
  const T* wp = W.data();
  const T wmax = transform_reduce(be, nq * K, T(0), maximum{}, CLUSTR_LAMBDA(index_t q) { return wp[q]; });
  const T threshold = wmax / static_cast<T>(n_epochs);
  {
    T* w = W.data();
    for_each(be, nq * K, CLUSTR_LAMBDA(index_t q) {
      if (w[q] < threshold) w[q] = T(0);
    });
  }
  auto offsets = make_vector<index_t>(be, nq + 1);
  {
    index_t* op = offsets.data();
    for_each(be, nq + 1, CLUSTR_LAMBDA(index_t i) { op[i] = i * K; });
  }
  auto eps = make_vector<double>(be, nq * K);
  auto next = make_vector<double>(be, nq * K);
  auto next_neg = make_vector<double>(be, nq * K);
  detail::init_schedule(be, vector_view<const T, S>(W.data(), nq * K), wmax, n_epochs,
                        static_cast<double>(p.negative_sample_rate), eps.view(), next.view(), next_neg.view());
  detail::sgd_problem<T> pr;
  pr.offsets = offsets.data();
  pr.indices = J.data();
  pr.epochs_per_sample = eps.data();
  pr.next_sample = next.data();
  pr.next_negative = next_neg.data();
  pr.negative_sample_rate = static_cast<double>(p.negative_sample_rate);
  pr.n_head = nq;
  pr.n_tail = n_train;
  pr.dim = dim;
  pr.a = static_cast<T>(m.a);
  pr.b = static_cast<T>(m.b);
  pr.gamma = static_cast<T>(p.repulsion_strength);
  pr.attract_reps = 1;
  pr.skip_self = false;
  pr.seed = p.seed;
  pr.stream_base = detail::stream_transform_epoch;
  const double lr = p.learning_rate / 4.0;
  for (index_t epoch = 0; epoch < n_epochs; ++epoch)
    detail::sgd_epoch(be, pr, epoch, static_cast<T>(detail::step_size(lr, epoch, n_epochs)), out.data(),
                      m.embedding.data(), static_cast<const T*>(nullptr));
  fence(be);
  return out;
}

/// Embeds the rows of Y (same columns as the training data) into a model
/// fitted on data: finds their n_neighbors nearest training points, then as above.
template <class Backend, class T, class Space, class Metric, class Data>
  requires(!detail::is_knn_result_v<Data>)
matrix<T, memory_space_t<Backend>> transform(const Backend& be, const model<T, Space, Metric>& m, const Data& Y) {
  static_assert(std::is_same_v<T, value_type_of_t<Data>>, "clustr::umap::transform: Y must have the model's scalar type");
  if (m.train_data.rows() == 0)
    clustr::detail::throw_invalid("model.train_data", "empty",
                                  "the model was fitted from a kNN graph: pass Y's neighbours (knn::search) instead");
  const auto Ys = stage(be, as_const_view(Y));
  if (Ys.view().cols() != m.train_data.cols())
    clustr::detail::throw_invalid("Y.cols()", Ys.view().cols(),
                                  clustr::detail::concat("must equal the training data's ", m.train_data.cols()));
  check_finite(be, Ys.view(), "Y");
  knn::params<Metric> kp;
  kp.k = m.fit_params.n_neighbors;
  kp.metric = m.fit_params.metric;
  kp.algo = knn::algorithm::exact;
  kp.batch_size = m.fit_params.knn_batch_size;
  const auto nb = knn::search<index_t>(be, kp, m.train_data.view(), Ys.view());
  return transform(be, m, nb);
}

}  // namespace clustr::umap
