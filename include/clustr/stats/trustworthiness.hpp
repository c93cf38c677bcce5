#pragma once
// Trustworthiness of an embedding (Venna & Kaski 2001), as scikit-learn's
// sklearn.manifold.trustworthiness: 1 - 2 / (n k (2n - 3k - 1)) times the
// sum, over every point i and each of its k nearest neighbours j in the
// embedding, of max(0, r(i, j) - k), where r(i, j) is the rank of j among
// i's neighbours in the original space. Ranks are never read from an n x n
// matrix: a neighbour found in a kNN graph of X has its rank from its
// position there; the others are counted by streaming X against the points
// that need them: in tiles of distances from the pairwise_distance primitive
// on device backends, through the packed host kernel of exact kNN on host
// backends. Time O(m n d) for the m points that need counting (all of them
// without an X graph), memory O(n k + tile).

#include <algorithm>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "clustr/core/as_view.hpp"
#include "clustr/metric/metric.hpp"
#include "clustr/neighbors/knn_types.hpp"
#include "clustr/neighbors/search.hpp"
#include "clustr/primitives/distance.hpp"
#include "clustr/primitives/for_each.hpp"
#include "clustr/primitives/memory.hpp"
#include "clustr/primitives/reduce.hpp"
#include "clustr/primitives/validate.hpp"
#include "clustr/stats/host_blocks.hpp"
#include "clustr/stats/labels.hpp"
#include "clustr/stats/silhouette.hpp"
#include "clustr/stats/stats_types.hpp"

