#pragma once
// Density-Based Clustering Validation (Moulavi, Jaskowiak, Campello, Zimek &
// Sander, SDM 2014), computed as the hdbscan library's validity_index:
//  1. all-points core distance of each point within its cluster,
//     core(x) = (mean over cluster-mates y with d(x, y) != 0 of
//     (1 / d(x, y))^D)^(-1/D), D the number of features;
//  2. per cluster, a minimum spanning tree of the mutual-reachability
//     distances max(d(x, y), core(x), core(y)) by Prim's algorithm from the
//     cluster's first point, with hdbscan's tie rules and its choice of each
//     edge's source (the first earlier point within numpy.isclose of the
//     edge weight); internal nodes are those of degree > 1 (or the first
//     point when there are none), the density sparseness is the largest
//     edge between internal nodes (all edges when there are none);
//  3. the density separation of a cluster is the smallest mutual-
//     reachability distance between its internal nodes and another
//     cluster's;
//  4. validity = (separation - sparseness) / max(both), and the score is the
//     sum over clusters of (cluster size / n) * validity, n counting noise.
// Exact, in double. Time O(sum over clusters of size^2 * d + m^2 d) for m
// internal nodes, i.e. O(n^2 d) at worst; memory O(n): no distance matrix is
// stored (Prim's algorithm recomputes a row of distances per step). Core
// distances use a scaled sum, so they stay finite where hdbscan's
// (1/d)^D overflows (large D): there the results differ, by design.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#include "clustr/core/as_view.hpp"
#include "clustr/metric/metric.hpp"
#include "clustr/primitives/for_each.hpp"
#include "clustr/primitives/functional.hpp"
#include "clustr/primitives/memory.hpp"
#include "clustr/primitives/reduce.hpp"
#include "clustr/primitives/validate.hpp"
#include "clustr/stats/labels.hpp"
#include "clustr/stats/stats_types.hpp"

