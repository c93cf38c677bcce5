#pragma once
// What every metric policy struct provides (see docs/metrics.md):
//   name                       static string
//   expanded                   static bool: d expands into norm terms and x.y
//   accumulator<T>             per-pair running state, default-constructed
//   accumulate(acc, x_j, y_j)  one coordinate
//   finalize(acc)  -> T        the "reduced" distance: order-preserving, cheap
//   to_distance(r) / to_reduced(d)   reduced <-> true distance
// and, where expanded: norm_term(sum_j x_j^2) and from_dot(dot, nx, ny) -> reduced.
// Algorithms compare reduced distances and convert with to_distance() at the
// end, so Euclidean search never takes a square root in its inner loop.

#include <cmath>
#include <type_traits>

#include "clustr/core/config.hpp"

namespace clustr::metric::detail {

template <class T>
CLUSTR_HD inline T sqrt_hd(T x) {
  return std::sqrt(x);
}
template <class T>
CLUSTR_HD inline T abs_hd(T x) {
  return x < T(0) ? -x : x;
}
template <class T>
CLUSTR_HD inline T pow_hd(T x, T p) {
  return std::pow(x, p);
}

}  // namespace clustr::metric::detail

namespace clustr::metric {

/// Reduced distance between rows x and y of length d, by the metric's own
/// accumulate/finalize. The reference every fast path is tested against.
template <class Metric, class T>
CLUSTR_HD T reduced_distance(const Metric& m, const T* x, const T* y, index_t d) {
  typename Metric::template accumulator<T> acc{};
  for (index_t j = 0; j < d; ++j) m.accumulate(acc, x[j], y[j]);
  return m.finalize(acc);
}

/// Reduced distance with `Lanes` independent accumulators: coordinate j goes
/// to lane j % Lanes, and the lanes are merged in order at the end. Not the
/// reference order, so only for approximate searches (NN-descent), where it
/// pays: the lanes are independent chains, so the loop runs at the adders'
/// throughput instead of their latency (several times faster at large d).
/// Metrics without a merge() member fall back to reduced_distance.
template <int Lanes, class Metric, class T>
CLUSTR_HD T reduced_distance_lanes(const Metric& m, const T* x, const T* y, index_t d) {
  using acc_t = typename Metric::template accumulator<T>;
  if constexpr (requires(const Metric& mm, acc_t& a, const acc_t& b) { mm.merge(a, b); }) {
    acc_t acc[Lanes]{};
    index_t j = 0;
    for (; j + Lanes <= d; j += Lanes)
      for (int l = 0; l < Lanes; ++l) m.accumulate(acc[l], x[j + l], y[j + l]);
    for (int l = 0; j < d && l < Lanes; ++j, ++l) m.accumulate(acc[l], x[j], y[j]);
    for (int l = 1; l < Lanes; ++l) m.merge(acc[0], acc[l]);
    return m.finalize(acc[0]);
  } else {
    return reduced_distance(m, x, y, d);
  }
}

/// True distance between rows x and y.
template <class Metric, class T>
CLUSTR_HD T distance(const Metric& m, const T* x, const T* y, index_t d) {
  return m.to_distance(reduced_distance(m, x, y, d));
}

template <class Metric>
inline constexpr bool is_expanded_v = Metric::expanded;

}  // namespace clustr::metric
