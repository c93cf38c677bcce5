#pragma once
// Input checks shared by every algorithm: finite values, non-empty input,
// matching shapes. They run on the backend (no copy of device data) and throw
// clustr::invalid_argument naming the argument.

#include <cmath>

#include "clustr/core/errors.hpp"
#include "clustr/core/view.hpp"
#include "clustr/primitives/reduce.hpp"

namespace clustr {

namespace detail {
template <class T>
CLUSTR_HD inline bool is_finite_hd(T x) {
  // x - x is 0 for finite x and NaN for inf and NaN.
  return (x - x) == (x - x);
}
}  // namespace detail

/// Throws if X has no rows or columns, or holds NaN or infinity (naming the
/// first such element).
template <class Backend, class T, class Space>
void check_finite(const Backend& be, matrix_view<const T, Space> X, const char* name) {
  static_assert(can_access_v<Backend, Space>, "clustr::check_finite: the backend cannot reach this memory");
  if (X.rows() <= 0) detail::throw_invalid(detail::concat(name, ".rows()"), X.rows(), "input must not be empty");
  if (X.cols() <= 0) detail::throw_invalid(detail::concat(name, ".cols()"), X.cols(), "input must not be empty");
  const index_t cols = X.cols();
  const index_t n = X.rows() * cols;
  const auto first_bad = transform_reduce(be, n, index_t(n), minimum{}, CLUSTR_LAMBDA(index_t k) {
    return detail::is_finite_hd(X(k / cols, k % cols)) ? n : k;
  });
  if (first_bad < n)
    detail::throw_invalid(name, detail::concat("[row ", first_bad / cols, ", column ", first_bad % cols, "]"),
                          "input contains NaN or infinity");
}

template <class Backend, class T, class Space>
void check_finite(const Backend& be, vector_view<const T, Space> v, const char* name) {
  check_finite(be, matrix_view<const T, Space>(v.data(), v.size(), 1), name);
}

}  // namespace clustr
