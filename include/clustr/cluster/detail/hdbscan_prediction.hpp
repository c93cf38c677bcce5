#pragma once
// build_prediction_data: what approximate_predict and soft clustering need,
// with the hdbscan library's PredictionData semantics (prediction.py):
// the cluster tree, per-node max lambdas, the selected-cluster map, the
// exemplars (per selected cluster, the points of its leaves that stay until
// the leaf ends) and the "prediction" core distances.
//
// The tree tables are O(number of condensed-tree nodes) and built on the host
// by sequential walks; the per-point tables, the exemplar rows and the core
// distances (fit's exact core-distance search: a kd-tree in low dimension)
// live in the backend's memory.

#include <algorithm>
#include <cstdint>
#include <vector>

#include "clustr/cluster/detail/hdbscan_mst.hpp"
#include "clustr/cluster/hdbscan_types.hpp"
#include "clustr/core/as_view.hpp"
#include "clustr/core/errors.hpp"
#include "clustr/metric/metric.hpp"
#include "clustr/primitives/for_each.hpp"
#include "clustr/primitives/memory.hpp"

namespace clustr::hdbscan::detail::pred {

using clustr::detail::concat;
using clustr::detail::throw_invalid;

/// A host std::vector copied into a new array in the backend's memory.
template <class Backend, class U>
vector<U, memory_space_t<Backend>> upload(const Backend& be, const std::vector<U>& h) {
  auto out = make_vector<U>(be, static_cast<index_t>(h.size()));
  if (!h.empty())
    copy(be, out.view(), vector_view<const U, host_space>(h.data(), static_cast<index_t>(h.size())));
  return out;
}

/// The tree tables of prediction_data from a condensed tree (host only).
/// Nodes are condensed-tree cluster ids minus n.
template <class T, class Space>
void build_tree_tables(const condensed_tree<T>& ct, index_t n, prediction_data<T, Space>& pd,
                       std::vector<std::int32_t>& point_node, std::vector<T>& point_lambda) {
  const index_t rows = ct.size();
  std::int64_t max_id = n;
  for (index_t r = 0; r < rows; ++r) {
    max_id = std::max(max_id, ct.parent[r]);
    max_id = std::max(max_id, ct.child[r]);
  }
  const index_t nn = static_cast<index_t>(max_id - n + 1);
  pd.n_nodes = nn;
  pd.node_parent.assign(nn, -1);
  pd.node_lambda.assign(nn, T(0));
  pd.node_depth.assign(nn, -1);
  pd.leaf_max_lambda.assign(nn, T(0));
  point_node.assign(n, 0);
  point_lambda.assign(n, T(0));
  std::vector<char> has_rows(nn, 0);
  for (index_t r = 0; r < rows; ++r) {
    const std::int64_t p = ct.parent[r] - n;
    const std::int64_t c = ct.child[r];
    const T lam = ct.lambda_val[r];
    if (p < 0 || p >= nn) throw_invalid("model.condensed.parent", ct.parent[r], "is not a cluster node (>= n_samples)");
    if (!has_rows[p] || lam > pd.leaf_max_lambda[p]) pd.leaf_max_lambda[p] = lam;
    has_rows[p] = 1;
    if (c >= n) {
      pd.node_parent[c - n] = static_cast<std::int32_t>(p);
      pd.node_lambda[c - n] = lam;
    } else if (c >= 0) {
      point_node[c] = static_cast<std::int32_t>(p);
      point_lambda[c] = lam;
    }
  }
  // Depths by memoised walks (no assumption that parents have smaller ids).
  pd.node_depth[0] = 0;
  std::vector<std::int32_t> path;
  for (index_t v = 0; v < nn; ++v) {
    std::int32_t u = static_cast<std::int32_t>(v);
    path.clear();
    while (pd.node_depth[u] < 0) {
      path.push_back(u);
      if (pd.node_parent[u] < 0) {  // a node with no parent row: treat as a root
        pd.node_depth[u] = 0;
        path.pop_back();
        break;
      }
      u = pd.node_parent[u];
      if (static_cast<index_t>(path.size()) > nn)
        throw_invalid("model.condensed", "the cluster tree has a cycle");
    }
    for (auto it = path.rbegin(); it != path.rend(); ++it) pd.node_depth[*it] = pd.node_depth[pd.node_parent[*it]] + 1;
  }
  // Subtree max lambda: children before parents (deepest first).
  std::vector<std::int32_t> order(nn);
  for (index_t v = 0; v < nn; ++v) order[v] = static_cast<std::int32_t>(v);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::int32_t a, std::int32_t b) { return pd.node_depth[a] > pd.node_depth[b]; });
  pd.subtree_max_lambda = pd.leaf_max_lambda;
  for (std::int32_t v : order) {
    const std::int32_t p = pd.node_parent[v];
    if (p >= 0 && pd.subtree_max_lambda[v] > pd.subtree_max_lambda[p]) pd.subtree_max_lambda[p] = pd.subtree_max_lambda[v];
  }
}

