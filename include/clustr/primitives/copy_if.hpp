#pragma once
// Stream compaction: the indices i with pred(i), in increasing order. Written
// over for_each and exclusive_scan, so it runs on every backend; a backend may
// provide a faster member copy_if(n, pred, out) -> count.

#include "clustr/core/errors.hpp"
#include "clustr/core/view.hpp"
#include "clustr/primitives/for_each.hpp"
#include "clustr/primitives/memory.hpp"
#include "clustr/primitives/scan.hpp"

namespace clustr {

/// Writes every i in [0, n) with pred(i) to out, in increasing order, and
/// returns how many. out.size() must be at least that count (n is always
/// enough); if it is not, throws before writing anything.
template <class Backend, class Pred, class I, class Space>
index_t copy_if(const Backend& be, index_t n, Pred pred, vector_view<I, Space> out) {
  static_assert(can_access_v<Backend, Space>, "clustr::copy_if: the backend cannot reach this memory");
  if (n <= 0) return 0;
  if constexpr (requires { be.copy_if(n, pred, out); }) {
    return be.copy_if(n, pred, out);
  } else {
    auto pos = make_vector<I>(be, n);
    I* p = pos.data();
    for_each(be, n, CLUSTR_LAMBDA(index_t i) { p[i] = pred(i) ? I(1) : I(0); });
    const I total = exclusive_scan(be, pos.view(), pos.view(), I(0));
    if (static_cast<index_t>(total) > out.size())
      detail::throw_invalid("copy_if: out.size()", out.size(),
                            detail::concat("too small for the ", total, " selected elements"));
    I* o = out.data();
    for_each(be, n, CLUSTR_LAMBDA(index_t i) {
      if (pred(i)) o[p[i]] = static_cast<I>(i);
    });
    return static_cast<index_t>(total);
  }
}

}  // namespace clustr
