#pragma once
// for_each and for_each_2d: the one primitive every parallel backend must
// provide (as a member `for_each(n, f)`). The generic form is a host loop.

#include <type_traits>

#include "clustr/core/config.hpp"
#include "clustr/core/space.hpp"

namespace clustr {

namespace detail {
/// Generic host fallbacks call this so that a device backend that forgot an
/// override fails to compile instead of dereferencing device memory on the host.
template <class Backend>
constexpr void require_host_fallback() {
  static_assert(is_host_backend_v<Backend>,
                "clustr: this device backend has no override for a primitive whose generic "
                "form runs on the host; add the member to the backend");
}
}  // namespace detail

/// f(i) for every i in [0, n), in any order, possibly concurrently. f must
/// not throw and must not call parallel primitives itself.
template <class Backend, class F>
void for_each(const Backend& be, index_t n, F f) {
  if constexpr (requires { be.for_each(n, f); }) {
    be.for_each(n, f);
  } else {
    detail::require_host_fallback<Backend>();
    for (index_t i = 0; i < n; ++i) f(i);
  }
}

namespace detail {
template <class F>
struct for_each_2d_body {
  index_t cols;
  F f;
  CLUSTR_HD void operator()(index_t k) const { f(k / cols, k % cols); }
};
}  // namespace detail

/// f(i, j) for every i in [0, rows), j in [0, cols).
template <class Backend, class F>
void for_each_2d(const Backend& be, index_t rows, index_t cols, F f) {
  if (rows <= 0 || cols <= 0) return;
  if constexpr (requires { be.for_each_2d(rows, cols, f); }) {
    be.for_each_2d(rows, cols, f);
  } else {
    for_each(be, rows * cols, detail::for_each_2d_body<F>{cols, f});
  }
}

/// f(i) for i in [0, n) where bodies have uneven cost; backends without a
/// dynamic schedule use for_each.
template <class Backend, class F>
void for_each_dynamic(const Backend& be, index_t n, index_t grain, F f) {
  if constexpr (requires { be.for_each_dynamic(n, grain, f); }) {
    be.for_each_dynamic(n, grain, f);
  } else {
    for_each(be, n, f);
  }
}

}  // namespace clustr
