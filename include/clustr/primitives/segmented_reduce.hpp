#pragma once
// Segmented reduction: out[s] = op over value(i) for i in [offsets[s],
// offsets[s+1]). Each segment is reduced in order by one worker, so results
// are deterministic on every backend. A backend may provide a faster member
// segmented_reduce(offsets, out, init, op, value).

#include "clustr/core/errors.hpp"
#include "clustr/core/view.hpp"
#include "clustr/primitives/for_each.hpp"

namespace clustr {

/// offsets has n_segments + 1 non-decreasing entries; out has n_segments.
/// Empty segments get init.
template <class Backend, class I, class T, class Space, class Op, class F>
void segmented_reduce(const Backend& be, vector_view<const I, Space> offsets, vector_view<T, Space> out, T init,
                      Op op, F value) {
  static_assert(can_access_v<Backend, Space>, "clustr::segmented_reduce: the backend cannot reach this memory");
  if (offsets.size() != out.size() + 1)
    detail::throw_invalid("segmented_reduce: offsets.size()", offsets.size(),
                          detail::concat("must be out.size() + 1 = ", out.size() + 1));
  if constexpr (requires { be.segmented_reduce(offsets, out, init, op, value); }) {
    be.segmented_reduce(offsets, out, init, op, value);
  } else {
    const I* off = offsets.data();
    T* o = out.data();
    for_each_dynamic(be, out.size(), 64, CLUSTR_LAMBDA(index_t s) {
      T acc = init;
      for (I i = off[s]; i < off[s + 1]; ++i) acc = op(acc, value(static_cast<index_t>(i)));
      o[s] = acc;
    });
  }
}

}  // namespace clustr
