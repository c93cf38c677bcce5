#pragma once
// Concurrent union-find over a parent array (the ECL-CC / ArborX style):
// lock-free unions by compare-and-swap that always hang the larger root under
// the smaller, so each set's root is its smallest element whatever the order
// of unions, and the final labels are the same on every backend.

#include "clustr/core/atomic.hpp"
#include "clustr/core/view.hpp"
#include "clustr/primitives/for_each.hpp"
#include "clustr/primitives/memory.hpp"

namespace clustr {

/// A view of a parent array with find and unite, callable in primitives' bodies.
template <class I>
struct union_find_view {
  I* parent;

  /// The root of x's set, halving the path on the way (benign races: every
  /// value written is an ancestor).
  CLUSTR_HD I find(I x) const {
    I p = atomic_load(parent + x);
    while (p != x) {
      const I gp = atomic_load(parent + p);
      if (gp != p) atomic_store(parent + x, gp);
      x = p;
      p = gp;
    }
    return x;
  }

  /// The root of x's set, reading only: for union_find_flatten, where a
  /// halving store by one thread could overwrite the root another thread has
  /// just written with a stale grandparent.
  CLUSTR_HD I root(I x) const {
    I p = atomic_load(parent + x);
    while (p != x) {
      x = p;
      p = atomic_load(parent + x);
    }
    return x;
  }

  /// Merges the sets of a and b. Safe to call concurrently.
  CLUSTR_HD void unite(I a, I b) const {
    for (;;) {
      a = find(a);
      b = find(b);
      if (a == b) return;
      if (a > b) {
        const I t = a;
        a = b;
        b = t;
      }
      // Hang root b under root a if b is still a root.
      const I old = atomic_cas(parent + b, b, a);
      if (old == b) return;
      b = old;
    }
  }
};

/// parent[i] = i.
template <class Backend, class I, class Space>
void union_find_init(const Backend& be, vector_view<I, Space> parent) {
  iota(be, parent, I(0));
}

/// parent[i] = root of i's set (the smallest element of the set). Call after
/// all unions have finished.
template <class Backend, class I, class Space>
void union_find_flatten(const Backend& be, vector_view<I, Space> parent) {
  static_assert(can_access_v<Backend, Space>, "clustr::union_find_flatten: the backend cannot reach this memory");
  union_find_view<I> uf{parent.data()};
  for_each(be, parent.size(), CLUSTR_LAMBDA(index_t i) { atomic_store(uf.parent + i, uf.root(static_cast<I>(i))); });
}

/// Unites the two ends of every edge e in [0, n_edges): edge(e) returns a
/// struct with members first and second (e.g. std::pair is host-only; use
/// clustr::index_pair on device).
template <class I>
struct index_pair {
  I first;
  I second;
};

template <class Backend, class I, class Space, class EdgeFn>
void union_find_unite_edges(const Backend& be, vector_view<I, Space> parent, index_t n_edges, EdgeFn edge) {
  static_assert(can_access_v<Backend, Space>, "clustr::union_find_unite_edges: the backend cannot reach this memory");
  union_find_view<I> uf{parent.data()};
  for_each(be, n_edges, CLUSTR_LAMBDA(index_t e) {
    const auto ab = edge(e);
    if (ab.first >= 0 && ab.second >= 0) uf.unite(static_cast<I>(ab.first), static_cast<I>(ab.second));
  });
}

}  // namespace clustr
