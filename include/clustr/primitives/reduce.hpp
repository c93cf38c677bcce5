#pragma once
// transform_reduce, reduce, argmin/argmax, count_if. The generic form reduces
// fixed-size chunks in parallel (for_each) and combines the chunk results in
// order on the host: the same bits for serial and OpenMP at any thread count.
// Device backends provide a member transform_reduce(n, init, op, f).

#include <limits>
#include <vector>

#include "clustr/core/view.hpp"
#include "clustr/primitives/for_each.hpp"
#include "clustr/primitives/functional.hpp"

namespace clustr {

namespace detail {
/// Elements per chunk of the host reductions and scans. Fixed, so that the
/// association of floating-point sums never depends on the thread count.
inline constexpr index_t host_chunk = 4096;
}  // namespace detail

/// op(init, f(0), f(1), ..., f(n-1)) for an associative op; returned on the host.
template <class Backend, class T, class Op, class F>
T transform_reduce(const Backend& be, index_t n, T init, Op op, F f) {
  if (n <= 0) return init;
  if constexpr (requires { be.transform_reduce(n, init, op, f); }) {
    return be.transform_reduce(n, init, op, f);
  } else {
    detail::require_host_fallback<Backend>();
    const index_t chunks = (n + detail::host_chunk - 1) / detail::host_chunk;
    std::vector<T> partial(static_cast<std::size_t>(chunks), init);
    T* out = partial.data();
    for_each(be, chunks, [=](index_t c) {
      const index_t begin = c * detail::host_chunk;
      const index_t end = begin + detail::host_chunk < n ? begin + detail::host_chunk : n;
      T acc = f(begin);
      for (index_t i = begin + 1; i < end; ++i) acc = op(acc, f(i));
      out[c] = acc;
    });
    T acc = init;
    for (const T& p : partial) acc = op(acc, p);
    return acc;
  }
}

/// op-reduction of the elements of v.
template <class Backend, class T, class Space, class Op = plus>
T reduce(const Backend& be, vector_view<const T, Space> v, T init = T(0), Op op = {}) {
  static_assert(can_access_v<Backend, Space>, "clustr::reduce: the backend cannot reach this memory");
  const T* p = v.data();
  return transform_reduce(be, v.size(), init, op, CLUSTR_LAMBDA(index_t i) { return p[i]; });
}

namespace detail {
template <class T, class F>
struct keyed_index {
  F key;
  CLUSTR_HD value_index<T, index_t> operator()(index_t i) const { return {key(i), i}; }
};
}  // namespace detail

/// The smallest key(i) over [0, n) and its index (the smallest index among
/// ties); index -1 when n == 0.
template <class T, class Backend, class F>
value_index<T, index_t> argmin(const Backend& be, index_t n, F key) {
  return transform_reduce(be, n, value_index<T, index_t>{std::numeric_limits<T>::max(), -1}, argmin_op{},
                          detail::keyed_index<T, F>{key});
}

/// The largest key(i) over [0, n) and its index (the smallest among ties).
template <class T, class Backend, class F>
value_index<T, index_t> argmax(const Backend& be, index_t n, F key) {
  return transform_reduce(be, n, value_index<T, index_t>{std::numeric_limits<T>::lowest(), -1}, argmax_op{},
                          detail::keyed_index<T, F>{key});
}

namespace detail {
template <class F>
struct predicate_count {
  F pred;
  CLUSTR_HD index_t operator()(index_t i) const { return pred(i) ? 1 : 0; }
};
}  // namespace detail

/// How many i in [0, n) satisfy pred(i).
template <class Backend, class Pred>
index_t count_if(const Backend& be, index_t n, Pred pred) {
  return transform_reduce(be, n, index_t(0), plus{}, detail::predicate_count<Pred>{pred});
}

}  // namespace clustr