/// Lowest common ancestor of two nodes (host).
template <class T, class Space>
std::int32_t host_lca(const prediction_data<T, Space>& pd, std::int32_t a, std::int32_t b) {
  while (pd.node_depth[a] > pd.node_depth[b]) a = pd.node_parent[a];
  while (pd.node_depth[b] > pd.node_depth[a]) b = pd.node_parent[b];
  while (a != b && a >= 0 && b >= 0) {
    a = pd.node_parent[a];
    b = pd.node_parent[b];
  }
  return a < 0 ? 0 : a;
}

/// The selected cluster (node) of each label: the lowest common ancestor of
/// the nodes its points fell out of (fit's labelling gives every point below
/// a selected cluster its label).
template <class T, class Space>
std::vector<std::int32_t> derive_selected(const prediction_data<T, Space>& pd, const std::vector<std::int32_t>& labels,
                                          const std::vector<std::int32_t>& point_node, index_t n_clusters) {
  std::vector<std::int32_t> sel(n_clusters, -1);
  for (std::size_t p = 0; p < labels.size(); ++p) {
    const std::int32_t l = labels[p];
    if (l < 0) continue;
    if (l >= n_clusters) throw_invalid("model.labels", l, "exceeds model.n_clusters - 1");
    sel[l] = sel[l] < 0 ? point_node[p] : host_lca(pd, sel[l], point_node[p]);
  }
  for (index_t j = 0; j < n_clusters; ++j)
    if (sel[j] < 0) throw_invalid("model.labels", j, "a cluster label has no points");
  return sel;
}

/// cluster_map / max_lambda (hdbscan's _clusters_below): every node at or
/// below a selected cluster maps to its label and its max lambda.
template <class T, class Space>
void build_cluster_map(prediction_data<T, Space>& pd) {
  const index_t nn = pd.n_nodes;
  pd.cluster_map.assign(nn, -1);
  pd.max_lambda.assign(nn, T(0));
  std::vector<std::int32_t> order(nn);
  for (index_t v = 0; v < nn; ++v) order[v] = static_cast<std::int32_t>(v);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::int32_t a, std::int32_t b) { return pd.node_depth[a] < pd.node_depth[b]; });
  std::vector<std::int32_t> label_of(nn, -1);
  for (std::size_t j = 0; j < pd.selected_clusters.size(); ++j) {
    const std::int32_t s = pd.selected_clusters[j];
    if (s < 0 || s >= nn) throw_invalid("prediction.selected_clusters", s, "is not a node of the condensed tree");
    label_of[s] = static_cast<std::int32_t>(j);
  }
  for (std::int32_t v : order) {  // parents first
    if (label_of[v] >= 0) {
      pd.cluster_map[v] = label_of[v];
      pd.max_lambda[v] = pd.leaf_max_lambda[v];
    } else if (pd.node_parent[v] >= 0 && pd.cluster_map[pd.node_parent[v]] >= 0) {
      pd.cluster_map[v] = pd.cluster_map[pd.node_parent[v]];
      pd.max_lambda[v] = pd.max_lambda[pd.node_parent[v]];
    }
  }
}

/// hdbscan's exemplars: per selected cluster, over its leaves in depth-first
/// order (children in condensed-tree row order), the points of each leaf whose
/// lambda equals the leaf's max lambda, in row order.
template <class T, class Space>
std::vector<std::vector<std::int64_t>> find_exemplars(const condensed_tree<T>& ct, index_t n,
                                                      const prediction_data<T, Space>& pd) {
  const index_t nn = pd.n_nodes;
  std::vector<std::vector<std::int32_t>> kids(nn);
  std::vector<std::vector<std::int64_t>> pts(nn);
  for (index_t r = 0; r < ct.size(); ++r) {
    const std::int64_t p = ct.parent[r] - n, c = ct.child[r];
    if (c >= n) kids[p].push_back(static_cast<std::int32_t>(c - n));
    else if (ct.lambda_val[r] == pd.leaf_max_lambda[p]) pts[p].push_back(c);
  }
  std::vector<std::vector<std::int64_t>> ex(pd.selected_clusters.size());
  std::vector<std::int32_t> stack;
  for (std::size_t j = 0; j < pd.selected_clusters.size(); ++j) {
    stack.assign(1, pd.selected_clusters[j]);
    while (!stack.empty()) {
      const std::int32_t v = stack.back();
      stack.pop_back();
      if (kids[v].empty()) {
        ex[j].insert(ex[j].end(), pts[v].begin(), pts[v].end());
      } else {
        for (auto it = kids[v].rbegin(); it != kids[v].rend(); ++it) stack.push_back(*it);
      }
    }
  }
  return ex;
}

