#pragma once
// The k-distance curve (each point's distance to its k-th neighbour, sorted)
// and its knee, the usual way to choose DBSCAN's eps. The knee is the point
// of the curve farthest from the chord joining its ends, after scaling both
// axes to [0, 1] (the "kneedle" construction of Satopaa et al., 2011): for an
// increasing convex curve, the largest x - y.

#include <algorithm>
#include <cstdint>
#include <vector>

#include "clustr/neighbors/knn_types.hpp"
#include "clustr/neighbors/search.hpp"

namespace clustr::knn {

/// Index of the knee of an ascending curve (see the header comment); 0 for
/// curves of fewer than 3 points or with no rise.
template <class T>
index_t knee_of_sorted_curve(const std::vector<T>& y) {
  const index_t n = static_cast<index_t>(y.size());
  if (n < 3) return n == 0 ? 0 : n - 1;
  const double y0 = static_cast<double>(y.front()), y1 = static_cast<double>(y.back());
  if (!(y1 > y0)) return n - 1;
  index_t best = 0;
  double best_gap = -1.0;
  for (index_t i = 0; i < n; ++i) {
    const double x = static_cast<double>(i) / static_cast<double>(n - 1);
    const double yn = (static_cast<double>(y[static_cast<std::size_t>(i)]) - y0) / (y1 - y0);
    const double gap = x - yn;  // distance to the chord y = x, up to a constant factor
    if (gap > best_gap) {
      best_gap = gap;
      best = i;
    }
  }
  return best;
}

/// The k-distance curve of a kNN graph: column k-1 of every row (k counts
/// neighbours as the graph does: with self when graph.includes_self), sorted
/// ascending, and its knee. For DBSCAN with scikit-learn's min_samples (which
/// counts the point itself), use a graph with include_self = true and
/// k = min_samples, or a graph without self and k = min_samples - 1.
template <class T, class I, class Space>
k_distance_curve<T> k_distance(const knn_graph<T, I, Space>& g, index_t k) {
  if (k < 1 || k > g.k)
    clustr::detail::throw_invalid("k", k, clustr::detail::concat("must be in [1, graph.k = ", g.k, "]"));
  const auto dist = g.distances.to_host();
  k_distance_curve<T> out;
  out.distances.resize(static_cast<std::size_t>(g.n()));
  for (index_t i = 0; i < g.n(); ++i) out.distances[static_cast<std::size_t>(i)] = dist(i, k - 1);
  std::sort(out.distances.begin(), out.distances.end());
  out.knee_index = knee_of_sorted_curve(out.distances);
  out.eps = out.distances.empty() ? T(0) : out.distances[static_cast<std::size_t>(out.knee_index)];
  return out;
}

/// The k-distance curve of X: builds the kNN graph (params.k is replaced by
/// k; params.include_self says whether the point counts as its own first
/// neighbour) and takes its k-th column.
template <class Backend, class Data, class Metric = metric::euclidean>
k_distance_curve<value_type_of_t<Data>> k_distance(const Backend& be, const params<Metric>& p, const Data& X,
                                                   index_t k) {
  params<Metric> q = p;
  q.k = k;
  return k_distance(graph(be, q, X), k);
}

}  // namespace clustr::knn
