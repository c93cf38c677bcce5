#pragma once
// Stable sort of keys with values riding along, ascending. Device backends
// provide a member sort_by_key(keys, values) (radix sort on CUDA); the generic
// host form sorts a permutation with std::stable_sort and gathers.

#include <algorithm>
#include <numeric>
#include <vector>

#include "clustr/core/errors.hpp"
#include "clustr/core/view.hpp"
#include "clustr/primitives/for_each.hpp"

namespace clustr {

/// Sorts keys ascending and applies the same permutation to values. Stable:
/// equal keys keep their input order.
template <class Backend, class K, class V, class Space>
void sort_by_key(const Backend& be, vector_view<K, Space> keys, vector_view<V, Space> values) {
  static_assert(can_access_v<Backend, Space>, "clustr::sort_by_key: the backend cannot reach this memory");
  if (values.size() != keys.size())
    detail::throw_invalid("sort_by_key: values.size()", values.size(),
                          detail::concat("must equal keys.size() = ", keys.size()));
  const index_t n = keys.size();
  if (n <= 1) return;
  if constexpr (requires { be.sort_by_key(keys, values); }) {
    be.sort_by_key(keys, values);
  } else {
    detail::require_host_fallback<Backend>();
    std::vector<index_t> perm(static_cast<std::size_t>(n));
    std::iota(perm.begin(), perm.end(), index_t(0));
    const K* k = keys.data();
    std::stable_sort(perm.begin(), perm.end(), [k](index_t a, index_t b) { return k[a] < k[b]; });
    std::vector<K> ks(static_cast<std::size_t>(n));
    std::vector<V> vs(static_cast<std::size_t>(n));
    for (index_t i = 0; i < n; ++i) {
      ks[static_cast<std::size_t>(i)] = keys[perm[static_cast<std::size_t>(i)]];
      vs[static_cast<std::size_t>(i)] = values[perm[static_cast<std::size_t>(i)]];
    }
    std::copy(ks.begin(), ks.end(), keys.data());
    std::copy(vs.begin(), vs.end(), values.data());
  }
}

/// Sorts keys ascending.
template <class Backend, class K, class Space>
void sort(const Backend& be, vector_view<K, Space> keys) {
  static_assert(can_access_v<Backend, Space>, "clustr::sort: the backend cannot reach this memory");
  if (keys.size() <= 1) return;
  if constexpr (requires { be.sort(keys); }) {
    be.sort(keys);
  } else {
    detail::require_host_fallback<Backend>();
    std::sort(keys.data(), keys.data() + keys.size());
  }
}

}  // namespace clustr
