#pragma once
// Approximate kNN graphs by NN-descent (Dong, Charikar & Li, WWW 2011): start
// from random neighbour lists and repeatedly improve each point's list with
// its neighbours' neighbours, forward and reverse ("a neighbour of a
// neighbour is likely a neighbour").
//
// clustr's variant is race-free and deterministic: each iteration rebuilds
// every row from the PREVIOUS iteration's graph (a Jacobi-style pull instead
// of the original's concurrent pushes), and reverse lists are built with a
// stable sort under Philox-random priorities. So every backend and thread
// count gives the same graph, up to floating-point ties on device backends.

#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>

#include "clustr/core/as_view.hpp"
#include "clustr/core/rng.hpp"
#include "clustr/neighbors/detail/checks.hpp"
#include "clustr/neighbors/knn_types.hpp"
#include "clustr/primitives/primitives.hpp"

namespace clustr::knn {

namespace detail {

/// Inserts (r, id) into a row's bounded heap unless id is already there.
template <class T, class I>
CLUSTR_HD inline bool push_unique(clustr::detail::topk_heap<T, I>& heap, T r, I id) {
  if (heap.full() && !clustr::detail::pair_less(r, id, heap.values[0], heap.ids[0])) return false;
  for (index_t e = 0; e < heap.size; ++e)
    if (heap.ids[e] == id) return false;
  heap.push(r, id);
  return true;
}

/// Random initial lists: k distinct other points per row, sorted.
template <class Backend, class Metric, class T, class I, class S>
void random_init(const Backend& be, const Metric& metric, matrix_view<const T, S> X, rng::random_stream rs,
                 matrix_view<T, S> dist, matrix_view<I, S> idx) {
  const index_t n = X.rows(), k = idx.cols();
  for_each(be, n, CLUSTR_LAMBDA(index_t i) {
    clustr::detail::topk_heap<T, I> heap{dist.row(i), idx.row(i), k};
    std::uint64_t draw = static_cast<std::uint64_t>(i) << 20;
    while (heap.size < k) {
      const index_t j = static_cast<index_t>(rs.below(draw++, static_cast<std::uint64_t>(n)));
      if (j == i) continue;
      push_unique(heap, metric::reduced_distance(metric, X.row(i), X.row(j), X.cols()), static_cast<I>(j));
    }
    heap.sort_ascending();
  });
}

/// Reverse lists: for every point j, up to r edges (i -> j) of the graph,
/// chosen by random priority and stored as edge ids e = i * k + a (-1 pads).
template <class Backend, class I, class S>
void reverse_lists(const Backend& be, matrix_view<const I, S> idx, rng::random_stream rs, matrix_view<index_t, S> rev) {
  const index_t n = idx.rows(), k = idx.cols(), r = rev.cols(), m = n * k;
  // Key: target in the high bits, a random priority in the low 32 bits.
  auto keys = make_vector<std::uint64_t>(be, m);
  auto edge = make_vector<index_t>(be, m);
  std::uint64_t* kp = keys.data();
  index_t* ep = edge.data();
  const I* ip = idx.data();
  for_each(be, m, CLUSTR_LAMBDA(index_t e) {
    kp[e] = (static_cast<std::uint64_t>(ip[e]) << 32) | (rs.bits(static_cast<std::uint64_t>(e)) & 0xffffffffull);
    ep[e] = e;
  });
  sort_by_key(be, keys.view(), edge.view());
  index_t* rp = rev.data();
  for_each(be, n, CLUSTR_LAMBDA(index_t j) {
    // First entry whose target (the key's high half) is >= j.
    const index_t first = lower_bound_by(m, j, [kp](index_t p) { return static_cast<index_t>(kp[p] >> 32); });
    index_t c = 0;
    for (index_t e = first; e < m && static_cast<index_t>(kp[e] >> 32) == j && c < r; ++e) rp[j * r + c++] = ep[e];
    for (; c < r; ++c) rp[j * r + c] = -1;
  });
}

/// One pull iteration: row i of the new graph = the best k of its old list,
/// its reverse neighbours, and the first `cand` neighbours and the reverse
/// neighbours of each of those. As in NN-descent, a pair is examined only if
/// one of its two edges is new (entered the graph in the last iteration).
template <class Backend, class Metric, class T, class I, class S>
void refine(const Backend& be, const Metric& metric, matrix_view<const T, S> X, matrix_view<const T, S> old_d,
            matrix_view<const I, S> old_i, const std::uint8_t* old_new, matrix_view<const index_t, S> rev, index_t cand,
            matrix_view<T, S> new_d, matrix_view<I, S> new_i) {
  const index_t n = X.rows(), k = old_i.cols(), r = rev.cols();
  for_each(be, n, CLUSTR_LAMBDA(index_t i) {
    clustr::detail::topk_heap<T, I> heap{new_d.row(i), new_i.row(i), k};
    for (index_t a = 0; a < k; ++a) heap.push(old_d(i, a), old_i(i, a));
    const T* x = X.row(i);
    for (index_t s = 0; s < k + r; ++s) {
      index_t u;
      bool u_new;
      if (s < k) {
        u = static_cast<index_t>(old_i(i, s));
        u_new = old_new[i * k + s] != 0;
      } else {
        const index_t e = rev(i, s - k);
        if (e < 0) continue;
        u = e / k;
        u_new = old_new[e] != 0;
        if (u_new) push_unique(heap, metric::reduced_distance(metric, x, X.row(u), X.cols()), static_cast<I>(u));
      }
      if (u < 0) continue;
      for (index_t b = 0; b < cand + r; ++b) {
        index_t v;
        if (b < cand) {
          if (!u_new && old_new[u * k + b] == 0) continue;
          v = static_cast<index_t>(old_i(u, b));
        } else {
          const index_t e = rev(u, b - cand);
          if (e < 0) continue;
          if (!u_new && old_new[e] == 0) continue;
          v = e / k;
        }
        if (v < 0 || v == i) continue;
        push_unique(heap, metric::reduced_distance(metric, x, X.row(v), X.cols()), static_cast<I>(v));
      }
    }
    heap.sort_ascending();
  });
}

/// is_new[e] = 1 where new_i's entry e was not in the same row of old_i;
/// returns how many.
template <class Backend, class I, class S>
index_t mark_new(const Backend& be, matrix_view<const I, S> old_i, matrix_view<const I, S> new_i, std::uint8_t* is_new) {
  const index_t k = old_i.cols();
  const I* oi = old_i.data();
  const I* ni = new_i.data();
  for_each(be, new_i.rows() * k, CLUSTR_LAMBDA(index_t e) {
    const index_t row = e / k;
    bool found = false;
    for (index_t a = 0; a < k; ++a) found = found || oi[row * k + a] == ni[e];
    is_new[e] = found ? 0 : 1;
  });
  return count_if(be, new_i.rows() * k, CLUSTR_LAMBDA(index_t e) { return is_new[e] != 0; });
}

}  // namespace detail

/// An approximate kNN graph of X (self excluded) by NN-descent. Same result
/// type as graph(); g.exact is false. Deterministic for a given seed. Usually
/// reached through graph() with params.algo = nn_descent.
template <class I = std::int64_t, class Backend, class Data, class Metric = metric::euclidean>
knn_graph<value_type_of_t<Data>, I, memory_space_t<Backend>> nn_descent(const Backend& be, const params<Metric>& p,
                                                                        const nn_descent_params& nd, const Data& X_in) {
  using T = value_type_of_t<Data>;
  using S = memory_space_t<Backend>;
  static_assert(std::is_floating_point_v<T>, "clustr::knn::nn_descent: data must be float or double");
  metric::validate(p.metric);
  if (nd.max_iterations < 0) clustr::detail::throw_invalid("nn_descent.max_iterations", nd.max_iterations, "must be >= 0");
  if (!(nd.delta >= 0)) clustr::detail::throw_invalid("nn_descent.delta", nd.delta, "must be >= 0");
  if (nd.max_candidates < 0) clustr::detail::throw_invalid("nn_descent.max_candidates", nd.max_candidates, "must be >= 0");
  if (nd.max_reverse < 0) clustr::detail::throw_invalid("nn_descent.max_reverse", nd.max_reverse, "must be >= 0");
  const auto Xs = stage(be, as_const_view(X_in));
  const auto X = Xs.view();
  detail::check_data(be, X, "X");
  const index_t n = X.rows(), k = p.k;
  detail::check_k(k, n - 1, "X.rows() - 1 (self excluded)");
  const index_t cand = nd.max_candidates > 0 && nd.max_candidates < k ? nd.max_candidates : k;
  const index_t r = nd.max_reverse > 0 ? nd.max_reverse : k;

  auto d0 = make_matrix<T>(be, n, k), d1 = make_matrix<T>(be, n, k);
  auto i0 = make_matrix<I>(be, n, k), i1 = make_matrix<I>(be, n, k);
  auto fresh = make_vector<std::uint8_t>(be, n * k);  // 1 = entry new since the last iteration
  auto rev = make_matrix<index_t>(be, n, r);
  detail::random_init(be, p.metric, X, rng::random_stream{nd.seed, 1}, d0.view(), i0.view());
  fill(be, fresh.view(), std::uint8_t(1));
  for (index_t it = 0; it < nd.max_iterations; ++it) {
    detail::reverse_lists(be, matrix_view<const I, S>(i0.view()), rng::random_stream{nd.seed, 2 + static_cast<std::uint64_t>(it)}, rev.view());
    detail::refine(be, p.metric, X, matrix_view<const T, S>(d0.view()), matrix_view<const I, S>(i0.view()), fresh.data(),
                   matrix_view<const index_t, S>(rev.view()), cand, d1.view(), i1.view());
    const index_t changed = detail::mark_new(be, matrix_view<const I, S>(i0.view()), matrix_view<const I, S>(i1.view()), fresh.data());
    std::swap(d0, d1);
    std::swap(i0, i1);
    if (static_cast<double>(changed) <= nd.delta * static_cast<double>(n * k)) break;
  }
  detail::reduced_to_distance(be, p.metric, d0.view(), matrix_view<const I, S>(i0.view()));
  fence(be);
  knn_graph<T, I, S> g;
  g.indices = std::move(i0);
  g.distances = std::move(d0);
  g.k = k;
  g.metric = metric::kind_of<Metric>();
  if constexpr (std::is_same_v<Metric, metric::minkowski>) g.metric_p = p.metric.p;
  g.includes_self = false;
  g.exact = false;
  return g;
}

}  // namespace clustr::knn
