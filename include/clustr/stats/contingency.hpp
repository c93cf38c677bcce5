#pragma once
// The sparse contingency table of two labellings (scikit-learn's
// contingency_matrix(sparse=True)): class sizes a_i, cluster sizes b_j and
// the non-zero cells n_ij, found by sorting (class, cluster) pair keys. It
// never forms the dense classes x clusters matrix: memory O(n). The pair
// counts, entropies and mutual information that ARI, AMI, NMI and the
// V-measure are made of are reductions over it.

#include <cmath>
#include <cstdint>
#include <limits>

#include "clustr/core/array.hpp"
#include "clustr/core/as_view.hpp"
#include "clustr/primitives/copy_if.hpp"
#include "clustr/primitives/for_each.hpp"
#include "clustr/primitives/functional.hpp"
#include "clustr/primitives/memory.hpp"
#include "clustr/primitives/reduce.hpp"
#include "clustr/primitives/sort.hpp"
#include "clustr/stats/labels.hpp"

namespace clustr::stats::detail {

template <class Space>
struct contingency {
  index_t n = 0;                          ///< points counted (noise excluded if asked)
  index_t n_classes = 0;                  ///< distinct labels_true values
  index_t n_clusters = 0;                 ///< distinct labels_pred values
  vector<std::int64_t, Space> class_sizes;    ///< a_i
  vector<std::int64_t, Space> cluster_sizes;  ///< b_j
  vector<std::int64_t, Space> cell_class;     ///< row i of each non-zero cell
  vector<std::int64_t, Space> cell_cluster;   ///< column j of each non-zero cell
  vector<std::int64_t, Space> cell_count;     ///< n_ij of each non-zero cell
  index_t nnz = 0;
};

/// Sizes of the clusters of a grouping.
template <class Backend, class S>
vector<std::int64_t, S> group_sizes(const Backend& be, const grouping<S>& g) {
  auto sizes = make_vector<std::int64_t>(be, g.n_clusters);
  std::int64_t* s = sizes.data();
  const index_t* off = g.offsets.data();
  for_each(be, g.n_clusters, CLUSTR_LAMBDA(index_t c) { s[c] = static_cast<std::int64_t>(off[c + 1] - off[c]); });
  return sizes;
}

/// Compact id of each kept position t: ids[order[p]] = cluster[p].
template <class Backend, class S>
vector<std::int64_t, S> ids_by_position(const Backend& be, const grouping<S>& g) {
  auto ids = make_vector<std::int64_t>(be, g.size());
  std::int64_t* out = ids.data();
  const index_t* ord = g.order.data();
  const index_t* cl = g.cluster.data();
  for_each(be, g.size(), CLUSTR_LAMBDA(index_t p) { out[ord[p]] = static_cast<std::int64_t>(cl[p]); });
  return ids;
}

/// The contingency table of labels_true x labels_pred (already staged and of
/// equal length).
template <class Backend, class LA, class LB, class S>
contingency<S> make_contingency(const Backend& be, vector_view<const LA, S> a, vector_view<const LB, S> b,
                                noise_policy noise) {
  const LA* pa = a.data();
  const LB* pb = b.data();
  const bool drop = noise == noise_policy::exclude;
  auto rows = select_indices(be, a.size(), CLUSTR_LAMBDA(index_t i) {
    return !(drop && (static_cast<std::int64_t>(pa[i]) == noise_label || static_cast<std::int64_t>(pb[i]) == noise_label));
  });
  const index_t m = rows.size();
  contingency<S> ct;
  ct.n = m;
  // Group each labelling over the kept positions t = 0..m-1.
  auto positions = [&]() {
    auto v = make_vector<index_t>(be, m);
    iota(be, v.view(), index_t(0));
    return v;
  };
  const auto rv = vector_view<const index_t, S>(rows.view());
  const auto ga = group_sorted(be, gather_labels(be, a, rv), positions());
  const auto gb = group_sorted(be, gather_labels(be, b, rv), positions());
  ct.n_classes = ga.n_clusters;
  ct.n_clusters = gb.n_clusters;
  ct.class_sizes = group_sizes(be, ga);
  ct.cluster_sizes = group_sizes(be, gb);
  const auto ida = ids_by_position(be, ga);
  const auto idb = ids_by_position(be, gb);
  // One key per point for its cell; sorted, equal keys are one cell.
  auto keys = make_vector<std::int64_t>(be, m);
  std::int64_t* k = keys.data();
  const std::int64_t* ia = ida.data();
  const std::int64_t* ib = idb.data();
  const std::int64_t nk = static_cast<std::int64_t>(ct.n_clusters);
  for_each(be, m, CLUSTR_LAMBDA(index_t t) { k[t] = ia[t] * nk + ib[t]; });
  sort(be, keys.view());
  auto starts = select_indices(be, m, CLUSTR_LAMBDA(index_t p) { return p == 0 || k[p] != k[p - 1]; });
  ct.nnz = starts.size();
  ct.cell_class = make_vector<std::int64_t>(be, ct.nnz);
  ct.cell_cluster = make_vector<std::int64_t>(be, ct.nnz);
  ct.cell_count = make_vector<std::int64_t>(be, ct.nnz);
  std::int64_t* cc = ct.cell_class.data();
  std::int64_t* ck = ct.cell_cluster.data();
  std::int64_t* cn = ct.cell_count.data();
  const index_t* st = starts.data();
  const index_t nnz = ct.nnz;
  for_each(be, nnz, CLUSTR_LAMBDA(index_t r) {
    const std::int64_t key = k[st[r]];
    cc[r] = key / nk;
    ck[r] = key % nk;
    cn[r] = static_cast<std::int64_t>((r + 1 < nnz ? st[r + 1] : m) - st[r]);
  });
  return ct;
}

/// sum_i v_i^2 of an int64 array.
template <class Backend, class S>
std::int64_t sum_of_squares(const Backend& be, const vector<std::int64_t, S>& v) {
  const std::int64_t* p = v.data();
  return transform_reduce(be, v.size(), std::int64_t(0), plus{}, CLUSTR_LAMBDA(index_t i) { return p[i] * p[i]; });
}

/// Entropy of a labelling from its cluster sizes, as scikit-learn's entropy():
/// 1 for no points, 0 for one cluster, else -sum (p/n)(log p - log n).
template <class Backend, class S>
double entropy(const Backend& be, const vector<std::int64_t, S>& sizes, index_t n) {
  if (n == 0) return 1.0;
  if (sizes.size() == 1) return 0.0;
  const std::int64_t* p = sizes.data();
  const double total = static_cast<double>(n);
  const double log_total = std::log(total);
  return -transform_reduce(be, sizes.size(), 0.0, plus{}, CLUSTR_LAMBDA(index_t i) {
    const double pi = static_cast<double>(p[i]);
    return (pi / total) * (std::log(pi) - log_total);
  });
}

/// Mutual information of the table, term by term as scikit-learn's
/// mutual_info_score (terms below machine epsilon dropped, result clipped at 0).
template <class Backend, class S>
double mutual_information(const Backend& be, const contingency<S>& ct) {
  if (ct.n_classes <= 1 || ct.n_clusters <= 1) return 0.0;
  const std::int64_t* cc = ct.cell_class.data();
  const std::int64_t* ck = ct.cell_cluster.data();
  const std::int64_t* cn = ct.cell_count.data();
  const std::int64_t* pa = ct.class_sizes.data();
  const std::int64_t* pb = ct.cluster_sizes.data();
  const double total = static_cast<double>(ct.n);
  const double log_total = std::log(total);
  const double eps = std::numeric_limits<double>::epsilon();
  const double mi = transform_reduce(be, ct.nnz, 0.0, plus{}, CLUSTR_LAMBDA(index_t r) {
    const double nij = static_cast<double>(cn[r]);
    const double nm = nij / total;
    const double outer = static_cast<double>(pa[cc[r]] * pb[ck[r]]);
    const double log_outer = -std::log(outer) + log_total + log_total;
    const double term = nm * (std::log(nij) - log_total) + nm * log_outer;
    return (term < 0 ? -term : term) < eps ? 0.0 : term;
  });
  return mi > 0.0 ? mi : 0.0;
}

}  // namespace clustr::stats::detail
