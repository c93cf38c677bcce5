#pragma once
// Distances between the rows of two matrices: per-row norm terms, a tile of
// pairwise distances (caller-sized: bound its rows to bound memory), and the
// fused distance + argmin that never stores the distance matrix. The generic
// forms loop over the metric's accumulate(); the CUDA backend provides members
// that take a matrix-multiply path for expanded metrics.

#include <limits>

#include "clustr/core/errors.hpp"
#include "clustr/core/view.hpp"
#include "clustr/metric/metric.hpp"
#include "clustr/primitives/detail/host_distance_block.hpp"
#include "clustr/primitives/for_each.hpp"
#include "clustr/primitives/select_k.hpp"

namespace clustr {

/// out[i] = metric.norm_term(sum_j X(i, j)^2): what an expanded metric needs
/// per row (|x|^2 for Euclidean, |x| for cosine).
template <class Backend, class Metric, class T, class Space>
void row_norms(const Backend& be, const Metric& metric, matrix_view<const T, Space> X, vector_view<T, Space> out) {
  static_assert(can_access_v<Backend, Space>, "clustr::row_norms: the backend cannot reach this memory");
  static_assert(metric::is_expanded_v<Metric>, "row_norms is for expanded metrics");
  if (out.size() != X.rows())
    detail::throw_invalid("row_norms: out.size()", out.size(), detail::concat("must equal X.rows() = ", X.rows()));
  if constexpr (requires { be.row_norms(metric, X, out); }) {
    be.row_norms(metric, X, out);
  } else {
    T* o = out.data();
    for_each(be, X.rows(), CLUSTR_LAMBDA(index_t i) {
      const T* x = X.row(i);
      T s = T(0);
      for (index_t j = 0; j < X.cols(); ++j) s += x[j] * x[j];
      o[i] = metric.norm_term(s);
    });
  }
}

/// What a distance primitive writes: the metric's reduced form (squared for
/// Euclidean: cheaper, same order) or the true distance.
enum class distance_form { reduced, distance };

namespace detail {
template <class T, class Space>
void check_same_dim(matrix_view<const T, Space> X, matrix_view<const T, Space> Y, const char* what) {
  if (X.cols() != Y.cols())
    throw_invalid(concat(what, ": Y.cols()"), Y.cols(), concat("must equal X.cols() = ", X.cols()));
}
}  // namespace detail

/// out(i, j) = d(X_i, Y_j) for a tile: out is X.rows() x Y.rows(). The caller
/// bounds the tile (never pass all of a large data set at once).
template <class Backend, class Metric, class T, class Space>
void pairwise_distance(const Backend& be, const Metric& metric, matrix_view<const T, Space> X,
                       matrix_view<const T, Space> Y, matrix_view<T, Space> out,
                       distance_form form = distance_form::distance) {
  static_assert(can_access_v<Backend, Space>, "clustr::pairwise_distance: the backend cannot reach this memory");
  detail::check_same_dim(X, Y, "pairwise_distance");
  if (out.rows() != X.rows() || out.cols() != Y.rows())
    detail::throw_invalid("pairwise_distance: out shape", detail::concat(out.rows(), "x", out.cols()),
                          detail::concat("must be X.rows() x Y.rows() = ", X.rows(), "x", Y.rows()));
  if constexpr (requires { be.pairwise_distance(metric, X, Y, out, form); }) {
    be.pairwise_distance(metric, X, Y, out, form);
  } else {
    const bool reduced = form == distance_form::reduced;
    for_each_2d(be, X.rows(), Y.rows(), CLUSTR_LAMBDA(index_t i, index_t j) {
      const T r = metric::reduced_distance(metric, X.row(i), Y.row(j), X.cols());
      out(i, j) = reduced ? r : metric.to_distance(r);
    });
  }
}

/// For every row of X, the nearest row of Y: out_index[i] = argmin_j d(X_i, Y_j)
/// (ties to the smaller j) and out_distance[i] = that reduced distance.
/// Nothing of size X.rows() x Y.rows() is stored.
template <class Backend, class Metric, class T, class I, class Space>
void fused_distance_argmin(const Backend& be, const Metric& metric, matrix_view<const T, Space> X,
                           matrix_view<const T, Space> Y, vector_view<I, Space> out_index,
                           vector_view<T, Space> out_distance) {
  static_assert(can_access_v<Backend, Space>, "clustr::fused_distance_argmin: the backend cannot reach this memory");
  detail::check_same_dim(X, Y, "fused_distance_argmin");
  if (Y.rows() < 1) detail::throw_invalid("fused_distance_argmin: Y.rows()", Y.rows(), "must be >= 1");
  if (out_index.size() != X.rows())
    detail::throw_invalid("fused_distance_argmin: out_index.size()", out_index.size(),
                          detail::concat("must equal X.rows() = ", X.rows()));
  if (out_distance.size() != X.rows())
    detail::throw_invalid("fused_distance_argmin: out_distance.size()", out_distance.size(),
                          detail::concat("must equal X.rows() = ", X.rows()));
  if constexpr (requires { be.fused_distance_argmin(metric, X, Y, out_index, out_distance); }) {
    be.fused_distance_argmin(metric, X, Y, out_index, out_distance);
  } else if constexpr (is_host_backend_v<Backend>) {
    // Cache-blocked register tiles over Y packed once (the same sums as the
    // naive loop, so the same answer).
    const std::vector<T> packed = detail::host_pack_blocks(matrix_view<const T>(Y.data(), Y.rows(), Y.cols(), Y.stride()));
    const T* pk = packed.data();
    const matrix_view<const T> Xh(X.data(), X.rows(), X.cols(), X.stride());
    I* oi = out_index.data();
    T* od = out_distance.data();
    const index_t qb = detail::host_query_block, m = Y.rows();
    for_each(be, (X.rows() + qb - 1) / qb, [=](index_t blk) {
      const index_t q0 = blk * qb, q1 = q0 + qb < Xh.rows() ? q0 + qb : Xh.rows();
      detail::host_argmin_block(metric, Xh, pk, m, q0, q1, oi, od);
    });
  } else {
    I* oi = out_index.data();
    T* od = out_distance.data();
    for_each(be, X.rows(), CLUSTR_LAMBDA(index_t i) {
      T best = std::numeric_limits<T>::max();
      index_t best_j = 0;
      const T* x = X.row(i);
      for (index_t j = 0; j < Y.rows(); ++j) {
        const T r = metric::reduced_distance(metric, x, Y.row(j), X.cols());
        if (r < best) {  // strict: the first (smallest) j wins ties
          best = r;
          best_j = j;
        }
      }
      oi[i] = static_cast<I>(best_j);
      od[i] = best;
    });
  }
}

}  // namespace clustr
