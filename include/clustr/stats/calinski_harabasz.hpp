#pragma once
// The Calinski-Harabasz index (variance ratio criterion, Calinski &
// Harabasz 1974), as scikit-learn's calinski_harabasz_score:
// [B / (k - 1)] / [W / (n - k)] with B the between-cluster and W the
// within-cluster dispersion (sums of squared Euclidean distances). Higher is
// better; 1 when W = 0. Time O(n d), memory O(n + k d), all in double.

#include <type_traits>

#include "clustr/core/as_view.hpp"
#include "clustr/primitives/for_each.hpp"
#include "clustr/primitives/functional.hpp"
#include "clustr/primitives/memory.hpp"
#include "clustr/primitives/reduce.hpp"
#include "clustr/stats/centroids.hpp"
#include "clustr/stats/stats_types.hpp"

namespace clustr::stats {

namespace detail {

template <class Backend, class T, class S>
double calinski_harabasz(const Backend& be, matrix_view<const T, S> X, const grouping<S>& g) {
  const index_t k = g.n_clusters, d = X.cols(), m = g.size();
  const auto means = cluster_means(be, X, g);
  const matrix_view<const double, S> M = means.view();
  const index_t* ord = g.order.data();
  const index_t* cid = g.cluster.data();
  const index_t* off = g.offsets.data();
  // The mean of the scored rows, summed in grouping order.
  auto centre = make_vector<double>(be, d);
  double* mu = centre.data();
  for_each(be, d, CLUSTR_LAMBDA(index_t j) {
    double s = 0.0;
    for (index_t p = 0; p < m; ++p) s += static_cast<double>(X(ord[p], j));
    mu[j] = s / static_cast<double>(m);
  });
  const double between = transform_reduce(be, k, 0.0, plus{}, CLUSTR_LAMBDA(index_t c) {
    double s = 0.0;
    for (index_t j = 0; j < d; ++j) {
      const double v = M(c, j) - mu[j];
      s += v * v;
    }
    return static_cast<double>(off[c + 1] - off[c]) * s;
  });
  const double within = transform_reduce(be, m, 0.0, plus{}, CLUSTR_LAMBDA(index_t p) {
    const index_t i = ord[p], c = cid[p];
    double s = 0.0;
    for (index_t j = 0; j < d; ++j) {
      const double v = static_cast<double>(X(i, j)) - M(c, j);
      s += v * v;
    }
    return s;
  });
  if (within == 0.0) return 1.0;
  return between * static_cast<double>(m - k) / (within * (static_cast<double>(k) - 1.0));
}

}  // namespace detail

/// The Calinski-Harabasz score of `labels` (int32 or int64, one per row) on
/// X (float or double, view or array). `noise` decides whether -1 points are
/// left out (default) or form a cluster. Throws clustr::invalid_argument for
/// NaN/infinite X, a label count other than X.rows(), or fewer than 2 or
/// more than n - 1 clusters.
template <class Backend, class Data, class Labels>
double calinski_harabasz_score(const Backend& be, const Data& X, const Labels& labels,
                               noise_policy noise = noise_policy::exclude) {
  static_assert(std::is_floating_point_v<value_type_of_t<Data>>, "clustr::stats::calinski_harabasz_score: data must be float or double");
  detail::static_check_labels<value_type_of_t<Labels>>();
  const auto Xs = stage(be, as_const_view(X));
  const auto Ls = stage(be, as_const_view(labels));
  const auto g = detail::grouped_checked(be, Xs.view(), Ls.view(), noise, "calinski_harabasz_score");
  return detail::calinski_harabasz(be, Xs.view(), g);
}

}  // namespace clustr::stats
