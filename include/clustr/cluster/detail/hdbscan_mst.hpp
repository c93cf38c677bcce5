#pragma once
// Core distances and the minimum spanning tree of the mutual-reachability
// graph, w(a, b) = max(core[a], core[b], d(a, b) / alpha), for HDBSCAN.
//
// The exact MST is Borůvka's algorithm on every backend: each round every
// point finds its lightest edge to another component (a kd-tree search for
// metrics with a coordinate-wise box bound in up to kdtree_max_dim
// dimensions, brute force otherwise), the per-component minimum is reduced
// by atomics, and the chosen edges are merged by union-find. Ties are broken
// by the total order (weight, min index, max index), which makes the MST
// unique: serial, OpenMP (any thread count) and Kokkos host give the same
// edge list bit for bit; CUDA computes distances with fused multiply-adds, so
// its weights agree to rounding and only edges at near ties may differ.
// Memory is O(n) (plus O(n k) when the core distances come from a kNN
// graph): never n x n. The kd-tree is built on the host (device data is
// copied to the host once for that) and searched on the backend.
//
// Entry points: core_distances (from X or from a kNN graph),
// mutual_reachability_mst, core_distances_and_mst (both, one kd-tree: what
// fit should call) and knn_graph_mst (cuML's approximate MST of the kNN
// graph's edges).

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <utility>
#include <type_traits>
#include <vector>

#include "clustr/cluster/detail/hdbscan_mst_boruvka.hpp"
#include "clustr/cluster/detail/hdbscan_mst_search.hpp"
#include "clustr/cluster/hdbscan_types.hpp"
#include "clustr/core/as_view.hpp"
#include "clustr/neighbors/knn_types.hpp"
#include "clustr/neighbors/search.hpp"
#include "clustr/primitives/for_each.hpp"
#include "clustr/primitives/memory.hpp"
#include "clustr/primitives/validate.hpp"

