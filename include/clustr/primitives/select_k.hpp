#pragma once
// select_k: per row, the k smallest values and their ids, sorted ascending,
// ties broken by the smaller id, so every backend returns the same answer.
// Generic form: one bounded max-heap per row (O(cols log k)); CUDA provides a
// faster member select_k.

#include <limits>

#include "clustr/core/errors.hpp"
#include "clustr/core/view.hpp"
#include "clustr/primitives/for_each.hpp"

namespace clustr {

namespace detail {

/// (va, ia) < (vb, ib) lexicographically: the order of every top-k in clustr.
template <class T, class I>
CLUSTR_HD inline bool pair_less(T va, I ia, T vb, I ib) {
  return va < vb || (va == vb && ia < ib);
}

/// A bounded max-heap of the k smallest (value, id) pairs seen, stored in
/// caller memory (values[0..k), ids[0..k)). Used by select_k and by fused
/// kernels that keep a running top-k per row.
template <class T, class I>
struct topk_heap {
  T* values;
  I* ids;
  index_t k;
  index_t size = 0;

  CLUSTR_HD bool full() const { return size == k; }
  /// The current k-th smallest value (the threshold a candidate must beat);
  /// +max while the heap is not yet full.
  CLUSTR_HD T worst() const { return size == k ? values[0] : std::numeric_limits<T>::max(); }

  CLUSTR_HD void push(T value, I id) {
    if (size < k) {
      index_t c = size++;
      while (c > 0) {  // sift up
        const index_t p = (c - 1) / 2;
        if (!pair_less(values[p], ids[p], value, id)) break;
        values[c] = values[p];
        ids[c] = ids[p];
        c = p;
      }
      values[c] = value;
      ids[c] = id;
    } else if (k > 0 && pair_less(value, id, values[0], ids[0])) {
      sift_down(value, id, k);
    }
  }

  /// Heap order -> ascending order; unused slots get (max, -1).
  CLUSTR_HD void sort_ascending() {
    for (index_t end = size - 1; end > 0; --end) {
      const T v = values[end];
      const I i = ids[end];
      values[end] = values[0];
      ids[end] = ids[0];
      sift_down(v, i, end);
    }
    for (index_t j = size; j < k; ++j) {
      values[j] = std::numeric_limits<T>::max();
      ids[j] = I(-1);
    }
  }

 private:
  // Places (value, id) at the root of the heap [0, n) and restores heap order.
  CLUSTR_HD void sift_down(T value, I id, index_t n) {
    index_t c = 0;
    for (;;) {
      index_t child = 2 * c + 1;
      if (child >= n) break;
      if (child + 1 < n && pair_less(values[child], ids[child], values[child + 1], ids[child + 1])) ++child;
      if (!pair_less(value, id, values[child], ids[child])) break;
      values[c] = values[child];
      ids[c] = ids[child];
      c = child;
    }
    values[c] = value;
    ids[c] = id;
  }
};

}  // namespace detail

/// For each row of `in`, the k = out_values.cols() smallest entries, ascending,
/// into out_values and their ids into out_ids. The id of entry (i, j) is
/// in_ids(i, j) when in_ids is given (same shape as in), else j. Ties go to
/// the smaller id. Requires 1 <= k <= in.cols().
template <class Backend, class T, class I, class Space>
void select_k(const Backend& be, matrix_view<const T, Space> in, matrix_view<T, Space> out_values,
              matrix_view<I, Space> out_ids, matrix_view<const I, Space> in_ids = {}) {
  static_assert(can_access_v<Backend, Space>, "clustr::select_k: the backend cannot reach this memory");
  const index_t k = out_values.cols();
  if (k < 1) detail::throw_invalid("select_k: k (out_values.cols())", k, "must be >= 1");
  if (k > in.cols())
    detail::throw_invalid("select_k: k (out_values.cols())", k, detail::concat("must be <= in.cols() = ", in.cols()));
  if (out_values.rows() != in.rows())
    detail::throw_invalid("select_k: out_values.rows()", out_values.rows(), detail::concat("must equal in.rows() = ", in.rows()));
  if (out_ids.rows() != in.rows() || out_ids.cols() != k)
    detail::throw_invalid("select_k: out_ids shape", detail::concat(out_ids.rows(), "x", out_ids.cols()),
                          detail::concat("must be ", in.rows(), "x", k));
  if (in_ids.data() != nullptr && (in_ids.rows() != in.rows() || in_ids.cols() != in.cols()))
    detail::throw_invalid("select_k: in_ids shape", detail::concat(in_ids.rows(), "x", in_ids.cols()),
                          detail::concat("must equal in shape ", in.rows(), "x", in.cols()));
  if constexpr (requires { be.select_k(in, out_values, out_ids, in_ids); }) {
    be.select_k(in, out_values, out_ids, in_ids);
  } else {
    for_each(be, in.rows(), CLUSTR_LAMBDA(index_t i) {
      detail::topk_heap<T, I> heap{out_values.row(i), out_ids.row(i), k};
      const T* row = in.row(i);
      const I* ids = in_ids.data() ? in_ids.row(i) : nullptr;
      for (index_t j = 0; j < in.cols(); ++j) {
        const I id = ids ? ids[j] : static_cast<I>(j);
        if (!heap.full() || detail::pair_less(row[j], id, heap.values[0], heap.ids[0])) heap.push(row[j], id);
      }
      heap.sort_ascending();
    });
  }
}

template <class Backend, class T, class I, class Space>
void select_k(const Backend& be, matrix_view<T, Space> in, matrix_view<T, Space> out_values,
              matrix_view<I, Space> out_ids) {
  select_k(be, matrix_view<const T, Space>(in), out_values, out_ids);
}

}  // namespace clustr
