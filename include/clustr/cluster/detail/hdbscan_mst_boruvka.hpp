#pragma once
// The backend-generic machinery of one Borůvka round over the
// mutual-reachability graph: per-component best-edge keys updated by atomics,
// the deterministic three-pass reduction that breaks weight ties by
// (min index, max index), and the merge of the chosen edges by union-find.
//
// Why three atomic passes instead of one 128-bit key: every backend has 32-
// and 64-bit atomic_min, and min is order-independent, so the component's
// chosen edge is the same bits on every backend at any thread count.

#include <algorithm>
#include <bit>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#include "clustr/cluster/hdbscan_types.hpp"
#include "clustr/core/atomic.hpp"
#include "clustr/metric/metric.hpp"
#include "clustr/primitives/copy_if.hpp"
#include "clustr/primitives/for_each.hpp"
#include "clustr/primitives/memory.hpp"
#include "clustr/primitives/union_find.hpp"

namespace clustr::hdbscan::detail {

/// The signed integer with the bits of a non-negative T: its order is the
/// order of the weights, so atomic_min on it is a min on the weight.
template <class T>
using weight_key_t = std::conditional_t<sizeof(T) == 4, std::int32_t, std::int64_t>;

template <class T>
CLUSTR_HD inline weight_key_t<T> key_of(T w) {
#if CLUSTR_IN_DEVICE_CODE
  if constexpr (sizeof(T) == 4) return __float_as_int(w); else return __double_as_longlong(w);
#else
  return std::bit_cast<weight_key_t<T>>(w);
#endif
}
template <class T>
CLUSTR_HD inline T weight_of(weight_key_t<T> k) {
#if CLUSTR_IN_DEVICE_CODE
  if constexpr (sizeof(T) == 4) return __int_as_float(k); else return __longlong_as_double(k);
#else
  return std::bit_cast<T>(k);
#endif
}

/// Mutual-reachability weight max(core_a, core_b, d(a, b) / alpha). The
/// distance is always taken with the smaller original index first, so every
/// code path (tree, brute force, reference) computes the same bits. Clamped
/// to +0 so that the bit keys order correctly.
template <class Metric, class T>
CLUSTR_HD inline T mr_weight(const Metric& m, const T* xa, const T* xb, index_t a, index_t b, index_t d, T core_a,
                             T core_b, T alpha) {
  const T dist = a < b ? metric::distance(m, xa, xb, d) : metric::distance(m, xb, xa, d);
  T w = dist / alpha;
  if (core_a > w) w = core_a;
  if (core_b > w) w = core_b;
  return w > T(0) ? w : T(0);
}

/// What the searches and reductions of a round read and write, by value in
/// lambdas. comp is the flattened union-find parent array (comp[i] = the
/// smallest index of i's component); the others are indexed by component.
/// Search bounds and the reduction's keys are kept apart: a bound offered by
/// a search is only a pruning hint, the chosen edge is always one of the
/// candidates (so a weight computed with other rounding elsewhere, e.g. by
/// another inlined copy on a GPU, can never leave a component without edge).
template <class T>
struct round_view {
  const index_t* comp;
  weight_key_t<T>* bound_key;  ///< bits of the best weight any search found so far
  weight_key_t<T>* key;        ///< bits of the lightest candidate (reduction pass 1)
  index_t* lo;                 ///< best edge's smaller endpoint among weight ties
  index_t* hi;                 ///< its larger endpoint among (weight, lo) ties

  /// The best weight any point of component c has found so far (an upper
  /// bound on c's lightest outgoing edge): prune strictly above it.
  CLUSTR_HD T bound(index_t c) const { return weight_of<T>(atomic_load(bound_key + c)); }
  CLUSTR_HD void offer(index_t c, T w) const { atomic_min(bound_key + c, key_of(w)); }
};

/// One candidate edge (a, b, w); b < 0 means none.
template <class T>
struct candidate {
  index_t a;
  index_t b;
  T w;
};

/// Scratch of the Borůvka loop, in the backend's memory.
template <class T, class Space>
struct boruvka_state {
  index_t n = 0;
  vector<index_t, Space> comp;
  vector<weight_key_t<T>, Space> bound_key, key;
  vector<index_t, Space> lo, hi;
  vector<index_t, Space> chosen;     ///< roots whose edge is added this round
  vector<index_t, Space> eu, ev;     ///< the added edges
  vector<T, Space> ew;
  std::vector<mst_edge<T>> edges;    ///< host: every edge added so far

