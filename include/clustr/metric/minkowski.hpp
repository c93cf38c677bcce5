#pragma once
// Manhattan (L1), Chebyshev (L-infinity) and Minkowski (Lp) distances. None of
// them expands into a dot product: every backend computes them coordinate by
// coordinate in tiles.

#include "clustr/core/errors.hpp"
#include "clustr/metric/metric_base.hpp"

namespace clustr::metric {

/// d(x, y) = sum_j |x_j - y_j|.
struct manhattan {
  static constexpr const char* name = "manhattan";
  static constexpr bool expanded = false;
  template <class T>
  struct accumulator {
    T sum = T(0);
  };
  template <class T>
  CLUSTR_HD void accumulate(accumulator<T>& a, T x, T y) const { a.sum += detail::abs_hd(x - y); }
  /// Adds another accumulator's partial result (lanes of reduced_distance_lanes).
  template <class T>
  CLUSTR_HD void merge(accumulator<T>& a, const accumulator<T>& b) const { a.sum += b.sum; }
  template <class T>
  CLUSTR_HD T finalize(const accumulator<T>& a) const { return a.sum; }
  template <class T>
  CLUSTR_HD T to_distance(T reduced) const { return reduced; }
  template <class T>
  CLUSTR_HD T to_reduced(T distance) const { return distance; }
};

/// d(x, y) = max_j |x_j - y_j|.
struct chebyshev {
  static constexpr const char* name = "chebyshev";
  static constexpr bool expanded = false;
  template <class T>
  struct accumulator {
    T max = T(0);
  };
  template <class T>
  CLUSTR_HD void accumulate(accumulator<T>& a, T x, T y) const {
    const T d = detail::abs_hd(x - y);
    a.max = d > a.max ? d : a.max;
  }
  /// Adds another accumulator's partial result (lanes of reduced_distance_lanes).
  template <class T>
  CLUSTR_HD void merge(accumulator<T>& a, const accumulator<T>& b) const { a.max = b.max > a.max ? b.max : a.max; }
  template <class T>
  CLUSTR_HD T finalize(const accumulator<T>& a) const { return a.max; }
  template <class T>
  CLUSTR_HD T to_distance(T reduced) const { return reduced; }
  template <class T>
  CLUSTR_HD T to_reduced(T distance) const { return distance; }
};

/// d(x, y) = (sum_j |x_j - y_j|^p)^(1/p), p >= 1; compares by the sum (its
/// reduced form). p = 1 is Manhattan, p = 2 Euclidean.
struct minkowski {
  static constexpr const char* name = "minkowski";
  static constexpr bool expanded = false;
  double p = 2.0;

  template <class T>
  struct accumulator {
    T sum = T(0);
  };
  template <class T>
  CLUSTR_HD void accumulate(accumulator<T>& a, T x, T y) const {
    a.sum += detail::pow_hd(detail::abs_hd(x - y), static_cast<T>(p));
  }
  /// Adds another accumulator's partial result (lanes of reduced_distance_lanes).
  template <class T>
  CLUSTR_HD void merge(accumulator<T>& a, const accumulator<T>& b) const { a.sum += b.sum; }
  template <class T>
  CLUSTR_HD T finalize(const accumulator<T>& a) const { return a.sum; }
  template <class T>
  CLUSTR_HD T to_distance(T reduced) const { return detail::pow_hd(reduced, static_cast<T>(1.0 / p)); }
  template <class T>
  CLUSTR_HD T to_reduced(T distance) const { return detail::pow_hd(distance, static_cast<T>(p)); }
  /// Throws clustr::invalid_argument unless p >= 1 (below 1 it is no metric).
  void validate() const {
    if (!(p >= 1.0)) clustr::detail::throw_invalid("metric.p", p, "Minkowski p must be >= 1");
  }
};

}  // namespace clustr::metric
