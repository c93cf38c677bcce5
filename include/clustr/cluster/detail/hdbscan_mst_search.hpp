#pragma once
// The per-round search of Borůvka on the mutual-reachability graph: for
// every point a, its lightest edge (w, b) to a point of another component,
// ties to the smaller b (for a fixed a that is the total order (weight,
// min index, max index)). Two engines: a kd-tree for metrics whose distance to
// a box is a lower bound computed coordinate-wise (Euclidean, Manhattan,
// Chebyshev, Minkowski) and brute force for the others (cosine).
//
// Both prune with w(a, b) >= max(core[a], core[b]) and with the component's
// current best weight (an atomic upper bound shared by its points): a point
// whose core distance is above it cannot give its component's edge.

#include <limits>
#include <type_traits>
#include <utility>

#include "clustr/cluster/detail/hdbscan_mst_boruvka.hpp"
#include "clustr/cluster/detail/hdbscan_mst_kdtree.hpp"
#include "clustr/metric/metric.hpp"
#include "clustr/primitives/for_each.hpp"
#include "clustr/primitives/memory.hpp"

namespace clustr::hdbscan::detail {

/// Metrics for which the distance from x to the nearest point of an
/// axis-aligned box is accumulate() over the per-coordinate clamped gaps.
template <class Metric>
inline constexpr bool box_bound_metric_v =
    std::is_same_v<Metric, metric::euclidean> || std::is_same_v<Metric, metric::sqeuclidean> ||
    std::is_same_v<Metric, metric::manhattan> || std::is_same_v<Metric, metric::chebyshev> ||
    std::is_same_v<Metric, metric::minkowski>;

/// Brute force: every point against every point, O(n^2 d) per round. A
/// point whose last result was exact (not cut by the component bound) and
/// still leads to another component keeps it: the set of points outside its
/// component only shrinks, so its best edge is unchanged.
template <class T, class Space>
class brute_searcher {
 public:
  brute_searcher() = default;
  template <class Backend, class Metric>
  brute_searcher(const Backend& be, const Metric&, matrix_view<const T, Space> X, vector_view<const T, Space> core,
                 T alpha)
      : X_(X), core_(core), alpha_(alpha), exact_(make_vector<unsigned char>(be, X.rows())) {}

  template <class Backend, class Metric>
  void search(const Backend& be, const Metric& metric, round_view<T> rv, vector_view<T, Space> best_w,
              vector_view<index_t, Space> best_b, bool use_cache) const {
    const matrix_view<const T, Space> X = X_;
    const T* core = core_.data();
    const T alpha = alpha_;
    const index_t n = X.rows(), d = X.cols();
    T* bw_out = best_w.data();
    index_t* bb_out = best_b.data();
    unsigned char* exact = exact_.data();
    if (use_cache) {
      for_each(be, n, CLUSTR_LAMBDA(index_t a) {
        const index_t b = bb_out[a];
        if (exact[a] && b >= 0 && rv.comp[b] != rv.comp[a]) rv.offer(rv.comp[a], bw_out[a]);
      });
    }
    for_each_dynamic(be, n, 16, CLUSTR_LAMBDA(index_t a) {
      const index_t ca = rv.comp[a];
      if (use_cache) {
        const index_t b = bb_out[a];
        if (exact[a] && b >= 0 && rv.comp[b] != ca) return;
      }
      const T ka = core[a];
      T bound = rv.bound(ca);
      T bw = std::numeric_limits<T>::infinity();
      index_t bb = -1;
      bool cut = false;
      if (ka > bound) {
        cut = true;
      } else {
        const T* xa = X.row(a);
        for (index_t b = 0; b < n; ++b) {
          if ((b & 1023) == 0) {
            const T nb = rv.bound(ca);
            if (nb < bound) bound = nb;
            if (ka > bound) {
              cut = true;
              break;
            }
          }
          if (rv.comp[b] == ca) continue;
          const T lb = core[b] > ka ? core[b] : ka;
          // b ascending: an equal weight never beats the current best.
          if (lb >= bw) continue;
          if (lb > bound) {
            cut = true;
            continue;
          }
          const T w = mr_weight(metric, xa, X.row(b), a, b, d, ka, core[b], alpha);
          if (w < bw) {
            bw = w;
            bb = b;
            if (w < bound) {
              bound = w;
              rv.offer(ca, w);
            }
          }
        }
      }
      bw_out[a] = bw;
      bb_out[a] = bb;
      exact[a] = cut ? 0 : 1;
    });
  }

 private:
  matrix_view<const T, Space> X_;
  vector_view<const T, Space> core_;
  T alpha_ = T(1);
  vector<unsigned char, Space> exact_;
};

/// Highest dimension at which the kd-tree is used; above it boxes prune
/// too little and brute force is faster.
inline constexpr index_t kdtree_max_dim = 16;

/// The engine for the metric: kd-tree where a box bound exists and the
/// dimension is low enough for it to prune, brute force otherwise.
template <class T, class Space>
class mst_searcher {
 public:
  template <class Backend, class Metric>
  mst_searcher(const Backend& be, const Metric& metric, matrix_view<const T, Space> X, vector_view<const T, Space> core,
               T alpha, index_t /*batch_size*/)
      : alpha_(alpha) {
    if constexpr (box_bound_metric_v<Metric>) {
      if (X.cols() <= kdtree_max_dim) {
        tree_ = mst_kdtree<T, Space>(be, X);
        tree_.set_core(be, core);
        exact_ = make_vector<unsigned char>(be, X.rows());
        use_tree_ = true;
        return;
      }
    }
    brute_ = brute_searcher<T, Space>(be, metric, X, core, alpha);
  }

  /// With a kd-tree already built and its core distances set.
  template <class Backend>
  mst_searcher(const Backend& be, mst_kdtree<T, Space>&& tree, T alpha)
      : alpha_(alpha), use_tree_(true), tree_(std::move(tree)) {
    exact_ = make_vector<unsigned char>(be, tree_.size());
  }

  bool uses_tree() const { return use_tree_; }

  /// Fills best_w / best_b for every point. They must hold the previous
  /// round's results (the kd-tree reuses exact ones); round 0 first.
  template <class Backend, class Metric>
  void search(const Backend& be, const Metric& metric, round_view<T> rv, vector_view<T, Space> best_w,
              vector_view<index_t, Space> best_b, index_t round) const {
    if (use_tree_) {
      tree_.update_components(be, rv.comp);
      tree_.search(be, metric, rv, alpha_, best_w.data(), best_b.data(), exact_.data(), round > 0);
    } else {
      brute_.search(be, metric, rv, best_w, best_b, round > 0);
    }
  }

 private:
  brute_searcher<T, Space> brute_;
  T alpha_;
  bool use_tree_ = false;
  mst_kdtree<T, Space> tree_;
  vector<unsigned char, Space> exact_;
};

}  // namespace clustr::hdbscan::detail
