#pragma once
// clustr::distributed::knn: exact kNN search and kNN graphs over base rows
// spread across MPI ranks (each rank passes its shard; the base is their
// concatenation in rank order, so neighbour indices are global rows).
// Queries go in rounds: every rank contributes a batch of its own queries,
// the batches are all-gathered, each rank finds the top-k of every batch in
// its shard (fused distance + top-k, global indices), the per-shard lists go
// back to the queries' owners (all-to-all) and are merged by (distance,
// global index): exactly the single-process order, so the indices equal
// clustr::knn::search / graph on the concatenated data. Memory per round:
// size x batch_size query rows and size x batch_size x k candidates.
// gather_graph() brings a distributed graph to one rank (to run UMAP,
// HDBSCAN or DBSCAN there).

#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#include "clustr/core/as_view.hpp"
#include "clustr/core/errors.hpp"
#include "clustr/distributed/communicator.hpp"
#include "clustr/distributed/detail/agreement.hpp"
#include "clustr/distributed/detail/collectives.hpp"
#include "clustr/neighbors/knn.hpp"
#include "clustr/primitives/primitives.hpp"

namespace clustr::distributed::knn {

using clustr::knn::knn_graph;
using clustr::knn::neighbors;
using clustr::knn::params;

namespace detail {

namespace dd = clustr::distributed::detail;

template <class Metric>
double metric_p(const Metric& m) {
  if constexpr (std::is_same_v<Metric, metric::minkowski>) return m.p;
  else {
    (void)m;
    return 0.0;
  }
}

/// Checks the parameters and dimension agree on every rank (collective).
template <class Metric, class T, class I>
void check_agreement(const communicator& hc, const params<Metric>& p, index_t d) {
  dd::check_agreement(hc, {{"X.cols()", d},
                           {"sizeof(scalar type)", static_cast<std::int64_t>(sizeof(T))},
                           {"sizeof(index type)", static_cast<std::int64_t>(sizeof(I))},
                           {"params.k", p.k},
                           {"params.metric", static_cast<std::int64_t>(metric::kind_of<Metric>())},
                           {"params.metric.p", dd::bits_of(metric_p(p.metric))},
                           {"params.include_self", p.include_self ? 1 : 0},
                           {"params.algo", static_cast<std::int64_t>(p.algo)}});
}

/// Fills rows of (dist, idx) with (max, -1): a shard with no rows.
template <class Backend, class T, class I, class S>
void fill_empty(const Backend& be, matrix_view<T, S> dist, matrix_view<I, S> idx) {
  const T big = std::numeric_limits<T>::max();
  for_each_2d(be, dist.rows(), dist.cols(), CLUSTR_LAMBDA(index_t i, index_t c) {
    dist(i, c) = big;
    idx(i, c) = I(-1);
  });
}

/// Local shard indices -> global rows; missing entries (-1) -> `none`, so
/// that they sort after every real neighbour at equal distance.
template <class Backend, class I, class S>
void to_global(const Backend& be, matrix_view<I, S> idx, index_t first, I none) {
  for_each_2d(be, idx.rows(), idx.cols(), CLUSTR_LAMBDA(index_t i, index_t c) {
    const I v = idx(i, c);
    idx(i, c) = v >= 0 ? static_cast<I>(v + first) : none;
  });
}

/// merged(i, r * kk + c) = recv[(r * nb + i) * kk + c]: the per-shard lists
/// of query i side by side.
template <class Backend, class V, class S>
void interleave(const Backend& be, const V* recv, index_t p, index_t nb, index_t kk, matrix_view<V, S> merged) {
  for_each_2d(be, nb, p * kk, CLUSTR_LAMBDA(index_t i, index_t col) {
    const index_t r = col / kk, c = col % kk;
    merged(i, col) = recv[(r * nb + i) * kk + c];
  });
}

template <class Backend, class I, class S>
void none_to_missing(const Backend& be, matrix_view<I, S> idx, I none) {
  for_each_2d(be, idx.rows(), idx.cols(), CLUSTR_LAMBDA(index_t i, index_t c) {
    if (idx(i, c) == none) idx(i, c) = I(-1);
  });
}

/// The kk nearest global base rows of every local query, as reduced
/// distances ascending by (distance, global row), into (out_d, out_i)
/// (n_q x kk, may be strided). graph_mode: queries are this rank's shard and
/// each query skips its own row. Collective.
template <class I, class Backend, class Comm, class Metric, class T, class S>
void sharded_topk(const Backend& be, const Comm& comm, const Metric& metric, matrix_view<const T, S> B,
                  matrix_view<const T, S> Q, index_t batch, bool graph_mode, index_t kk, matrix_view<T, S> out_d,
                  matrix_view<I, S> out_i) {
  const auto& hc = dd::host_comm(comm);
  const int P = hc.size(), me = hc.rank();
  const index_t d = B.cols(), nq = Q.rows(), nb_rows = B.rows();
  const index_t base_first = dd::row_offsets(hc, nb_rows)[static_cast<std::size_t>(me)];
  const I none = std::numeric_limits<I>::max();
  const index_t rounds = hc.allreduce((nq + batch - 1) / batch, reduce_op::max);
  matrix<T, S> packed;
  if (!Q.is_packed()) packed = make_matrix<T>(be, std::min(batch, nq), d);
  for (index_t t = 0; t < rounds; ++t) {
    const index_t q0 = t * batch;
    const index_t nb = q0 < nq ? std::min(batch, nq - q0) : 0;
    const auto counts = hc.allgather(nb);
    const auto qoff = dd::exclusive_offsets(counts);
    const index_t total = qoff.back();
    if (total == 0) continue;
    // 1. Every rank's batch, in rank order.
    const T* send = nb > 0 ? Q.row(q0) : nullptr;
    if (nb > 0 && !Q.is_packed()) {
      copy(be, matrix_view<T, S>(packed.data(), nb, d), Q.row_block(q0, nb));
      send = packed.data();
    }
    std::vector<index_t> elems(counts.size());
    for (std::size_t r = 0; r < counts.size(); ++r) elems[r] = counts[r] * d;
    auto Qall = make_matrix<T>(be, total, d);
    dd::allgatherv(be, comm, send, nb * d, Qall.data(), elems);
    // 2. Their top-kk in this shard.
    auto Dl = make_matrix<T>(be, total, kk);
    auto Il = make_matrix<I>(be, total, kk);
    for (int s = 0; s < P; ++s) {
      const index_t cs = counts[static_cast<std::size_t>(s)], o = qoff[static_cast<std::size_t>(s)];
      if (cs == 0) continue;
      if (nb_rows == 0) {
        fill_empty(be, Dl.view().row_block(o, cs), Il.view().row_block(o, cs));
        continue;
      }
      const index_t self = graph_mode && s == me ? q0 : index_t(-1);
      fused_distance_topk(be, metric, matrix_view<const T, S>(Qall.view()).row_block(o, cs), B, Dl.view().row_block(o, cs),
                          Il.view().row_block(o, cs), self);
    }
    to_global(be, Il.view(), base_first, none);
    // 3. Each batch's lists back to its owner.
    std::vector<index_t> sc(counts.size()), rc(counts.size(), nb * kk);
    for (std::size_t r = 0; r < counts.size(); ++r) sc[r] = counts[r] * kk;
    auto Rd = make_vector<T>(be, P * nb * kk);
    auto Ri = make_vector<I>(be, P * nb * kk);
    dd::alltoallv(be, comm, static_cast<const T*>(Dl.data()), sc, Rd.data(), rc);
    dd::alltoallv(be, comm, static_cast<const I*>(Il.data()), sc, Ri.data(), rc);
    if (nb == 0) continue;
    // 4. Merge by (distance, global row).
    auto Md = make_matrix<T>(be, nb, P * kk);
    auto Mi = make_matrix<I>(be, nb, P * kk);
    interleave(be, static_cast<const T*>(Rd.data()), P, nb, kk, Md.view());
    interleave(be, static_cast<const I*>(Ri.data()), P, nb, kk, Mi.view());
    select_k(be, matrix_view<const T, S>(Md.view()), out_d.row_block(q0, nb), out_i.row_block(q0, nb),
             matrix_view<const I, S>(Mi.view()));
    none_to_missing(be, out_i.row_block(q0, nb), none);
  }
}

}  // namespace detail

/// The k nearest base rows (over every rank's shard) of each of this rank's
/// queries, ascending by (distance, global index): indices are rows of the
/// concatenated base. Collective: every rank passes its base shard (may be
/// empty) and its own queries (may be empty), with the same params.
/// Exact only (params.algo exact or automatic). Throws
/// clustr::invalid_argument on every rank for bad input on any rank, ranks
/// that disagree on d or params, or k > total base rows.
template <class I = std::int64_t, class Backend, class Comm, class Base, class Queries, class Metric = metric::euclidean>
neighbors<value_type_of_t<Base>, I, memory_space_t<Backend>> search(const Backend& be, const Comm& comm,
                                                                     const params<Metric>& p, const Base& base_local,
                                                                     const Queries& queries_local) {
  using T = value_type_of_t<Base>;
  using S = memory_space_t<Backend>;
  static_assert(std::is_floating_point_v<T>, "clustr::distributed::knn::search: data must be float or double");
  static_assert(std::is_same_v<T, value_type_of_t<Queries>>, "base and queries must have the same scalar type");
  const auto& hc = detail::dd::host_comm(comm);
  const auto B = stage(be, as_const_view(base_local));
  const auto Q = stage(be, as_const_view(queries_local));
  detail::dd::collective_check(hc, [&] {
    metric::validate(p.metric);
    if (p.algo == clustr::knn::algorithm::nn_descent)
      clustr::detail::throw_invalid("params.algo", "nn_descent", "distributed search is exact");
    clustr::knn::detail::check_batch(p.batch_size, "params.batch_size");
    if (B.view().cols() < 1) clustr::detail::throw_invalid("base.cols()", B.view().cols(), "must be >= 1");
    clustr::knn::detail::check_dims(B.view(), Q.view());
    if (B.view().rows() > 0) clustr::knn::detail::check_data(be, B.view(), "base");
    if (Q.view().rows() > 0) clustr::knn::detail::check_data(be, Q.view(), "queries");
  });
  detail::check_agreement<Metric, T, I>(hc, p, B.view().cols());
  const index_t n_base = hc.allreduce(B.view().rows(), reduce_op::sum);
  clustr::knn::detail::check_k(p.k, n_base, "base.rows() over all ranks");
  neighbors<T, I, S> out{make_matrix<I>(be, Q.view().rows(), p.k), make_matrix<T>(be, Q.view().rows(), p.k)};
  detail::sharded_topk<I>(be, comm, p.metric, B.view(), Q.view(), p.batch_size, false, p.k, out.distances.view(),
                          out.indices.view());
  clustr::knn::detail::reduced_to_distance(be, p.metric, out.distances.view(), matrix_view<const I, S>(out.indices.view()));
  fence(be);
  return out;
}

/// The kNN graph of the concatenated rows, for this rank's rows: row i of
/// the result is global row (rows before this rank) + i; indices are global.
/// Same rules as clustr::knn::graph (include_self, exact answer, ties by
/// index); params.algo must be exact or automatic (always exact here).
/// Collective.
template <class I = std::int64_t, class Backend, class Comm, class Data, class Metric = metric::euclidean>
knn_graph<value_type_of_t<Data>, I, memory_space_t<Backend>> graph(const Backend& be, const Comm& comm,
                                                                   const params<Metric>& p, const Data& X_local) {
  using T = value_type_of_t<Data>;
  using S = memory_space_t<Backend>;
  static_assert(std::is_floating_point_v<T>, "clustr::distributed::knn::graph: data must be float or double");
  const auto& hc = detail::dd::host_comm(comm);
  const auto D = stage(be, as_const_view(X_local));
  const auto X = D.view();
  detail::dd::collective_check(hc, [&] {
    metric::validate(p.metric);
    if (p.algo == clustr::knn::algorithm::nn_descent)
      clustr::detail::throw_invalid("params.algo", "nn_descent", "distributed graphs are exact (use exact or automatic)");
    clustr::knn::detail::check_batch(p.batch_size, "params.batch_size");
    if (X.cols() < 1) clustr::detail::throw_invalid("X.cols()", X.cols(), "must be >= 1");
    if (X.rows() > 0) clustr::knn::detail::check_data(be, X, "X");
  });
  detail::check_agreement<Metric, T, I>(hc, p, X.cols());
  const index_t n = hc.allreduce(X.rows(), reduce_op::sum);
  if (p.include_self)
    clustr::knn::detail::check_k(p.k, n, "X.rows() over all ranks");
  else
    clustr::knn::detail::check_k(p.k, n - 1, "X.rows() over all ranks - 1 (self excluded)");
  const index_t nl = X.rows(), k = p.k;
  knn_graph<T, I, S> g;
  g.indices = make_matrix<I>(be, nl, k);
  g.distances = make_matrix<T>(be, nl, k);
  if (p.include_self) {
    // Column 0 is the point itself at distance 0; the k - 1 nearest others
    // go into columns 1..k-1 (as the single-process graph).
    const index_t first = detail::dd::row_offsets(hc, nl)[static_cast<std::size_t>(hc.rank())];
    if (k > 1) {
      const matrix_view<T, S> od(g.distances.data() + 1, nl, k - 1, k);
      const matrix_view<I, S> oi(g.indices.data() + 1, nl, k - 1, k);
      detail::sharded_topk<I>(be, comm, p.metric, X, X, p.batch_size, true, k - 1, od, oi);
      clustr::knn::detail::reduced_to_distance(be, p.metric, od, matrix_view<const I, S>(oi));
    }
    T* gd = g.distances.data();
    I* gi = g.indices.data();
    for_each(be, nl, CLUSTR_LAMBDA(index_t i) {
      gd[i * k] = T(0);
      gi[i * k] = static_cast<I>(first + i);
    });
  } else {
    detail::sharded_topk<I>(be, comm, p.metric, X, X, p.batch_size, true, k, g.distances.view(), g.indices.view());
    clustr::knn::detail::reduced_to_distance(be, p.metric, g.distances.view(), matrix_view<const I, S>(g.indices.view()));
  }
  fence(be);
  g.k = k;
  g.metric = metric::kind_of<Metric>();
  if constexpr (std::is_same_v<Metric, metric::minkowski>) g.metric_p = p.metric.p;
  g.includes_self = p.include_self;
  g.exact = true;
  return g;
}

/// The whole graph on `root` (rows in global order; in the backend's memory
/// space, ready for umap/hdbscan/dbscan there); the other ranks get a graph
/// with 0 rows and the same k and metric. Goes through host memory and MPI.
/// Collective.
template <class Backend, class Comm, class T, class I, class S>
knn_graph<T, I, memory_space_t<Backend>> gather_graph(const Backend& be, const Comm& comm, const knn_graph<T, I, S>& local,
                                                      int root = 0) {
  const auto& hc = detail::dd::host_comm(comm);
  const index_t k = local.indices.cols();
  const auto rows = hc.allgather(local.indices.rows());
  std::vector<index_t> elems(rows.size());
  index_t n = 0;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    elems[r] = rows[r] * k;
    n += rows[r];
  }
  const bool at_root = hc.rank() == root;
  const auto hi = local.indices.to_std_vector();
  const auto hd = local.distances.to_std_vector();
  std::vector<I> ai(at_root ? static_cast<std::size_t>(n * k) : 0);
  std::vector<T> ad(at_root ? static_cast<std::size_t>(n * k) : 0);
  hc.gatherv(hi.data(), static_cast<index_t>(hi.size()), ai.data(), elems, root);
  hc.gatherv(hd.data(), static_cast<index_t>(hd.size()), ad.data(), elems, root);
  knn_graph<T, I, memory_space_t<Backend>> g;
  const index_t nr = at_root ? n : 0;
  g.indices = make_matrix<I>(be, nr, k);
  g.distances = make_matrix<T>(be, nr, k);
  if (nr > 0) {
    copy(be, g.indices.view(), matrix_view<const I, host_space>(ai.data(), nr, k));
    copy(be, g.distances.view(), matrix_view<const T, host_space>(ad.data(), nr, k));
  }
  g.k = local.k;
  g.metric = local.metric;
  g.metric_p = local.metric_p;
  g.includes_self = local.includes_self;
  g.exact = local.exact;
  fence(be);
  return g;
}

}  // namespace clustr::distributed::knn
