#pragma once
// Steps shared by every DBSCAN algorithm: argument checks, which metrics the
// grid supports (and its cell geometry), numbering the union-find components
// of core points, and assembling the model from per-row labels.

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "clustr/cluster/dbscan_types.hpp"
#include "clustr/core/errors.hpp"
#include "clustr/primitives/primitives.hpp"

namespace clustr::dbscan::detail {

template <class Metric>
void check_params(const params<Metric>& p) {
  metric::validate(p.metric);
  if (!p.eps_auto && (!(p.eps > 0.0) || !(p.eps < std::numeric_limits<double>::infinity())))
    clustr::detail::throw_invalid("params.eps", p.eps, "must be finite and > 0 (or set params.eps_auto)");
  if (p.min_samples < 1) clustr::detail::throw_invalid("params.min_samples", p.min_samples, "must be >= 1");
  if (p.batch_size < 1) clustr::detail::throw_invalid("params.batch_size", p.batch_size, "must be >= 1");
  if (p.grid_max_dim < 0 || p.grid_max_dim > grid_dim_limit)
    clustr::detail::throw_invalid("params.grid_max_dim", p.grid_max_dim,
                                  clustr::detail::concat("must be in [0, ", grid_dim_limit, "]"));
  if (p.max_workspace_bytes < 1)
    clustr::detail::throw_invalid("params.max_workspace_bytes", p.max_workspace_bytes, "must be >= 1");
}

/// Neighbours (the point itself included) a core point needs.
template <class Metric>
index_t needed_neighbours(const params<Metric>& p) {
  return p.min_samples_includes_self ? p.min_samples : p.min_samples + 1;
}

/// Metrics for which d(x, y) <= eps bounds every coordinate difference (the
/// Minkowski family), so that a grid of cells finds all eps-neighbours.
template <class Metric>
inline constexpr bool grid_metric_v =
    std::is_same_v<Metric, metric::sqeuclidean> || std::is_same_v<Metric, metric::euclidean> ||
    std::is_same_v<Metric, metric::manhattan> || std::is_same_v<Metric, metric::chebyshev> ||
    std::is_same_v<Metric, metric::minkowski>;

/// The largest coordinate difference of two points within eps.
template <class Metric>
double coordinate_bound(const Metric&, double eps) {
  if constexpr (std::is_same_v<Metric, metric::sqeuclidean>) return std::sqrt(eps);  // eps is squared
  else return eps;
}

/// The distance across the unit cube [0,1]^d (in the units of coordinate_bound).
template <class Metric>
double unit_diameter(const Metric& m, index_t d) {
  const double dd = static_cast<double>(d);
  if constexpr (std::is_same_v<Metric, metric::sqeuclidean> || std::is_same_v<Metric, metric::euclidean>)
    return std::sqrt(dd);
  else if constexpr (std::is_same_v<Metric, metric::manhattan>) return dd;
  else if constexpr (std::is_same_v<Metric, metric::chebyshev>) return 1.0;
  else if constexpr (std::is_same_v<Metric, metric::minkowski>) return std::pow(dd, 1.0 / m.p);
  else return (void)m, std::numeric_limits<double>::quiet_NaN();  // not a grid metric
}

/// The algorithm to run on data of dimension d (graph is for graph input only).
template <class Metric>
algorithm resolve_algorithm(const params<Metric>& p, index_t d) {
  switch (p.algo) {
    case algorithm::graph:
      clustr::detail::throw_invalid("params.algo", "graph",
                                    "needs a radius graph: call fit(backend, params, graph [, X])");
    case algorithm::grid:
      if (!grid_metric_v<Metric>)
        clustr::detail::throw_invalid("params.algo", "grid",
                                      clustr::detail::concat("the grid needs a Minkowski-family metric, not ", Metric::name));
      if (d > p.grid_max_dim)
        clustr::detail::throw_invalid("params.algo", "grid",
                                      clustr::detail::concat("X has d = ", d, " > params.grid_max_dim = ", p.grid_max_dim));
      return algorithm::grid;
    case algorithm::brute:
      return algorithm::brute;
    case algorithm::automatic:
      break;
  }
  return grid_metric_v<Metric> && d <= p.grid_max_dim ? algorithm::grid : algorithm::brute;
}

/// Numbers the components of the core nodes 0..C-1 by their smallest row
/// index. parent: a flattened union-find over n_nodes nodes; orig[v] the row
/// of node v (nullptr: v itself); core[v] != 0 for core nodes (nullptr: all
/// nodes are core). Writes label[v] for core nodes and returns C.
template <class Backend, class S>
index_t number_clusters(const Backend& be, index_t n_nodes, const index_t* parent, const index_t* orig,
                        const std::uint8_t* core, index_t n_rows, std::int32_t* label) {
  if (n_nodes == 0) return 0;
  auto first_row = make_vector<index_t>(be, n_nodes);
  auto is_first = make_vector<index_t>(be, n_rows);
  fill(be, first_row.view(), n_rows);
  fill(be, is_first.view(), index_t(0));
  index_t* fr = first_row.data();
  index_t* isf = is_first.data();
  // Smallest row of each component, at its root.
  for_each(be, n_nodes, CLUSTR_LAMBDA(index_t v) {
    if (core && !core[v]) return;
    atomic_min(fr + parent[v], orig ? orig[v] : v);
  });
  for_each(be, n_nodes, CLUSTR_LAMBDA(index_t v) {
    if ((core && !core[v]) || parent[v] != v) return;
    isf[fr[v]] = 1;
  });
  // Component ids in the order of their smallest rows.
  const index_t n_clusters = exclusive_scan(be, is_first.view(), is_first.view(), index_t(0));
  for_each(be, n_nodes, CLUSTR_LAMBDA(index_t v) {
    if (core && !core[v]) return;
    label[v] = static_cast<std::int32_t>(isf[fr[parent[v]]]);
  });
  return n_clusters;
}

/// Fills core_sample_indices and, when X is given (rows > 0), core_points
/// and core_labels from the model's labels and is_core.
template <class Backend, class T, class Metric, class S>
void collect_core_points(const Backend& be, model<T, Metric, S>& m, matrix_view<const T, S> X) {
  const index_t n = m.labels.size();
  const std::uint8_t* core = m.is_core.data();
  auto idx = make_vector<index_t>(be, n);
  const index_t c = copy_if(be, n, CLUSTR_LAMBDA(index_t i) { return core[i] != 0; }, idx.view());
  m.core_sample_indices = make_vector<index_t>(be, c);
  if (c > 0)
    copy(be, m.core_sample_indices.view(), vector_view<const index_t, S>(idx.data(), c));
  m.has_core_points = X.rows() > 0;
  if (!m.has_core_points) return;
  const index_t d = X.cols();
  m.core_points = make_matrix<T>(be, c, d);
  m.core_labels = make_vector<std::int32_t>(be, c);
  const index_t* ci = m.core_sample_indices.data();
  const std::int32_t* lab = m.labels.data();
  T* cp = m.core_points.data();
  std::int32_t* cl = m.core_labels.data();
  for_each_2d(be, c, d, CLUSTR_LAMBDA(index_t k, index_t j) { cp[k * d + j] = X(ci[k], j); });
  for_each(be, c, CLUSTR_LAMBDA(index_t k) { cl[k] = lab[ci[k]]; });
}

}  // namespace clustr::dbscan::detail
