#pragma once
// Naive O(n^2) DBSCAN on the host: the oracle of the dbscan tests. Same
// conventions as clustr::dbscan: d <= eps compared in the metric's reduced
// form, clusters numbered by their smallest core point, a border point joins
// the cluster of its nearest core point within eps (ties to the smaller index).

#include <cstdint>
#include <vector>

#include "clustr/metric/metric.hpp"

namespace clustr_test::reference {

struct dbscan_result {
  std::vector<std::int32_t> labels;
  std::vector<std::uint8_t> is_core;
  std::int64_t n_clusters = 0;
};

template <class Metric, class T>
dbscan_result naive_dbscan(const Metric& metric, const std::vector<T>& X, std::int64_t n, std::int64_t d, double eps,
                           std::int64_t min_samples, bool includes_self = true) {
  const T eps_r = metric.to_reduced(static_cast<T>(eps));
  const std::int64_t need = includes_self ? min_samples : min_samples + 1;
  auto dist = [&](std::int64_t i, std::int64_t j) {
    return clustr::metric::reduced_distance(metric, X.data() + i * d, X.data() + j * d, d);
  };
  dbscan_result r;
  r.is_core.assign(static_cast<std::size_t>(n), 0);
  for (std::int64_t i = 0; i < n; ++i) {
    std::int64_t c = 0;
    for (std::int64_t j = 0; j < n; ++j) c += dist(i, j) <= eps_r ? 1 : 0;
    r.is_core[static_cast<std::size_t>(i)] = c >= need ? 1 : 0;
  }
  // Breadth-first expansion from each unlabelled core point in index order:
  // the numbering is by smallest core point.
  r.labels.assign(static_cast<std::size_t>(n), -1);
  std::vector<std::int64_t> stack;
  for (std::int64_t s = 0; s < n; ++s) {
    if (!r.is_core[static_cast<std::size_t>(s)] || r.labels[static_cast<std::size_t>(s)] >= 0) continue;
    const auto id = static_cast<std::int32_t>(r.n_clusters++);
    r.labels[static_cast<std::size_t>(s)] = id;
    stack.assign(1, s);
    while (!stack.empty()) {
      const std::int64_t i = stack.back();
      stack.pop_back();
      for (std::int64_t j = 0; j < n; ++j)
        if (r.is_core[static_cast<std::size_t>(j)] && r.labels[static_cast<std::size_t>(j)] < 0 && dist(i, j) <= eps_r) {
          r.labels[static_cast<std::size_t>(j)] = id;
          stack.push_back(j);
        }
    }
  }
  for (std::int64_t i = 0; i < n; ++i) {
    if (r.is_core[static_cast<std::size_t>(i)]) continue;
    T best = eps_r;
    std::int64_t best_j = -1;
    for (std::int64_t j = 0; j < n; ++j) {
      if (!r.is_core[static_cast<std::size_t>(j)]) continue;
      const T dj = dist(i, j);
      if (dj <= best && (best_j < 0 || dj < best)) {
        best = dj;
        best_j = j;
      }
    }
    r.labels[static_cast<std::size_t>(i)] = best_j < 0 ? -1 : r.labels[static_cast<std::size_t>(best_j)];
  }
  return r;
}

}  // namespace clustr_test::reference
