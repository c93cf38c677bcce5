#pragma once
// A balanced kd-tree for Borůvka on the mutual-reachability graph in low
// dimension, searched on every backend (CUDA threads included).
//
// Layout: an implicit complete binary tree (node i has children 2i+1 and
// 2i+2, all leaves on the last level) over the points permuted into tree
// order, so a leaf is a contiguous range of rows. Per node: the tight
// bounding box, the smallest core distance (w(a, b) >= core[b]) and the
// smallest original index (for the tie rule), and per round the component
// all its points belong to (-1 when mixed), so a search skips subtrees that
// lie inside its own component (the component-aware pruning of ArborX and of
// the hdbscan library's Borůvka).
//
// The tree is built on the host (median splits on the widest coordinate,
// O(n log n), nodes of a level in parallel on host backends) and copied to
// the backend: the data is copied to the host once for that on device
// backends.

#include <algorithm>
#include <limits>
#include <numeric>
#include <utility>
#include <vector>

#include "clustr/cluster/detail/hdbscan_mst_boruvka.hpp"
#include "clustr/metric/metric.hpp"
#include "clustr/primitives/for_each.hpp"
#include "clustr/primitives/memory.hpp"

namespace clustr::hdbscan::detail {

/// Most points in a leaf.
inline constexpr index_t kdtree_leaf_size = 16;
/// Deepest tree the fixed traversal stack allows (2^40 leaves).
inline constexpr int kdtree_max_levels = 40;
/// Largest m that knn_core handles (its per-point heap is a fixed array);
/// larger m goes through knn::graph.
inline constexpr index_t kdtree_max_knn = 128;
/// Tree-order neighbours on each side that seed a round's component bounds.
inline constexpr index_t kdtree_seed_window = 8;

/// The tree arrays the searches read, as one POD that device lambdas capture
/// by value, with the box bound both searches use.
template <class T>
struct kdtree_arrays {
  const T* pts;          ///< points in tree order (n x d)
  const T* lo;           ///< per node: its box's lower corner (d values)
  const T* hi;           ///< per node: its box's upper corner
  const index_t* nb;     ///< per node: its first row in tree order
  const index_t* ne;     ///< per node: one past its last row
  const index_t* perm;   ///< tree order -> original index
  index_t d, first_leaf;

  CLUSTR_HD const T* point(index_t p) const { return pts + p * d; }

  /// Reduced distance from x to the nearest point of node's box.
  template <class Metric>
  CLUSTR_HD T box_reduced(const Metric& metric, const T* x, index_t node) const {
    const T* l = lo + node * d;
    const T* h = hi + node * d;
    typename Metric::template accumulator<T> acc{};
    for (index_t j = 0; j < d; ++j) {
      const T c = x[j] < l[j] ? l[j] : (x[j] > h[j] ? h[j] : x[j]);
      metric.accumulate(acc, x[j], c);
    }
    return metric.finalize(acc);
  }
};

/// Pushes the children c1 = 2 node + 1 and c1 + 1 with their lower bounds,
/// the nearer one (c1 on ties) on top so it is searched first.
template <class T>
CLUSTR_HD inline void kdtree_push_children(index_t* stack_node, T* stack_lb, int& sp, index_t c1, T l1, T l2) {
  const index_t c2 = c1 + 1;
  const bool first_is_1 = l1 <= l2;
  stack_node[sp] = first_is_1 ? c2 : c1;
  stack_lb[sp] = first_is_1 ? l2 : l1;
  ++sp;
  stack_node[sp] = first_is_1 ? c1 : c2;
  stack_lb[sp] = first_is_1 ? l1 : l2;
  ++sp;
}

template <class T, class Space>
class mst_kdtree {
 public:
  mst_kdtree() = default;

  /// Builds the tree over X; call set_core() before search().
  template <class Backend>
  mst_kdtree(const Backend& be, matrix_view<const T, Space> X) {
    n_ = X.rows();
    d_ = X.cols();
    levels_ = 0;
    while (levels_ < kdtree_max_levels && ((n_ + (index_t(1) << levels_) - 1) >> levels_) > kdtree_leaf_size) ++levels_;
    n_nodes_ = (index_t(2) << levels_) - 1;
    first_leaf_ = (index_t(1) << levels_) - 1;
    build(be, X);
  }

