#pragma once
// DBSCAN by tiled distance blocks (any metric, any dimension). A tile of
// batch_size rows x as many columns as params.max_workspace_bytes allows is
// filled by pairwise_distance (cuBLAS for expanded metrics on CUDA) and
// consumed at once; nothing larger than a tile is ever stored.
//   pass 1: neighbour counts; a row leaves the work list as soon as it has
//           min_samples neighbours (early exit);
//   pass 2: the core points gathered, union-find over the core-core tiles on
//           and above the diagonal;
//   pass 3: each non-core point's nearest core point: fused_distance_argmin
//           on host backends, two sweeps of tiles with atomic minima on
//           device backends.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>
#include <utility>

#include "clustr/cluster/detail/dbscan_common.hpp"
#include "clustr/primitives/primitives.hpp"

namespace clustr::dbscan::detail {

/// Rows and columns of a distance tile within the workspace bound, which
/// also holds `gather_cols` values per tile row (rows gathered from a list).
struct tile_plan {
  index_t rows = 1, cols = 1;
  std::size_t bytes = 0;
};

template <class T>
tile_plan plan_tile(index_t batch_size, std::size_t max_bytes, index_t n_rows, index_t n_cols, index_t gather_cols = 0) {
  tile_plan t;
  t.rows = std::max<index_t>(1, std::min(batch_size, n_rows));
  const std::size_t column_bytes = sizeof(T) * static_cast<std::size_t>(t.rows);
  const std::size_t gather_bytes = column_bytes * static_cast<std::size_t>(gather_cols);
  if (max_bytes < column_bytes + gather_bytes)
    clustr::detail::throw_invalid("params.max_workspace_bytes", max_bytes,
                                  clustr::detail::concat("smaller than one tile column and gathered rows (batch_size x (1 + d) x sizeof(T) = ",
                                                         column_bytes + gather_bytes, " bytes); raise it or lower params.batch_size"));
  t.cols = static_cast<index_t>(std::min<std::size_t>((max_bytes - gather_bytes) / column_bytes,
                                                      static_cast<std::size_t>(std::max<index_t>(1, n_cols))));
  t.bytes = column_bytes * static_cast<std::size_t>(t.cols) + gather_bytes;
  return t;
}

/// Pass 1: core[i] for every row of X. Column tiles outside, the rows still
/// short of min_samples inside: after each column tile the rows that have
/// reached it leave the list (early exit), so dense data costs about one
/// column tile per row.
template <class Backend, class Metric, class T, class S>
std::size_t brute_core(const Backend& be, const Metric& metric, matrix_view<const T, S> X, T eps_r, index_t need,
                       index_t batch_size, std::size_t max_bytes, std::uint8_t* core) {
  const index_t n = X.rows(), d = X.cols();
  const tile_plan t = plan_tile<T>(batch_size, max_bytes, n, n, d);
  auto tile = make_vector<T>(be, t.rows * t.cols);
  auto gathered = make_vector<T>(be, t.rows * d);
  auto counts = make_vector<index_t>(be, n);
  auto active = make_vector<index_t>(be, n);
  auto next = make_vector<index_t>(be, n);
  auto keep = make_vector<index_t>(be, n);
  fill(be, counts.view(), index_t(0));
  iota(be, active.view(), index_t(0));
  index_t* cnt = counts.data();
  T* g = gathered.data();
  index_t n_active = n;
  for (index_t c0 = 0; c0 < n && n_active > 0; c0 += t.cols) {
    const index_t nc = std::min(t.cols, n - c0);
    const index_t* act = active.data();
    for (index_t a0 = 0; a0 < n_active; a0 += t.rows) {
      const index_t nr = std::min(t.rows, n_active - a0);
      for_each_2d(be, nr, d, CLUSTR_LAMBDA(index_t a, index_t j) { g[a * d + j] = X(act[a0 + a], j); });
      const matrix_view<T, S> D(tile.data(), nr, nc);
      pairwise_distance(be, metric, matrix_view<const T, S>(g, nr, d), X.row_block(c0, nc), D, distance_form::reduced);
      if constexpr (is_host_backend_v<Backend>) {
        // A row per task, stopping at min_samples.
        for_each(be, nr, CLUSTR_LAMBDA(index_t a) {
          const index_t i = act[a0 + a];
          index_t c = cnt[i];
          for (index_t b = 0; b < nc && c < need; ++b)
            if (D(a, b) <= eps_r) ++c;
          cnt[i] = c;
        });
      } else {
        // An entry per thread (a thread per row would read the tile
        // uncoalesced, one long row each); counts may pass min_samples.
        for_each_2d(be, nr, nc, CLUSTR_LAMBDA(index_t a, index_t b) {
          const index_t i = act[a0 + a];
          if (D(a, b) <= eps_r && atomic_load(cnt + i) < need) atomic_add(cnt + i, index_t(1));
        });
      }
    }
    if (c0 + nc >= n) break;
    // Early exit: keep only the rows short of min_samples.
    const index_t kept = copy_if(be, n_active, CLUSTR_LAMBDA(index_t k) { return cnt[act[k]] < need; }, keep.view());
    const index_t* kp = keep.data();
    index_t* nx = next.data();
    for_each(be, kept, CLUSTR_LAMBDA(index_t k) { nx[k] = act[kp[k]]; });
    std::swap(active, next);
    n_active = kept;
  }
  for_each(be, n, CLUSTR_LAMBDA(index_t i) { core[i] = cnt[i] >= need ? 1 : 0; });
  return t.bytes;
}

/// Pass 2: union-find over the c core points Xc (parent indexed by core
/// number, roots the smallest core number).
template <class Backend, class Metric, class T, class S>
std::size_t brute_unite(const Backend& be, const Metric& metric, matrix_view<const T, S> Xc, T eps_r,
                        index_t batch_size, std::size_t max_bytes, index_t* parent) {
  const index_t c = Xc.rows();
  union_find_init(be, vector_view<index_t, S>(parent, c));
  if (c <= 1) return 0;
  const tile_plan t = plan_tile<T>(batch_size, max_bytes, c, c);
  auto tile = make_vector<T>(be, t.rows * t.cols);
  const union_find_view<index_t> uf{parent};
  for (index_t r0 = 0; r0 < c; r0 += t.rows) {
    const index_t nr = std::min(t.rows, c - r0);
    // Columns from r0 on: every pair once, in the row block of its smaller index.
    for (index_t c0 = r0; c0 < c; c0 += t.cols) {
      const index_t nc = std::min(t.cols, c - c0);
      const matrix_view<T, S> D(tile.data(), nr, nc);
      pairwise_distance(be, metric, Xc.row_block(r0, nr), Xc.row_block(c0, nc), D, distance_form::reduced);
      for_each_2d(be, nr, nc, CLUSTR_LAMBDA(index_t a, index_t b) {
        const index_t i = r0 + a, j = c0 + b;
        if (i < j && D(a, b) <= eps_r) uf.unite(i, j);
      });
    }
  }
  union_find_flatten(be, vector_view<index_t, S>(parent, c));
  return t.bytes;
}

/// An integer with the order of the floating-point value (for atomic_min).
template <class T>
struct ordered_key {
  using type = std::conditional_t<sizeof(T) == 4, std::int32_t, std::int64_t>;
  static CLUSTR_HD type of(T v) {
    type i;
    std::memcpy(&i, &v, sizeof(T));
    return i >= 0 ? i : static_cast<type>(i ^ std::numeric_limits<type>::max());
  }
};

/// Device form of pass 3: two sweeps over tiles of the query rows x the core
/// points, each entry a thread. Sweep 1 keeps each row's smallest reduced
/// distance within eps (atomic_min on ordered bits), sweep 2 the smallest core
/// number at that distance. (fused_distance_argmin would process only as many
/// rows per GEMM as its workspace holds rows of the whole core set: a few
/// dozen on large data, far from the GEMM's speed.)
template <class Backend, class Metric, class T, class S>
std::size_t tiled_nearest(const Backend& be, const Metric& metric, matrix_view<const T, S> Q, const index_t* rows,
                          index_t n_rows, matrix_view<const T, S> Xc, const std::int32_t* core_label, T eps_r,
                          index_t batch_size, std::size_t max_bytes, std::int32_t* out) {
  using K = typename ordered_key<T>::type;
  const index_t d = Q.cols(), c = Xc.rows();
  const tile_plan t = plan_tile<T>(batch_size, max_bytes, n_rows, c, d);
  auto tile = make_vector<T>(be, t.rows * t.cols);
  auto gathered = make_vector<T>(be, t.rows * d);
  auto best_key = make_vector<K>(be, n_rows);
  auto best_idx = make_vector<index_t>(be, n_rows);
  fill(be, best_key.view(), std::numeric_limits<K>::max());
  fill(be, best_idx.view(), c);
  K* bk = best_key.data();
  index_t* bi = best_idx.data();
  T* g = gathered.data();
  for (int sweep = 0; sweep < 2; ++sweep) {
    for (index_t r0 = 0; r0 < n_rows; r0 += t.rows) {
      const index_t nr = std::min(t.rows, n_rows - r0);
      matrix_view<const T, S> part = Q.row_block(r0, nr);
      if (rows) {
        for_each_2d(be, nr, d, CLUSTR_LAMBDA(index_t a, index_t j) { g[a * d + j] = Q(rows[r0 + a], j); });
        part = matrix_view<const T, S>(g, nr, d);
      }
      for (index_t c0 = 0; c0 < c; c0 += t.cols) {
        const index_t nc = std::min(t.cols, c - c0);
        const matrix_view<T, S> D(tile.data(), nr, nc);
        pairwise_distance(be, metric, part, Xc.row_block(c0, nc), D, distance_form::reduced);
        if (sweep == 0) {
          for_each_2d(be, nr, nc, CLUSTR_LAMBDA(index_t a, index_t b) {
            const T v = D(a, b);
            if (v <= eps_r) atomic_min(bk + r0 + a, ordered_key<T>::of(v));
          });
        } else {
          for_each_2d(be, nr, nc, CLUSTR_LAMBDA(index_t a, index_t b) {
            const T v = D(a, b);
            if (v <= eps_r && ordered_key<T>::of(v) <= atomic_load(bk + r0 + a)) atomic_min(bi + r0 + a, c0 + b);
          });
        }
      }
    }
  }
  for_each(be, n_rows, CLUSTR_LAMBDA(index_t k) { out[rows ? rows[k] : k] = bi[k] < c ? core_label[bi[k]] : -1; });
  return t.bytes;
}

/// Pass 3 and predict: out[rows[k]] (rows: nullptr for k itself) = the label
/// of the nearest row of Xc within eps_r of Q row rows[k], ties to the smaller
/// core number, -1 if none. Q is gathered in blocks within the workspace bound.
template <class Backend, class Metric, class T, class S>
std::size_t brute_nearest(const Backend& be, const Metric& metric, matrix_view<const T, S> Q, const index_t* rows,
                          index_t n_rows, matrix_view<const T, S> Xc, const std::int32_t* core_label, T eps_r,
                          index_t batch_size, std::size_t max_bytes, std::int32_t* out) {
  if (n_rows == 0) return 0;
  if (Xc.rows() == 0) {
    for_each(be, n_rows, CLUSTR_LAMBDA(index_t k) { out[rows ? rows[k] : k] = -1; });
    return 0;
  }
  if constexpr (!is_host_backend_v<Backend>)
    return tiled_nearest(be, metric, Q, rows, n_rows, Xc, core_label, eps_r, batch_size, max_bytes, out);
  const index_t d = Q.cols();
  const std::size_t per_row = sizeof(T) * static_cast<std::size_t>(d) + sizeof(T) + sizeof(index_t);
  if (max_bytes < per_row)
    clustr::detail::throw_invalid("params.max_workspace_bytes", max_bytes,
                                  clustr::detail::concat("smaller than one gathered row (", per_row, " bytes)"));
  const index_t block = std::max<index_t>(1, std::min<index_t>({batch_size, n_rows, static_cast<index_t>(max_bytes / per_row)}));
  auto gathered = make_matrix<T>(be, rows ? block : 0, d);
  auto idx = make_vector<index_t>(be, block);
  auto dist = make_vector<T>(be, block);
  T* g = gathered.data();
  const index_t* ix = idx.data();
  const T* ds = dist.data();
  for (index_t k0 = 0; k0 < n_rows; k0 += block) {
    const index_t nb = std::min(block, n_rows - k0);
    matrix_view<const T, S> part = Q.row_block(k0, nb);
    if (rows) {
      for_each_2d(be, nb, d, CLUSTR_LAMBDA(index_t a, index_t j) { g[a * d + j] = Q(rows[k0 + a], j); });
      part = matrix_view<const T, S>(g, nb, d);
    }
    fused_distance_argmin(be, metric, part, Xc, vector_view<index_t, S>(idx.data(), nb), vector_view<T, S>(dist.data(), nb));
    for_each(be, nb, CLUSTR_LAMBDA(index_t a) {
      out[rows ? rows[k0 + a] : k0 + a] = ds[a] <= eps_r ? core_label[ix[a]] : -1;
    });
  }
  return per_row * static_cast<std::size_t>(block);
}

}  // namespace clustr::dbscan::detail
