#pragma once
// The Davies-Bouldin index (Davies & Bouldin 1979), as scikit-learn's
// davies_bouldin_score: the mean over clusters of the largest
// (s_i + s_j) / d(c_i, c_j), with s_i the mean Euclidean distance of cluster
// i's points to its centroid c_i. Lower is better; 0 is the minimum. Time
// O(n d + k^2 d), memory O(n + k d), all in double.

#include <type_traits>

#include "clustr/core/as_view.hpp"
#include "clustr/primitives/for_each.hpp"
#include "clustr/primitives/functional.hpp"
#include "clustr/primitives/memory.hpp"
#include "clustr/primitives/reduce.hpp"
#include "clustr/primitives/segmented_reduce.hpp"
#include "clustr/stats/centroids.hpp"
#include "clustr/stats/stats_types.hpp"

namespace clustr::stats {

namespace detail {

template <class Backend, class T, class S>
double davies_bouldin(const Backend& be, matrix_view<const T, S> X, const grouping<S>& g) {
  const index_t k = g.n_clusters, d = X.cols();
  const auto means = cluster_means(be, X, g);
  const matrix_view<const double, S> M = means.view();
  const index_t* ord = g.order.data();
  const index_t* cid = g.cluster.data();
  const index_t* off = g.offsets.data();
  // s_c: mean distance of the cluster's points to its centroid.
  auto spread = make_vector<double>(be, k);
  segmented_reduce(be, vector_view<const index_t, S>(g.offsets.view()), spread.view(), 0.0, plus{},
                   CLUSTR_LAMBDA(index_t p) {
                     const index_t i = ord[p], c = cid[p];
                     double s = 0.0;
                     for (index_t j = 0; j < d; ++j) {
                       const double v = static_cast<double>(X(i, j)) - M(c, j);
                       s += v * v;
                     }
                     return metric::detail::sqrt_hd(s);
                   });
  double* sp = spread.data();
  for_each(be, k, CLUSTR_LAMBDA(index_t c) { sp[c] /= static_cast<double>(off[c + 1] - off[c]); });
  // Per cluster: the worst ratio, and the largest centroid distance (for the
  // all-centroids-coincide test). Coinciding centroids count as ratio 0, as
  // scikit-learn's infinite distance.
  auto worst = make_vector<double>(be, k);
  auto far = make_vector<double>(be, k);
  double* w = worst.data();
  double* f = far.data();
  for_each(be, k, CLUSTR_LAMBDA(index_t c) {
    double best = 0.0, largest = 0.0;
    for (index_t o = 0; o < k; ++o) {
      if (o == c) continue;
      double s = 0.0;
      for (index_t j = 0; j < d; ++j) {
        const double v = M(c, j) - M(o, j);
        s += v * v;
      }
      const double dist = metric::detail::sqrt_hd(s);
      largest = dist > largest ? dist : largest;
      if (dist > 0.0) {
        const double r = (sp[c] + sp[o]) / dist;
        best = r > best ? r : best;
      }
    }
    w[c] = best;
    f[c] = largest;
  });
  // np.allclose(x, 0): every |x| <= 1e-8.
  const double max_spread = reduce(be, vector_view<const double, S>(spread.view()), 0.0, maximum{});
  const double max_far = reduce(be, vector_view<const double, S>(far.view()), 0.0, maximum{});
  if (max_spread <= 1e-8 || max_far <= 1e-8) return 0.0;
  return reduce(be, vector_view<const double, S>(worst.view()), 0.0) / static_cast<double>(k);
}

}  // namespace detail

/// The Davies-Bouldin score of `labels` (int32 or int64, one per row) on X
/// (float or double, view or array), Euclidean as scikit-learn. `noise`
/// decides whether -1 points are left out (default) or form a cluster.
/// Throws clustr::invalid_argument for NaN/infinite X, a label count other
/// than X.rows(), or fewer than 2 or more than n - 1 clusters.
template <class Backend, class Data, class Labels>
double davies_bouldin_score(const Backend& be, const Data& X, const Labels& labels,
                            noise_policy noise = noise_policy::exclude) {
  static_assert(std::is_floating_point_v<value_type_of_t<Data>>, "clustr::stats::davies_bouldin_score: data must be float or double");
  detail::static_check_labels<value_type_of_t<Labels>>();
  const auto Xs = stage(be, as_const_view(X));
  const auto Ls = stage(be, as_const_view(labels));
  const auto g = detail::grouped_checked(be, Xs.view(), Ls.view(), noise, "davies_bouldin_score");
  return detail::davies_bouldin(be, Xs.view(), g);
}

}  // namespace clustr::stats
