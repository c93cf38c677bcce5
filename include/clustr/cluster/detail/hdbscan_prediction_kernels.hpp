#pragma once
// The batched kernels of soft clustering and approximate_predict, written
// against primitives only. Formulas follow the hdbscan library's
// _prediction_utils.pyx and prediction.py line by line (see
// docs/hdbscan_soft_clustering.md); comments name the hdbscan function each
// step reproduces.

#include <cmath>
#include <cstdint>
#include <limits>

#include "clustr/cluster/hdbscan_prediction_types.hpp"
#include "clustr/core/view.hpp"
#include "clustr/metric/metric.hpp"
#include "clustr/primitives/distance.hpp"
#include "clustr/primitives/for_each.hpp"
#include "clustr/primitives/memory.hpp"

namespace clustr::hdbscan::detail::pred {

/// hdbscan's merge_height for node u (where a point sits) and node c (a
/// selected cluster): the lambda at which their lowest common ancestor split
/// when neither is an ancestor of the other, else -1 (the caller substitutes
/// the point's own lambda, as hdbscan does).
template <class T>
CLUSTR_HD inline T merge_lambda(std::int32_t u, std::int32_t c, const std::int32_t* parent, const std::int32_t* depth,
                                const T* lambda) {
  bool took_u = false, took_c = false;
  std::int32_t last = -1;
  while (depth[u] > depth[c] && parent[u] >= 0) {
    last = u;
    u = parent[u];
    took_u = true;
  }
  while (depth[c] > depth[u] && parent[c] >= 0) {
    last = c;
    c = parent[c];
    took_c = true;
  }
  while (u != c && parent[u] >= 0 && parent[c] >= 0) {
    last = c;
    u = parent[u];
    c = parent[c];
    took_u = took_c = true;
  }
  return (took_u && took_c && last >= 0) ? lambda[last] : T(-1);
}

/// Clusters with at least this many exemplars take the blocked host kernel
/// (fused_distance_argmin) on host backends; smaller ones the direct loop.
inline constexpr std::int64_t host_argmin_min_exemplars = 32;

/// Raw tables of membership, for rows of Q with their tree nodes:
/// dist(i, j) = distance from Q_i to the nearest exemplar of cluster j
/// (hdbscan's min_dist_to_exemplar), height(i, j) = merge_lambda(node_i, cluster j).
/// One (row, cluster) pair per work item: O(rows x exemplars x d) work. On
/// host backends clusters with many exemplars use the cache-blocked,
/// vectorised fused_distance_argmin (it sums coordinates in the same order,
/// so the distances are the same bits).
template <class Backend, class Metric, class T, class S>
void membership_raw(const Backend& be, const Metric& metric, matrix_view<const T, S> Q, const std::int32_t* qnode,
                    const prediction_data<T, S>& pd, matrix_view<T, S> dist, matrix_view<T, S> height) {
  const index_t C = pd.n_clusters();
  const index_t d = Q.cols();
  const matrix_view<const T, S> E = pd.exemplar_points.view();
  const std::int64_t* off = pd.exemplar_offsets.data();
  const std::int32_t* sel = pd.selected_dev.data();
  const std::int32_t* parent = pd.node_parent_dev.data();
  const std::int32_t* depth = pd.node_depth_dev.data();
  const T* lambda = pd.node_lambda_dev.data();
  const T big = std::numeric_limits<T>::max();
  std::int64_t direct_below = std::numeric_limits<std::int64_t>::max();  // device: every cluster direct
  if constexpr (is_host_backend_v<Backend>) {
    direct_below = host_argmin_min_exemplars;
    auto idx = make_vector<std::int64_t>(be, Q.rows());
    auto best = make_vector<T>(be, Q.rows());
    const T* bp = best.data();
    for (index_t j = 0; j < C; ++j) {
      const std::int64_t ne = off[j + 1] - off[j];
      if (ne < direct_below) continue;
      fused_distance_argmin(be, metric, Q, E.row_block(off[j], ne), idx.view(), best.view());
      for_each(be, Q.rows(), CLUSTR_LAMBDA(index_t i) { dist(i, j) = metric.to_distance(bp[i]); });
    }
  }
  for_each_2d(be, Q.rows(), C, CLUSTR_LAMBDA(index_t i, index_t j) {
    const std::int64_t ne = off[j + 1] - off[j];
    if (ne < direct_below) {
      const T* x = Q.row(i);
      T best = big;
      for (std::int64_t e = off[j]; e < off[j + 1]; ++e) {
        const T r = metric::reduced_distance(metric, x, E.row(e), d);
        if (e == off[j] || r < best) best = r;
      }
      dist(i, j) = ne > 0 ? metric.to_distance(best) : big;
    }
    height(i, j) = merge_lambda(qnode[i], sel[j], parent, depth, lambda);
  });
}

/// Per-row pointers of the second pass (all in backend memory).
template <class T>
struct finish_args {
  index_t C = 0;
  T* dist = nullptr;                  ///< rows x C raw distances; overwritten with the result
  const T* height = nullptr;          ///< rows x C merge lambdas (-1: the point's own lambda)
  const std::int32_t* node = nullptr; ///< per row: its tree node
  const T* lam = nullptr;             ///< per row: its lambda
  const T* leaf_max = nullptr;        ///< per node
  const std::int32_t* sel = nullptr;  ///< per cluster: its node
  bool new_points = false;            ///< membership_vector's formula, else all_points_*
  T big = T(0);                       ///< DBL_MAX's stand-in for T
  T* dense = nullptr;                 ///< rows x C output, or null
  index_t k = 0;                      ///< top-k outputs when dense is null
  std::int32_t* top_c = nullptr;
  T* top_p = nullptr;
  T* noise = nullptr;                 ///< per row 1 - prob_in_some_cluster (top-k only)
};

/// hdbscan's outlier score of one row for one cluster, before the softmax:
/// leaf / (leaf - h) with h from lambda rounded to float32 (new points,
/// safe_always_positive_division), else exp(-(leaf + 1e-8) / h). hj < 0
/// stands for the row's own lambda (lam, or lam32 rounded to float32).
template <class T>
CLUSTR_HD inline T outlier_score(bool new_points, T hj, T lam, T lam32, T leaf) {
  if (new_points) {
    const T h32 = hj < T(0) ? lam32 : hj;
    T den = leaf - h32;
    if (den <= T(0)) den = T(1e-8);  // safe_always_positive_division
    return leaf / den;
  }
  const T h = hj < T(0) ? lam : hj;
  return std::exp(-((leaf + T(1e-8)) / h));
}

/// The membership vector of one row from its raw tables (second pass).
/// all_points (hdbscan's all_points_membership_vectors):
///   dist_j  = 1/d_j normalised, outlier_j = softmax(exp(-(leaf_max[node] + 1e-8) / h_j)),
///   m_j = dist_j * outlier_j normalised, times all_points_prob_in_some_cluster.
/// new points (hdbscan's membership_vector):
///   outlier_j = softmax(leaf_max / (leaf_max - h_j)) with h_j from lambda rounded
///   to float32 (hdbscan's per_cluster_scores takes np.float32 lambda),
///   m_j = sqrt(dist_j) * outlier_j^2 normalised, times prob_in_some_cluster.
template <class T>
CLUSTR_HD inline void finish_row(const finish_args<T>& a, index_t i) {
  const index_t C = a.C;
  T* dv = a.dist + i * C;
  const T* hv = a.height + i * C;
  const std::int32_t u = a.node[i];
  const T lam = a.lam[i];
  const T lam32 = static_cast<T>(static_cast<float>(lam));
  const T leaf = a.leaf_max[u];
  // dist_membership_vector (softmax = False)
  T dsum = T(0);
  for (index_t j = 0; j < C; ++j) {
    const T v = dv[j] != T(0) ? T(1) / dv[j] : a.big / static_cast<T>(C);
    dv[j] = v;
    dsum += v;
  }
  // per-cluster outlier scores, their max, and prob_in_some_cluster's max height
  T smax = T(0), hmax = T(0);
  index_t harg = 0;
  for (index_t j = 0; j < C; ++j) {
    const T h = hv[j] < T(0) ? lam : hv[j];
    const T s = outlier_score(a.new_points, hv[j], lam, lam32, leaf);
    if (j == 0 || s > smax) smax = s;
    if (j == 0 || h > hmax) {
      hmax = h;
      harg = j;
    }
  }
  T osum = T(0);
  for (index_t j = 0; j < C; ++j) {
    const T s = outlier_score(a.new_points, hv[j], lam, lam32, leaf);
    osum += std::exp(s - smax);
  }
  // prob_in_some_cluster / all_points_prob_in_some_cluster
  const T near_max = a.leaf_max[a.sel[harg]];
  T prob;
  if (a.new_points) {
    prob = hmax / ((lam > near_max ? lam : near_max) + T(1e-8));
  } else {
    prob = hmax / (near_max > lam ? near_max : lam);
  }
  // combine and normalise
  T rsum = T(0);
  for (index_t j = 0; j < C; ++j) {
    const T s = outlier_score(a.new_points, hv[j], lam, lam32, leaf);
    const T o = std::exp(s - smax) / osum;
    const T dm = dv[j] / dsum;
    const T r = a.new_points ? std::sqrt(dm) * (o * o) : dm * o;
    dv[j] = r;
    rsum += r;
  }
  for (index_t j = 0; j < C; ++j) dv[j] = dv[j] / rsum * prob;
  if (a.dense) {
    T* out = a.dense + i * C;
    for (index_t j = 0; j < C; ++j) out[j] = dv[j];
    return;
  }
  // top-k: descending, ties to the smaller cluster id (strict comparisons, ascending j)
  std::int32_t* tc = a.top_c + i * a.k;
  T* tp = a.top_p + i * a.k;
  index_t filled = 0;
  for (index_t j = 0; j < C; ++j) {
    const T r = dv[j];
    if (filled == a.k && !(r > tp[a.k - 1])) continue;
    index_t pos = filled < a.k ? filled : a.k - 1;
    while (pos > 0 && r > tp[pos - 1]) {
      tp[pos] = tp[pos - 1];
      tc[pos] = tc[pos - 1];
      --pos;
    }
    tp[pos] = r;
    tc[pos] = static_cast<std::int32_t>(j);
    if (filled < a.k) ++filled;
  }
  for (index_t p = filled; p < a.k; ++p) {
    tp[p] = T(0);
    tc[p] = -1;
  }
  a.noise[i] = T(1) - (C > 0 ? prob : T(0));
}

template <class Backend, class T>
void finish_rows(const Backend& be, index_t rows, const finish_args<T>& a) {
  for_each(be, rows, CLUSTR_LAMBDA(index_t i) { finish_row(a, i); });
}

/// hdbscan's _find_neighbor_and_lambda for each query from its kNN lists
/// (ascending, kk columns): the training point with the smallest mutual
/// reachability max(core[nbr], query core, dist) (first on ties), the lambda
/// 1 / that (T max for 0), and the query's smallest raw distance. The query's
/// core distance is its neighbour number min_samples (0-based column; the last
/// column when fewer exist).
template <class Backend, class T, class S>
void nearest_mutual(const Backend& be, matrix_view<const T, S> nd, matrix_view<const std::int64_t, S> ni,
                    const T* core, index_t min_samples, std::int64_t* nn, T* lam, T* dmin) {
  const index_t kk = nd.cols();
  const index_t cm = min_samples < kk ? min_samples : kk - 1;
  const T big = std::numeric_limits<T>::max();
  for_each(be, nd.rows(), CLUSTR_LAMBDA(index_t i) {
    const T qcore = nd(i, cm);
    T best = T(0);
    std::int64_t arg = -1;
    for (index_t c = 0; c < kk; ++c) {
      const std::int64_t j = ni(i, c);
      if (j < 0) continue;
      T mr = core[j] > qcore ? core[j] : qcore;
      if (nd(i, c) > mr) mr = nd(i, c);
      if (arg < 0 || mr < best) {
        best = mr;
        arg = j;
      }
    }
    nn[i] = arg;
    lam[i] = best > T(0) ? T(1) / best : big;
    dmin[i] = nd(i, 0);
  });
}

/// hdbscan's _find_cluster_and_probability (approximate_predict).
template <class Backend, class T, class S>
void predict_labels(const Backend& be, index_t rows, const prediction_data<T, S>& pd, const std::int64_t* nn,
                    const T* lam, std::int32_t* labels, T* probs, std::int64_t* conn) {
  const std::int32_t* pnode = pd.point_node.data();
  const T* plam = pd.point_lambda.data();
  const std::int32_t* parent = pd.node_parent_dev.data();
  const T* nlam = pd.node_lambda_dev.data();
  const std::int32_t* cmap = pd.cluster_map_dev.data();
  const T* maxl = pd.max_lambda_dev.data();
  const bool no_tree = pd.n_nodes <= 1;
  for_each(be, rows, CLUSTR_LAMBDA(index_t i) {
    const std::int64_t p = nn[i];
    conn[i] = p;
    if (no_tree || p < 0) {  // hdbscan: no cluster tree -> every new point is noise
      labels[i] = -1;
      probs[i] = T(0);
      if (no_tree) conn[i] = -1;
      return;
    }
    const T l = lam[i];
    std::int32_t c = pnode[p];
    if (plam[p] > l) {
      while (parent[c] >= 0 && nlam[c] >= l) c = parent[c];
    }
    const std::int32_t label = cmap[c];
    labels[i] = label;
    if (label >= 0) {
      const T ml = maxl[c];
      probs[i] = ml > T(0) ? (l < ml ? l : ml) / ml : T(1);
    } else {
      probs[i] = T(0);
    }
  });
}

/// hdbscan's approximate_predict_scores (GLOSH of new points).
template <class Backend, class T, class S>
void predict_scores(const Backend& be, index_t rows, const prediction_data<T, S>& pd, const std::int64_t* nn,
                    const T* lam, const T* dmin, T* scores) {
  const std::int32_t* pnode = pd.point_node.data();
  const T* plam = pd.point_lambda.data();
  const T* smax = pd.subtree_max_lambda_dev.data();
  const bool no_tree = pd.n_nodes <= 1;
  for_each(be, rows, CLUSTR_LAMBDA(index_t i) {
    const std::int64_t p = nn[i];
    if (no_tree || p < 0) {
      scores[i] = T(1);
      return;
    }
    const T l = dmin[i] == T(0) ? plam[p] : lam[i];  // a training point: its own lambda
    const T ml = smax[pnode[p]];
    scores[i] = ml > T(0) ? (ml - l) / ml : T(0);
  });
}

/// membership_vector's node and lambda of a new point: its nearest
/// mutual-reachability neighbour's node, and lambda capped at that
/// neighbour's lambda.
template <class Backend, class T, class S>
void new_point_nodes(const Backend& be, index_t rows, const prediction_data<T, S>& pd, const std::int64_t* nn,
                     T* lam, std::int32_t* node) {
  const std::int32_t* pnode = pd.point_node.data();
  const T* plam = pd.point_lambda.data();
  for_each(be, rows, CLUSTR_LAMBDA(index_t i) {
    const std::int64_t p = nn[i] < 0 ? 0 : nn[i];
    node[i] = pnode[p];
    if (plam[p] <= lam[i]) lam[i] = plam[p];
  });
}

}  // namespace clustr::hdbscan::detail::pred
