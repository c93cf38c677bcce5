#pragma once
// Argument checks and small steps shared by the kNN entry points.

#include "clustr/core/errors.hpp"
#include "clustr/core/view.hpp"
#include "clustr/metric/metric.hpp"
#include "clustr/primitives/for_each.hpp"
#include "clustr/primitives/validate.hpp"

namespace clustr::knn::detail {

template <class Backend, class T, class S>
void check_data(const Backend& be, matrix_view<const T, S> X, const char* name) {
  clustr::check_finite(be, X, name);
}

template <class T, class S1, class S2>
void check_dims(matrix_view<const T, S1> base, matrix_view<const T, S2> queries) {
  if (queries.cols() != base.cols())
    clustr::detail::throw_invalid("queries.cols()", queries.cols(),
                                  clustr::detail::concat("must equal base.cols() = ", base.cols()));
}

inline void check_k(index_t k, index_t available, const char* what) {
  if (k < 1) clustr::detail::throw_invalid("params.k", k, "must be >= 1");
  if (k > available) clustr::detail::throw_invalid("params.k", k, clustr::detail::concat("must be <= ", what, " = ", available));
}

inline void check_batch(index_t batch, const char* name) {
  if (batch < 1) clustr::detail::throw_invalid(name, batch, "must be >= 1");
}

/// Turns reduced distances (squared for Euclidean) into true distances, in
/// place; dist and idx may be strided views (columns of a wider matrix).
template <class Backend, class Metric, class T, class I, class Space>
void reduced_to_distance(const Backend& be, const Metric& metric, matrix_view<T, Space> dist,
                         matrix_view<const I, Space> idx) {
  for_each_2d(be, dist.rows(), dist.cols(), CLUSTR_LAMBDA(index_t i, index_t c) {
    if (idx(i, c) >= 0) dist(i, c) = metric.to_distance(dist(i, c));
  });
}

}  // namespace clustr::knn::detail
