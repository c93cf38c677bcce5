#pragma once
// Silhouette coefficients (Rousseeuw 1987), as scikit-learn's
// silhouette_samples / silhouette_score, for any metric. Never forms the
// n x n distance matrix: points are grouped by cluster (a stable sort by
// label) and each point's distances to every cluster are summed, one running
// sum per cluster run, in double. Device backends score batches of
// batch_rows points against tiles of tile_cols points, each tile from the
// pairwise_distance primitive (the CUDA backend's matrix-multiply path for
// expanded metrics): memory O(batch_rows * n_clusters + tile_cols *
// batch_rows + n). Host backends run blocks of 32 points through the packed
// register-tiled kernel of exact kNN, with no tile in memory. Time O(n^2 d).
// Every sum is taken in a fixed order, so serial and OpenMP give the same
// bits at any thread count.

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>
#include <type_traits>

#include "clustr/core/as_view.hpp"
#include "clustr/core/rng.hpp"
#include "clustr/metric/metric.hpp"
#include "clustr/primitives/distance.hpp"
#include "clustr/primitives/for_each.hpp"
#include "clustr/primitives/gather.hpp"
#include "clustr/primitives/memory.hpp"
#include "clustr/primitives/reduce.hpp"
#include "clustr/primitives/sort.hpp"
#include "clustr/primitives/validate.hpp"
#include "clustr/stats/host_blocks.hpp"
#include "clustr/stats/labels.hpp"
#include "clustr/stats/stats_types.hpp"

