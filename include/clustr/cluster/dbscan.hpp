#pragma once
// clustr::dbscan: exact DBSCAN (Ester et al. 1996) with bounded memory on
// every backend, eps from the k-distance knee, and predict for new points.
//   pass 1  core points: at least min_samples points within eps;
//   pass 2  clusters: lock-free union-find over core-core pairs within eps
//           (roots are the smallest index, so every backend agrees);
//   pass 3  border points: the cluster of the nearest core point within eps.
// Neighbourhoods are never stored: the grid (low dimension) walks adjacent
// cells, brute force streams bounded distance tiles. See docs/dbscan.md.

#include <cstdint>
#include <limits>
#include <type_traits>

#include "clustr/cluster/dbscan_types.hpp"
#include "clustr/cluster/detail/dbscan_brute.hpp"
#include "clustr/cluster/detail/dbscan_common.hpp"
#include "clustr/cluster/detail/dbscan_graph.hpp"
#include "clustr/cluster/detail/dbscan_grid.hpp"
#include "clustr/core/as_view.hpp"
#include "clustr/neighbors/k_distance.hpp"
#include "clustr/neighbors/knn_types.hpp"
#include "clustr/primitives/primitives.hpp"

namespace clustr::dbscan {

namespace detail {

/// The scalar type of fit()'s data argument (a graph's distances for graphs,
/// so that overload resolution never instantiates view_traits of a graph).
template <class X>
struct scalar_of {
  using type = value_type_of_t<X>;
};
template <class T, class I, class S>
struct scalar_of<knn::radius_neighbors<T, I, S>> {
  using type = T;
};

/// eps from the knee of the k-distance curve, k = min_samples.
template <class Backend, class Metric, class T, class S>
double auto_eps(const Backend& be, const params<Metric>& p, matrix_view<const T, S> X) {
  const index_t n = X.rows(), k = p.min_samples;
  const bool self = p.min_samples_includes_self;
  if (k > (self ? n : n - 1))
    clustr::detail::throw_invalid("params.min_samples", k,
                                  clustr::detail::concat("eps_auto needs min_samples <= ", self ? "X.rows() = " : "X.rows() - 1 = ",
                                                         self ? n : n - 1));
  knn::params<Metric> kp;
  kp.k = k;
  kp.metric = p.metric;
  kp.include_self = self;
  kp.batch_size = p.batch_size;
  const auto curve = knn::k_distance(be, kp, X, k);
  const double eps = static_cast<double>(curve.eps);
  if (!(eps > 0.0))
    clustr::detail::throw_invalid("params.eps_auto", "true",
                                  clustr::detail::concat("the knee of the k-distance curve is eps = ", eps,
                                                         " (duplicates or min_samples too small); set params.eps"));
  return eps;
}

/// labels[perm[p]] = lab_s[p], is_core[perm[p]] = core_s[p].
template <class Backend>
void scatter_sorted(const Backend& be, index_t n, const index_t* perm, const std::int32_t* lab_s,
                    const std::uint8_t* core_s, std::int32_t* labels, std::uint8_t* is_core) {
  for_each(be, n, CLUSTR_LAMBDA(index_t p) {
    labels[perm[p]] = lab_s[p];
    is_core[perm[p]] = core_s[p];
  });
}

template <class Backend, class Metric, class T, class S>
void fit_grid(const Backend& be, const Metric& metric, matrix_view<const T, S> X, double eps, T eps_r, index_t need,
              std::int32_t* labels, std::uint8_t* is_core, index_t& n_clusters) {
  const index_t n = X.rows();
  const auto g = build_grid(be, metric, X, eps);
  const grid_view<T> gv = g.view();
  auto core_s = make_vector<std::uint8_t>(be, n);
  auto parent = make_vector<index_t>(be, n);
  auto lab_s = make_vector<std::int32_t>(be, n);
  grid_core(be, gv, metric, eps_r, need, core_s.data());
  grid_unite(be, gv, metric, eps_r, need, core_s.data(), parent.data());
  n_clusters = number_clusters<Backend, S>(be, n, parent.data(), g.perm.data(), core_s.data(), n, lab_s.data());
  grid_border(be, gv, metric, eps_r, core_s.data(), lab_s.data());
  scatter_sorted(be, n, g.perm.data(), lab_s.data(), core_s.data(), labels, is_core);
}

template <class Backend, class Metric, class T, class S>
std::size_t fit_brute(const Backend& be, const Metric& metric, matrix_view<const T, S> X, T eps_r, index_t need,
                      index_t batch_size, std::size_t max_bytes, std::int32_t* labels, std::uint8_t* is_core,
                      index_t& n_clusters) {
  const index_t n = X.rows(), d = X.cols();
  std::size_t ws = brute_core(be, metric, X, eps_r, need, batch_size, max_bytes, is_core);
  // The core points, gathered (O(c d)), and the non-core rows.
  auto core_rows = make_vector<index_t>(be, n);
  auto other_rows = make_vector<index_t>(be, n);
  const index_t c = copy_if(be, n, CLUSTR_LAMBDA(index_t i) { return is_core[i] != 0; }, core_rows.view());
  const index_t nc = copy_if(be, n, CLUSTR_LAMBDA(index_t i) { return is_core[i] == 0; }, other_rows.view());
  auto Xc = make_matrix<T>(be, c, d);
  T* xc = Xc.data();
  const index_t* cr = core_rows.data();
  for_each_2d(be, c, d, CLUSTR_LAMBDA(index_t k, index_t j) { xc[k * d + j] = X(cr[k], j); });
  auto parent = make_vector<index_t>(be, c);
  auto core_label = make_vector<std::int32_t>(be, c);
  const matrix_view<const T, S> xcv(Xc.data(), c, d);
  ws = std::max(ws, brute_unite(be, metric, xcv, eps_r, batch_size, max_bytes, parent.data()));
  n_clusters = number_clusters<Backend, S>(be, c, parent.data(), cr, static_cast<const std::uint8_t*>(nullptr), n,
                                           core_label.data());
  const std::int32_t* cl = core_label.data();
  for_each(be, c, CLUSTR_LAMBDA(index_t k) { labels[cr[k]] = cl[k]; });
  ws = std::max(ws, brute_nearest(be, metric, X, other_rows.data(), nc, xcv, cl, eps_r, batch_size, max_bytes, labels));
  return ws;
}

}  // namespace detail

/// Fits DBSCAN to the rows of X (a view or array, float or double, host or
/// backend memory). Throws clustr::invalid_argument for bad parameters
/// (eps <= 0, min_samples < 1, ...) or empty or non-finite input.
template <class Backend, class Data, class Metric = metric::euclidean>
model<typename detail::scalar_of<Data>::type, Metric, memory_space_t<Backend>> fit(const Backend& be,
                                                                                  const params<Metric>& p,
                                                                                  const Data& X_in) {
  using T = typename detail::scalar_of<Data>::type;
  using S = memory_space_t<Backend>;
  static_assert(std::is_floating_point_v<T>, "clustr::dbscan::fit: data must be float or double");
  detail::check_params(p);
  const auto Xs = stage(be, as_const_view(X_in));
  const auto X = Xs.view();
  check_finite(be, X, "X");
  const index_t n = X.rows();
  const algorithm algo = detail::resolve_algorithm(p, X.cols());
  const index_t need = detail::needed_neighbours(p);
  const double eps = p.eps_auto ? detail::auto_eps(be, p, X) : p.eps;
  const T eps_t = static_cast<T>(eps);
  const T eps_r = p.metric.to_reduced(eps_t);

  model<T, Metric, S> m;
  m.labels = make_vector<std::int32_t>(be, n);
  m.is_core = make_vector<std::uint8_t>(be, n);
  bool done = false;
  if constexpr (detail::grid_metric_v<Metric>) {
    if (algo == algorithm::grid) {
      detail::fit_grid(be, p.metric, X, eps, eps_r, need, m.labels.data(), m.is_core.data(), m.n_clusters);
      done = true;
    }
  }
  if (!done)
    m.workspace_bytes = detail::fit_brute(be, p.metric, X, eps_r, need, p.batch_size, p.max_workspace_bytes,
                                          m.labels.data(), m.is_core.data(), m.n_clusters);
  m.n_features = X.cols();
  m.eps = eps_t;
  m.min_samples = p.min_samples;
  m.min_samples_includes_self = p.min_samples_includes_self;
  m.metric = p.metric;
  m.algo = algo;
  detail::collect_core_points(be, m, X);
  fence(be);
  return m;
}

/// Fits DBSCAN to a radius graph of the data (knn::radius(X, X, r) with
/// r >= eps; entries farther than eps are ignored, the point itself counts
/// once whether stored or not). Distances are compared as stored (true
/// distances). Pass X (the graph's points) to keep the core points for
/// predict(). params.algo must be automatic or graph; eps_auto is not
/// available (build a kNN graph and use knn::k_distance).
template <class Backend, class T, class I, class GS, class Metric = metric::euclidean,
          class Data = matrix_view<const T, host_space>>
model<T, Metric, memory_space_t<Backend>> fit(const Backend& be, const params<Metric>& p,
                                              const knn::radius_neighbors<T, I, GS>& graph, const Data& X_in = {}) {
  using S = memory_space_t<Backend>;
  static_assert(std::is_floating_point_v<T>, "clustr::dbscan::fit: data must be float or double");
  static_assert(std::is_same_v<value_type_of_t<Data>, T>, "clustr::dbscan::fit: X must have the graph's scalar type");
  detail::check_params(p);
  if (p.algo != algorithm::automatic && p.algo != algorithm::graph)
    clustr::detail::throw_invalid("params.algo", static_cast<int>(p.algo), "a graph input needs automatic or graph");
  if (p.eps_auto)
    clustr::detail::throw_invalid("params.eps_auto", "true", "not available for a graph input; set params.eps");
  const auto off = stage(be, as_const_view(graph.offsets));
  const auto idx = stage(be, as_const_view(graph.indices));
  const auto dst = stage(be, as_const_view(graph.distances));
  const index_t n = off.view().size() - 1;
  if (n < 1) clustr::detail::throw_invalid("graph.offsets.size()", off.view().size(), "the graph must have >= 1 row");
  const index_t nnz = static_cast<index_t>(read_value(be, off.view().data() + n));
  if (idx.view().size() != nnz || dst.view().size() != nnz)
    clustr::detail::throw_invalid("graph.indices.size()", idx.view().size(),
                                  clustr::detail::concat("must equal offsets[n] = ", nnz, " (as distances.size())"));
  const detail::csr_view<T, I> g{off.view().data(), idx.view().data(), dst.view().data()};
  detail::check_graph(be, g, n, nnz);
  const auto Xs = stage(be, as_const_view(X_in));
  const auto X = Xs.view();
  if (X.rows() > 0) {
    if (X.rows() != n)
      clustr::detail::throw_invalid("X.rows()", X.rows(), clustr::detail::concat("must equal the graph's rows = ", n));
    check_finite(be, X, "X");
  }
  const index_t need = detail::needed_neighbours(p);
  const T eps_t = static_cast<T>(p.eps);

  model<T, Metric, S> m;
  m.labels = make_vector<std::int32_t>(be, n);
  m.is_core = make_vector<std::uint8_t>(be, n);
  auto parent = make_vector<index_t>(be, n);
  detail::graph_core(be, g, n, eps_t, need, m.is_core.data());
  detail::graph_unite(be, g, n, eps_t, m.is_core.data(), parent.data());
  m.n_clusters = detail::number_clusters<Backend, S>(be, n, parent.data(), static_cast<const index_t*>(nullptr),
                                                     m.is_core.data(), n, m.labels.data());
  detail::graph_border(be, g, n, eps_t, m.is_core.data(), m.labels.data());
  m.n_features = X.cols();
  m.eps = eps_t;
  m.min_samples = p.min_samples;
  m.min_samples_includes_self = p.min_samples_includes_self;
  m.metric = p.metric;
  m.algo = algorithm::graph;
  detail::collect_core_points(be, m, X);
  fence(be);
  return m;
}

namespace detail {

template <class Backend, class Metric, class T, class S>
void predict_grid(const Backend& be, const Metric& metric, matrix_view<const T, S> C, const std::int32_t* core_label,
                  double eps, T eps_r, matrix_view<const T, S> Y, std::int32_t* out) {
  const auto g = build_grid(be, metric, C, eps);
  auto lab_s = make_vector<std::int32_t>(be, C.rows());
  std::int32_t* ls = lab_s.data();
  const index_t* pm = g.perm.data();
  for_each(be, C.rows(), CLUSTR_LAMBDA(index_t p) { ls[p] = core_label[pm[p]]; });
  grid_predict(be, g.view(), metric, eps_r, ls, Y, out);
}

}  // namespace detail

/// The cluster of the nearest core point within the model's eps of each row
/// of Y (ties to the smaller core index), else -1. On the training points it
/// gives fit's labels (core and border points alike). The grid serves
/// Minkowski-family metrics in d <= 3, tiles of `p.batch_size` rows the rest.
template <class Backend, class T, class Metric, class MS, class Data>
vector<std::int32_t, memory_space_t<Backend>> predict(const Backend& be, const model<T, Metric, MS>& m,
                                                      const Data& Y_in, const params<Metric>& p = {}) {
  using S = memory_space_t<Backend>;
  static_assert(std::is_same_v<value_type_of_t<Data>, T>, "clustr::dbscan::predict: Y must have the model's scalar type");
  if (!m.has_core_points)
    clustr::detail::throw_invalid("model", "no core points",
                                  "fitted from a graph without X: pass X to fit() to enable predict()");
  const auto Ys = stage(be, as_const_view(Y_in));
  const auto Y = Ys.view();
  check_finite(be, Y, "Y");
  if (Y.cols() != m.n_features)
    clustr::detail::throw_invalid("Y.cols()", Y.cols(), clustr::detail::concat("must equal the model's d = ", m.n_features));
  const auto Cs = stage(be, as_const_view(m.core_points));
  const auto Ls = stage(be, as_const_view(m.core_labels));
  const matrix_view<const T, S> C = Cs.view();
  auto out = make_vector<std::int32_t>(be, Y.rows());
  const T eps_r = m.metric.to_reduced(m.eps);
  bool done = false;
  if (C.rows() == 0) {
    fill(be, out.view(), std::int32_t(-1));
    done = true;
  }
  if constexpr (detail::grid_metric_v<Metric>) {
    if (!done && m.n_features <= 3) {
      detail::predict_grid(be, m.metric, C, Ls.view().data(), static_cast<double>(m.eps), eps_r, Y, out.data());
      done = true;
    }
  }
  if (!done) {
    detail::brute_nearest(be, m.metric, Y, static_cast<const index_t*>(nullptr), Y.rows(), C, Ls.view().data(), eps_r,
                          p.batch_size, p.max_workspace_bytes, out.data());
  }
  fence(be);
  return out;
}

}  // namespace clustr::dbscan
