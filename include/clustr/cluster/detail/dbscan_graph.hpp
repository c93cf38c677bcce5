#pragma once
// DBSCAN over a precomputed radius graph (CSR from knn::radius, built with a
// radius >= eps): the three passes read each row's stored neighbours and keep
// those within eps. The point itself counts once whether or not the graph
// stores it.

#include <cstdint>

#include "clustr/cluster/detail/dbscan_common.hpp"
#include "clustr/primitives/primitives.hpp"

namespace clustr::dbscan::detail {

/// CSR arrays of a radius graph, by value in primitives' bodies.
template <class T, class I>
struct csr_view {
  const I* offsets;
  const I* indices;
  const T* distances;
};

/// Pass 1: core[i] = at least `need` points within eps of i (i itself included).
template <class Backend, class T, class I>
void graph_core(const Backend& be, csr_view<T, I> g, index_t n, T eps, index_t need, std::uint8_t* core) {
  for_each_dynamic(be, n, 256, CLUSTR_LAMBDA(index_t i) {
    index_t c = 1;
    for (I e = g.offsets[i]; e < g.offsets[i + 1] && c < need; ++e)
      if (static_cast<index_t>(g.indices[e]) != i && g.distances[e] <= eps) ++c;
    core[i] = c >= need ? 1 : 0;
  });
}

/// Pass 2: union-find over the stored core-core pairs within eps.
template <class Backend, class T, class I>
void graph_unite(const Backend& be, csr_view<T, I> g, index_t n, T eps, const std::uint8_t* core, index_t* parent) {
  using S = memory_space_t<Backend>;
  union_find_init(be, vector_view<index_t, S>(parent, n));
  const union_find_view<index_t> uf{parent};
  for_each_dynamic(be, n, 256, CLUSTR_LAMBDA(index_t i) {
    if (!core[i]) return;
    for (I e = g.offsets[i]; e < g.offsets[i + 1]; ++e) {
      const index_t j = static_cast<index_t>(g.indices[e]);
      if (j != i && core[j] && g.distances[e] <= eps) uf.unite(i, j);
    }
  });
  union_find_flatten(be, vector_view<index_t, S>(parent, n));
}

/// Pass 3: label[i] of each non-core i = label of its nearest stored core
/// neighbour within eps (ties to the smaller index), else -1.
template <class Backend, class T, class I>
void graph_border(const Backend& be, csr_view<T, I> g, index_t n, T eps, const std::uint8_t* core,
                  std::int32_t* label) {
  for_each_dynamic(be, n, 256, CLUSTR_LAMBDA(index_t i) {
    if (core[i]) return;
    T best = eps;
    index_t best_j = -1;
    for (I e = g.offsets[i]; e < g.offsets[i + 1]; ++e) {
      const index_t j = static_cast<index_t>(g.indices[e]);
      const T dj = g.distances[e];
      if (!core[j] || dj > best) continue;
      if (best_j < 0 || dj < best || j < best_j) {
        best = dj;
        best_j = j;
      }
    }
    label[i] = best_j < 0 ? -1 : label[best_j];
  });
}

/// Throws unless the graph is n rows of finite distances and indices in [0, n).
template <class Backend, class T, class I>
void check_graph(const Backend& be, csr_view<T, I> g, index_t n, index_t nnz) {
  const I* idx = g.indices;
  const T* dist = g.distances;
  const index_t bad = transform_reduce(be, nnz, nnz, minimum{}, CLUSTR_LAMBDA(index_t e) {
    const index_t j = static_cast<index_t>(idx[e]);
    return (j < 0 || j >= n || !clustr::detail::is_finite_hd(dist[e]) || dist[e] < T(0)) ? e : nnz;
  });
  if (bad < nnz)
    clustr::detail::throw_invalid("graph", clustr::detail::concat("entry ", bad),
                                  clustr::detail::concat("indices must be in [0, ", n, ") and distances finite and >= 0"));
}

}  // namespace clustr::dbscan::detail