  /// Core distances in tree order and each node's smallest one.
  template <class Backend>
  void set_core(const Backend& be, vector_view<const T, Space> core) {
    const index_t n = n_, nn = n_nodes_, first_leaf = first_leaf_;
    std::vector<T> kc(static_cast<std::size_t>(n)), cp(kc.size()), mc(static_cast<std::size_t>(nn));
    copy(be, vector_view<T, host_space>(kc.data(), n), core);
    for (index_t p = 0; p < n; ++p) cp[static_cast<std::size_t>(p)] = kc[static_cast<std::size_t>(h_perm_[static_cast<std::size_t>(p)])];
    for (index_t node = first_leaf; node < nn; ++node) {
      T m = std::numeric_limits<T>::infinity();
      for (index_t p = h_nb_[static_cast<std::size_t>(node)]; p < h_ne_[static_cast<std::size_t>(node)]; ++p)
        m = std::min(m, cp[static_cast<std::size_t>(p)]);
      mc[static_cast<std::size_t>(node)] = m;
    }
    for (index_t node = first_leaf - 1; node >= 0; --node)
      mc[static_cast<std::size_t>(node)] = std::min(mc[static_cast<std::size_t>(2 * node + 1)], mc[static_cast<std::size_t>(2 * node + 2)]);
    core_p_ = clone(be, vector_view<const T, host_space>(cp.data(), n));
    min_core_ = clone(be, vector_view<const T, host_space>(mc.data(), nn));
  }

  /// out[a] = distance from a to its m-th nearest other point (self excluded
  /// by index; only the value matters, so distance ties need no rule).
  /// m <= kdtree_max_knn.
  template <class Backend, class Metric>
  void knn_core(const Backend& be, const Metric& metric, index_t m, T* out) const {
    const kdtree_arrays<T> t = arrays();
    for_each_dynamic(be, n_, 64, CLUSTR_LAMBDA(index_t p) {
      T heap[kdtree_max_knn];  // max-heap of the m smallest reduced distances
      heap[0] = std::numeric_limits<T>::infinity();
      index_t hs = 0;
      const T* xa = t.point(p);
      index_t stack_node[2 * kdtree_max_levels + 2];
      T stack_lb[2 * kdtree_max_levels + 2];
      int sp = 0;
      stack_node[sp] = 0;
      stack_lb[sp] = T(0);
      ++sp;
      while (sp > 0) {
        --sp;
        const index_t node = stack_node[sp];
        if (hs == m && stack_lb[sp] >= heap[0]) continue;
        if (node >= t.first_leaf) {
          for (index_t q = t.nb[node]; q < t.ne[node]; ++q) {
            if (q == p) continue;
            const T r = metric::reduced_distance(metric, xa, t.point(q), t.d);
            if (hs < m) {
              index_t i = hs++;  // sift up
              while (i > 0 && heap[(i - 1) / 2] < r) {
                heap[i] = heap[(i - 1) / 2];
                i = (i - 1) / 2;
              }
              heap[i] = r;
            } else if (r < heap[0]) {
              index_t i = 0;  // sift down
              for (;;) {
                const index_t l = 2 * i + 1;
                if (l >= m) break;
                const index_t c = (l + 1 < m && heap[l + 1] > heap[l]) ? l + 1 : l;
                if (!(heap[c] > r)) break;
                heap[i] = heap[c];
                i = c;
              }
              heap[i] = r;
            }
          }
          continue;
        }
        const index_t c1 = 2 * node + 1;
        kdtree_push_children(stack_node, stack_lb, sp, c1, t.box_reduced(metric, xa, c1),
                             t.box_reduced(metric, xa, c1 + 1));
      }
      out[t.perm[p]] = metric.to_distance(heap[0]);
    });
  }

  index_t levels() const { return levels_; }
  index_t size() const { return n_; }

