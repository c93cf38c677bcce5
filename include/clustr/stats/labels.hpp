#pragma once
// Label handling shared by every score: checks, the rows a score keeps under
// a noise policy, and grouping of rows by label (a stable sort by label, then
// compact cluster ids 0..C-1 in ascending label order and per-cluster
// offsets). Labels may be any int32 / int64 values; everything runs through
// primitives, so it works on every backend and gives the same grouping on
// all of them.

#include <cstdint>
#include <type_traits>
#include <vector>

#include "clustr/core/array.hpp"
#include "clustr/core/errors.hpp"
#include "clustr/primitives/copy_if.hpp"
#include "clustr/primitives/for_each.hpp"
#include "clustr/primitives/memory.hpp"
#include "clustr/primitives/scan.hpp"
#include "clustr/primitives/sort.hpp"
#include "clustr/stats/stats_types.hpp"

namespace clustr::stats::detail {

/// The noise label of DBSCAN and HDBSCAN.
inline constexpr std::int64_t noise_label = -1;

template <class L>
inline constexpr bool is_label_type_v =
    std::is_integral_v<L> && std::is_signed_v<L> && (sizeof(L) == 4 || sizeof(L) == 8);

template <class L>
void static_check_labels() {
  static_assert(is_label_type_v<L>, "clustr::stats: labels must be int32 or int64");
}

/// Rows grouped by label: order[p] is the p-th row in (label, input order)
/// order, cluster[p] its compact cluster id, and cluster c holds positions
/// [offsets[c], offsets[c+1]).
template <class Space>
struct grouping {
  vector<index_t, Space> order;
  vector<index_t, Space> cluster;
  vector<index_t, Space> offsets;
  std::vector<index_t> offsets_host;        ///< the same offsets, on the host
  std::vector<std::int64_t> label_values;   ///< the label of each cluster
  index_t n_clusters = 0;

  index_t size() const { return order.size(); }
  index_t cluster_size(index_t c) const {
    return offsets_host[static_cast<std::size_t>(c + 1)] - offsets_host[static_cast<std::size_t>(c)];
  }
};

/// The indices i in [0, n) with pred(i), ascending, in an array of exactly
/// that many elements.
template <class Backend, class Pred>
vector<index_t, memory_space_t<Backend>> select_indices(const Backend& be, index_t n, Pred pred) {
  auto all = make_vector<index_t>(be, n);
  const index_t m = copy_if(be, n, pred, all.view());
  if (m == n) return all;
  auto out = make_vector<index_t>(be, m);
  copy(be, out.view(), vector_view<const index_t, memory_space_t<Backend>>(all.data(), m));
  return out;
}

/// Rows of one labelling kept under the noise policy (all rows for as_cluster).
template <class Backend, class L, class S>
vector<index_t, memory_space_t<Backend>> kept_rows(const Backend& be, vector_view<const L, S> labels,
                                                   noise_policy noise) {
  const L* lab = labels.data();
  const bool drop = noise == noise_policy::exclude;
  return select_indices(be, labels.size(), CLUSTR_LAMBDA(index_t i) {
    return !(drop && static_cast<std::int64_t>(lab[i]) == noise_label);
  });
}

/// keys[t] = labels[rows[t]] as int64.
template <class Backend, class L, class S>
vector<std::int64_t, memory_space_t<Backend>> gather_labels(const Backend& be, vector_view<const L, S> labels,
                                                            vector_view<const index_t, S> rows) {
  auto keys = make_vector<std::int64_t>(be, rows.size());
  std::int64_t* k = keys.data();
  const L* lab = labels.data();
  const index_t* r = rows.data();
  for_each(be, rows.size(), CLUSTR_LAMBDA(index_t t) { k[t] = static_cast<std::int64_t>(lab[r[t]]); });
  return keys;
}

/// Sorts values by keys (stable) and derives compact cluster ids and offsets.
template <class Backend, class S>
grouping<S> group_sorted(const Backend& be, vector<std::int64_t, S> keys, vector<index_t, S> values) {
  const index_t m = keys.size();
  grouping<S> g;
  sort_by_key(be, keys.view(), values.view());
  g.order = std::move(values);
  g.cluster = make_vector<index_t>(be, m);
  const std::int64_t* k = keys.data();
  index_t* cl = g.cluster.data();
  for_each(be, m, CLUSTR_LAMBDA(index_t p) { cl[p] = (p == 0 || k[p] != k[p - 1]) ? 1 : 0; });
  inclusive_scan(be, g.cluster.view(), g.cluster.view());
  g.n_clusters = m > 0 ? read_value(be, cl + (m - 1)) : 0;
  for_each(be, m, CLUSTR_LAMBDA(index_t p) { cl[p] -= 1; });
  g.offsets = make_vector<index_t>(be, g.n_clusters + 1);
  if (g.n_clusters > 0)
    copy_if(be, m, CLUSTR_LAMBDA(index_t p) { return p == 0 || k[p] != k[p - 1]; },
            vector_view<index_t, S>(g.offsets.data(), g.n_clusters));
  write_value(be, g.offsets.data() + g.n_clusters, m);
  g.offsets_host = g.offsets.to_std_vector();
  auto first_labels = make_vector<std::int64_t>(be, g.n_clusters);
  std::int64_t* fl = first_labels.data();
  const index_t* off = g.offsets.data();
  for_each(be, g.n_clusters, CLUSTR_LAMBDA(index_t c) { fl[c] = k[off[c]]; });
  g.label_values = first_labels.to_std_vector();
  return g;
}

/// The given rows grouped by their label; order holds row indices.
template <class Backend, class L, class S>
grouping<S> group_rows(const Backend& be, vector_view<const L, S> labels, vector<index_t, S> rows) {
  auto keys = gather_labels(be, labels, vector_view<const index_t, S>(rows.view()));
  return group_sorted(be, std::move(keys), std::move(rows));
}

/// Throws unless 2 <= n_clusters <= n - 1 (scikit-learn's check_number_of_labels).
inline void check_number_of_labels(index_t n_clusters, index_t n, const char* what) {
  if (n_clusters < 2 || n_clusters > n - 1)
    clustr::detail::throw_invalid(
        "labels", clustr::detail::concat(n_clusters, " clusters among ", n, " points"),
        clustr::detail::concat(what, " needs 2 <= number of clusters <= number of points - 1",
                               " (noise excluded when noise_policy::exclude)"));
}

template <class L, class S>
void check_label_count(vector_view<const L, S> labels, index_t n, const char* name, const char* other) {
  if (labels.size() != n)
    clustr::detail::throw_invalid(clustr::detail::concat(name, ".size()"), labels.size(),
                                  clustr::detail::concat("must equal ", other, " = ", n));
}

}  // namespace clustr::stats::detail