  std::vector<index_t> host_parent;  ///< host union-find over the edges added (cycle guard)

  round_view<T> view() const { return {comp.data(), bound_key.data(), key.data(), lo.data(), hi.data()}; }
};

template <class T, class Backend>
boruvka_state<T, memory_space_t<Backend>> make_boruvka_state(const Backend& be, index_t n) {
  boruvka_state<T, memory_space_t<Backend>> s;
  s.n = n;
  s.comp = make_vector<index_t>(be, n);
  s.bound_key = make_vector<weight_key_t<T>>(be, n);
  s.key = make_vector<weight_key_t<T>>(be, n);
  s.host_parent.resize(static_cast<std::size_t>(n));
  for (index_t i = 0; i < n; ++i) s.host_parent[static_cast<std::size_t>(i)] = i;
  s.lo = make_vector<index_t>(be, n);
  s.hi = make_vector<index_t>(be, n);
  s.chosen = make_vector<index_t>(be, n);
  s.eu = make_vector<index_t>(be, n);
  s.ev = make_vector<index_t>(be, n);
  s.ew = make_vector<T>(be, n);
  union_find_init(be, s.comp.view());
  s.edges.reserve(static_cast<std::size_t>(n > 0 ? n - 1 : 0));
  return s;
}

/// Resets the per-component keys before a round's searches.
template <class Backend, class T, class Space>
void begin_round(const Backend& be, boruvka_state<T, Space>& s) {
  const index_t n = s.n;
  auto* key = s.key.data();
  auto* bound_key = s.bound_key.data();
  index_t* lo = s.lo.data();
  index_t* hi = s.hi.data();
  const weight_key_t<T> inf = key_of(std::numeric_limits<T>::infinity());
  for_each(be, n, CLUSTR_LAMBDA(index_t i) {
    key[i] = inf;
    bound_key[i] = inf;
    lo[i] = n;
    hi[i] = n;
  });
}

/// Reduces candidates [0, count) per component: cand(i) -> candidate<T>.
/// With both_ends, each candidate also counts for b's component (edge lists
/// that are not symmetric, like a kNN graph's). Then adds each component's
/// chosen edge once and merges the components. Returns the number of edges
/// added this round.
template <class Backend, class T, class Space, class Cand>
index_t finish_round(const Backend& be, boruvka_state<T, Space>& s, index_t count, bool both_ends, Cand cand) {
  const round_view<T> rv = s.view();
  const index_t n = s.n;
  // Pass 1: the lightest candidate weight per component.
  for_each(be, count, CLUSTR_LAMBDA(index_t i) {
    const candidate<T> c = cand(i);
    if (c.b < 0) return;
    atomic_min(rv.key + rv.comp[c.a], key_of(c.w));
    if (both_ends) atomic_min(rv.key + rv.comp[c.b], key_of(c.w));
  });
  // Pass 2: among edges of that weight, the smallest min(a, b).
  for_each(be, count, CLUSTR_LAMBDA(index_t i) {
    const candidate<T> c = cand(i);
    if (c.b < 0) return;
    const weight_key_t<T> k = key_of(c.w);
    const index_t mn = c.a < c.b ? c.a : c.b;
    const index_t ca = rv.comp[c.a];
    if (rv.key[ca] == k) atomic_min(rv.lo + ca, mn);
    if (both_ends) {
      const index_t cb = rv.comp[c.b];
      if (rv.key[cb] == k) atomic_min(rv.lo + cb, mn);
    }
  });
  // Pass 3: among those, the smallest max(a, b).
  for_each(be, count, CLUSTR_LAMBDA(index_t i) {
    const candidate<T> c = cand(i);
    if (c.b < 0) return;
    const weight_key_t<T> k = key_of(c.w);
    const index_t mn = c.a < c.b ? c.a : c.b;
    const index_t mx = c.a < c.b ? c.b : c.a;
    const index_t ca = rv.comp[c.a];
    if (rv.key[ca] == k && rv.lo[ca] == mn) atomic_min(rv.hi + ca, mx);
    if (both_ends) {
      const index_t cb = rv.comp[c.b];
      if (rv.key[cb] == k && rv.lo[cb] == mn) atomic_min(rv.hi + cb, mx);
    }
  });
  // Each root with an edge adds it, unless the component at its other end
  // chose the same edge and has the smaller root.
  const index_t added = copy_if(
      be, n,
      CLUSTR_LAMBDA(index_t c) {
        if (rv.comp[c] != c || rv.lo[c] >= n || rv.hi[c] >= n) return false;
        const index_t u = rv.lo[c], v = rv.hi[c];
        const index_t other = rv.comp[u] == c ? rv.comp[v] : rv.comp[u];
        return !(rv.lo[other] == u && rv.hi[other] == v && other < c);
      },
      s.chosen.view());
  if (added == 0) return 0;
  const index_t* chosen = s.chosen.data();
  index_t* eu = s.eu.data();
  index_t* ev = s.ev.data();
  T* ew = s.ew.data();
  for_each(be, added, CLUSTR_LAMBDA(index_t e) {
    const index_t c = chosen[e];
    eu[e] = rv.lo[c];
    ev[e] = rv.hi[c];
    ew[e] = weight_of<T>(rv.key[c]);
  });
  std::vector<index_t> hu(static_cast<std::size_t>(added)), hv(hu.size());
  std::vector<T> hw(hu.size());
  copy(be, vector_view<index_t, host_space>(hu.data(), added), vector_view<const index_t, Space>(eu, added));
  copy(be, vector_view<index_t, host_space>(hv.data(), added), vector_view<const index_t, Space>(ev, added));
  copy(be, vector_view<T, host_space>(hw.data(), added), vector_view<const T, Space>(ew, added));
  // Cycle guard: with one consistent weight per edge the chosen edges never
  // close a cycle; should rounding ever make them (a weight computed two
  // ways), the closing edge is dropped instead of corrupting the tree.
  auto host_find = [&](index_t v) {
    index_t* p = s.host_parent.data();
    while (p[v] != v) v = p[v] = p[p[v]];
    return v;
  };
  index_t kept = 0;
  for (std::size_t e = 0; e < hu.size(); ++e) {
    const index_t ra = host_find(hu[e]), rb = host_find(hv[e]);
    if (ra == rb) {
      write_value(be, eu + e, index_t(-1));
      continue;
    }
    s.host_parent[static_cast<std::size_t>(ra > rb ? ra : rb)] = ra > rb ? rb : ra;
    s.edges.push_back({hu[e], hv[e], hw[e]});
    ++kept;
  }
  union_find_unite_edges(be, s.comp.view(), added,
                         CLUSTR_LAMBDA(index_t e) { return index_pair<index_t>{eu[e], ev[e]}; });
  union_find_flatten(be, s.comp.view());
  return kept;
}

/// The edges in the total order (weight, min index, max index), endpoints
/// written as (min, max).
template <class T>
void sort_edges(std::vector<mst_edge<T>>& edges) {
  for (auto& e : edges)
    if (e.from > e.to) std::swap(e.from, e.to);
  std::sort(edges.begin(), edges.end(), [](const mst_edge<T>& x, const mst_edge<T>& y) {
    if (x.weight != y.weight) return x.weight < y.weight;
    if (x.from != y.from) return x.from < y.from;
    return x.to < y.to;
  });
}

}  // namespace clustr::hdbscan::detail