  /// node_comp = the component of all a node's points, -1 if they differ.
  template <class Backend>
  void update_components(const Backend& be, const index_t* comp) const {
    index_t* nc = node_comp_.data();
    const kdtree_arrays<T> t = arrays();
    for_each(be, t.first_leaf + 1, CLUSTR_LAMBDA(index_t l) {
      const index_t node = t.first_leaf + l;
      const index_t b = t.nb[node], e = t.ne[node];
      index_t c = b < e ? comp[t.perm[b]] : -2;  // -2: empty, matches nothing
      for (index_t p = b + 1; p < e && c >= 0; ++p)
        if (comp[t.perm[p]] != c) c = -1;
      nc[node] = c;
    });
    for (index_t level = levels_ - 1; level >= 0; --level) {
      const index_t first = (index_t(1) << level) - 1;
      for_each(be, index_t(1) << level, CLUSTR_LAMBDA(index_t k) {
        const index_t node = first + k;
        const index_t l = nc[2 * node + 1], r = nc[2 * node + 2];
        nc[node] = l == -2 ? r : (r == -2 ? l : (l == r ? l : index_t(-1)));
      });
    }
  }

  /// Every point's lightest edge to another component (see
  /// hdbscan_mst_search.hpp). exact[a] says whether the result is a's true
  /// best (not cut by the component bound): then it stays a's best in later
  /// rounds while its other end is still in another component.
  template <class Backend, class Metric>
  void search(const Backend& be, const Metric& metric, round_view<T> rv, T alpha, T* bw_out, index_t* bb_out,
              unsigned char* exact, bool use_cache) const {
    const kdtree_arrays<T> t = arrays();
    const T* core = core_p_.data();
    const T* min_core = min_core_.data();
    const index_t* min_index = min_index_.data();
    const index_t* nc = node_comp_.data();
    if (use_cache) {
      // Cached exact results offer first, so the searches start with bounds.
      for_each(be, n_, CLUSTR_LAMBDA(index_t a) {
        const index_t b = bb_out[a];
        if (exact[a] && b >= 0 && rv.comp[b] != rv.comp[a]) rv.offer(rv.comp[a], bw_out[a]);
      });
    }
    // Seed each component's bound with edges to tree-order neighbours in
    // other components (spatially close, O(n) work): interior points then
    // prune at once instead of searching outwards from an infinite bound.
    const index_t n = n_;
    for_each(be, n, CLUSTR_LAMBDA(index_t p) {
      const index_t a = t.perm[p];
      const index_t ca = rv.comp[a];
      const T ka = core[p];
      const index_t q0 = p >= kdtree_seed_window ? p - kdtree_seed_window : 0;
      const index_t q1 = p + kdtree_seed_window < n ? p + kdtree_seed_window : n - 1;
      T best = std::numeric_limits<T>::infinity();
      for (index_t q = q0; q <= q1; ++q) {
        const index_t b = t.perm[q];
        if (rv.comp[b] == ca) continue;
        const T w = mr_weight(metric, t.point(p), t.point(q), a, b, t.d, ka, core[q], alpha);
        best = w < best ? w : best;
      }
      if (best < std::numeric_limits<T>::infinity()) rv.offer(ca, best);
    });
    for_each_dynamic(be, n_, 64, CLUSTR_LAMBDA(index_t p) {
      const index_t a = t.perm[p];
      const index_t ca = rv.comp[a];
      if (use_cache) {
        const index_t b = bb_out[a];
        if (exact[a] && b >= 0 && rv.comp[b] != ca) return;
      }
      const T ka = core[p];
      T bound = rv.bound(ca);
      T bw = std::numeric_limits<T>::infinity();
      index_t bb = -1;
      bool cut = false;
      if (ka > bound) {
        bw_out[a] = bw;
        bb_out[a] = -1;
        exact[a] = 0;
        return;
      }
      const T* xa = t.point(p);
      index_t stack_node[2 * kdtree_max_levels + 2];
      T stack_lb[2 * kdtree_max_levels + 2];
      int sp = 0;
      stack_node[sp] = 0;
      stack_lb[sp] = ka;
      ++sp;
      while (sp > 0) {
        --sp;
        const index_t node = stack_node[sp];
        const T lb = stack_lb[sp];
        if (nc[node] == ca) continue;
        if (lb > bw || (lb == bw && min_index[node] > bb)) continue;
        const T cur = rv.bound(ca);
        if (cur < bound) bound = cur;
        if (lb > bound) {
          cut = true;
          continue;
        }
        if (node >= t.first_leaf) {
          for (index_t q = t.nb[node]; q < t.ne[node]; ++q) {
            const index_t b = t.perm[q];
            if (rv.comp[b] == ca) continue;
            const T kb = core[q];
            const T lbq = kb > ka ? kb : ka;
            if (lbq > bw || (lbq == bw && b > bb)) continue;
            if (lbq > bound) {
              cut = true;
              continue;
            }
            const T w = mr_weight(metric, xa, t.point(q), a, b, t.d, ka, kb, alpha);
            if (w < bw || (w == bw && b < bb)) {
              bw = w;
              bb = b;
              if (w < bound) {
                bound = w;
                rv.offer(ca, w);
              }
            }
          }
          continue;
        }
        const index_t c1 = 2 * node + 1;
        kdtree_push_children(stack_node, stack_lb, sp, c1, child_bound(metric, t, xa, c1, ka, min_core, alpha),
                             child_bound(metric, t, xa, c1 + 1, ka, min_core, alpha));
      }
      bw_out[a] = bw;
      bb_out[a] = bb;
      exact[a] = cut ? 0 : 1;
    });
  }