/// hdbscan's PredictionData core distances: distance to the k-th neighbour
/// counting the point itself (k = min_samples), i.e. the (k-1)-th other point;
/// 0 for k = 1. Computed by fit's own core-distance search
/// (detail/hdbscan_mst.hpp: a kd-tree in low dimension, batched exact kNN
/// otherwise) with one neighbour fewer.
template <class Backend, class Metric, class T>
void prediction_core_distances(const Backend& be, const Metric& metric, matrix_view<const T, memory_space_t<Backend>> D,
                               index_t k, index_t batch, vector_view<T, memory_space_t<Backend>> core) {
  const index_t n = D.rows();
  T* c = core.data();
  const index_t others = std::min<index_t>(k - 1, n - 1);
  if (others <= 0) {
    for_each(be, n, CLUSTR_LAMBDA(index_t i) { c[i] = T(0); });
    fence(be);
    return;
  }
  const auto cd = hdbscan::detail::core_distances(be, metric, D, others, batch);
  copy(be, core, vector_view<const T, memory_space_t<Backend>>(cd.view()));
  fence(be);
}

}  // namespace clustr::hdbscan::detail::pred

namespace clustr::hdbscan::detail {

/// Fills m.prediction (present = true) and m.exemplars from a fitted model
/// whose condensed tree, labels, n_clusters, n_samples and min_samples_used
/// are set. X: the training data (n x d, any space the backend reaches or
/// host). core_distances: fit's core distances (min_samples_used-th neighbour,
/// self excluded); hdbscan's prediction data uses one neighbour fewer, which
/// is recomputed here, so these are only checked for size.
/// If m.prediction.selected_clusters is already filled (node = cluster id - n,
/// one per label) it is used; otherwise it is derived from the labels.
template <class Backend, class Metric, class T, class XSpace>
void build_prediction_data(const Backend& be, const Metric& metric, model<T, memory_space_t<Backend>>& m,
                           matrix_view<const T, XSpace> X,
                           vector_view<const T, memory_space_t<Backend>> core_distances) {
  using S = memory_space_t<Backend>;
  using clustr::detail::concat;
  using clustr::detail::throw_invalid;
  const index_t n = X.rows();
  const index_t d = X.cols();
  if (n != m.n_samples) throw_invalid("X.rows()", n, concat("must equal model.n_samples = ", m.n_samples));
  if (core_distances.size() != 0 && core_distances.size() != n)
    throw_invalid("core_distances.size()", core_distances.size(), concat("must be 0 or n = ", n));
  metric::validate(metric);
  auto& pd = m.prediction;

  std::vector<std::int32_t> point_node;
  std::vector<T> point_lambda;
  pred::build_tree_tables(m.condensed, n, pd, point_node, point_lambda);
  if (pd.selected_clusters.size() != static_cast<std::size_t>(m.n_clusters)) {
    std::vector<std::int32_t> labels = m.labels.to_std_vector();
    pd.selected_clusters = pred::derive_selected(pd, labels, point_node, m.n_clusters);
  }
  pred::build_cluster_map(pd);
  m.exemplars = pred::find_exemplars(m.condensed, n, pd);

  pd.min_samples = std::max<index_t>(1, m.min_samples_used);
  pd.metric_kind = metric::kind_of<Metric>();
  pd.metric_p = 2.0;
  if constexpr (std::is_same_v<Metric, metric::minkowski>) pd.metric_p = metric.p;

  pd.data = clone(be, X);
  pd.core_distances = make_vector<T>(be, n);
  pred::prediction_core_distances(be, metric, matrix_view<const T, S>(pd.data.view()), pd.min_samples,
                            index_t(16384), pd.core_distances.view());

  pd.point_node = pred::upload(be, point_node);
  pd.point_lambda = pred::upload(be, point_lambda);
  pd.node_parent_dev = pred::upload(be, pd.node_parent);
  pd.node_lambda_dev = pred::upload(be, pd.node_lambda);
  pd.node_depth_dev = pred::upload(be, pd.node_depth);
  pd.leaf_max_lambda_dev = pred::upload(be, pd.leaf_max_lambda);
  pd.subtree_max_lambda_dev = pred::upload(be, pd.subtree_max_lambda);
  pd.cluster_map_dev = pred::upload(be, pd.cluster_map);
  pd.max_lambda_dev = pred::upload(be, pd.max_lambda);
  pd.selected_dev = pred::upload(be, pd.selected_clusters);

  // Exemplar rows gathered cluster by cluster (CSR offsets).
  std::vector<std::int64_t> offsets(1, 0), rows;
  for (const auto& e : m.exemplars) {
    rows.insert(rows.end(), e.begin(), e.end());
    offsets.push_back(static_cast<std::int64_t>(rows.size()));
  }
  pd.exemplar_offsets = pred::upload(be, offsets);
  const index_t ne = static_cast<index_t>(rows.size());
  pd.exemplar_points = make_matrix<T>(be, ne, d);
  if (ne > 0) {
    auto rows_dev = pred::upload(be, rows);
    const std::int64_t* r = rows_dev.data();
    const matrix_view<const T, S> src = pd.data.view();
    const matrix_view<T, S> dst = pd.exemplar_points.view();
    for_each_2d(be, ne, d, CLUSTR_LAMBDA(index_t i, index_t j) { dst(i, j) = src(r[i], j); });
    fence(be);
  }
  pd.present = true;
}

}  // namespace clustr::hdbscan::detail
