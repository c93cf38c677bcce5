#pragma once
// clustr::kmeans: Lloyd's k-means with k-means++ / random / given initial
// centroids, sample weights, n_init restarts, scikit-learn's relative
// tolerance and empty-cluster relocation; predict, transform and score.
// Assignment is the fused distance + argmin primitive (no n x k matrix);
// the update sums in an order fixed by the shape (detail/kmeans_steps.hpp),
// so serial and OpenMP give identical centroids and labels at any thread
// count.

#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>
#include <vector>

#include "clustr/cluster/detail/kmeans_parallel.hpp"
#include "clustr/cluster/detail/kmeans_steps.hpp"
#include "clustr/cluster/kmeans_types.hpp"
#include "clustr/core/as_view.hpp"
#include "clustr/core/errors.hpp"
#include "clustr/primitives/primitives.hpp"

namespace clustr::kmeans {

namespace detail {

inline void check_params(const params& p, index_t n) {
  if (p.n_clusters < 1) clustr::detail::throw_invalid("params.n_clusters", p.n_clusters, "must be >= 1");
  if (p.n_clusters > n)
    clustr::detail::throw_invalid("params.n_clusters", p.n_clusters, clustr::detail::concat("must be <= X.rows() = ", n));
  if (p.n_init < 1) clustr::detail::throw_invalid("params.n_init", p.n_init, "must be >= 1");
  if (p.max_iter < 1) clustr::detail::throw_invalid("params.max_iter", p.max_iter, "must be >= 1");
  if (!(p.tol >= 0.0)) clustr::detail::throw_invalid("params.tol", p.tol, "must be >= 0");
  if (p.init == init_method::kmeans_parallel) {
    if (!(p.oversampling_factor > 0.0))
      clustr::detail::throw_invalid("params.oversampling_factor", p.oversampling_factor, "must be > 0");
    if (p.init_rounds < 1) clustr::detail::throw_invalid("params.init_rounds", p.init_rounds, "must be >= 1");
  }
}

/// Spherical k-means works on unit rows: a normalised copy of X (or of
/// queries), rejecting rows of zero length (their cosine is undefined).
template <class Backend, class T, class S>
matrix<T, S> unit_rows(const Backend& be, matrix_view<const T, S> X, const char* what) {
  auto U = clone(be, X);
  const index_t zero = normalize_rows(be, U.view());
  if (zero > 0)
    clustr::detail::throw_invalid(what, clustr::detail::concat(zero, " rows of zero length"),
                                  "spherical k-means needs rows of non-zero length");
  return U;
}

template <class Backend, class T, class S>
void check_weights(const Backend& be, vector_view<const T, S> w, index_t n) {
  if (w.size() == 0) return;
  if (w.size() != n)
    clustr::detail::throw_invalid("sample_weight.size()", w.size(), clustr::detail::concat("must equal X.rows() = ", n));
  check_finite(be, w, "sample_weight");
  const T* p = w.data();
  const auto lowest = argmin<T>(be, n, CLUSTR_LAMBDA(index_t i) { return p[i]; });
  if (lowest.value < T(0))
    clustr::detail::throw_invalid("sample_weight", clustr::detail::concat("[", lowest.index, "] = ", lowest.value),
                                  "weights must be >= 0");
  if (!(reduce(be, w, T(0)) > T(0))) clustr::detail::throw_invalid("sample_weight", "all zero", "weights must not all be 0");
}

/// One Lloyd run from the centroids in C (updated in place). Returns the
/// run's model (labels and inertia from the final centroids).
template <class Backend, class T, class S>
model<T, S> lloyd(const Backend& be, const params& p, matrix_view<const T, S> X, const T* w, matrix<T, S> C,
                  double tol_abs) {
  // Spherical: X has unit rows; centroids are re-normalised after each
  // update, so |x - c|^2 = 2 (1 - cos) and the assignment is by cosine.
  const index_t n = X.rows(), k = C.rows();
  auto labels = make_vector<std::int32_t>(be, n);
  auto old_labels = make_vector<std::int32_t>(be, n);
  auto min_dist = make_vector<T>(be, n);
  auto C_next = make_matrix<T>(be, k, X.cols());
  std::vector<index_t> counts;
  model<T, S> m;
  bool strict = false;
  for (index_t it = 0; it < p.max_iter; ++it) {
    std::swap(labels, old_labels);
    fused_distance_argmin(be, metric::sqeuclidean{}, X, matrix_view<const T, S>(C.view()), labels.view(), min_dist.view());
    const index_t changed = update_centroids(be, X, w, vector_view<const std::int32_t, S>(labels.view()),
                                             it > 0 ? old_labels.data() : nullptr, matrix_view<const T, S>(C.view()),
                                             C_next.view(), counts);
    if (it > 0 && changed == 0) {
      strict = true;  // labels stable: the centroids are already their means
      m.n_iter = it + 1;  // counted as scikit-learn does
      break;
    }
    m.n_empty_reseeded += reseed_empty(be, X, vector_view<const T, S>(min_dist.view()), counts, C_next.view());
    if (p.spherical) normalize_rows(be, C_next.view());
    const double shift = squared_shift(be, C.data(), C_next.data(), C.size());
    std::swap(C, C_next);
    m.n_iter = it + 1;
    if (shift <= tol_abs) {
      m.converged = true;
      break;
    }
  }
  if (strict) m.converged = true;
  // Labels and inertia of the final centroids.
  fused_distance_argmin(be, metric::sqeuclidean{}, X, matrix_view<const T, S>(C.view()), labels.view(), min_dist.view());
  m.inertia = weighted_sum(be, w, vector_view<const T, S>(min_dist.view()));
  if (p.spherical) m.inertia *= 0.5;  // sum of 1 - cos
  m.spherical = p.spherical;
  m.centroids = std::move(C);
  m.labels = std::move(labels);
  return m;
}

/// Y must be finite and have the centroids' dimension.
template <class Backend, class T, class S>
void check_queries(const Backend& be, matrix_view<const T, S> Y, matrix_view<const T, S> C) {
  check_finite(be, Y, "Y");
  if (Y.cols() != C.cols())
    clustr::detail::throw_invalid("Y.cols()", Y.cols(), clustr::detail::concat("must equal the model's d = ", C.cols()));
}

/// Each row of Y's closest centroid and the squared distance to it; for a
/// spherical model, on unit Y, so dist / 2 is the cosine distance.
template <class Backend, class T, class MS, class S>
void assign_queries(const Backend& be, const model<T, MS>& m, matrix_view<const T, S> Y, matrix_view<const T, S> C,
                    vector_view<std::int32_t, S> labels, vector_view<T, S> dist) {
  check_queries(be, Y, C);
  if (m.spherical) {
    const auto U = unit_rows(be, Y, "Y");
    fused_distance_argmin(be, metric::sqeuclidean{}, matrix_view<const T, S>(U.view()), C, labels, dist);
  } else {
    fused_distance_argmin(be, metric::sqeuclidean{}, Y, C, labels, dist);
  }
}

/// The n_init runs (one for a warm start from C0) on validated input X (unit
/// rows when spherical); the run of lowest inertia is kept.
template <class Backend, class T, class S>
model<T, S> fit_runs(const Backend& be, const params& p, matrix_view<const T, S> X, const T* w,
                     matrix_view<const T, S> C0, double tol_abs) {
  const bool warm = C0.rows() > 0;
  const index_t runs = warm ? 1 : p.n_init;
  model<T, S> best;
  best.inertia = std::numeric_limits<double>::infinity();
  for (index_t run = 0; run < runs; ++run) {
    auto C = make_matrix<T>(be, p.n_clusters, X.cols());
    if (warm) {
      copy(be, C.view(), C0);
      if (p.spherical) normalize_rows(be, C.view());
    } else {
      const rng::random_stream rs{p.seed, static_cast<std::uint64_t>(run)};
      if (p.init == init_method::random)
        init_random(be, X, w, p.n_clusters, rs, C.view());
      else if (p.init == init_method::kmeans_parallel)
        init_parallel(be, X, w, p.n_clusters, p.oversampling_factor, p.init_rounds, rs, C.view());
      else
        init_plus_plus(be, X, w, p.n_clusters, rs, C.view());
    }
    auto m = lloyd(be, p, X, w, std::move(C), tol_abs);
    if (m.inertia < best.inertia) best = std::move(m);
  }
  return best;
}

}  // namespace detail

/// Fits k-means to the rows of X (a view or array, float or double).
/// sample_weight: empty for unit weights, else X.rows() non-negative values.
/// initial_centroids: empty, or n_clusters x d starting centroids (a warm
/// start: used whatever params.init says, with a single run as scikit-learn).
/// Both are views or arrays in host or device memory.
/// Throws clustr::invalid_argument for bad parameters or input.
template <class Backend, class Data, class T = value_type_of_t<Data>, class Weights = vector_view<const T, host_space>,
          class Initial = matrix_view<const T, host_space>>
model<T, memory_space_t<Backend>> fit(const Backend& be, const params& p, const Data& X_in,
                                      const Weights& sample_weight = {}, const Initial& initial_centroids = {}) {
  using S = memory_space_t<Backend>;
  static_assert(std::is_floating_point_v<T>, "clustr::kmeans::fit: data must be float or double");
  const auto Xs = stage(be, as_const_view(X_in));
  check_finite(be, Xs.view(), "X");
  detail::check_params(p, Xs.view().rows());
  matrix<T, S> X_unit;  // spherical: the unit rows that everything below works on
  if (p.spherical) X_unit = detail::unit_rows(be, Xs.view(), "X");
  const auto X = p.spherical ? matrix_view<const T, S>(X_unit.view()) : Xs.view();
  static_assert(std::is_same_v<value_type_of_t<Weights>, T>, "clustr::kmeans::fit: sample_weight must have X's scalar type");
  static_assert(std::is_same_v<value_type_of_t<Initial>, T>, "clustr::kmeans::fit: initial_centroids must have X's scalar type");
  const auto Ws = stage(be, as_const_view(sample_weight));
  detail::check_weights(be, Ws.view(), X.rows());
  const T* w = Ws.view().size() ? Ws.view().data() : nullptr;
  const auto C0 = stage(be, as_const_view(initial_centroids));
  const bool warm = C0.view().rows() > 0;
  if (p.init == init_method::array && !warm)
    clustr::detail::throw_invalid("initial_centroids", "empty", "params.init == array needs initial centroids");
  if (warm) {
    if (C0.view().rows() != p.n_clusters || C0.view().cols() != X.cols())
      clustr::detail::throw_invalid("initial_centroids shape",
                                    clustr::detail::concat(C0.view().rows(), "x", C0.view().cols()),
                                    clustr::detail::concat("must be n_clusters x d = ", p.n_clusters, "x", X.cols()));
    check_finite(be, C0.view(), "initial_centroids");
    if (p.spherical) (void)detail::unit_rows(be, C0.view(), "initial_centroids");
  }
  const double tol_abs = detail::absolute_tolerance(be, X, p.tol);
  auto m = detail::fit_runs(be, p, X, w, warm ? C0.view() : matrix_view<const T, S>{}, tol_abs);
  fence(be);
  return m;
}

/// The closest centroid of every row of Y.
template <class Backend, class T, class MS, class Data>
vector<std::int32_t, memory_space_t<Backend>> predict(const Backend& be, const model<T, MS>& m, const Data& Y_in) {
  const auto Ys = stage(be, as_const_view(Y_in));
  const auto Cs = stage(be, as_const_view(m.centroids));
  auto labels = make_vector<std::int32_t>(be, Ys.view().rows());
  auto dist = make_vector<T>(be, Ys.view().rows());
  detail::assign_queries(be, m, Ys.view(), Cs.view(), labels.view(), dist.view());
  fence(be);
  return labels;
}

/// Euclidean distance of every row of Y to every centroid (Y.rows() x k), as
/// scikit-learn's transform; cosine distance for a spherical model.
template <class Backend, class T, class MS, class Data>
matrix<T, memory_space_t<Backend>> transform(const Backend& be, const model<T, MS>& m, const Data& Y_in) {
  const auto Ys = stage(be, as_const_view(Y_in));
  const auto Cs = stage(be, as_const_view(m.centroids));
  detail::check_queries(be, Ys.view(), Cs.view());
  auto out = make_matrix<T>(be, Ys.view().rows(), Cs.view().rows());
  if (m.spherical)
    pairwise_distance(be, metric::cosine{}, Ys.view(), Cs.view(), out.view());
  else
    pairwise_distance(be, metric::euclidean{}, Ys.view(), Cs.view(), out.view());
  fence(be);
  return out;
}

/// Minus the (weighted) inertia of Y under the model, as scikit-learn's score
/// (for a spherical model, minus the sum of cosine distances).
template <class Backend, class T, class MS, class Data, class Weights = vector_view<const T, host_space>>
double score(const Backend& be, const model<T, MS>& m, const Data& Y_in, const Weights& sample_weight = {}) {
  const auto Ys = stage(be, as_const_view(Y_in));
  const auto Cs = stage(be, as_const_view(m.centroids));
  detail::check_queries(be, Ys.view(), Cs.view());
  const auto Ws = stage(be, as_const_view(sample_weight));
  detail::check_weights(be, Ws.view(), Ys.view().rows());
  auto labels = make_vector<std::int32_t>(be, Ys.view().rows());
  auto dist = make_vector<T>(be, Ys.view().rows());
  detail::assign_queries(be, m, Ys.view(), Cs.view(), labels.view(), dist.view());
  return -(m.spherical ? 0.5 : 1.0) * detail::weighted_sum(be, Ws.view().size() ? Ws.view().data() : static_cast<const T*>(nullptr),
                               vector_view<const T, memory_space_t<Backend>>(dist.view()));
}

}  // namespace clustr::kmeans
