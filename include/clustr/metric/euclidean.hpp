#pragma once
// Squared Euclidean and Euclidean distance. Both expand into norms and a dot
// product (|x|^2 + |y|^2 - 2 x.y), so device backends may use a matrix-multiply
// path; both compare by the squared distance (their "reduced" form).

#include "clustr/metric/metric_base.hpp"

namespace clustr::metric {

/// d(x, y) = sum_j (x_j - y_j)^2.
struct sqeuclidean {
  static constexpr const char* name = "sqeuclidean";
  static constexpr bool expanded = true;
  template <class T>
  struct accumulator {
    T sum = T(0);
  };
  template <class T>
  CLUSTR_HD void accumulate(accumulator<T>& a, T x, T y) const {
    const T d = x - y;
    a.sum += d * d;
  }
  /// Adds another accumulator's partial result (lanes of reduced_distance_lanes).
  template <class T>
  CLUSTR_HD void merge(accumulator<T>& a, const accumulator<T>& b) const { a.sum += b.sum; }
  template <class T>
  CLUSTR_HD T finalize(const accumulator<T>& a) const { return a.sum; }
  template <class T>
  CLUSTR_HD T to_distance(T reduced) const { return reduced; }
  template <class T>
  CLUSTR_HD T to_reduced(T distance) const { return distance; }
  /// Per-row term of the expanded form, from sum_j x_j^2.
  template <class T>
  CLUSTR_HD T norm_term(T sum_of_squares) const { return sum_of_squares; }
  /// Reduced distance from the dot product and the two rows' norm terms;
  /// clamped at 0 against cancellation.
  template <class T>
  CLUSTR_HD T from_dot(T dot, T nx, T ny) const {
    const T d = nx + ny - T(2) * dot;
    return d > T(0) ? d : T(0);
  }
};

/// d(x, y) = sqrt(sum_j (x_j - y_j)^2); compares by the squared distance.
struct euclidean : sqeuclidean {
  static constexpr const char* name = "euclidean";
  template <class T>
  CLUSTR_HD T to_distance(T reduced) const { return detail::sqrt_hd(reduced); }
  template <class T>
  CLUSTR_HD T to_reduced(T distance) const { return distance * distance; }
};

}  // namespace clustr::metric
