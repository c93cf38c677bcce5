#pragma once
// What Davies-Bouldin and Calinski-Harabasz share: staged, checked input
// grouped by cluster, and the cluster means in double, each summed over its
// members in row order (deterministic on every backend).

#include <type_traits>

#include "clustr/core/as_view.hpp"
#include "clustr/primitives/for_each.hpp"
#include "clustr/primitives/memory.hpp"
#include "clustr/primitives/validate.hpp"
#include "clustr/stats/labels.hpp"

namespace clustr::stats::detail {

/// centroids(c, j) = mean of X(i, j) over the rows i of cluster c.
template <class Backend, class T, class S>
matrix<double, S> cluster_means(const Backend& be, matrix_view<const T, S> X, const grouping<S>& g) {
  auto means = make_matrix<double>(be, g.n_clusters, X.cols());
  const index_t* ord = g.order.data();
  const index_t* off = g.offsets.data();
  const matrix_view<double, S> M = means.view();
  for_each_2d(be, g.n_clusters, X.cols(), CLUSTR_LAMBDA(index_t c, index_t j) {
    double s = 0.0;
    for (index_t p = off[c]; p < off[c + 1]; ++p) s += static_cast<double>(X(ord[p], j));
    M(c, j) = s / static_cast<double>(off[c + 1] - off[c]);
  });
  return means;
}

/// Checks X and labels and groups the scored rows (noise left out under
/// exclude); throws unless 2 <= clusters <= points - 1.
template <class Backend, class T, class S, class L>
grouping<S> grouped_checked(const Backend& be, matrix_view<const T, S> X, vector_view<const L, S> labels,
                            noise_policy noise, const char* score) {
  check_finite(be, X, "X");
  check_label_count(labels, X.rows(), "labels", "X.rows()");
  auto g = group_rows(be, labels, kept_rows(be, labels, noise));
  check_number_of_labels(g.n_clusters, g.size(), score);
  return g;
}

}  // namespace clustr::stats::detail
