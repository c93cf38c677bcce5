#pragma once
// The host kernel under fused_distance_topk and fused_distance_argmin on
// serial/OpenMP: a block of query rows against the base in cache-sized
// blocks. Each base block is packed transposed (d x block) so that the inner
// loop runs over contiguous base columns and vectorises for every metric;
// distances are accumulated in the same coordinate order as
// metric::reduced_distance, so results equal the naive reference.

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "clustr/core/view.hpp"
#include "clustr/primitives/select_k.hpp"

namespace clustr::detail {

/// Base rows per packed block: d x 128 values stay in L2 for d up to ~1000.
inline constexpr index_t host_base_block = 128;
/// Query rows per task of the parallel loop.
inline constexpr index_t host_query_block = 32;

/// For query rows [q0, q1) of Q, pushes every base row j (skipping
/// j == self_offset + i for query i when self_offset >= 0) into heaps[i - q0].
/// Register tile of the kernel: query rows x base columns accumulated in
/// registers across the whole coordinate loop.
inline constexpr index_t host_tile_rows = 4;
inline constexpr index_t host_tile_cols = 32;

/// dist[r * bb + c] = reduced distance of query row rows[r] (r < nr) to
/// packed base column c (c < nb), for a packed block (d x bb).
template <class Metric, class T>
void host_distance_tile(const Metric& metric, const T* const* rows, index_t nr, const T* packed, index_t d,
                        index_t nb, T* dist) {
  using acc_t = typename Metric::template accumulator<T>;
  constexpr index_t bb = host_base_block, tr = host_tile_rows, tc = host_tile_cols;
  for (index_t c0 = 0; c0 < nb; c0 += tc) {
    acc_t acc[tr][tc];
    for (index_t r = 0; r < tr; ++r)
      for (index_t c = 0; c < tc; ++c) acc[r][c] = acc_t{};
    for (index_t j = 0; j < d; ++j) {
      const T* col = packed + j * bb + c0;
      for (index_t r = 0; r < tr; ++r) {
        const T xv = rows[r][j];
        for (index_t c = 0; c < tc; ++c) metric.accumulate(acc[r][c], xv, col[c]);
      }
    }
    for (index_t r = 0; r < nr; ++r)
      for (index_t c = 0; c < tc; ++c) dist[r * bb + c0 + c] = metric.finalize(acc[r][c]);
  }
}

/// For query rows [q0, q1) of Q, pushes every base row j (skipping
/// j == self_offset + i for query i when self_offset >= 0) into heaps[i - q0].
template <class Metric, class T, class I>
void host_topk_block(const Metric& metric, matrix_view<const T> Q, matrix_view<const T> B, index_t q0, index_t q1,
                     index_t self_offset, topk_heap<T, I>* heaps) {
  const index_t d = Q.cols();
  constexpr index_t bb = host_base_block, tr = host_tile_rows;
  // Packed block padded with zeros past nb, so full register tiles read
  // defined memory; padded columns are never pushed.
  std::vector<T> packed(static_cast<std::size_t>(d * bb), T(0));
  std::vector<T> dist(static_cast<std::size_t>(tr * bb));
  for (index_t b0 = 0; b0 < B.rows(); b0 += bb) {
    const index_t nb = std::min(bb, B.rows() - b0);
    for (index_t c = 0; c < nb; ++c) {
      const T* y = B.row(b0 + c);
      for (index_t j = 0; j < d; ++j) packed[static_cast<std::size_t>(j * bb + c)] = y[j];
    }
    for (index_t c = nb; c < bb && b0 > 0; ++c)
      for (index_t j = 0; j < d; ++j) packed[static_cast<std::size_t>(j * bb + c)] = T(0);
    for (index_t i0 = q0; i0 < q1; i0 += tr) {
      const index_t nr = std::min(tr, q1 - i0);
      const T* rows[tr];
      for (index_t r = 0; r < tr; ++r) rows[r] = Q.row(r < nr ? i0 + r : i0);
      host_distance_tile(metric, rows, nr, packed.data(), d, nb, dist.data());
      for (index_t r = 0; r < nr; ++r) {
        const index_t i = i0 + r;
        topk_heap<T, I>& heap = heaps[i - q0];
        const index_t self = self_offset >= 0 ? self_offset + i : -1;
        const T* dr = dist.data() + r * bb;
        for (index_t c = 0; c < nb; ++c) {
          const I id = static_cast<I>(b0 + c);
          if (b0 + c == self) continue;
          if (!heap.full() || pair_less(dr[c], id, heap.values[0], heap.ids[0])) heap.push(dr[c], id);
        }
      }
    }
  }
}

/// B packed once into consecutive blocks of host_base_block columns (each
/// d x host_base_block, zero-padded): shared read-only by every query block.
template <class T>
std::vector<T> host_pack_blocks(matrix_view<const T> B) {
  const index_t d = B.cols(), bb = host_base_block, blocks = (B.rows() + bb - 1) / bb;
  std::vector<T> packed(static_cast<std::size_t>(blocks * d * bb), T(0));
  for (index_t b = 0; b < blocks; ++b)
    for (index_t c = 0; c < bb && b * bb + c < B.rows(); ++c) {
      const T* y = B.row(b * bb + c);
      for (index_t j = 0; j < d; ++j) packed[static_cast<std::size_t>((b * d + j) * bb + c)] = y[j];
    }
  return packed;
}

/// best, best_j = the first smallest of dr[0, nb) (index offset by b0) if it
/// is below best; else unchanged: the smallest index among the smallest
/// values, NaN never chosen (the naive loop's answer).
template <class T>
inline void scan_argmin(const T* dr, index_t nb, index_t b0, T& best, index_t& best_j) {
  for (index_t c = 0; c < nb; ++c)
    if (dr[c] < best) best = dr[c], best_j = b0 + c;
}

#if defined(__GNUC__) && !defined(__CUDACC__)
namespace scan_vec {
// GCC/Clang vector extensions (no intrinsics: GCC 12's AVX-512 intrinsics
// warn under -Wmaybe-uninitialized): AVX-512 with -march=native, pairs of
// narrower registers otherwise.
typedef float f16 __attribute__((vector_size(64)));
typedef std::int32_t i16 __attribute__((vector_size(64)));
typedef float f8 __attribute__((vector_size(32)));
typedef std::int32_t i8 __attribute__((vector_size(32)));
typedef float f4 __attribute__((vector_size(16)));
typedef std::int32_t i4 __attribute__((vector_size(16)));

template <class Half, class Whole>
inline void halves(const Whole& w, Half& lo, Half& hi) {
  std::memcpy(&lo, &w, sizeof(Half));
  std::memcpy(&hi, reinterpret_cast<const char*>(&w) + sizeof(Half), sizeof(Half));
}

/// The smallest of the sixteen lanes of v, halving: 16 -> 8 -> 4 -> 1.
template <class Scalar, class Eight, class Four, class Sixteen>
inline Scalar min_of(const Sixteen& v) {
  Eight a, b;
  halves(v, a, b);
  const Eight c = a < b ? a : b;
  Four d, e;
  halves(c, d, e);
  const Four f = d < e ? d : e;
  const Scalar x = f[0] < f[1] ? f[0] : f[1], y = f[2] < f[3] ? f[2] : f[3];
  return x < y ? x : y;
}
}  // namespace scan_vec

/// The same for float: sixteen running minima and their first positions in
/// vector registers (a compare and two selects per sixteen values), then
/// the smallest value and, among the lanes holding it, the smallest position.
/// The branchy scalar scan cost more than the distances themselves at d = 32
/// (mispredicted minima).
inline void scan_argmin(const float* dr, index_t nb, index_t b0, float& best, index_t& best_j) {
  using namespace scan_vec;
  constexpr float inf = std::numeric_limits<float>::infinity();
  f16 vmin = f16{} + best;
  i16 at = i16{} - 1;
  i16 pos = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
  index_t c = 0;
  for (; c + 16 <= nb; c += 16, pos += 16) {
    f16 v;
    std::memcpy(&v, dr + c, sizeof v);
    const i16 lt = v < vmin;  // false for NaN
    vmin = lt ? v : vmin;
    at = lt ? pos : at;
  }
  if (c < nb) {  // the tail, padded with +inf (never below a running minimum)
    float tail[16];
    for (index_t l = 0; l < 16; ++l) tail[l] = c + l < nb ? dr[c + l] : inf;
    f16 v;
    std::memcpy(&v, tail, sizeof v);
    const i16 lt = v < vmin;
    vmin = lt ? v : vmin;
    at = lt ? pos : at;
  }
  // Lanes only move below `best`, so every lane holding a smaller minimum has
  // a position; the smallest of those is the first occurrence.
  const float m = min_of<float, f8, f4>(vmin);
  if (m < best) {
    const i16 big = i16{} + std::numeric_limits<std::int32_t>::max();
    best = m;
    best_j = b0 + min_of<std::int32_t, i8, i4>(i16(vmin == m ? at : big));
  }
}
#endif

/// For query rows [q0, q1) of Q: the nearest row of the packed base (m rows)
/// and its reduced distance; ties to the smaller index (strict <, scanning
/// in index order), as the naive loop.
template <class Metric, class T, class I>
void host_argmin_block(const Metric& metric, matrix_view<const T> Q, const T* packed, index_t m, index_t q0, index_t q1,
                       I* out_index, T* out_distance) {
  const index_t d = Q.cols();
  constexpr index_t bb = host_base_block, tr = host_tile_rows;
  T dist[tr * bb];
  for (index_t i0 = q0; i0 < q1; i0 += tr) {
    const index_t nr = std::min(tr, q1 - i0);
    const T* rows[tr];
    for (index_t r = 0; r < tr; ++r) rows[r] = Q.row(r < nr ? i0 + r : i0);
    T best[tr];
    index_t best_j[tr];
    for (index_t r = 0; r < tr; ++r) best[r] = std::numeric_limits<T>::max(), best_j[r] = 0;
    for (index_t b0 = 0; b0 < m; b0 += bb) {
      const index_t nb = std::min(bb, m - b0);
      host_distance_tile(metric, rows, nr, packed + (b0 / bb) * d * bb, d, nb, dist);
      for (index_t r = 0; r < nr; ++r) scan_argmin(dist + r * bb, nb, b0, best[r], best_j[r]);
    }
    for (index_t r = 0; r < nr; ++r) {
      out_index[i0 + r] = static_cast<I>(best_j[r]);
      out_distance[i0 + r] = best[r];
    }
  }
}

}  // namespace clustr::detail