namespace clustr::hdbscan::detail {

namespace mst_checks {
inline void check_m(index_t m, index_t n) {
  if (m < 1) clustr::detail::throw_invalid("m", m, "the core-distance neighbour count must be >= 1");
  if (m >= n)
    clustr::detail::throw_invalid("m", m,
                                  clustr::detail::concat("must be < the number of points (", n,
                                                         "): the core distance needs m other points"));
}
template <class T>
void check_alpha(T alpha) {
  if (!(alpha > T(0)) || !std::isfinite(alpha))
    clustr::detail::throw_invalid("alpha", alpha, "must be finite and > 0");
}
/// Mutual reachability needs d >= 0: the inner-product "distance" is not one.
template <class Metric>
void check_metric(const Metric& metric) {
  metric::validate(metric);
  if constexpr (std::is_same_v<Metric, metric::inner_product>)
    clustr::detail::throw_invalid("metric", "inner_product",
                                  "not a distance (it can be negative); HDBSCAN needs d >= 0 (use cosine)");
}
inline void check_batch(index_t batch_size) {
  if (batch_size < 1) clustr::detail::throw_invalid("batch_size", batch_size, "must be >= 1");
}
}  // namespace mst_checks

/// Core distance of every point: the distance to its m-th nearest neighbour,
/// not counting the point itself (duplicates of it do count). Exact: a
/// kd-tree search in low dimension (box-bounded metrics, m <= kdtree_max_knn),
/// otherwise knn::graph in batches of batch_size queries.
template <class Backend, class Metric, class Data>
vector<value_type_of_t<Data>, memory_space_t<Backend>> core_distances(const Backend& be, const Metric& metric,
                                                                      const Data& X, index_t m, index_t batch_size) {
  using T = value_type_of_t<Data>;
  static_assert(std::is_floating_point_v<T>, "clustr::hdbscan: data must be float or double");
  mst_checks::check_metric(metric);
  mst_checks::check_batch(batch_size);
  const auto Xv = as_const_view(X);
  if (Xv.rows() < 1) clustr::detail::throw_invalid("X.rows()", Xv.rows(), "input must not be empty");
  mst_checks::check_m(m, Xv.rows());
  if constexpr (box_bound_metric_v<Metric>) {
    // Low dimension: the kd-tree's exact kNN (O(n log n)-ish, not O(n^2)).
    if (Xv.cols() <= kdtree_max_dim && m <= kdtree_max_knn) {
      const auto D = stage(be, Xv);
      check_finite(be, D.view(), "X");
      const mst_kdtree<T, memory_space_t<Backend>> tree(be, D.view());
      auto core = make_vector<T>(be, Xv.rows());
      tree.knn_core(be, metric, m, core.data());
      fence(be);
      return core;
    }
  }
  knn::params<Metric> kp;
  kp.k = m;
  kp.metric = metric;
  kp.algo = knn::algorithm::exact;
  kp.include_self = false;
  kp.batch_size = batch_size;
  const auto g = knn::graph(be, kp, Xv);  // checks X (finite, non-empty)
  const index_t n = Xv.rows();
  auto core = make_vector<T>(be, n);
  T* c = core.data();
  const T* gd = g.distances.data();
  for_each(be, n, CLUSTR_LAMBDA(index_t i) { c[i] = gd[i * m + (m - 1)]; });
  fence(be);
  return core;
}

/// Core distances from a kNN graph: column m - 1 of each row without self,
/// column m with self (g.includes_self). Needs that many columns.
template <class Backend, class T, class I, class Space>
vector<T, memory_space_t<Backend>> core_distances(const Backend& be, const knn::knn_graph<T, I, Space>& g, index_t m) {
  const index_t n = g.n();
  if (n < 1) clustr::detail::throw_invalid("graph.n()", n, "the graph must not be empty");
  mst_checks::check_m(m, n);
  const index_t col = g.includes_self ? m : m - 1;
  if (col >= g.k)
    clustr::detail::throw_invalid("m", m,
                                  clustr::detail::concat("needs a kNN graph with k >= ", col + 1, " (graph.k = ", g.k,
                                                         g.includes_self ? ", self included)" : ")"));
  const auto D = stage(be, g.distances.view());
  const matrix_view<const T, memory_space_t<Backend>> dv = D.view();
  auto core = make_vector<T>(be, n);
  T* c = core.data();
  for_each(be, n, CLUSTR_LAMBDA(index_t i) { c[i] = dv(i, col); });
  check_finite(be, vector_view<const T, memory_space_t<Backend>>(core.data(), n), "graph.distances");
  fence(be);
  return core;
}

/// Borůvka rounds until one component; the searcher finds every point's
/// lightest edge to another component each round.
template <class T, class Backend, class Metric, class Space>
std::vector<mst_edge<T>> boruvka_exact(const Backend& be, const Metric& metric, index_t n,
                                       const mst_searcher<T, Space>& searcher) {
  auto s = make_boruvka_state<T>(be, n);
  auto best_w = make_vector<T>(be, n);
  auto best_b = make_vector<index_t>(be, n);
  const T* bw = best_w.data();
  const index_t* bb = best_b.data();
  index_t total = 0;
  for (index_t round = 0; total < n - 1; ++round) {
    begin_round(be, s);
    searcher.search(be, metric, s.view(), best_w.view(), best_b.view(), round);
    const index_t added = finish_round(be, s, n, false, CLUSTR_LAMBDA(index_t i) {
      return candidate<T>{i, bb[i], bw[i]};
    });
    if (added == 0) throw std::logic_error("clustr::hdbscan: Borůvka round added no edge (internal error)");
    total += added;
  }
  std::vector<mst_edge<T>> edges = std::move(s.edges);
  sort_edges(edges);
  return edges;
}

/// The exact minimum spanning tree of the mutual-reachability graph of X
/// (core from core_distances). n - 1 edges with from < to, sorted by
/// (weight, from, to), on the host.
template <class Backend, class Metric, class Data>
std::vector<mst_edge<value_type_of_t<Data>>> mutual_reachability_mst(
    const Backend& be, const Metric& metric, const Data& X,
    std::type_identity_t<vector_view<const value_type_of_t<Data>, memory_space_t<Backend>>> core,
    std::type_identity_t<value_type_of_t<Data>> alpha, index_t batch_size) {
  using T = value_type_of_t<Data>;
  static_assert(std::is_floating_point_v<T>, "clustr::hdbscan: data must be float or double");
  mst_checks::check_metric(metric);
  mst_checks::check_alpha(alpha);
  mst_checks::check_batch(batch_size);
  const auto D = stage(be, as_const_view(X));
  check_finite(be, D.view(), "X");
  const index_t n = D.view().rows();
  if (core.size() != n)
    clustr::detail::throw_invalid("core.size()", core.size(), clustr::detail::concat("must equal X.rows() = ", n));
  check_finite(be, core, "core");
  if (n <= 1) return {};
  const mst_searcher<T, memory_space_t<Backend>> searcher(be, metric, D.view(), core, alpha, batch_size);
  return boruvka_exact<T>(be, metric, n, searcher);
}

/// Core distances and the exact MST together (what fit needs): in low
/// dimension with a box-bounded metric the kd-tree is built once for both.
/// Same results as core_distances then mutual_reachability_mst.
template <class T, class Space>
struct core_and_mst {
  vector<T, Space> core;
  std::vector<mst_edge<T>> mst;
};

template <class Backend, class Metric, class Data>
core_and_mst<value_type_of_t<Data>, memory_space_t<Backend>> core_distances_and_mst(
    const Backend& be, const Metric& metric, const Data& X, index_t m, std::type_identity_t<value_type_of_t<Data>> alpha,
    index_t batch_size) {
  using T = value_type_of_t<Data>;
  using S = memory_space_t<Backend>;
  static_assert(std::is_floating_point_v<T>, "clustr::hdbscan: data must be float or double");
  mst_checks::check_metric(metric);
  mst_checks::check_alpha(alpha);
  mst_checks::check_batch(batch_size);
  const auto Xv = as_const_view(X);
  if (Xv.rows() < 1) clustr::detail::throw_invalid("X.rows()", Xv.rows(), "input must not be empty");
  mst_checks::check_m(m, Xv.rows());
  core_and_mst<T, S> out;
  if constexpr (box_bound_metric_v<Metric>) {
    if (Xv.cols() <= kdtree_max_dim && m <= kdtree_max_knn) {
      const auto D = stage(be, Xv);
      check_finite(be, D.view(), "X");
      const index_t n = Xv.rows();
      mst_kdtree<T, S> tree(be, D.view());
      out.core = make_vector<T>(be, n);
      tree.knn_core(be, metric, m, out.core.data());
      tree.set_core(be, vector_view<const T, S>(out.core.data(), n));
      const mst_searcher<T, S> searcher(be, std::move(tree), alpha);
      out.mst = boruvka_exact<T>(be, metric, n, searcher);
      return out;
    }
  }
  out.core = core_distances(be, metric, Xv, m, batch_size);
  out.mst = mutual_reachability_mst(be, metric, Xv, vector_view<const T, S>(out.core.view()), alpha, batch_size);
  return out;
}

/// The minimum spanning forest of a kNN graph's edges (both directions),
/// weighted max(core[a], core[b], d(a, b) / alpha) with the graph's
/// distances: cuML's approximate MST. Fewer than n - 1 edges when the graph
/// is disconnected. Same order and endpoints as mutual_reachability_mst.
template <class Backend, class T, class I, class Space>
std::vector<mst_edge<T>> knn_graph_mst(const Backend& be, const knn::knn_graph<T, I, Space>& g,
                                       std::type_identity_t<vector_view<const T, memory_space_t<Backend>>> core,
                                       std::type_identity_t<T> alpha) {
  using S = memory_space_t<Backend>;
  mst_checks::check_alpha(alpha);
  const index_t n = g.n();
  const index_t k = g.k;
  if (core.size() != n)
    clustr::detail::throw_invalid("core.size()", core.size(), clustr::detail::concat("must equal graph.n() = ", n));
  check_finite(be, core, "core");
  std::vector<mst_edge<T>> edges;
  if (n <= 1 || k < 1) return edges;
  const auto GI = stage(be, g.indices.view());
  const auto GD = stage(be, g.distances.view());
  const matrix_view<const I, S> gi = GI.view();
  const matrix_view<const T, S> gd = GD.view();
  auto s = make_boruvka_state<T>(be, n);
  const T* cr = core.data();
  const index_t* comp = s.comp.data();
  index_t total = 0;
  while (total < n - 1) {
    begin_round(be, s);
    const index_t added = finish_round(be, s, n * k, true, CLUSTR_LAMBDA(index_t e) {
      const index_t a = e / k;
      const index_t b = static_cast<index_t>(gi(a, e % k));
      if (b < 0 || b >= n || b == a || comp[a] == comp[b]) return candidate<T>{a, -1, T(0)};
      T w = gd(a, e % k) / alpha;
      if (cr[a] > w) w = cr[a];
      if (cr[b] > w) w = cr[b];
      return candidate<T>{a, b, w > T(0) ? w : T(0)};
    });
    if (added == 0) break;
    total += added;
  }
  edges = std::move(s.edges);
  sort_edges(edges);
  return edges;
}

}  // namespace clustr::hdbscan::detail
