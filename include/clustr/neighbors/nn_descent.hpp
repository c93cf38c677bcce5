#pragma once
// Approximate kNN graphs by NN-descent (Dong, Charikar & Li, WWW 2011): start
// from random neighbour lists and repeatedly improve each point's list with
// its neighbours' neighbours, forward and reverse ("a neighbour of a
// neighbour is likely a neighbour").
//
// Each iteration does the local join of the original (as pynndescent): every
// pair of a point's candidates (its neighbours and reverse neighbours, at
// least one of the two edges new) is measured once, and each end it would
// improve gets a proposal. Reading one point's few candidate rows for all
// of its pairs keeps them in cache.
//
// clustr's variant is race-free and deterministic: proposals are collected
// for a fixed-size batch of points, grouped by target and applied as "the
// best k of the row and its proposals" -- a function of the set of
// proposals, not of their order -- and reverse lists are built with a sort
// under Philox-random priorities. So every backend and thread count gives
// the same graph, up to floating-point ties on device backends.

#include <algorithm>
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

/// Distance used by NN-descent: eight accumulator lanes (an approximate
/// search needs no reference summation order, and the independent chains
/// make high-dimensional distances several times faster on the CPU).
template <class Metric, class T>
CLUSTR_HD inline T nnd_distance(const Metric& metric, const T* x, const T* y, index_t d) {
  return metric::reduced_distance_lanes<8>(metric, x, y, d);
}

