#pragma once
// fused_distance_topk: for every row of X, the k nearest rows of Y (reduced
// distances, ascending, ties to the smaller index) without storing the
// X.rows() x Y.rows() distance matrix. The engine of exact kNN search and
// graphs. Host backends run a cache-blocked kernel; the generic device form
// keeps one heap per query; the CUDA backend may provide a member
// fused_distance_topk(metric, X, Y, out_distance, out_index, self_offset).

#include <vector>

#include "clustr/core/errors.hpp"
#include "clustr/core/view.hpp"
#include "clustr/metric/metric.hpp"
#include "clustr/primitives/detail/host_distance_block.hpp"
#include "clustr/primitives/for_each.hpp"
#include "clustr/primitives/select_k.hpp"

namespace clustr {

/// k = out_distance.cols(). Row i of the outputs gets the k rows j of Y with
/// the smallest reduced distance to X_i, ascending by (distance, j). When
/// self_offset >= 0, Y row self_offset + i is skipped for X row i (X is then
/// a block of Y starting at self_offset: a kNN graph without self). If fewer
/// than k rows are eligible, the tail is (max, -1).
template <class Backend, class Metric, class T, class I, class Space>
void fused_distance_topk(const Backend& be, const Metric& metric, matrix_view<const T, Space> X,
                         matrix_view<const T, Space> Y, matrix_view<T, Space> out_distance,
                         matrix_view<I, Space> out_index, index_t self_offset = -1) {
  static_assert(can_access_v<Backend, Space>, "clustr::fused_distance_topk: the backend cannot reach this memory");
  const index_t k = out_distance.cols();
  if (X.cols() != Y.cols())
    detail::throw_invalid("fused_distance_topk: Y.cols()", Y.cols(), detail::concat("must equal X.cols() = ", X.cols()));
  if (k < 1) detail::throw_invalid("fused_distance_topk: k (out_distance.cols())", k, "must be >= 1");
  if (out_distance.rows() != X.rows())
    detail::throw_invalid("fused_distance_topk: out_distance.rows()", out_distance.rows(),
                          detail::concat("must equal X.rows() = ", X.rows()));
  if (out_index.rows() != X.rows() || out_index.cols() != k)
    detail::throw_invalid("fused_distance_topk: out_index shape",
                          detail::concat(out_index.rows(), "x", out_index.cols()),
                          detail::concat("must be ", X.rows(), "x", k));
  if (X.rows() == 0) return;
  if constexpr (requires { be.fused_distance_topk(metric, X, Y, out_distance, out_index, self_offset); }) {
    be.fused_distance_topk(metric, X, Y, out_distance, out_index, self_offset);
  } else if constexpr (is_host_backend_v<Backend>) {
    const index_t qb = detail::host_query_block;
    const index_t blocks = (X.rows() + qb - 1) / qb;
    for_each(be, blocks, [=](index_t blk) {
      const index_t q0 = blk * qb;
      const index_t q1 = q0 + qb < X.rows() ? q0 + qb : X.rows();
      std::vector<detail::topk_heap<T, I>> heaps;
      heaps.reserve(static_cast<std::size_t>(q1 - q0));
      for (index_t i = q0; i < q1; ++i) heaps.push_back({out_distance.row(i), out_index.row(i), k});
      detail::host_topk_block(metric, X, Y, q0, q1, self_offset, heaps.data());
      for (auto& h : heaps) h.sort_ascending();
    });
  } else {
    for_each(be, X.rows(), CLUSTR_LAMBDA(index_t i) {
      detail::topk_heap<T, I> heap{out_distance.row(i), out_index.row(i), k};
      const T* x = X.row(i);
      const index_t self = self_offset >= 0 ? self_offset + i : -1;
      for (index_t j = 0; j < Y.rows(); ++j) {
        if (j == self) continue;
        const T r = metric::reduced_distance(metric, x, Y.row(j), X.cols());
        const I id = static_cast<I>(j);
        if (!heap.full() || detail::pair_less(r, id, heap.values[0], heap.ids[0])) heap.push(r, id);
      }
      heap.sort_ascending();
    });
  }
}

}  // namespace clustr
