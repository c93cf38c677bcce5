#pragma once
// clustr::hdbscan: HDBSCAN* with the hdbscan library's semantics. Core
// distances (kNN) and the mutual-reachability minimum spanning tree run on
// the backend (detail/hdbscan_mst.hpp); the single-linkage tree, condensed
// tree, cluster selection, probabilities, GLOSH scores, persistence and the
// relative validity are sequential O(n) tree walks done on the host
// (detail/hdbscan_tree.hpp), whose per-point results are copied back into
// the backend's memory. Soft clustering and approximate_predict are in
// hdbscan_predict.hpp.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "clustr/cluster/detail/hdbscan_mst.hpp"
#include "clustr/cluster/detail/hdbscan_prediction.hpp"
#include "clustr/cluster/detail/hdbscan_tree.hpp"
#include "clustr/cluster/hdbscan_types.hpp"
#include "clustr/core/as_view.hpp"
#include "clustr/core/errors.hpp"
#include "clustr/neighbors/knn_types.hpp"
#include "clustr/neighbors/search.hpp"
#include "clustr/primitives/primitives.hpp"

namespace clustr::hdbscan {

namespace detail {

/// Anything as_const_view accepts (views and owning arrays), not a kNN graph.
template <class X>
concept data_input = requires(const X& x) { clustr::as_const_view(x); };

/// Neighbours counted for the core distance, self excluded (hdbscan's meaning).
template <class Metric>
index_t min_samples_used(const params<Metric>& p) {
  const index_t ms = p.min_samples > 0 ? p.min_samples : p.min_cluster_size;
  return p.min_samples_includes_self ? ms - 1 : ms;
}

/// Every parameter, and the number of points against min_samples; before
/// anything is allocated.
template <class Metric>
void check_params(const params<Metric>& p, index_t n) {
  using clustr::detail::concat;
  using clustr::detail::throw_invalid;
  if (p.min_cluster_size < 2) throw_invalid("params.min_cluster_size", p.min_cluster_size, "must be >= 2");
  if (p.min_samples < 0) throw_invalid("params.min_samples", p.min_samples, "must be >= 1 (0: min_cluster_size)");
  if (!(p.alpha > 0.0) || !std::isfinite(p.alpha)) throw_invalid("params.alpha", p.alpha, "must be finite and > 0");
  if (!(p.cluster_selection_epsilon >= 0.0) || !std::isfinite(p.cluster_selection_epsilon))
    throw_invalid("params.cluster_selection_epsilon", p.cluster_selection_epsilon, "must be finite and >= 0");
  if (p.max_cluster_size < 0) throw_invalid("params.max_cluster_size", p.max_cluster_size, "must be >= 0 (0: no limit)");
  if (p.batch_size < 1) throw_invalid("params.batch_size", p.batch_size, "must be >= 1");
  metric::validate(p.metric);
  if (n < 1) throw_invalid("X.rows()", n, "input must not be empty");
  const index_t m = min_samples_used(p);
  if (n < m + 1)
    throw_invalid("params.min_samples", p.min_samples > 0 ? p.min_samples : p.min_cluster_size,
                  concat("needs at least ", m + 1, " points", p.min_samples_includes_self ? "" : " (min_samples + 1)",
                         ", got ", n));
}

template <class Metric>
void report(const params<Metric>& p, const char* stage, double done) {
  if (p.progress) p.progress(stage, done);
}

/// A host std::vector of U as an array of T in the backend's memory.
template <class T, class Backend, class U>
vector<T, memory_space_t<Backend>> to_backend(const Backend& be, const std::vector<U>& h) {
  std::vector<T> conv(h.begin(), h.end());
  auto out = make_vector<T>(be, static_cast<index_t>(conv.size()));
  copy(be, out.view(), vector_view<const T, host_space>(conv.data(), static_cast<index_t>(conv.size())));
  return out;
}

/// Core distances of zero (min_samples_used == 0: scikit-learn's
/// min_samples = 1, where every point is its own only neighbour).
template <class T, class Backend>
vector<T, memory_space_t<Backend>> zero_core(const Backend& be, index_t n) {
  auto core = make_vector<T>(be, n);
  fill(be, core.view(), T(0));
  return core;
}

/// The tree stages and the model from the MST (shared by every fit).
template <class T, class Backend, class Metric>
model<T, memory_space_t<Backend>> finish(const Backend& be, const params<Metric>& p, index_t n,
                                         std::vector<mst_edge<T>> mst) {
  report(p, "tree", 0.0);
  selection_options o;
  o.method = p.cluster_selection_method;
  o.allow_single_cluster = p.allow_single_cluster;
  o.epsilon = p.cluster_selection_epsilon;
  o.max_cluster_size = p.max_cluster_size;
  const tree_result r = run_tree(n, mst, p.min_cluster_size, o);

  model<T, memory_space_t<Backend>> m;
  m.n_samples = n;
  m.min_samples_used = min_samples_used(p);
  m.n_clusters = static_cast<index_t>(r.selected.size());
  m.labels = to_backend<std::int32_t>(be, r.labels);
  m.probabilities = to_backend<T>(be, r.probabilities);
  m.outlier_scores = to_backend<T>(be, r.outlier_scores);
  m.cluster_persistence.assign(r.persistence.begin(), r.persistence.end());
  m.cluster_ids = r.selected;
  auto& ct = m.condensed;
  ct.parent.reserve(r.condensed.size());
  for (const auto& row : r.condensed) {
    ct.parent.push_back(row.parent);
    ct.child.push_back(row.child);
    ct.lambda_val.push_back(static_cast<T>(row.lambda));
    ct.child_size.push_back(row.size);
  }
  auto& sl = m.single_linkage;
  for (const auto& row : r.linkage) {
    sl.left.push_back(row.left);
    sl.right.push_back(row.right);
    sl.distance.push_back(static_cast<T>(row.distance));
    sl.size.push_back(row.size);
  }
  m.relative_validity = relative_validity(mst, r.labels, m.n_clusters);
  m.minimum_spanning_tree = std::move(mst);
  report(p, "tree", 1.0);
  return m;
}

/// Fills model.prediction (and model.exemplars) when asked for.
template <class Backend, class Metric, class T, class XSpace>
void attach_prediction(const Backend& be, const params<Metric>& p, model<T, memory_space_t<Backend>>& m,
                       matrix_view<const T, XSpace> X, vector_view<const T, memory_space_t<Backend>> core) {
  if (!p.prediction_data) return;
  report(p, "prediction_data", 0.0);
  m.prediction.selected_clusters.clear();
  for (const auto id : m.cluster_ids) m.prediction.selected_clusters.push_back(static_cast<std::int32_t>(id - m.n_samples));
  build_prediction_data(be, p.metric, m, X, core);
  report(p, "prediction_data", 1.0);
}

}  // namespace detail

/// Fits HDBSCAN* to the rows of X (a view or array, float or double, host or
/// backend memory). params.mst == exact (default): the exact
/// mutual-reachability MST; knn_graph: the MST of a kNN graph with
/// k = max(min_samples_used, 15) built here (approximate; a disconnected
/// graph's components are joined at infinite distance).
/// Throws clustr::invalid_argument for bad parameters or input.
template <class Backend, class Metric, class Data>
  requires detail::data_input<Data>
model<value_type_of_t<Data>, memory_space_t<Backend>> fit(const Backend& be, const params<Metric>& p, const Data& X_in) {
  using T = value_type_of_t<Data>;
  using S = memory_space_t<Backend>;
  static_assert(std::is_floating_point_v<T>, "clustr::hdbscan::fit: data must be float or double");
  const auto Xs = stage(be, as_const_view(X_in));
  const matrix_view<const T, S> X = Xs.view();
  detail::check_params(p, X.rows());
  check_finite(be, X, "X");
  const index_t n = X.rows();
  const index_t m = detail::min_samples_used(p);
  detail::report(p, "core_distances", 0.0);
  std::vector<mst_edge<T>> mst;
  vector<T, S> core;
  if (p.mst == mst_algorithm::knn_graph && n > 1) {
    knn::params<Metric> kp;
    kp.k = std::min<index_t>(std::max<index_t>(m, 15), n - 1);
    kp.metric = p.metric;
    kp.batch_size = p.batch_size;
    const auto g = knn::graph(be, kp, X);
    core = m > 0 ? detail::core_distances(be, g, m) : detail::zero_core<T>(be, n);
    detail::report(p, "mst", 0.0);
    mst = detail::knn_graph_mst(be, g, core.view(), static_cast<T>(p.alpha));
  } else if (m > 0) {
    // One kd-tree serves both the core distances and the MST search.
    auto both = detail::core_distances_and_mst(be, p.metric, X, m, static_cast<T>(p.alpha), p.batch_size);
    core = std::move(both.core);
    mst = std::move(both.mst);
  } else {
    core = detail::zero_core<T>(be, n);
    detail::report(p, "mst", 0.0);
    mst = detail::mutual_reachability_mst(be, p.metric, X, core.view(), static_cast<T>(p.alpha), p.batch_size);
  }
  auto fitted = detail::finish<T>(be, p, n, std::move(mst));
  detail::attach_prediction(be, p, fitted, X, vector_view<const T, S>(core.view()));
  fence(be);
  return fitted;
}

/// Fits HDBSCAN* from X and a kNN graph of X (e.g. the one UMAP used): core
/// distances come from the graph (it needs k >= min_samples_used, one more
/// column when it includes self); the MST is exact from X, or the graph's
/// own MST when params.mst == knn_graph.
template <class Backend, class Metric, class Data, class I, class GSpace>
  requires detail::data_input<Data>
model<value_type_of_t<Data>, memory_space_t<Backend>> fit(const Backend& be, const params<Metric>& p, const Data& X_in,
                                                          const knn::knn_graph<value_type_of_t<Data>, I, GSpace>& g) {
  using T = value_type_of_t<Data>;
  using S = memory_space_t<Backend>;
  const auto Xs = stage(be, as_const_view(X_in));
  const matrix_view<const T, S> X = Xs.view();
  detail::check_params(p, X.rows());
  if (g.n() != X.rows())
    clustr::detail::throw_invalid("graph.n()", g.n(), clustr::detail::concat("must equal X.rows() = ", X.rows()));
  check_finite(be, X, "X");
  const index_t n = X.rows();
  const index_t m = detail::min_samples_used(p);
  detail::report(p, "core_distances", 0.0);
  auto core = m > 0 ? detail::core_distances(be, g, m) : detail::zero_core<T>(be, n);
  detail::report(p, "mst", 0.0);
  auto mst = p.mst == mst_algorithm::knn_graph
                 ? detail::knn_graph_mst(be, g, core.view(), static_cast<T>(p.alpha))
                 : detail::mutual_reachability_mst(be, p.metric, X, core.view(), static_cast<T>(p.alpha), p.batch_size);
  auto fitted = detail::finish<T>(be, p, n, std::move(mst));
  detail::attach_prediction(be, p, fitted, X, vector_view<const T, S>(core.view()));
  fence(be);
  return fitted;
}

/// Fits HDBSCAN* from a kNN graph alone: core distances from the graph and
/// the MST of the graph's edges (whatever params.mst says: the exact MST
/// needs X). A disconnected graph's components join at infinite distance
/// (lambda 0). params.prediction_data needs X: use fit(be, p, X, graph).
template <class Backend, class Metric, class T, class I, class GSpace>
model<T, memory_space_t<Backend>> fit(const Backend& be, const params<Metric>& p, const knn::knn_graph<T, I, GSpace>& g) {
  using S = memory_space_t<Backend>;
  detail::check_params(p, g.n());
  if (p.prediction_data)
    clustr::detail::throw_invalid("params.prediction_data", "true",
                                  "needs the data: call fit(backend, params, X, graph)");
  const index_t n = g.n();
  const index_t m = detail::min_samples_used(p);
  detail::report(p, "core_distances", 0.0);
  auto core = m > 0 ? detail::core_distances(be, g, m) : detail::zero_core<T>(be, n);
  detail::report(p, "mst", 0.0);
  auto mst = detail::knn_graph_mst(be, g, vector_view<const T, S>(core.view()), static_cast<T>(p.alpha));
  auto fitted = detail::finish<T>(be, p, n, std::move(mst));
  fence(be);
  return fitted;
}

/// DBSCAN* labels from the fitted single-linkage tree without refitting, as
/// the hdbscan library's dbscan_clustering / single_linkage_tree_.get_clusters:
/// points joined by merges below cut_distance (mutual-reachability) form a
/// cluster; components smaller than min_cluster_size are noise (-1). Host.
template <class T, class Space>
std::vector<std::int32_t> dbscan_clustering(const model<T, Space>& m, double cut_distance,
                                            index_t min_cluster_size = 5) {
  if (std::isnan(cut_distance)) clustr::detail::throw_invalid("cut_distance", cut_distance, "must not be NaN");
  if (min_cluster_size < 1) clustr::detail::throw_invalid("min_cluster_size", min_cluster_size, "must be >= 1");
  if (m.n_samples < 1) clustr::detail::throw_invalid("model.n_samples", m.n_samples, "the model is not fitted");
  return detail::labelling_at_cut(m.single_linkage, cut_distance, min_cluster_size);
}

/// The same, returned in the backend's memory.
template <class Backend, class T, class Space>
vector<std::int32_t, memory_space_t<Backend>> dbscan_clustering(const Backend& be, const model<T, Space>& m,
                                                                double cut_distance, index_t min_cluster_size = 5) {
  return detail::to_backend<std::int32_t>(be, dbscan_clustering(m, cut_distance, min_cluster_size));
}

}  // namespace clustr::hdbscan