namespace clustr::stats {

namespace detail {

/// The neighbour lists of an X graph: row i's neighbour t (t < count) is
/// idx[i * stride + skip + t].
template <class I>
struct rank_source {
  const I* idx = nullptr;
  index_t stride = 0;
  index_t skip = 0;
  index_t count = 0;
};

/// sum of max(0, rank - k) over the unknown ranks of `rows`, counted on
/// device backends: batches of rows against tiles of X from the
/// pairwise_distance primitive (reduced distances).
template <class Backend, class Metric, class T, class S, class EI>
std::int64_t count_ranks_tiled(const Backend& be, const Metric& metric, matrix_view<const T, S> X,
                               matrix_view<const EI, S> E, const std::int64_t* kn, const vector<index_t, S>& rows,
                               index_t batch_rows, index_t tile_cols) {
  const index_t n = X.rows(), d = X.cols(), k = E.cols(), m = rows.size();
  std::int64_t penalty = 0;
  batch_rows = auto_batch_rows(batch_rows, tile_cols, sizeof(T), static_cast<std::size_t>(k) * (2 * sizeof(std::int64_t) + sizeof(T)));
  const index_t B = batch_rows < m ? batch_rows : m;
  const index_t TC = tile_cols < n ? tile_cols : n;
  auto rows_buf = make_matrix<T>(be, B, d);
  auto tile = make_vector<T>(be, TC * B);
  auto target = make_vector<std::int64_t>(be, B * k);  // neighbour to rank, -1 when known
  auto threshold = make_vector<T>(be, B * k);
  auto before = make_vector<std::int64_t>(be, B * k);
  const index_t* rw = rows.data();
  std::int64_t* tg = target.data();
  T* th = threshold.data();
  std::int64_t* cnt = before.data();
  const T* D = tile.data();
  const T* buf = rows_buf.data();
  for (index_t r0 = 0; r0 < m; r0 += B) {
    const index_t nb = r0 + B < m ? B : m - r0;
    gather_rows(be, X, vector_view<const index_t, S>(rw + r0, nb), rows_buf.view());
    for_each(be, nb * k, CLUSTR_LAMBDA(index_t e) {
      const index_t b = e / k, i = rw[r0 + b];
      const std::int64_t j = static_cast<std::int64_t>(E(i, e % k));
      const bool unknown = kn[i * k + e % k] == 0;
      tg[e] = unknown ? j : -1;
      // The same call, argument order and rows as the tile's entries below,
      // so that j compares equal to itself on host backends.
      th[e] = unknown ? metric::reduced_distance(metric, X.row(j), buf + b * d, d) : T(0);
      cnt[e] = 0;
    });
    for (index_t l0 = 0; l0 < n; l0 += TC) {
      const index_t nl = l0 + TC < n ? TC : n - l0;
      pairwise_distance(be, metric, X.row_block(l0, nl), matrix_view<const T, S>(buf, nb, d),
                        matrix_view<T, S>(tile.data(), nl, nb), distance_form::reduced);
      for_each(be, nb, CLUSTR_LAMBDA(index_t b) {
        const index_t i = rw[r0 + b];
        for (index_t ll = 0; ll < nl; ++ll) {
          const std::int64_t l = l0 + ll;
          if (l == i) continue;
          const T v = D[ll * nb + b];
          for (index_t c = 0; c < k; ++c) {
            const std::int64_t j = tg[b * k + c];
            if (j < 0 || l == j) continue;
            const T t = th[b * k + c];
            if (v < t || (v == t && l < j)) ++cnt[b * k + c];
          }
        }
      });
    }
    penalty += transform_reduce(be, nb * k, std::int64_t(0), plus{}, CLUSTR_LAMBDA(index_t e) {
      const std::int64_t rank = cnt[e] + 1;
      return tg[e] >= 0 && rank > k ? rank - k : std::int64_t(0);
    });
  }
  return penalty;
}


/// The same on host backends: blocks of rows through the packed host kernel.
template <class Backend, class Metric, class T, class S, class EI>
std::int64_t count_ranks_host(const Backend& be, const Metric& metric, matrix_view<const T, S> X,
                              matrix_view<const EI, S> E, const std::int64_t* kn, const vector<index_t, S>& rows) {
  const index_t n = X.rows(), d = X.cols(), k = E.cols(), m = rows.size();
  const index_t* rw = rows.data();
  const index_t blocks = (m + host_row_block - 1) / host_row_block;
  std::vector<std::int64_t> partial(static_cast<std::size_t>(blocks), 0);
  std::int64_t* part = partial.data();
  for_each(be, blocks, [=](index_t blk) {
    const index_t r0 = blk * host_row_block;
    const index_t nr = std::min(host_row_block, m - r0);
    std::vector<const T*> ptrs(static_cast<std::size_t>(nr));
    std::vector<std::int64_t> target(static_cast<std::size_t>(nr * k)), before(static_cast<std::size_t>(nr * k), 0);
    std::vector<T> threshold(static_cast<std::size_t>(nr * k));
    for (index_t r = 0; r < nr; ++r) {
      const index_t i = rw[r0 + r];
      ptrs[static_cast<std::size_t>(r)] = X.row(i);
      for (index_t c = 0; c < k; ++c) {
        const auto e = static_cast<std::size_t>(r * k + c);
        const std::int64_t j = static_cast<std::int64_t>(E(i, c));
        const bool unknown = kn[i * k + c] == 0;
        target[e] = unknown ? j : -1;
        // The kernel's argument order (row, column), so j equals itself.
        threshold[e] = unknown ? metric::reduced_distance(metric, X.row(i), X.row(j), d) : T(0);
      }
    }
    host_rows_against_columns(
        metric, ptrs.data(), nr, d, n, [&](index_t q) { return X.row(q); },
        [&](index_t r, index_t l, T v) {
          if (l == rw[r0 + r]) return;
          for (index_t c = 0; c < k; ++c) {
            const auto e = static_cast<std::size_t>(r * k + c);
            const std::int64_t j = target[e];
            if (j < 0 || l == j) continue;
            if (v < threshold[e] || (v == threshold[e] && l < j)) ++before[e];
          }
        });
    std::int64_t sum = 0;
    for (std::size_t e = 0; e < target.size(); ++e)
      if (target[e] >= 0 && before[e] + 1 > k) sum += before[e] + 1 - k;
    part[blk] = sum;
  });
  std::int64_t total = 0;
  for (const std::int64_t v : partial) total += v;
  return total;
}

/// sum over (i, c) of max(0, rank - k) for the embedded neighbours E(i, c);
/// ranks in the original space by the X graph where it has them, else by
/// counting (distance, index) pairs that come before (ties to the smaller
/// index, as every clustr top-k).
template <class Backend, class Metric, class T, class S, class EI, class GI>
std::int64_t trustworthiness_penalty(const Backend& be, const Metric& metric, matrix_view<const T, S> X,
                                     matrix_view<const EI, S> E, rank_source<GI> graph, index_t batch_rows,
                                     index_t tile_cols) {
  const index_t n = X.rows(), k = E.cols();
  // Known ranks (0: unknown).
  auto known = make_vector<std::int64_t>(be, n * k);
  std::int64_t* kn = known.data();
  for_each(be, n, CLUSTR_LAMBDA(index_t i) {
    for (index_t c = 0; c < k; ++c) {
      const std::int64_t j = static_cast<std::int64_t>(E(i, c));
      std::int64_t r = 0;
      for (index_t t = 0; t < graph.count; ++t)
        if (static_cast<std::int64_t>(graph.idx[i * graph.stride + graph.skip + t]) == j) {
          r = t + 1;
          break;
        }
      kn[i * k + c] = r;
    }
  });
  std::int64_t penalty = transform_reduce(be, n * k, std::int64_t(0), plus{}, CLUSTR_LAMBDA(index_t e) {
    return kn[e] > k ? kn[e] - k : std::int64_t(0);
  });
  const auto rows = select_indices(be, n, CLUSTR_LAMBDA(index_t i) {
    for (index_t c = 0; c < k; ++c)
      if (kn[i * k + c] == 0) return true;
    return false;
  });
  if (rows.size() == 0) return penalty;
  if constexpr (use_host_kernel_v<Backend, Metric, T, S>) {
    (void)batch_rows;
    (void)tile_cols;
    return penalty + count_ranks_host(be, metric, X, E, kn, rows);
  } else {
    return penalty + count_ranks_tiled(be, metric, X, E, kn, rows, batch_rows, tile_cols);
  }
}

template <class Metric>
void check_trustworthiness_params(const trustworthiness_params<Metric>& p, index_t n) {
  metric::validate(p.metric);
  if (p.n_neighbors < 1) clustr::detail::throw_invalid("params.n_neighbors", p.n_neighbors, "must be >= 1");
  if (static_cast<double>(p.n_neighbors) >= static_cast<double>(n) / 2.0)
    clustr::detail::throw_invalid("params.n_neighbors", p.n_neighbors,
                                  clustr::detail::concat("must be < n / 2 = ", static_cast<double>(n) / 2.0));
  if (p.batch_rows < 0) clustr::detail::throw_invalid("params.batch_rows", p.batch_rows, "must be >= 0 (0: automatic)");
  if (p.tile_cols < 1) clustr::detail::throw_invalid("params.tile_cols", p.tile_cols, "must be >= 1");
}

template <class Backend, class Metric, class T, class TE, class S, class GI>
double trustworthiness_checked(const Backend& be, const trustworthiness_params<Metric>& p, matrix_view<const T, S> X,
                               matrix_view<const TE, S> Y, rank_source<GI> graph) {
  const index_t n = X.rows(), k = p.n_neighbors;
  // Neighbours in the embedding: Euclidean, without self, as scikit-learn's
  // NearestNeighbors().kneighbors().
  const auto g = knn::graph<std::int64_t>(be, knn::params<metric::euclidean>{.k = k}, Y);
  const std::int64_t penalty = trustworthiness_penalty(be, p.metric, X, matrix_view<const std::int64_t, S>(g.indices.view()),
                                                       graph, p.batch_rows, p.tile_cols);
  const double dn = static_cast<double>(n), dk = static_cast<double>(k);
  return 1.0 - static_cast<double>(penalty) * (2.0 / (static_cast<double>(n * k) * (2.0 * dn - 3.0 * dk - 1.0)));
}

template <class Backend, class Metric, class T, class TE, class S>
void check_trustworthiness_input(const Backend& be, const trustworthiness_params<Metric>& p, matrix_view<const T, S> X,
                                 matrix_view<const TE, S> Y) {
  check_finite(be, X, "X");
  check_finite(be, Y, "embedding");
  if (Y.rows() != X.rows())
    clustr::detail::throw_invalid("embedding.rows()", Y.rows(), clustr::detail::concat("must equal X.rows() = ", X.rows()));
  check_trustworthiness_params(p, X.rows());
}

}  // namespace detail

/// How well the k-neighbourhoods of `embedding` are true neighbourhoods of
/// X, in [0, 1] (1: no intruders), as scikit-learn's trustworthiness(X,
/// X_embedded, n_neighbors, metric). X and embedding are views or arrays
/// (float or double) with the same number of rows; params.metric is the
/// distance in X, the embedding is Euclidean. Ties in the original space go
/// to the smaller index. Throws clustr::invalid_argument for NaN/infinite
/// input, mismatched rows, or n_neighbors outside [1, n / 2).
template <class Backend, class Data, class Embedding, class Metric = metric::euclidean>
double trustworthiness(const Backend& be, const Data& X, const Embedding& embedding,
                       const trustworthiness_params<Metric>& p = {}) {
  static_assert(std::is_floating_point_v<value_type_of_t<Data>>, "clustr::stats::trustworthiness: X must be float or double");
  static_assert(std::is_floating_point_v<value_type_of_t<Embedding>>,
                "clustr::stats::trustworthiness: embedding must be float or double");
  const auto Xs = stage(be, as_const_view(X));
  const auto Ys = stage(be, as_const_view(embedding));
  detail::check_trustworthiness_input(be, p, Xs.view(), Ys.view());
  return detail::trustworthiness_checked(be, p, Xs.view(), Ys.view(), detail::rank_source<std::int64_t>{});
}

/// The same, with an exact kNN graph of X (built with params.metric, any k,
/// with or without self): neighbours found in it take their rank from it,
/// and points whose k embedded neighbours are all in it need no distance
/// computation. Throws clustr::invalid_argument for an approximate graph, one
/// of another metric or another number of points.
template <class Backend, class Data, class Embedding, class GT, class GI, class GS, class Metric = metric::euclidean>
double trustworthiness(const Backend& be, const Data& X, const Embedding& embedding,
                       const knn::knn_graph<GT, GI, GS>& X_graph, const trustworthiness_params<Metric>& p = {}) {
  static_assert(std::is_floating_point_v<value_type_of_t<Data>>, "clustr::stats::trustworthiness: X must be float or double");
  static_assert(std::is_floating_point_v<value_type_of_t<Embedding>>,
                "clustr::stats::trustworthiness: embedding must be float or double");
  const auto Xs = stage(be, as_const_view(X));
  const auto Ys = stage(be, as_const_view(embedding));
  detail::check_trustworthiness_input(be, p, Xs.view(), Ys.view());
  if (X_graph.n() != Xs.view().rows())
    clustr::detail::throw_invalid("X_graph.n()", X_graph.n(), clustr::detail::concat("must equal X.rows() = ", Xs.view().rows()));
  if (!X_graph.exact)
    clustr::detail::throw_invalid("X_graph.exact", "false", "ranks need an exact kNN graph (not NN-descent)");
  if (X_graph.metric != metric::kind_of<Metric>() ||
      (X_graph.metric == metric::kind::minkowski && [&] {
        if constexpr (std::is_same_v<Metric, metric::minkowski>) return X_graph.metric_p != p.metric.p;
        else return false;
      }()))
    clustr::detail::throw_invalid("X_graph.metric", metric::name_of(X_graph.metric),
                                  clustr::detail::concat("must be params.metric (", Metric::name, ")"));
  const auto Gs = stage(be, as_const_view(X_graph.indices));
  const index_t skip = X_graph.includes_self ? 1 : 0;
  const detail::rank_source<GI> ranks{Gs.view().data(), Gs.view().stride(), skip, Gs.view().cols() - skip};
  return detail::trustworthiness_checked(be, p, Xs.view(), Ys.view(), ranks);
}

}  // namespace clustr::stats