namespace clustr::stats {

namespace detail {

/// True distance between rows a and b of X, in double.
template <class Metric, class T, class S>
CLUSTR_HD inline double true_distance(const Metric& metric, matrix_view<const T, S> X, index_t a, index_t b) {
  return static_cast<double>(metric.to_distance(metric::reduced_distance(metric, X.row(a), X.row(b), X.cols())));
}

/// All-points core distance of every grouped point (grouping order).
template <class Backend, class Metric, class T, class S>
vector<double, S> all_points_core_distances(const Backend& be, const Metric& metric, matrix_view<const T, S> X,
                                            const grouping<S>& g) {
  const index_t m = g.size();
  const double dim = static_cast<double>(X.cols());
  auto core = make_vector<double>(be, m);
  double* cd = core.data();
  const index_t* ord = g.order.data();
  const index_t* cid = g.cluster.data();
  const index_t* off = g.offsets.data();
  const double inf = std::numeric_limits<double>::infinity();
  for_each_dynamic(be, m, 16, CLUSTR_LAMBDA(index_t p) {
    const index_t lo = off[cid[p]], hi = off[cid[p] + 1];
    // sum_q (1/d_q)^D = closest^-D * sum_q (closest/d_q)^D, rescaled whenever
    // a closer point appears: no overflow for large D.
    double closest = inf, s = 0.0;
    for (index_t q = lo; q < hi; ++q) {
      if (q == p) continue;
      const double dist = true_distance(metric, X, ord[p], ord[q]);
      if (dist == 0.0) continue;  // duplicates are left out, as hdbscan
      if (dist < closest) {
        s = (closest < inf ? s * std::pow(dist / closest, dim) : 0.0) + 1.0;
        closest = dist;
      } else {
        s += std::pow(closest / dist, dim);
      }
    }
    // s == 0: only duplicates around (inf, or 0 below when the whole cluster is one point repeated).
    cd[p] = s > 0.0 ? closest * std::pow(s / static_cast<double>(hi - lo - 1), -1.0 / dim) : inf;
  });
  // hdbscan: a cluster whose every point has only zero distances gets core 0.
  for_each(be, g.n_clusters, CLUSTR_LAMBDA(index_t c) {
    bool any = false;
    for (index_t p = off[c]; p < off[c + 1]; ++p) any = any || cd[p] < inf;
    if (!any)
      for (index_t p = off[c]; p < off[c + 1]; ++p) cd[p] = 0.0;
  });
  return core;
}

/// A one-thread host "backend" (the generic primitives' host loops): host
/// backends run small clusters' Prim steps on it, where a parallel region
/// per step would cost more than the step.
struct host_sequential {
  using memory_space = host_space;
  static constexpr const char* name = "host_sequential";
};

/// Prim steps of clusters with size * d at most this run sequentially on host backends.
inline constexpr index_t sequential_prim_work = index_t(1) << 15;

/// numpy.isclose(a, b) with its default tolerances.
CLUSTR_HD inline bool isclose(double a, double b) {
  const double diff = a > b ? a - b : b - a;
  return diff <= 1e-8 + 1e-5 * (b < 0 ? -b : b);
}

/// One cluster's MST as hdbscan's internal_minimum_spanning_tree: appends
/// the cluster's internal nodes (positions) to internal_positions and
/// returns its density sparseness. Scratch arrays are indexed by position.
template <class Backend, class Metric, class T, class S>
double cluster_sparseness(const Backend& be, const Metric& metric, matrix_view<const T, S> X, const grouping<S>& g,
                          const double* core, index_t lo, index_t size, unsigned char* in_tree, unsigned char* close,
                          double* best, std::vector<index_t>& internal_positions) {
  const index_t* ord = g.order.data();
  const double big = std::numeric_limits<double>::max();  // hdbscan's DBL_MAX start
  const double inf = std::numeric_limits<double>::infinity();
  for_each(be, size, CLUSTR_LAMBDA(index_t q) {
    in_tree[lo + q] = 0;
    best[lo + q] = big;
  });
  // Edge e (e = 0..size-2) adds target[e] with weight[e] from source[e].
  std::vector<index_t> source(static_cast<std::size_t>(size - 1), 0), target(static_cast<std::size_t>(size - 1));
  std::vector<double> weight(static_cast<std::size_t>(size - 1));
  index_t cur = 0;    // local index of the node added last (edge cur_edge)
  double w = 0.0;     // that edge's weight
  for (index_t step = 0; step < size; ++step) {
    write_value(be, in_tree + lo + cur, static_cast<unsigned char>(1));
    // One row of mutual-reachability distances from cur: relaxes the nodes
    // outside the tree (Prim) and marks the tree nodes within isclose of w,
    // the candidates for the source of cur's edge (hdbscan's fix-up).
    for_each(be, size, CLUSTR_LAMBDA(index_t q) {
      close[lo + q] = 0;
      if (q == cur) return;
      const double d0 = true_distance(metric, X, ord[lo + cur], ord[lo + q]);
      const double cc = core[lo + cur], cq = core[lo + q];
      const double mr = d0 > cc ? (d0 > cq ? d0 : cq) : (cc > cq ? cc : cq);
      if (in_tree[lo + q]) {
        close[lo + q] = isclose(mr, w) ? 1 : 0;
      } else if (mr < best[lo + q]) {
        best[lo + q] = mr;
      }
    });
    // Edge 0 keeps source 0 (the only tree node then), as hdbscan.
    if (step >= 2) {
      const auto src = argmin<index_t>(be, size, CLUSTR_LAMBDA(index_t q) { return close[lo + q] ? q : size; });
      source[static_cast<std::size_t>(step - 1)] = src.value < size ? src.value : 0;
    }
    if (step == size - 1) break;
    // The closest node outside the tree, the first among equals.
    const auto next = argmin<double>(be, size, CLUSTR_LAMBDA(index_t q) { return in_tree[lo + q] ? inf : best[lo + q]; });
    cur = next.index;
    w = next.value;
    target[static_cast<std::size_t>(step)] = cur;
    weight[static_cast<std::size_t>(step)] = w;
  }
  // Internal nodes: degree > 1 (else the first point); sparseness: the
  // largest edge between internal nodes (else the largest edge).
  std::vector<index_t> degree(static_cast<std::size_t>(size), 0);
  for (std::size_t e = 0; e < source.size(); ++e) {
    ++degree[static_cast<std::size_t>(source[e])];
    ++degree[static_cast<std::size_t>(target[e])];
  }
  std::vector<char> internal(static_cast<std::size_t>(size), 0);
  bool any = false;
  for (index_t q = 0; q < size; ++q)
    if (degree[static_cast<std::size_t>(q)] > 1) internal[static_cast<std::size_t>(q)] = any = true;
  if (!any) internal[0] = 1;
  for (index_t q = 0; q < size; ++q)
    if (internal[static_cast<std::size_t>(q)]) internal_positions.push_back(lo + q);
  double sparse = -inf, all = -inf;
  for (std::size_t e = 0; e < source.size(); ++e) {
    all = std::max(all, weight[e]);
    if (internal[static_cast<std::size_t>(source[e])] && internal[static_cast<std::size_t>(target[e])])
      sparse = std::max(sparse, weight[e]);
  }
  return sparse > -inf ? sparse : all;
}

/// sep[u] = smallest mutual-reachability distance from internal node u to
/// an internal node of another cluster.
template <class Backend, class Metric, class T, class S>
vector<double, S> internal_separation(const Backend& be, const Metric& metric, matrix_view<const T, S> X,
                                      const grouping<S>& g, const double* core,
                                      const vector<index_t, S>& internal) {
  const index_t n_int = internal.size();
  auto sep = make_vector<double>(be, n_int);
  double* sp = sep.data();
  const index_t* in = internal.data();
  const index_t* ord = g.order.data();
  const index_t* cid = g.cluster.data();
  const double inf = std::numeric_limits<double>::infinity();
  for_each(be, n_int, CLUSTR_LAMBDA(index_t a) {
    const index_t u = in[a];
    double s = inf;
    for (index_t b = 0; b < n_int; ++b) {
      const index_t v = in[b];
      if (cid[v] == cid[u]) continue;
      const double d0 = true_distance(metric, X, ord[u], ord[v]);
      const double mr = d0 > core[u] ? (d0 > core[v] ? d0 : core[v]) : (core[u] > core[v] ? core[u] : core[v]);
      s = mr < s ? mr : s;
    }
    sp[a] = s;
  });
  return sep;
}

template <class Backend, class Metric, class T, class S, class L>
dbcv_result dbcv_checked(const Backend& be, const dbcv_params<Metric>& p, matrix_view<const T, S> X,
                         vector_view<const L, S> labels) {
  metric::validate(p.metric);
  check_finite(be, X, "X");
  check_label_count(labels, X.rows(), "labels", "X.rows()");
  const auto g = group_rows(be, labels, kept_rows(be, labels, p.noise));
  const index_t k = g.n_clusters;
  if (k < 2)
    clustr::detail::throw_invalid("labels", clustr::detail::concat(k, " clusters"),
                                  "DBCV needs at least 2 clusters (noise excluded when noise_policy::exclude)");
  for (index_t c = 0; c < k; ++c)
    if (g.cluster_size(c) < 2)
      clustr::detail::throw_invalid("labels", clustr::detail::concat("cluster ", g.label_values[static_cast<std::size_t>(c)],
                                                                     " with 1 point"),
                                    "DBCV needs at least 2 points per cluster (as hdbscan's validity_index)");
  const auto core = all_points_core_distances(be, p.metric, X, g);
  auto in_tree = make_vector<unsigned char>(be, g.size());
  auto close = make_vector<unsigned char>(be, g.size());
  auto best = make_vector<double>(be, g.size());
  dbcv_result r;
  r.cluster_labels = g.label_values;
  r.density_sparseness.resize(static_cast<std::size_t>(k));
  r.sizes.resize(static_cast<std::size_t>(k));
  std::vector<index_t> internal_host;
  for (index_t c = 0; c < k; ++c) {
    r.sizes[static_cast<std::size_t>(c)] = g.cluster_size(c);
    const index_t lo = g.offsets_host[static_cast<std::size_t>(c)], size = g.cluster_size(c);
    double sparse = 0.0;
    if constexpr (is_host_backend_v<Backend>) {
      if (size * X.cols() <= sequential_prim_work) {
        sparse = cluster_sparseness(host_sequential{}, p.metric, X, g, core.data(), lo, size, in_tree.data(), close.data(),
                                    best.data(), internal_host);
      } else {
        sparse = cluster_sparseness(be, p.metric, X, g, core.data(), lo, size, in_tree.data(), close.data(), best.data(),
                                    internal_host);
      }
    } else {
      sparse = cluster_sparseness(be, p.metric, X, g, core.data(), lo, size, in_tree.data(), close.data(), best.data(),
                                  internal_host);
    }
    r.density_sparseness[static_cast<std::size_t>(c)] = sparse;
  }
  const auto internal = clone(be, vector_view<const index_t, host_space>(internal_host.data(),
                                                                          static_cast<index_t>(internal_host.size())));
  const auto sep = internal_separation(be, p.metric, X, g, core.data(), internal).to_std_vector();
  const auto cluster_of = [&](index_t position) {
    const auto it = std::upper_bound(g.offsets_host.begin(), g.offsets_host.end(), position);
    return static_cast<std::size_t>(it - g.offsets_host.begin() - 1);
  };
  r.density_separation.assign(static_cast<std::size_t>(k), std::numeric_limits<double>::infinity());
  for (std::size_t a = 0; a < internal_host.size(); ++a) {
    double& s = r.density_separation[cluster_of(internal_host[a])];
    s = std::min(s, sep[a]);
  }
  r.validity.resize(static_cast<std::size_t>(k));
  const double n = static_cast<double>(X.rows());
  for (std::size_t c = 0; c < static_cast<std::size_t>(k); ++c) {
    const double sep_c = r.density_separation[c], sparse_c = r.density_sparseness[c];
    r.validity[c] = (sep_c - sparse_c) / std::max(sep_c, sparse_c);
    r.score += (static_cast<double>(r.sizes[c]) / n) * r.validity[c];
  }
  return r;
}

}  // namespace detail

/// DBCV of `labels` (int32 or int64, one per row; -1 is noise) on X (float
/// or double, view or array) with its parts per cluster: see the header
/// comment. Throws clustr::invalid_argument for NaN/infinite X, a label
/// count other than X.rows(), fewer than 2 clusters or a cluster of 1 point.
template <class Backend, class Data, class Labels, class Metric = metric::euclidean>
dbcv_result dbcv_per_cluster(const Backend& be, const Data& X, const Labels& labels, const dbcv_params<Metric>& p = {}) {
  static_assert(std::is_floating_point_v<value_type_of_t<Data>>, "clustr::stats::dbcv: data must be float or double");
  detail::static_check_labels<value_type_of_t<Labels>>();
  const auto Xs = stage(be, as_const_view(X));
  const auto Ls = stage(be, as_const_view(labels));
  return detail::dbcv_checked(be, p, Xs.view(), Ls.view());
}

/// The DBCV score in [-1, 1] (higher is better), as hdbscan's
/// validity_index(X, labels, metric).
template <class Backend, class Data, class Labels, class Metric = metric::euclidean>
double dbcv(const Backend& be, const Data& X, const Labels& labels, const dbcv_params<Metric>& p = {}) {
  return dbcv_per_cluster(be, X, labels, p).score;
}

}  // namespace clustr::stats