/// Inserts candidate v (row y) into row x's bounded heap unless v is already
/// there or no nearer than the heap's worst. The membership test comes first,
/// so candidates already in the list (neighbours of neighbours overlap a lot)
/// cost no distance computation.
template <class Metric, class T, class I>
CLUSTR_HD inline void push_candidate(clustr::detail::topk_heap<T, I>& heap, const Metric& metric, const T* x,
                                     const T* y, index_t d, I v) {
  for (index_t e = 0; e < heap.size; ++e)
    if (heap.ids[e] == v) return;
  const T r = nnd_distance(metric, x, y, d);
  if (heap.full() && !clustr::detail::pair_less(r, v, heap.values[0], heap.ids[0])) return;
  heap.push(r, v);
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
      push_candidate(heap, metric, X.row(i), X.row(j), X.cols(), static_cast<I>(j));
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

/// Candidate flags (cflag): the edge entered the graph in the last iteration;
/// the candidate came from the reverse list (v has u in its list).
inline constexpr std::uint8_t cand_new = 1, cand_reverse = 2;

/// Every point's join candidates for one iteration, from the graph at the
/// iteration's start: its first `cand` neighbours and its reverse neighbours
/// (each once), with their distance to the point and flags; -1 pads the m =
/// cand + r slots.
template <class Backend, class T, class I, class S>
void build_candidates(const Backend& be, matrix_view<const T, S> gd, matrix_view<const I, S> gi, const std::uint8_t* fresh,
                      matrix_view<const index_t, S> rev, index_t cand, matrix_view<I, S> cid, matrix_view<T, S> cdist,
                      std::uint8_t* cflag) {
  const index_t n = gi.rows(), k = gi.cols(), r = rev.cols(), m = cid.cols();
  for_each(be, n, CLUSTR_LAMBDA(index_t u) {
    index_t c = 0;
    for (index_t a = 0; a < cand; ++a) {
      const I v = gi(u, a);
      if (v < 0) continue;
      cid(u, c) = v;
      cdist(u, c) = gd(u, a);
      cflag[u * m + c] = fresh[u * k + a] ? cand_new : std::uint8_t(0);
      ++c;
    }
    for (index_t b = 0; b < r; ++b) {
      const index_t e = rev(u, b);
      if (e < 0) continue;
      const I w = static_cast<I>(e / k);
      const std::uint8_t flag = static_cast<std::uint8_t>((fresh[e] ? cand_new : 0) | cand_reverse);
      index_t q = 0;
      while (q < c && cid(u, q) != w) ++q;
      if (q < c) {  // already a forward candidate: keep one entry, new if either edge is
        cflag[u * m + q] = static_cast<std::uint8_t>(cflag[u * m + q] | (flag & cand_new));
        continue;
      }
      cid(u, c) = w;
      cdist(u, c) = gd.data()[e];
      cflag[u * m + c] = flag;
      ++c;
    }
    for (; c < m; ++c) cid(u, c) = I(-1);
  });
}

/// Proposal slots of one batch of points: point t of the batch owns slots
/// [t * per_point, (t + 1) * per_point) and fills the first count[t].
template <class T, class I>
struct proposals {
  index_t* target;
  I* cand;
  T* dist;
  index_t* count;
  index_t per_point;
};

/// The local join of NN-descent for points [u0, u0 + batch): every pair of a
/// point's candidates with at least one new edge is measured once, and each
/// end that it would improve (nearer than the end's current k-th neighbour)
/// gets a proposal; a new reverse candidate v is proposed to u itself with
/// the distance already known. Reading one point's few candidate rows for
/// all of its pairs keeps them in cache: the pull form (every point fetching
/// its neighbours' neighbours) was bound by memory bandwidth.
template <class Backend, class Metric, class T, class I, class S>
void local_join(const Backend& be, const Metric& metric, matrix_view<const T, S> X, matrix_view<const T, S> gd,
                matrix_view<const I, S> gi, matrix_view<const I, S> cid, matrix_view<const T, S> cdist,
                const std::uint8_t* cflag, index_t u0, index_t batch, proposals<T, I> out) {
  const index_t k = gi.cols(), m = cid.cols(), d = X.cols();
  for_each_dynamic(be, batch, 16, CLUSTR_LAMBDA(index_t t) {
    const index_t u = u0 + t;
    index_t c = t * out.per_point;
    const index_t first = c;
    for (index_t a = 0; a < m; ++a) {
      const I v = cid(u, a);
      if (v < 0) break;
      const std::uint8_t fa = cflag[u * m + a];
      if ((fa & cand_new) && (fa & cand_reverse) &&
          clustr::detail::pair_less(cdist(u, a), v, gd(u, k - 1), gi(u, k - 1))) {
        out.target[c] = u, out.cand[c] = v, out.dist[c] = cdist(u, a), ++c;
      }
      const T* xv = X.row(static_cast<index_t>(v));
      for (index_t b = a + 1; b < m; ++b) {
        const I w = cid(u, b);
        if (w < 0) break;
        if (!(fa & cand_new) && !(cflag[u * m + b] & cand_new)) continue;
        const T dvw = nnd_distance(metric, xv, X.row(static_cast<index_t>(w)), d);
        if (clustr::detail::pair_less(dvw, w, gd(v, k - 1), gi(v, k - 1)))
          out.target[c] = static_cast<index_t>(v), out.cand[c] = w, out.dist[c] = dvw, ++c;
        if (clustr::detail::pair_less(dvw, v, gd(w, k - 1), gi(w, k - 1)))
          out.target[c] = static_cast<index_t>(w), out.cand[c] = v, out.dist[c] = dvw, ++c;
      }
    }
    out.count[t] = c - first;
  });
}

/// Applies sorted proposals (keys = target, vals = slot) to the graph: each
/// target's new row is the best k of its row and its proposals, without
/// duplicates. That is a function of the set of proposals (order by
/// (distance, index)), so the outcome does not depend on which thread
/// proposed what first. `spare` rows are scratch of the same shape.
template <class Backend, class T, class I, class S>
void apply_proposals(const Backend& be, const index_t* keys, const index_t* slot, index_t count, proposals<T, I> pr,
                     matrix_view<T, S> gd, matrix_view<I, S> gi, matrix_view<T, S> spare_d, matrix_view<I, S> spare_i) {
  const index_t k = gi.cols();
  for_each(be, count, CLUSTR_LAMBDA(index_t q) {
    if (q > 0 && keys[q - 1] == keys[q]) return;  // one worker per target: the first of its run
    const index_t j = keys[q];
    clustr::detail::topk_heap<T, I> heap{spare_d.row(j), spare_i.row(j), k};
    for (index_t a = 0; a < k; ++a) heap.push(gd(j, a), gi(j, a));
    for (index_t e = q; e < count && keys[e] == j; ++e) push_unique(heap, pr.dist[slot[e]], pr.cand[slot[e]]);
    heap.sort_ascending();
    for (index_t a = 0; a < k; ++a) gd(j, a) = spare_d(j, a), gi(j, a) = spare_i(j, a);
  });
}

/// One NN-descent iteration: candidates from the graph at its start, then the
/// local join and the updates in batches of points (a fixed order, so the
/// result does not depend on the thread count), the proposal buffer bounded
/// by the batch.
template <class Backend, class Metric, class T, class I, class S>
void iterate(const Backend& be, const Metric& metric, matrix_view<const T, S> X, matrix_view<T, S> gd,
             matrix_view<I, S> gi, const std::uint8_t* fresh, matrix_view<const index_t, S> rev, index_t cand,
             matrix_view<T, S> spare_d, matrix_view<I, S> spare_i) {
  const index_t n = X.rows(), m = cand + rev.cols();
  auto cid = make_matrix<I>(be, n, m);
  auto cdist = make_matrix<T>(be, n, m);
  auto cflag = make_vector<std::uint8_t>(be, n * m);
  build_candidates(be, matrix_view<const T, S>(gd), matrix_view<const I, S>(gi), fresh, rev, cand, cid.view(),
                   cdist.view(), cflag.data());
  // Two proposals per candidate pair plus one per candidate; about 2^21
  // slots per batch (tens of MB).
  const index_t per_point = m * (m - 1) + m;
  const index_t batch = std::max<index_t>(1, std::min<index_t>(n, (index_t(1) << 21) / per_point));
  auto target = make_vector<index_t>(be, batch * per_point);
  auto pcand = make_vector<I>(be, batch * per_point);
  auto pdist = make_vector<T>(be, batch * per_point);
  auto count = make_vector<index_t>(be, batch), offset = make_vector<index_t>(be, batch);
  auto keys = make_vector<index_t>(be, batch * per_point);
  auto slot = make_vector<index_t>(be, batch * per_point);
  const proposals<T, I> pr{target.data(), pcand.data(), pdist.data(), count.data(), per_point};
  for (index_t u0 = 0; u0 < n; u0 += batch) {
    const index_t nb = std::min(batch, n - u0);
    local_join(be, metric, X, matrix_view<const T, S>(gd), matrix_view<const I, S>(gi), matrix_view<const I, S>(cid.view()),
               matrix_view<const T, S>(cdist.view()), cflag.data(), u0, nb, pr);
    // Gather the filled slots (keys = target, slot) in point order, then group by target.
    const index_t total =
        exclusive_scan(be, vector_view<const index_t, S>(count.data(), nb), vector_view<index_t, S>(offset.data(), nb));
    if (total == 0) continue;
    index_t* kp = keys.data();
    index_t* sp = slot.data();
    const index_t* op = offset.data();
    for_each(be, nb, CLUSTR_LAMBDA(index_t t) {
      for (index_t e = 0; e < pr.count[t]; ++e) {
        kp[op[t] + e] = pr.target[t * pr.per_point + e];
        sp[op[t] + e] = t * pr.per_point + e;
      }
    });
    sort_by_key(be, vector_view<index_t, S>(keys.data(), total), vector_view<index_t, S>(slot.data(), total));
    apply_proposals(be, keys.data(), slot.data(), total, pr, gd, gi, spare_d, spare_i);
  }
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

  auto d0 = make_matrix<T>(be, n, k), d1 = make_matrix<T>(be, n, k);  // the graph; scratch rows
  auto i0 = make_matrix<I>(be, n, k), i1 = make_matrix<I>(be, n, k);
  auto before = make_vector<I>(be, n * k);             // the lists at the iteration's start
  auto fresh = make_vector<std::uint8_t>(be, n * k);  // 1 = entry new since the last iteration
  auto rev = make_matrix<index_t>(be, n, r);
  detail::random_init(be, p.metric, X, rng::random_stream{nd.seed, 1}, d0.view(), i0.view());
  fill(be, fresh.view(), std::uint8_t(1));
  for (index_t it = 0; it < nd.max_iterations; ++it) {
    detail::reverse_lists(be, matrix_view<const I, S>(i0.view()), rng::random_stream{nd.seed, 2 + static_cast<std::uint64_t>(it)}, rev.view());
    copy(be, before.view(), vector_view<const I, S>(i0.data(), n * k));
    detail::iterate(be, p.metric, X, d0.view(), i0.view(), fresh.data(), matrix_view<const index_t, S>(rev.view()), cand,
                    d1.view(), i1.view());
    const index_t changed = detail::mark_new(be, matrix_view<const I, S>(before.data(), n, k), matrix_view<const I, S>(i0.view()), fresh.data());
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
