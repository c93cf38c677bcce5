#pragma once
// Naive references for the HDBSCAN minimum spanning tree tests (host only,
// O(n^2) time, O(n) memory): core distances by sorting every point's
// distances, and Prim's algorithm on the complete mutual-reachability graph
// w(a, b) = max(core[a], core[b], d(a, b) / alpha) with the total order
// (weight, min index, max index), which makes the MST unique. Distances are
// computed as the library does (metric::distance in T, smaller index first),
// so the edge lists can be compared exactly.

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "clustr/cluster/hdbscan_types.hpp"
#include "clustr/metric/metric.hpp"

namespace clustr_test::reference {

/// Distance between rows a and b of the row-major n x d data x, smaller index first.
template <class Metric, class T>
T ordered_distance(const Metric& m, const std::vector<T>& x, std::int64_t d, std::int64_t a, std::int64_t b) {
  if (a > b) std::swap(a, b);
  return clustr::metric::distance(m, x.data() + a * d, x.data() + b * d, d);
}

/// Core distance: the distance to the m-th nearest other point (self excluded by index).
template <class Metric, class T>
std::vector<T> core_distances(const Metric& metric, const std::vector<T>& x, std::int64_t n, std::int64_t d,
                              std::int64_t m) {
  std::vector<T> core(static_cast<std::size_t>(n));
  std::vector<T> row;
  for (std::int64_t a = 0; a < n; ++a) {
    row.clear();
    for (std::int64_t b = 0; b < n; ++b)
      if (b != a) row.push_back(ordered_distance(metric, x, d, a, b));
    std::nth_element(row.begin(), row.begin() + (m - 1), row.end());
    core[static_cast<std::size_t>(a)] = row[static_cast<std::size_t>(m - 1)];
  }
  return core;
}

/// The mutual-reachability weight exactly as the library computes it.
template <class Metric, class T>
T mr_weight(const Metric& metric, const std::vector<T>& x, std::int64_t d, const std::vector<T>& core, T alpha,
            std::int64_t a, std::int64_t b) {
  T w = ordered_distance(metric, x, d, a, b) / alpha;
  w = std::max(w, core[static_cast<std::size_t>(a)]);
  w = std::max(w, core[static_cast<std::size_t>(b)]);
  return w > T(0) ? w : T(0);
}

/// Prim's MST of the complete mutual-reachability graph; edges (min, max)
/// sorted by (weight, from, to).
template <class Metric, class T>
std::vector<clustr::hdbscan::mst_edge<T>> prim_mst(const Metric& metric, const std::vector<T>& x, std::int64_t n,
                                                   std::int64_t d, const std::vector<T>& core, T alpha) {
  std::vector<clustr::hdbscan::mst_edge<T>> edges;
  if (n <= 1) return edges;
  const T inf = std::numeric_limits<T>::infinity();
  std::vector<char> in_tree(static_cast<std::size_t>(n), 0);
  std::vector<T> best(static_cast<std::size_t>(n), inf);
  std::vector<std::int64_t> from(static_cast<std::size_t>(n), -1);
  // (weight, min, max) of the edge that attaches v.
  auto less = [](T w1, std::int64_t a1, std::int64_t b1, T w2, std::int64_t a2, std::int64_t b2) {
    const auto lo1 = std::min(a1, b1), hi1 = std::max(a1, b1), lo2 = std::min(a2, b2), hi2 = std::max(a2, b2);
    if (w1 != w2) return w1 < w2;
    if (lo1 != lo2) return lo1 < lo2;
    return hi1 < hi2;
  };
  std::int64_t cur = 0;
  in_tree[0] = 1;
  for (std::int64_t step = 1; step < n; ++step) {
    for (std::int64_t v = 0; v < n; ++v) {
      if (in_tree[static_cast<std::size_t>(v)]) continue;
      const T w = mr_weight(metric, x, d, core, alpha, cur, v);
      const auto vs = static_cast<std::size_t>(v);
      if (from[vs] < 0 || less(w, cur, v, best[vs], from[vs], v)) {
        best[vs] = w;
        from[vs] = cur;
      }
    }
    std::int64_t next = -1;
    for (std::int64_t v = 0; v < n; ++v) {
      if (in_tree[static_cast<std::size_t>(v)]) continue;
      const auto vs = static_cast<std::size_t>(v);
      if (next < 0 || less(best[vs], from[vs], v, best[static_cast<std::size_t>(next)],
                           from[static_cast<std::size_t>(next)], next))
        next = v;
    }
    const auto ns = static_cast<std::size_t>(next);
    edges.push_back({std::min(from[ns], next), std::max(from[ns], next), best[ns]});
    in_tree[ns] = 1;
    cur = next;
  }
  std::sort(edges.begin(), edges.end(), [](const auto& p, const auto& q) {
    if (p.weight != q.weight) return p.weight < q.weight;
    if (p.from != q.from) return p.from < q.from;
    return p.to < q.to;
  });
  return edges;
}

/// Sum of the weights in double.
template <class T>
double total_weight(const std::vector<clustr::hdbscan::mst_edge<T>>& edges) {
  double s = 0;
  for (const auto& e : edges) s += static_cast<double>(e.weight);
  return s;
}

}  // namespace clustr_test::reference
