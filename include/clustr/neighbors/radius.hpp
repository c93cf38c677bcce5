#pragma once
// Radius search: every base row within distance r of each query, in CSR
// form. Queries go in batches: each batch is counted, scanned into offsets
// and filled, so memory is bounded by params.max_batch_neighbors per batch.

#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#include "clustr/core/as_view.hpp"
#include "clustr/neighbors/detail/checks.hpp"
#include "clustr/neighbors/knn_types.hpp"
#include "clustr/primitives/for_each.hpp"
#include "clustr/primitives/memory.hpp"
#include "clustr/primitives/scan.hpp"
#include "clustr/primitives/sort.hpp"

namespace clustr::knn {

namespace detail {

/// counts[i] = number of base rows within reduced radius of query i.
template <class Backend, class Metric, class T, class I, class Space>
void radius_count(const Backend& be, const Metric& metric, matrix_view<const T, Space> base,
                  matrix_view<const T, Space> queries, T r_reduced, I* counts) {
  for_each_dynamic(be, queries.rows(), 16, CLUSTR_LAMBDA(index_t i) {
    const T* x = queries.row(i);
    I c = 0;
    for (index_t j = 0; j < base.rows(); ++j)
      if (metric::reduced_distance(metric, x, base.row(j), base.cols()) <= r_reduced) ++c;
    counts[i] = c;
  });
}

/// Writes the neighbours of each query, by increasing index, at
/// offsets[i] - first (first: the offset of the batch's first entry).
template <class Backend, class Metric, class T, class I, class Space>
void radius_fill(const Backend& be, const Metric& metric, matrix_view<const T, Space> base,
                 matrix_view<const T, Space> queries, T r_reduced, const I* offsets, I first, I* idx, T* dist) {
  for_each_dynamic(be, queries.rows(), 16, CLUSTR_LAMBDA(index_t i) {
    const T* x = queries.row(i);
    I o = offsets[i] - first;
    for (index_t j = 0; j < base.rows(); ++j) {
      const T r = metric::reduced_distance(metric, x, base.row(j), base.cols());
      if (r <= r_reduced) {
        idx[o] = static_cast<I>(j);
        dist[o] = metric.to_distance(r);
        ++o;
      }
    }
  });
}

/// Sorts each CSR row by (distance, index): a stable sort by distance, then a
/// stable sort by row, on any backend.
template <class Backend, class T, class I, class Space>
void sort_rows_by_distance(const Backend& be, vector_view<const I, Space> offsets, vector_view<I, Space> idx,
                           vector_view<T, Space> dist) {
  const index_t nnz = idx.size();
  if (nnz <= 1) return;
  const index_t nq = offsets.size() - 1;
  auto perm = make_vector<I>(be, nnz);
  iota(be, perm.view(), I(0));
  auto keys = clone(be, vector_view<const T, Space>(dist));
  sort_by_key(be, keys.view(), perm.view());  // by distance; equal distances keep index order
  // Row of each entry, gathered through perm, then a stable sort by row.
  auto rows = make_vector<I>(be, nnz);
  I* rw = rows.data();
  const I* off = offsets.data();
  for_each(be, nq, CLUSTR_LAMBDA(index_t q) {
    for (I e = off[q]; e < off[q + 1]; ++e) rw[e] = static_cast<I>(q);
  });
  auto row_of = make_vector<I>(be, nnz);
  I* ro = row_of.data();
  const I* pm = perm.data();
  for_each(be, nnz, CLUSTR_LAMBDA(index_t e) { ro[e] = rw[pm[e]]; });
  sort_by_key(be, row_of.view(), perm.view());
  // Gather both arrays through the final permutation.
  auto idx_copy = clone(be, vector_view<const I, Space>(idx));
  auto dist_copy = clone(be, vector_view<const T, Space>(dist));
  const I* ic = idx_copy.data();
  const T* dc = dist_copy.data();
  I* io = idx.data();
  T* dout = dist.data();
  for_each(be, nnz, CLUSTR_LAMBDA(index_t e) {
    io[e] = ic[pm[e]];
    dout[e] = dc[pm[e]];
  });
}

}  // namespace detail

/// Every base row within distance r (inclusive, d <= r, as scikit-learn's
/// radius_neighbors) of each query row. Throws clustr::invalid_argument for
/// r < 0 or non-finite, empty or mismatched input, and for a batch holding
/// more than params.max_batch_neighbors neighbours (naming batch_size).
template <class I = std::int64_t, class Backend, class Base, class Queries, class Metric = metric::euclidean>
radius_neighbors<value_type_of_t<Base>, I, memory_space_t<Backend>> radius(const Backend& be,
                                                                           const radius_params<Metric>& p,
                                                                           const Base& base, const Queries& queries,
                                                                           value_type_of_t<Base> r) {
  using T = value_type_of_t<Base>;
  using S = memory_space_t<Backend>;
  static_assert(std::is_floating_point_v<T>, "clustr::knn::radius: data must be float or double");
  metric::validate(p.metric);
  if (!(r >= T(0)) || !(r < std::numeric_limits<T>::infinity()))
    clustr::detail::throw_invalid("r", r, "radius must be finite and >= 0");
  detail::check_batch(p.batch_size, "params.batch_size");
  if (p.max_batch_neighbors < 1) clustr::detail::throw_invalid("params.max_batch_neighbors", p.max_batch_neighbors, "must be >= 1");
  const auto B = stage(be, as_const_view(base));
  const auto Q = stage(be, as_const_view(queries));
  detail::check_dims(B.view(), Q.view());
  detail::check_data(be, B.view(), "base");
  detail::check_data(be, Q.view(), "queries");

  const T r_reduced = p.metric.to_reduced(r);
  const index_t nq = Q.view().rows();
  struct batch_result {
    vector<I, S> idx;
    vector<T, S> dist;
  };
  std::vector<batch_result> batches;
  auto offsets = make_vector<I>(be, nq + 1);
  I total = 0;
  for (index_t q0 = 0; q0 < nq; q0 += p.batch_size) {
    const index_t nb = q0 + p.batch_size < nq ? p.batch_size : nq - q0;
    const auto qv = Q.view().row_block(q0, nb);
    auto counts = make_vector<I>(be, nb);
    detail::radius_count(be, p.metric, B.view(), qv, r_reduced, counts.data());
    auto local = vector_view<I, S>(offsets.data() + q0, nb);
    const I batch_total = exclusive_scan(be, counts.view(), local, total);
    const I in_batch = batch_total - total;
    if (in_batch > p.max_batch_neighbors)
      clustr::detail::throw_invalid("params.batch_size", p.batch_size,
                                    clustr::detail::concat("a batch of queries has ", in_batch,
                                                           " neighbours within r, more than params.max_batch_neighbors = ",
                                                           p.max_batch_neighbors, "; lower batch_size or r"));
    batch_result br{make_vector<I>(be, in_batch), make_vector<T>(be, in_batch)};
    detail::radius_fill(be, p.metric, B.view(), qv, r_reduced, local.data(), total, br.idx.data(), br.dist.data());
    batches.push_back(std::move(br));
    total = batch_total;
  }
  write_value(be, offsets.data() + nq, total);

  radius_neighbors<T, I, S> out{std::move(offsets), make_vector<I>(be, total), make_vector<T>(be, total)};
  index_t at = 0;
  for (auto& br : batches) {
    copy(be, vector_view<I, S>(out.indices.data() + at, br.idx.size()), vector_view<const I, S>(br.idx.view()));
    copy(be, vector_view<T, S>(out.distances.data() + at, br.dist.size()), vector_view<const T, S>(br.dist.view()));
    at += br.idx.size();
  }
  if (p.sort_results) detail::sort_rows_by_distance(be, vector_view<const I, S>(out.offsets.view()), out.indices.view(), out.distances.view());
  fence(be);
  return out;
}

}  // namespace clustr::knn
