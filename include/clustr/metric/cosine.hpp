#pragma once
// Cosine distance and the inner-product "distance". Both expand into a dot
// product and per-row norms.

#include "clustr/metric/metric_base.hpp"

namespace clustr::metric {

/// d(x, y) = 1 - x.y / (|x| |y|), in [0, 2]. A zero row has distance 1 to
/// everything (as scikit-learn's cosine_distances, which leaves zero rows
/// unnormalised).
struct cosine {
  static constexpr const char* name = "cosine";
  static constexpr bool expanded = true;
  template <class T>
  struct accumulator {
    T dot = T(0), xx = T(0), yy = T(0);
  };
  template <class T>
  CLUSTR_HD void accumulate(accumulator<T>& a, T x, T y) const {
    a.dot += x * y;
    a.xx += x * x;
    a.yy += y * y;
  }
  /// Adds another accumulator's partial result (lanes of reduced_distance_lanes).
  template <class T>
  CLUSTR_HD void merge(accumulator<T>& a, const accumulator<T>& b) const {
    a.dot += b.dot;
    a.xx += b.xx;
    a.yy += b.yy;
  }
  template <class T>
  CLUSTR_HD T finalize(const accumulator<T>& a) const {
    return from_dot(a.dot, detail::sqrt_hd(a.xx), detail::sqrt_hd(a.yy));
  }
  template <class T>
  CLUSTR_HD T to_distance(T reduced) const { return reduced; }
  template <class T>
  CLUSTR_HD T to_reduced(T distance) const { return distance; }
  /// The norm term is |x|.
  template <class T>
  CLUSTR_HD T norm_term(T sum_of_squares) const { return detail::sqrt_hd(sum_of_squares); }
  template <class T>
  CLUSTR_HD T from_dot(T dot, T nx, T ny) const {
    const T denom = nx * ny;
    if (!(denom > T(0))) return T(1);
    const T d = T(1) - dot / denom;
    return d < T(0) ? T(0) : (d > T(2) ? T(2) : d);
  }
};

/// d(x, y) = -x.y: the nearest neighbour is the one with the largest inner
/// product (FAISS's METRIC_INNER_PRODUCT order). Negate to get similarities.
/// Not a metric in the mathematical sense: use it for search, not for
/// density-based clustering.
struct inner_product {
  static constexpr const char* name = "inner_product";
  static constexpr bool expanded = true;
  template <class T>
  struct accumulator {
    T dot = T(0);
  };
  template <class T>
  CLUSTR_HD void accumulate(accumulator<T>& a, T x, T y) const { a.dot += x * y; }
  /// Adds another accumulator's partial result (lanes of reduced_distance_lanes).
  template <class T>
  CLUSTR_HD void merge(accumulator<T>& a, const accumulator<T>& b) const { a.dot += b.dot; }
  template <class T>
  CLUSTR_HD T finalize(const accumulator<T>& a) const { return -a.dot; }
  template <class T>
  CLUSTR_HD T to_distance(T reduced) const { return reduced; }
  template <class T>
  CLUSTR_HD T to_reduced(T distance) const { return distance; }
  template <class T>
  CLUSTR_HD T norm_term(T) const { return T(0); }
  template <class T>
  CLUSTR_HD T from_dot(T dot, T, T) const { return -dot; }
};

}  // namespace clustr::metric