namespace clustr::stats {

namespace detail {

/// The rows a silhouette scores: all, without noise, and a random subset of
/// sample_size of them when asked (the sample_size smallest Philox keys of
/// their row indices), ascending.
template <class Backend, class L, class S>
vector<index_t, S> silhouette_rows(const Backend& be, vector_view<const L, S> labels, noise_policy noise,
                                   index_t sample_size, std::uint64_t seed) {
  auto rows = kept_rows(be, labels, noise);
  const index_t m = rows.size();
  if (sample_size <= 0 || sample_size >= m) return rows;
  auto keys = make_vector<std::uint64_t>(be, m);
  std::uint64_t* k = keys.data();
  const index_t* r = rows.data();
  const rng::random_stream rs{seed, 0x5111u};
  for_each(be, m, CLUSTR_LAMBDA(index_t t) { k[t] = rs.bits(static_cast<std::uint64_t>(r[t])); });
  sort_by_key(be, keys.view(), rows.view());
  auto sample = make_vector<index_t>(be, sample_size);
  copy(be, sample.view(), vector_view<const index_t, S>(rows.data(), sample_size));
  sort(be, sample.view());
  return sample;
}

/// s = (b - a) / max(a, b) from one point's per-cluster distance sums: a the
/// mean distance to the rest of its own cluster, b the smallest mean distance
/// to another; 0 for singletons and for 0 / 0 (scikit-learn's nan_to_num).
CLUSTR_HD inline double silhouette_value(const double* sums, index_t own, index_t n_clusters, const index_t* off) {
  const index_t n_own = off[own + 1] - off[own];
  if (n_own <= 1) return 0.0;
  const double intra = sums[own] / static_cast<double>(n_own - 1);
  double inter = std::numeric_limits<double>::infinity();
  for (index_t c = 0; c < n_clusters; ++c) {
    if (c == own) continue;
    const double v = sums[c] / static_cast<double>(off[c + 1] - off[c]);
    inter = v < inter ? v : inter;
  }
  const double den = intra > inter ? intra : inter;
  return den > 0.0 ? (inter - intra) / den : 0.0;
}

/// Host backends: blocks of host_row_block grouped points, each against all
/// points through the packed host kernel, sums per cluster run in double.
/// Memory per task O(host_row_block * n_clusters); no tile in memory.
template <class Backend, class Metric, class T, class S>
void silhouette_host(const Backend& be, const Metric& metric, matrix_view<const T, S> X, const grouping<S>& g,
                     double* out) {
  const index_t m = g.size(), C = g.n_clusters, d = X.cols();
  const index_t* ord = g.order.data();
  const index_t* cid = g.cluster.data();
  const index_t* off = g.offsets.data();
  const index_t blocks = (m + host_row_block - 1) / host_row_block;
  for_each(be, blocks, [=](index_t blk) {
    const index_t p0 = blk * host_row_block;
    const index_t nr = std::min(host_row_block, m - p0);
    std::vector<const T*> rows(static_cast<std::size_t>(nr));
    for (index_t r = 0; r < nr; ++r) rows[static_cast<std::size_t>(r)] = X.row(ord[p0 + r]);
    std::vector<double> sums(static_cast<std::size_t>(nr * C), 0.0), run(static_cast<std::size_t>(nr), 0.0);
    std::vector<index_t> run_cluster(static_cast<std::size_t>(nr), cid[0]);
    host_rows_against_columns(
        metric, rows.data(), nr, d, m, [&](index_t q) { return X.row(ord[q]); },
        [&](index_t r, index_t q, T reduced) {
          const auto e = static_cast<std::size_t>(r);
          if (cid[q] != run_cluster[e]) {
            sums[static_cast<std::size_t>(r * C + run_cluster[e])] += run[e];
            run[e] = 0.0;
            run_cluster[e] = cid[q];
          }
          if (q != p0 + r) run[e] += static_cast<double>(metric.to_distance(reduced));  // d(x, x) = 0
        });
    for (index_t r = 0; r < nr; ++r) {
      const auto e = static_cast<std::size_t>(r);
      sums[static_cast<std::size_t>(r * C + run_cluster[e])] += run[e];
      out[p0 + r] = silhouette_value(sums.data() + r * C, cid[p0 + r], C, off);
    }
  });
}

/// Device backends (and any backend with its own pairwise_distance):
/// batches of batch_rows points against tiles of tile_cols points, each tile
/// of distances from the pairwise_distance primitive.
template <class Backend, class Metric, class T, class S>
vector<double, S> silhouette_tiled(const Backend& be, const Metric& metric, matrix_view<const T, S> X,
                                   const grouping<S>& g, index_t batch_rows, index_t tile_cols) {
  const index_t m = g.size(), C = g.n_clusters, d = X.cols();
  batch_rows = auto_batch_rows(batch_rows, tile_cols, sizeof(T), static_cast<std::size_t>(C) * sizeof(double));
  const index_t B = batch_rows < m ? batch_rows : m;
  const index_t TC = tile_cols < m ? tile_cols : m;
  auto rows_buf = make_matrix<T>(be, B, d);
  auto cols_buf = make_matrix<T>(be, TC, d);
  auto tile = make_vector<T>(be, TC * B);
  auto acc = make_vector<double>(be, B * C);
  auto sil = make_vector<double>(be, m);
  const index_t* ord = g.order.data();
  const index_t* cid = g.cluster.data();
  const index_t* off = g.offsets.data();
  double* a = acc.data();
  double* out = sil.data();
  const T* D = tile.data();
  for (index_t r0 = 0; r0 < m; r0 += B) {
    const index_t nb = r0 + B < m ? B : m - r0;
    gather_rows(be, X, vector_view<const index_t, S>(ord + r0, nb), rows_buf.view());
    fill(be, vector_view<double, S>(a, nb * C), 0.0);
    for (index_t j0 = 0; j0 < m; j0 += TC) {
      const index_t nc = j0 + TC < m ? TC : m - j0;
      gather_rows(be, X, vector_view<const index_t, S>(ord + j0, nc), cols_buf.view());
      // D(j, i): tile column i is batch point i, so each point reads a column.
      pairwise_distance(be, metric, matrix_view<const T, S>(cols_buf.data(), nc, d),
                        matrix_view<const T, S>(rows_buf.data(), nb, d), matrix_view<T, S>(tile.data(), nc, nb));
      for_each(be, nb, CLUSTR_LAMBDA(index_t i) {
        double* ai = a + i * C;
        const index_t self = r0 + i;
        index_t c = cid[j0];
        double s = 0.0;
        for (index_t jj = 0; jj < nc; ++jj) {
          const index_t q = j0 + jj;
          if (cid[q] != c) {
            ai[c] += s;
            s = 0.0;
            c = cid[q];
          }
          if (q != self) s += static_cast<double>(D[jj * nb + i]);  // d(x, x) = 0, as scikit-learn
        }
        ai[c] += s;
      });
    }
    for_each(be, nb, CLUSTR_LAMBDA(index_t i) { out[r0 + i] = silhouette_value(a + i * C, cid[r0 + i], C, off); });
  }
  return sil;
}

/// Silhouette of every grouped point, in grouping order, in double.
template <class Backend, class Metric, class T, class S>
vector<double, S> silhouette_grouped(const Backend& be, const Metric& metric, matrix_view<const T, S> X,
                                     const grouping<S>& g, index_t batch_rows, index_t tile_cols) {
  if constexpr (use_host_kernel_v<Backend, Metric, T, S>) {
    auto sil = make_vector<double>(be, g.size());
    silhouette_host(be, metric, X, g, sil.data());
    return sil;
  } else {
    return silhouette_tiled(be, metric, X, g, batch_rows, tile_cols);
  }
}

template <class Metric>
void check_silhouette_params(const silhouette_params<Metric>& p) {
  metric::validate(p.metric);
  if (p.sample_size < 0) clustr::detail::throw_invalid("params.sample_size", p.sample_size, "must be >= 0 (0: all points)");
  if (p.batch_rows < 0) clustr::detail::throw_invalid("params.batch_rows", p.batch_rows, "must be >= 0 (0: automatic)");
  if (p.tile_cols < 1) clustr::detail::throw_invalid("params.tile_cols", p.tile_cols, "must be >= 1");
}

/// Staged, checked inputs and the silhouettes of the scored points.
template <class Space>
struct silhouette_run {
  grouping<Space> groups;
  vector<double, Space> values;  ///< in grouping order
};

template <class Backend, class Metric, class T, class S, class L>
silhouette_run<S> run_silhouette(const Backend& be, const silhouette_params<Metric>& p, matrix_view<const T, S> X,
                                    vector_view<const L, S> labels) {
  check_silhouette_params(p);
  check_finite(be, X, "X");
  check_label_count(labels, X.rows(), "labels", "X.rows()");
  auto rows = silhouette_rows(be, labels, p.noise, p.sample_size, p.seed);
  auto g = group_rows(be, labels, std::move(rows));
  check_number_of_labels(g.n_clusters, g.size(), "silhouette");
  auto values = silhouette_grouped(be, p.metric, X, g, p.batch_rows, p.tile_cols);
  return {std::move(g), std::move(values)};
}

/// out[i] = NaN for every row, then the scored rows' values.
template <class Backend, class T, class S>
vector<T, S> scatter_silhouettes(const Backend& be, index_t n, const grouping<S>& g, const vector<double, S>& values) {
  auto out = make_vector<T>(be, n);
  fill(be, out.view(), std::numeric_limits<T>::quiet_NaN());
  T* o = out.data();
  const index_t* ord = g.order.data();
  const double* v = values.data();
  for_each(be, g.size(), CLUSTR_LAMBDA(index_t p) { o[ord[p]] = static_cast<T>(v[p]); });
  return out;
}

}  // namespace detail

/// The silhouette coefficient of every row of X (a view or array, float or
/// double) under `labels` (int32 or int64, one per row), as scikit-learn's
/// silhouette_samples: (b - a) / max(a, b) with a the mean distance to the
/// rest of the own cluster and b the smallest mean distance to another
/// cluster; 0 for points of single-point clusters. Rows not scored (noise
/// under noise_policy::exclude, rows outside a sample_size draw) get NaN.
/// Throws clustr::invalid_argument for NaN/infinite X, a label count other
/// than X.rows(), or fewer than 2 or more than n - 1 clusters.
template <class Backend, class Data, class Labels, class Metric = metric::euclidean>
vector<value_type_of_t<Data>, memory_space_t<Backend>> silhouette_samples(const Backend& be, const Data& X,
                                                                          const Labels& labels,
                                                                          const silhouette_params<Metric>& p = {}) {
  using T = value_type_of_t<Data>;
  static_assert(std::is_floating_point_v<T>, "clustr::stats::silhouette_samples: data must be float or double");
  detail::static_check_labels<value_type_of_t<Labels>>();
  const auto Xs = stage(be, as_const_view(X));
  const auto Ls = stage(be, as_const_view(labels));
  const auto run = detail::run_silhouette(be, p, Xs.view(), Ls.view());
  auto out = detail::scatter_silhouettes<Backend, T>(be, Xs.view().rows(), run.groups, run.values);
  fence(be);
  return out;
}

/// The mean silhouette coefficient over the scored points, as scikit-learn's
/// silhouette_score (with sample_size and a Philox seed in place of
/// random_state). Same inputs and errors as silhouette_samples.
template <class Backend, class Data, class Labels, class Metric = metric::euclidean>
double silhouette_score(const Backend& be, const Data& X, const Labels& labels, const silhouette_params<Metric>& p = {}) {
  using T = value_type_of_t<Data>;
  static_assert(std::is_floating_point_v<T>, "clustr::stats::silhouette_score: data must be float or double");
  detail::static_check_labels<value_type_of_t<Labels>>();
  const auto Xs = stage(be, as_const_view(X));
  const auto Ls = stage(be, as_const_view(labels));
  const auto run = detail::run_silhouette(be, p, Xs.view(), Ls.view());
  const double total = reduce(be, vector_view<const double, memory_space_t<Backend>>(run.values.view()), 0.0);
  return total / static_cast<double>(run.groups.size());
}

}  // namespace clustr::stats