  /// Lower bound of w(a, b) over the points b of node's box: max(core_a, the
  /// box's smallest core distance, d(x_a, box) / alpha). Rounding is
  /// monotone, so the floating-point bound never exceeds a computed weight.
  template <class Metric>
  CLUSTR_HD static T child_bound(const Metric& metric, const kdtree_arrays<T>& t, const T* x, index_t node, T ka,
                                 const T* min_core, T alpha) {
    T w = metric.to_distance(t.box_reduced(metric, x, node)) / alpha;
    if (ka > w) w = ka;
    if (min_core[node] > w) w = min_core[node];
    return w;
  }

  /// The tree's arrays in backend memory, for capture by device lambdas.
  kdtree_arrays<T> arrays() const {
    return {pts_.data(), lo_.data(), hi_.data(), nb_.data(), ne_.data(), perm_.data(), d_, first_leaf_};
  }

 private:
  template <class Backend>
  void build(const Backend& be, matrix_view<const T, Space> X) {
    const index_t n = n_, d = d_;
    std::vector<T> x(static_cast<std::size_t>(n * d));
    copy(be, matrix_view<T, host_space>(x.data(), n, d), X);
    std::vector<index_t> perm(static_cast<std::size_t>(n)), nb(static_cast<std::size_t>(n_nodes_)),
        ne(static_cast<std::size_t>(n_nodes_));
    std::iota(perm.begin(), perm.end(), index_t(0));
    nb[0] = 0;
    ne[0] = n;
    const T* xp = x.data();
    index_t* pp = perm.data();
    index_t* nbp = nb.data();
    index_t* nep = ne.data();
    // Split dimension: the widest side of the node's loose box (the root's
    // bounding box cut at the ancestors' medians), so no level rescans the
    // points; the median is found on a contiguous (coordinate, index) copy.
    std::vector<T> llo(static_cast<std::size_t>(n_nodes_ * d)), lhi(llo.size());
    for (index_t j = 0; j < d; ++j) {
      T mn = std::numeric_limits<T>::infinity(), mx = -mn;
      for (index_t i = 0; i < n; ++i) {
        mn = std::min(mn, xp[i * d + j]);
        mx = std::max(mx, xp[i * d + j]);
      }
      llo[static_cast<std::size_t>(j)] = mn;
      lhi[static_cast<std::size_t>(j)] = mx;
    }
    std::vector<std::pair<T, index_t>> keys(static_cast<std::size_t>(n));
    T* llop = llo.data();
    T* lhip = lhi.data();
    std::pair<T, index_t>* kp = keys.data();
    for (index_t level = 0; level < levels_; ++level) {
      const index_t first = (index_t(1) << level) - 1;
      host_for_each(be, index_t(1) << level, [=](index_t k) {
        const index_t node = first + k;
        const index_t b = nbp[node], e = nep[node];
        const index_t mid = b + (e - b) / 2;
        index_t dim = 0;
        for (index_t j = 1; j < d; ++j)
          if (lhip[node * d + j] - llop[node * d + j] > lhip[node * d + dim] - llop[node * d + dim]) dim = j;
        T split = llop[node * d + dim];
        if (e - b > 1) {
          for (index_t p = b; p < e; ++p) kp[p] = {xp[pp[p] * d + dim], pp[p]};
          std::nth_element(kp + b, kp + mid, kp + e);
          for (index_t p = b; p < e; ++p) pp[p] = kp[p].second;
          split = kp[mid].first;
        }
        const index_t l = 2 * node + 1, r = l + 1;
        for (index_t j = 0; j < d; ++j) {
          llop[l * d + j] = llop[r * d + j] = llop[node * d + j];
          lhip[l * d + j] = lhip[r * d + j] = lhip[node * d + j];
        }
        lhip[l * d + dim] = split;
        llop[r * d + dim] = split;
        nbp[l] = b;
        nep[l] = mid;
        nbp[r] = mid;
        nep[r] = e;
      });
    }
    // Boxes and smallest index, bottom-up.
    const index_t nn = n_nodes_;
    std::vector<T> lo(static_cast<std::size_t>(nn * d)), hi(lo.size());
    std::vector<index_t> mi(static_cast<std::size_t>(nn));
    T* lop = lo.data();
    T* hip = hi.data();
    index_t* mip = mi.data();
    const T inf = std::numeric_limits<T>::infinity();
    const index_t first_leaf = first_leaf_;
    host_for_each(be, first_leaf + 1, [=](index_t l) {
      const index_t node = first_leaf + l;
      for (index_t j = 0; j < d; ++j) {
        lop[node * d + j] = inf;
        hip[node * d + j] = -inf;
      }
      mip[node] = std::numeric_limits<index_t>::max();
      for (index_t p = nbp[node]; p < nep[node]; ++p) {
        const index_t i = pp[p];
        for (index_t j = 0; j < d; ++j) {
          const T v = xp[i * d + j];
          lop[node * d + j] = std::min(lop[node * d + j], v);
          hip[node * d + j] = std::max(hip[node * d + j], v);
        }
        mip[node] = std::min(mip[node], i);
      }
    });
    for (index_t node = first_leaf - 1; node >= 0; --node) {
      const index_t l = 2 * node + 1, r = l + 1;
      for (index_t j = 0; j < d; ++j) {
        lop[node * d + j] = std::min(lop[l * d + j], lop[r * d + j]);
        hip[node * d + j] = std::max(hip[l * d + j], hip[r * d + j]);
      }
      mip[node] = std::min(mip[l], mip[r]);
    }
    std::vector<T> pts(static_cast<std::size_t>(n * d));
    T* ptp = pts.data();
    host_for_each(be, n, [=](index_t p) {
      const index_t i = pp[p];
      for (index_t j = 0; j < d; ++j) ptp[p * d + j] = xp[i * d + j];
    });
    pts_ = clone(be, matrix_view<const T, host_space>(pts.data(), n, d));
    perm_ = clone(be, vector_view<const index_t, host_space>(perm.data(), n));
    nb_ = clone(be, vector_view<const index_t, host_space>(nb.data(), nn));
    ne_ = clone(be, vector_view<const index_t, host_space>(ne.data(), nn));
    lo_ = clone(be, vector_view<const T, host_space>(lo.data(), nn * d));
    hi_ = clone(be, vector_view<const T, host_space>(hi.data(), nn * d));
    min_index_ = clone(be, vector_view<const index_t, host_space>(mi.data(), nn));
    node_comp_ = make_vector<index_t>(be, nn);
    h_perm_ = std::move(perm);
    h_nb_ = std::move(nb);
    h_ne_ = std::move(ne);
  }

  /// Host loops of the build: in parallel on host backends, sequential
  /// otherwise (a device backend cannot run host lambdas).
  template <class Backend, class F>
  static void host_for_each(const Backend& be, index_t n, F f) {
    if constexpr (is_host_backend_v<Backend>) {
      for_each_dynamic(be, n, 1, f);
    } else {
      (void)be;
      for (index_t i = 0; i < n; ++i) f(i);
    }
  }

  index_t n_ = 0, d_ = 0, levels_ = 0, n_nodes_ = 0, first_leaf_ = 0;
  matrix<T, Space> pts_;
  vector<T, Space> core_p_, lo_, hi_, min_core_;
  vector<index_t, Space> perm_, nb_, ne_, min_index_, node_comp_;
  std::vector<index_t> h_perm_, h_nb_, h_ne_;  // host copies for set_core
};

}  // namespace clustr::hdbscan::detail
