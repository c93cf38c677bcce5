#pragma once
// fused_distance_topk on the GPU (the engine of exact kNN): for a block of
// rows of X at a time, the reduced distances to all of Y go into a bounded
// workspace (cuBLAS GEMM + from_dot epilogue for expanded metrics, the tiled
// kernel otherwise), the query's own row is masked out, and the radix
// select_k picks each row's k smallest. At most workspace_bytes of distances
// exist at once; the X.rows() x Y.rows() matrix is never stored.

#include <cuda_runtime.h>

#include <cstddef>
#include <limits>

#include "clustr/backend/detail/cuda/cublas.cuh"
#include "clustr/backend/detail/cuda/distance.cuh"
#include "clustr/backend/detail/cuda/launch.cuh"
#include "clustr/backend/detail/cuda/memory.cuh"
#include "clustr/backend/detail/cuda/select_k.cuh"
#include "clustr/core/view.hpp"

namespace clustr::detail::cuda {

/// ws(r, j) = from_dot(ws(r, j), nx[r], ny[j]) (expanded path only), and the
/// excluded column of row r (self_col + r, if self_col >= 0) set to max.
template <class Metric, class T, bool FromDot>
struct topk_epilogue {
  Metric metric;
  matrix_view<T, device_space> ws;
  const T* nx;
  const T* ny;
  index_t self_col;
  __device__ void operator()(index_t e) const {
    const index_t r = e / ws.cols(), j = e % ws.cols();
    T v = ws(r, j);
    if constexpr (FromDot) v = metric.from_dot(v, nx[r], ny[j]);
    if (self_col >= 0 && j == self_col + r) v = std::numeric_limits<T>::max();
    ws(r, j) = v;
  }
};

/// Columns at or past the number of eligible rows of Y get (max, -1).
template <class T, class I>
struct topk_tail {
  matrix_view<T, device_space> d;
  matrix_view<I, device_space> id;
  index_t m;
  index_t self_offset;
  __device__ void operator()(index_t e) const {
    const index_t i = e / d.cols(), c = e % d.cols();
    const index_t self = self_offset >= 0 ? self_offset + i : -1;
    const index_t eligible = m - (self >= 0 && self < m ? 1 : 0);
    if (c >= eligible) {
      d(i, c) = std::numeric_limits<T>::max();
      id(i, c) = I(-1);
    }
  }
};

template <class Metric, class T, class I>
void fused_distance_topk(context ctx, const Metric& metric, matrix_view<const T, device_space> X,
                         matrix_view<const T, device_space> Y, matrix_view<T, device_space> out_d,
                         matrix_view<I, device_space> out_i, index_t self_offset, std::size_t workspace_bytes) {
  const index_t n = X.rows(), m = Y.rows(), d = X.cols(), k = out_d.cols();
  if (n <= 0) return;
  device_guard g(ctx.device);
  if (m > 0) {
    const bool gemm = use_gemm<Metric, T>(d);
    const index_t batch = gemm ? gemm_batch_rows<T>(ctx, n, m, d, workspace_bytes)
                               : gemm_batch_rows<T>(context{ctx.stream, ctx.device}, n, m, d, workspace_bytes);
    scratch<T> ws(ctx, static_cast<std::size_t>(batch) * static_cast<std::size_t>(m),
                  "fused_distance_topk distance block (bound it with clustr::cuda::workspace_bytes)");
    scratch<T> nx(ctx, gemm ? static_cast<std::size_t>(n) : 0, "fused_distance_topk row norms");
    scratch<T> ny(ctx, gemm ? static_cast<std::size_t>(m) : 0, "fused_distance_topk row norms");
    // Y's rows for the GEMM, prepared once (split under tf32x3) for all blocks.
    const gemm_rows<T> Yg(ctx, Y.data(), gemm ? m : 0, d, Y.stride(), false);
    if constexpr (gemm_type_v<T> && metric::is_expanded_v<Metric>) {
      if (gemm) {
        row_norms(ctx, metric, X, nx.get());
        row_norms(ctx, metric, Y, ny.get());
      }
    }
    const index_t kk = k < m ? k : m;  // select_k needs k <= columns; topk_tail fills the rest
    for (index_t r0 = 0; r0 < n; r0 += batch) {
      const index_t rows = n - r0 < batch ? n - r0 : batch;
      const matrix_view<T, device_space> block(ws.get(), rows, m);
      const matrix_view<const T, device_space> Xb = X.row_block(r0, rows);
      const index_t self_col = self_offset >= 0 ? self_offset + r0 : -1;
      bool done = false;
      if constexpr (gemm_type_v<T> && metric::is_expanded_v<Metric>) {
        if (gemm) {
          gemm_xyt(ctx, rows, m, gemm_rows<T>(ctx, Xb.data(), rows, d, Xb.stride(), true), Yg, block.data(), m);
          for_each(ctx, rows * m, topk_epilogue<Metric, T, true>{metric, block, nx.get() + r0, ny.get(), self_col});
          done = true;
        }
      }
      if (!done) {
        pairwise_tiled_kernel<<<tiled_grid<Metric>(Xb, Y), dim3(tile_side, tile_side), 0, ctx.stream>>>(
            metric, Xb, Y, block, false);
        CLUSTR_CUDA_CHECK_LAUNCH("clustr::detail::cuda::pairwise_tiled_kernel");
        if (self_col >= 0)
          for_each(ctx, rows * m, topk_epilogue<Metric, T, false>{metric, block, nullptr, nullptr, self_col});
      }
      const matrix_view<T, device_space> od(out_d.row(r0), rows, kk, out_d.stride());
      const matrix_view<I, device_space> oi(out_i.row(r0), rows, kk, out_i.stride());
      select_k(ctx, matrix_view<const T, device_space>(block), od, oi, matrix_view<const I, device_space>{});
    }
  }
  // Rows with fewer than k eligible rows of Y: the tail is (max, -1), as the
  // host forms leave it.
  const bool short_rows = self_offset >= 0 ? k > m - 1 : k > m;
  if (short_rows) for_each(ctx, n * k, topk_tail<T, I>{out_d, out_i, m, self_offset});
}

}  // namespace clustr::detail::cuda
