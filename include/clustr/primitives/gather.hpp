#pragma once
// Row gather: out row r = X row rows[r]. Used to pick centroids, candidates
// and batches of points out of a data matrix without a host round trip.

#include "clustr/core/view.hpp"
#include "clustr/primitives/for_each.hpp"

namespace clustr {

/// out(r, j) = X(rows[r], j) for r < rows.size(). out must be rows.size() x X.cols().
template <class Backend, class T, class I, class S>
void gather_rows(const Backend& be, matrix_view<const T, S> X, vector_view<const I, S> rows, matrix_view<T, S> out) {
  static_assert(can_access_v<Backend, S>, "clustr::gather_rows: the backend cannot reach this memory");
  const I* r = rows.data();
  for_each_2d(be, rows.size(), X.cols(), CLUSTR_LAMBDA(index_t i, index_t j) { out(i, j) = X(static_cast<index_t>(r[i]), j); });
}

}  // namespace clustr
