#pragma once
// Small host-device function objects used by the reductions and scans.

#include <limits>

#include "clustr/core/config.hpp"

namespace clustr {

struct plus {
  template <class T>
  CLUSTR_HD T operator()(const T& a, const T& b) const { return a + b; }
};
struct minimum {
  template <class T>
  CLUSTR_HD T operator()(const T& a, const T& b) const { return b < a ? b : a; }
};
struct maximum {
  template <class T>
  CLUSTR_HD T operator()(const T& a, const T& b) const { return a < b ? b : a; }
};

/// A value and where it was found. index < 0 means "nothing yet".
template <class T, class I = index_t>
struct value_index {
  T value;
  I index;
};

/// Keeps the smaller value; ties go to the smaller index, so the result does
/// not depend on the order of combination.
struct argmin_op {
  template <class T, class I>
  CLUSTR_HD value_index<T, I> operator()(const value_index<T, I>& a, const value_index<T, I>& b) const {
    if (a.index < 0) return b;
    if (b.index < 0) return a;
    if (b.value < a.value || (b.value == a.value && b.index < a.index)) return b;
    return a;
  }
};
/// Keeps the larger value; ties go to the smaller index.
struct argmax_op {
  template <class T, class I>
  CLUSTR_HD value_index<T, I> operator()(const value_index<T, I>& a, const value_index<T, I>& b) const {
    if (a.index < 0) return b;
    if (b.index < 0) return a;
    if (a.value < b.value || (b.value == a.value && b.index < a.index)) return b;
    return a;
  }
};

/// The first position p in [0, n) with key(p) >= value for a key(p) that is
/// non-decreasing in p (n when there is none): a lower bound callable in
/// primitives' bodies, e.g. a segment's start in sorted keys.
template <class V, class KeyAt>
CLUSTR_HD inline index_t lower_bound_by(index_t n, V value, KeyAt key) {
  index_t lo = 0, hi = n;
  while (lo < hi) {
    const index_t mid = lo + (hi - lo) / 2;
    if (key(mid) < value) lo = mid + 1; else hi = mid;
  }
  return lo;
}

}  // namespace clustr
