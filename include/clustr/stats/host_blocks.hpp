#pragma once
// Host backends' kernel for the O(n^2 d) scores (silhouette,
// trustworthiness): a few rows against a long run of columns, the columns
// packed transposed in blocks of host_base_block and measured by the
// register-tiled host_distance_tile that exact kNN search uses (vectorised
// for every metric, same coordinate order as metric::reduced_distance, so
// the values equal the naive ones). No distance tile goes to memory: each
// (row, column) distance is handed to a visitor, columns in increasing order
// for every row.

#include <algorithm>
#include <vector>

#include "clustr/core/space.hpp"
#include "clustr/core/view.hpp"
#include "clustr/primitives/distance.hpp"
#include "clustr/primitives/detail/host_distance_block.hpp"

namespace clustr::stats::detail {

/// True for host backends without their own pairwise_distance: they run
/// the scores through host_rows_against_columns.
template <class Backend, class Metric, class T, class S>
inline constexpr bool use_host_kernel_v =
    is_host_backend_v<Backend> && !requires(const Backend& be, const Metric& metric, matrix_view<const T, S> X,
                                            matrix_view<T, S> out) {
      be.pairwise_distance(metric, X, X, out, distance_form::distance);
    };

/// Rows handled per task of the host kernels (as exact kNN's query block).
inline constexpr index_t host_row_block = clustr::detail::host_query_block;

/// For the nr rows `rows` and the columns q in [0, n_cols) (col_row(q) gives
/// a pointer to column q's d values), calls visit(r, q, reduced distance).
template <class Metric, class T, class ColRow, class Visit>
void host_rows_against_columns(const Metric& metric, const T* const* rows, index_t nr, index_t d, index_t n_cols,
                               ColRow col_row, Visit visit) {
  constexpr index_t bb = clustr::detail::host_base_block, tr = clustr::detail::host_tile_rows;
  std::vector<T> packed(static_cast<std::size_t>(d * bb), T(0));
  std::vector<T> dist(static_cast<std::size_t>(tr * bb));
  for (index_t b0 = 0; b0 < n_cols; b0 += bb) {
    const index_t nb = std::min(bb, n_cols - b0);
    for (index_t c = 0; c < nb; ++c) {
      const T* y = col_row(b0 + c);
      for (index_t j = 0; j < d; ++j) packed[static_cast<std::size_t>(j * bb + c)] = y[j];
    }
    // Padding columns are computed by the register tile but never visited.
    for (index_t c = nb; c < bb; ++c)
      for (index_t j = 0; j < d; ++j) packed[static_cast<std::size_t>(j * bb + c)] = T(0);
    for (index_t i0 = 0; i0 < nr; i0 += tr) {
      const index_t n_here = std::min(tr, nr - i0);
      const T* quad[tr];
      for (index_t r = 0; r < tr; ++r) quad[r] = rows[r < n_here ? i0 + r : i0];
      clustr::detail::host_distance_tile(metric, quad, n_here, packed.data(), d, nb, dist.data());
      for (index_t r = 0; r < n_here; ++r) {
        const T* dr = dist.data() + r * bb;
        for (index_t c = 0; c < nb; ++c) visit(i0 + r, b0 + c, dr[c]);
      }
    }
  }
}

}  // namespace clustr::stats::detail
