#pragma once
// Connected components of the fuzzy graph for the spectral initialisation,
// and the component-sorted copy of the graph in which each component is a
// contiguous range of rows (so that one solver runs per component on a
// contiguous sub-CSR), plus umap-learn's meta-layout of the components.
// Components are labelled 0..C-1 in the order of their smallest vertex, as
// scipy.sparse.csgraph.connected_components labels them.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

#include "clustr/core/array.hpp"
#include "clustr/core/rng.hpp"
#include "clustr/manifold/detail/spectral_dense.hpp"
#include "clustr/primitives/for_each.hpp"
#include "clustr/primitives/memory.hpp"
#include "clustr/primitives/scan.hpp"
#include "clustr/primitives/sort.hpp"
#include "clustr/primitives/union_find.hpp"

namespace clustr::umap::detail {

template <class Space>
struct graph_components {
  index_t count = 0;
  vector<index_t, Space> labels;  ///< component of each vertex (0..count-1)
};

/// Components of the graph whose edges have weight > 0.
template <class Backend, class T>
graph_components<memory_space_t<Backend>> connected_components(const Backend& be, const index_t* offsets,
                                                               const index_t* indices, const T* weights, index_t n) {
  graph_components<memory_space_t<Backend>> out;
  auto parent = make_vector<index_t>(be, n);
  union_find_init(be, parent.view());
  union_find_view<index_t> uf{parent.data()};
  for_each(be, n, CLUSTR_LAMBDA(index_t i) {
    for (index_t e = offsets[i]; e < offsets[i + 1]; ++e)
      if (weights[e] > T(0)) uf.unite(i, indices[e]);
  });
  union_find_flatten(be, parent.view());
  auto flag = make_vector<index_t>(be, n);
  index_t* f = flag.data();
  const index_t* par = parent.data();
  for_each(be, n, CLUSTR_LAMBDA(index_t i) { f[i] = par[i] == i ? 1 : 0; });
  out.count = exclusive_scan(be, flag.view(), flag.view(), index_t(0));
  out.labels = make_vector<index_t>(be, n);
  index_t* lab = out.labels.data();
  for_each(be, n, CLUSTR_LAMBDA(index_t i) { lab[i] = f[par[i]]; });
  return out;
}

/// The graph with its vertices sorted by component (stable: by index within a
/// component). Row p is vertex perm[p]; column indices are new positions.
template <class T, class Space>
struct sorted_graph {
  vector<index_t, Space> perm;     ///< new position -> vertex
  vector<index_t, Space> offsets;  ///< n + 1
  vector<index_t, Space> indices;
  vector<T, Space> weights;
  std::vector<index_t> start;      ///< host: component c is rows [start[c], start[c + 1])
};

template <class Backend, class T>
sorted_graph<T, memory_space_t<Backend>> sort_by_component(const Backend& be, const index_t* offsets,
                                                           const index_t* indices, const T* weights, index_t n,
                                                           index_t nnz,
                                                           const graph_components<memory_space_t<Backend>>& comp) {
  using S = memory_space_t<Backend>;
  sorted_graph<T, S> g;
  auto keys = clone(be, comp.labels.view());
  g.perm = make_vector<index_t>(be, n);
  iota(be, g.perm.view(), index_t(0));
  sort_by_key(be, keys.view(), g.perm.view());
  const index_t* k = keys.data();
  const index_t* perm = g.perm.data();
  // Component starts from the sorted labels.
  auto starts = make_vector<index_t>(be, comp.count + 1);
  index_t* st = starts.data();
  const index_t C = comp.count;
  for_each(be, n, CLUSTR_LAMBDA(index_t p) {
    if (p == 0 || k[p] != k[p - 1]) st[k[p]] = p;
    if (p == 0) st[C] = n;
  });
  g.start = starts.to_std_vector();
  auto pos = make_vector<index_t>(be, n);
  index_t* ps = pos.data();
  for_each(be, n, CLUSTR_LAMBDA(index_t p) { ps[perm[p]] = p; });
  g.offsets = make_vector<index_t>(be, n + 1);
  index_t* no = g.offsets.data();
  for_each(be, n + 1, CLUSTR_LAMBDA(index_t p) { no[p] = p < n ? offsets[perm[p] + 1] - offsets[perm[p]] : 0; });
  exclusive_scan(be, g.offsets.view(), g.offsets.view(), index_t(0));
  g.indices = make_vector<index_t>(be, nnz);
  g.weights = make_vector<T>(be, nnz);
  index_t* ni = g.indices.data();
  T* nw = g.weights.data();
  for_each(be, n, CLUSTR_LAMBDA(index_t p) {
    const index_t src = perm[p];
    index_t o = no[p];
    for (index_t e = offsets[src]; e < offsets[src + 1]; ++e, ++o) {
      ni[o] = ps[indices[e]];
      nw[o] = weights[e];
    }
  });
  return g;
}

/// umap-learn's meta-layout of C components in dim dimensions (host, C x dim
/// row-major). C <= 2 dim: the components sit at +-e_i. Otherwise, with
/// centroid distances (C x C) a spectral embedding of exp(-d^2) as
/// sklearn's SpectralEmbedding, divided by its maximum; without them
/// uniform in [0, 10) (umap-learn's data=None guess), drawn from Philox.
inline std::vector<double> component_meta_layout(index_t C, index_t dim, const std::vector<double>* distances,
                                                 std::uint64_t seed, std::uint64_t stream) {
  std::vector<double> meta(static_cast<std::size_t>(C * dim), 0.0);
  if (C <= 2 * dim) {
    const index_t k = (C + 1) / 2;
    for (index_t c = 0; c < C; ++c) meta[static_cast<std::size_t>(c * dim + (c % k))] = c < k ? 1.0 : -1.0;
    return meta;
  }
  if (distances == nullptr || static_cast<index_t>(distances->size()) != C * C) {
    const rng::random_stream rs{seed, stream};
    for (index_t t = 0; t < C * dim; ++t) meta[static_cast<std::size_t>(t)] = 10.0 * rs.uniform<double>(static_cast<std::uint64_t>(t));
    return meta;
  }
  // sklearn spectral_embedding(affinity, norm_laplacian=True, drop_first=True):
  // eigenvectors of the normalised Laplacian (diagonal of the affinity
  // ignored), divided by sqrt(degree), sign-flipped so that the largest |x|
  // is positive; then umap-learn divides by the overall maximum.
  std::vector<double> A(static_cast<std::size_t>(C * C), 0.0), deg(static_cast<std::size_t>(C), 0.0);
  for (index_t i = 0; i < C; ++i)
    for (index_t j = 0; j < C; ++j)
      if (i != j) {
        const double d = (*distances)[static_cast<std::size_t>(i * C + j)];
        A[static_cast<std::size_t>(i * C + j)] = std::exp(-d * d);
        deg[static_cast<std::size_t>(i)] += A[static_cast<std::size_t>(i * C + j)];
      }
  std::vector<double> dd(static_cast<std::size_t>(C));
  for (index_t i = 0; i < C; ++i) dd[static_cast<std::size_t>(i)] = deg[static_cast<std::size_t>(i)] > 0 ? std::sqrt(deg[static_cast<std::size_t>(i)]) : 1.0;
  std::vector<double> L(static_cast<std::size_t>(C * C));
  for (index_t i = 0; i < C; ++i)
    for (index_t j = 0; j < C; ++j)
      L[static_cast<std::size_t>(i * C + j)] =
          (i == j ? (deg[static_cast<std::size_t>(i)] > 0 ? 1.0 : 0.0) : 0.0) -
          A[static_cast<std::size_t>(i * C + j)] / (dd[static_cast<std::size_t>(i)] * dd[static_cast<std::size_t>(j)]);
  std::vector<double> values, vectors;
  dense_symmetric_eigen(L, C, values, vectors);
  double mx = -std::numeric_limits<double>::infinity();
  for (index_t j = 0; j < dim; ++j) {
    std::vector<double> v(static_cast<std::size_t>(C));
    index_t arg = 0;
    for (index_t i = 0; i < C; ++i) {
      v[static_cast<std::size_t>(i)] = vectors[static_cast<std::size_t>(i * C + j + 1)] / dd[static_cast<std::size_t>(i)];
      if (std::abs(v[static_cast<std::size_t>(i)]) > std::abs(v[static_cast<std::size_t>(arg)])) arg = i;
    }
    const double sgn = v[static_cast<std::size_t>(arg)] < 0 ? -1.0 : 1.0;
    for (index_t i = 0; i < C; ++i) {
      meta[static_cast<std::size_t>(i * dim + j)] = sgn * v[static_cast<std::size_t>(i)];
      mx = std::max(mx, meta[static_cast<std::size_t>(i * dim + j)]);
    }
  }
  if (mx > 0)
    for (double& x : meta) x /= mx;
  return meta;
}

}  // namespace clustr::umap::detail
