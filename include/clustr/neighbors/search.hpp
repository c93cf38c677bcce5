#pragma once
// Exact k-nearest-neighbour search and kNN graphs by brute force over
// batches of queries: fused_distance_topk keeps a per-query top-k while it
// streams the base, so nothing of size n_queries x n_base is ever stored.

#include <cstdint>
#include <type_traits>

#include "clustr/core/as_view.hpp"
#include "clustr/neighbors/detail/checks.hpp"
#include "clustr/neighbors/knn_types.hpp"
#include "clustr/neighbors/nn_descent.hpp"
#include "clustr/primitives/for_each.hpp"
#include "clustr/primitives/fused_topk.hpp"
#include "clustr/primitives/memory.hpp"

namespace clustr::knn {

namespace detail {

/// The k nearest base rows of every query row; self_offset as in
/// fused_distance_topk. Inputs already staged and checked.
template <class I, class Backend, class Metric, class T, class Space>
void exact_topk(const Backend& be, const Metric& metric, matrix_view<const T, Space> base,
                matrix_view<const T, Space> queries, index_t batch, index_t self_offset, matrix_view<T, Space> dist,
                matrix_view<I, Space> idx) {
  for (index_t q0 = 0; q0 < queries.rows(); q0 += batch) {
    const index_t nb = q0 + batch < queries.rows() ? batch : queries.rows() - q0;
    fused_distance_topk(be, metric, queries.row_block(q0, nb), base, dist.row_block(q0, nb), idx.row_block(q0, nb),
                        self_offset >= 0 ? self_offset + q0 : index_t(-1));
  }
  reduced_to_distance(be, metric, dist, matrix_view<const I, Space>(idx));
}

}  // namespace detail

/// The k nearest rows of `base` for every row of `queries`, sorted ascending
/// by (distance, index): the same answer on every backend. `base` and
/// `queries` are views or arrays (host memory is staged to device backends).
/// Throws clustr::invalid_argument for k < 1 or k > base rows, empty or
/// non-finite input, or mismatched dimensions.
template <class I = std::int64_t, class Backend, class Base, class Queries, class Metric = metric::euclidean>
neighbors<value_type_of_t<Base>, I, memory_space_t<Backend>> search(const Backend& be, const params<Metric>& p,
                                                                     const Base& base, const Queries& queries) {
  using T = value_type_of_t<Base>;
  static_assert(std::is_floating_point_v<T>, "clustr::knn::search: data must be float or double");
  static_assert(std::is_same_v<T, value_type_of_t<Queries>>, "clustr::knn::search: base and queries must have the same scalar type");
  metric::validate(p.metric);
  if (p.algo == algorithm::nn_descent)
    clustr::detail::throw_invalid("params.algo", "nn_descent", "search() is exact; NN-descent builds graphs (graph())");
  detail::check_batch(p.batch_size, "params.batch_size");
  const auto B = stage(be, as_const_view(base));
  const auto Q = stage(be, as_const_view(queries));
  detail::check_dims(B.view(), Q.view());
  detail::check_data(be, B.view(), "base");
  detail::check_data(be, Q.view(), "queries");
  detail::check_k(p.k, B.view().rows(), "base.rows()");

  neighbors<T, I, memory_space_t<Backend>> out{make_matrix<I>(be, Q.view().rows(), p.k),
                                               make_matrix<T>(be, Q.view().rows(), p.k)};
  detail::exact_topk(be, p.metric, B.view(), Q.view(), p.batch_size, -1, out.distances.view(), out.indices.view());
  fence(be);
  return out;
}

/// The kNN graph of X against itself. With include_self = false (default)
/// each point is excluded from its own list by index (duplicates of it stay),
/// as scikit-learn's kneighbors() does; k must then be <= n - 1.
template <class I = std::int64_t, class Backend, class Data, class Metric = metric::euclidean>
knn_graph<value_type_of_t<Data>, I, memory_space_t<Backend>> graph(const Backend& be, const params<Metric>& p,
                                                                   const Data& X) {
  using T = value_type_of_t<Data>;
  static_assert(std::is_floating_point_v<T>, "clustr::knn::graph: data must be float or double");
  metric::validate(p.metric);
  detail::check_batch(p.batch_size, "params.batch_size");
  const auto D = stage(be, as_const_view(X));
  const bool approximate = p.algo == algorithm::nn_descent ||
                           (p.algo == algorithm::automatic && is_host_backend_v<Backend> &&
                            D.view().rows() > automatic_nn_descent_threshold);
  if (approximate) {
    if (p.include_self)
      clustr::detail::throw_invalid("params.include_self", "true", "NN-descent graphs exclude self");
    return nn_descent<I>(be, p, p.nn_descent, D.view());
  }
  detail::check_data(be, D.view(), "X");
  const index_t n = D.view().rows();
  if (p.include_self)
    detail::check_k(p.k, n, "X.rows()");
  else
    detail::check_k(p.k, n - 1, "X.rows() - 1 (self excluded)");

  knn_graph<T, I, memory_space_t<Backend>> g;
  g.indices = make_matrix<I>(be, n, p.k);
  g.distances = make_matrix<T>(be, n, p.k);
  if (p.include_self) {
    // Column 0 is the point itself at distance 0, even among exact
    // duplicates; the k - 1 nearest others go straight into columns 1..k-1.
    using S = memory_space_t<Backend>;
    if (p.k > 1)
      detail::exact_topk(be, p.metric, D.view(), D.view(), p.batch_size, 0,
                         matrix_view<T, S>(g.distances.data() + 1, n, p.k - 1, p.k),
                         matrix_view<I, S>(g.indices.data() + 1, n, p.k - 1, p.k));
    T* gd = g.distances.data();
    I* gi = g.indices.data();
    const index_t k = p.k;
    for_each(be, n, CLUSTR_LAMBDA(index_t i) {
      gd[i * k] = T(0);
      gi[i * k] = static_cast<I>(i);
    });
  } else {
    detail::exact_topk(be, p.metric, D.view(), D.view(), p.batch_size, 0, g.distances.view(), g.indices.view());
  }
  fence(be);
  g.k = p.k;
  g.metric = metric::kind_of<Metric>();
  if constexpr (std::is_same_v<Metric, metric::minkowski>) g.metric_p = p.metric.p;
  g.includes_self = p.include_self;
  g.exact = true;
  return g;
}

}  // namespace clustr::knn
