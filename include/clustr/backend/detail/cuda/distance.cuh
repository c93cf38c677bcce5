#pragma once
// Distances on the GPU.
// - row_norms: one warp per row.
// - pairwise_distance: for expanded metrics (float/double, d > 16) a cuBLAS
//   GEMM X Y^T into the caller's out tile, then an epilogue applying
//   metric.from_dot with the row norms; otherwise a shared-memory tiled kernel
//   (64 x 64 outputs per block, 4 x 4 per thread) calling metric.accumulate,
//   which is also exact where the expansion would cancel (small d).
// - fused_distance_argmin: the same two paths, but the GEMM writes at most
//   workspace_bytes of dot products at a time (a block of rows of X against
//   all of Y) and a warp per row reduces each row to its argmin; the tiled
//   kernel keeps a running argmin in registers. The X.rows() x Y.rows()
//   matrix is never stored. Ties go to the smaller index everywhere.

#include <cuda_runtime.h>

#include <cstddef>
#include <limits>

#include "clustr/backend/detail/cuda/cublas.cuh"
#include "clustr/backend/detail/cuda/error.cuh"
#include "clustr/backend/detail/cuda/launch.cuh"
#include "clustr/backend/detail/cuda/memory.cuh"
#include "clustr/core/view.hpp"
#include "clustr/metric/metric.hpp"

namespace clustr::detail::cuda {

// ---------------------------------------------------------------- row norms

template <class T>
__device__ inline T warp_sum(T v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
  return v;
}

template <class Metric, class T>
__global__ void row_norms_kernel(Metric metric, matrix_view<const T, device_space> X, T* out) {
  const int lane = threadIdx.x % 32;
  const index_t warps = static_cast<index_t>(gridDim.x) * (blockDim.x / 32);
  for (index_t i = (static_cast<index_t>(blockIdx.x) * blockDim.x + threadIdx.x) / 32; i < X.rows(); i += warps) {
    const T* x = X.row(i);
    T s = T(0);
    for (index_t j = lane; j < X.cols(); j += 32) s += x[j] * x[j];
    s = warp_sum(s);
    if (lane == 0) out[i] = metric.norm_term(s);
  }
}

template <class Metric, class T>
void row_norms(context ctx, const Metric& metric, matrix_view<const T, device_space> X, T* out) {
  if (X.rows() <= 0) return;
  device_guard g(ctx.device);
  row_norms_kernel<<<grid_for(ctx.device, X.rows() * 32, 256), 256, 0, ctx.stream>>>(metric, X, out);
  CLUSTR_CUDA_CHECK_LAUNCH("clustr::detail::cuda::row_norms_kernel");
}

// ------------------------------------------------------- tiled (any metric)

inline constexpr int tile = 64;      // rows of X and of Y per block
inline constexpr int tile_k = 16;    // coordinates per shared-memory stage
inline constexpr int tile_side = 16;  // threads per side: 16 x 16, 4 x 4 outputs each
inline constexpr int micro = tile / tile_side;

template <class T>
struct tile_smem {
  T xs[tile_k][tile + 1];  // +1: no bank conflicts on the transposed stores
  T ys[tile_k][tile + 1];
};

/// acc[r][c] = accumulation over all coordinates of X row i0 + ty + 16 r and
/// Y row j0 + tx + 16 c (rows past the end read zeros; their results are unused).
template <class Metric, class T, class Acc>
__device__ void tile_accumulate(const Metric& metric, matrix_view<const T, device_space> X,
                                matrix_view<const T, device_space> Y, index_t i0, index_t j0, tile_smem<T>& sm,
                                Acc (&acc)[micro][micro]) {
  const int tx = threadIdx.x, ty = threadIdx.y, t = ty * tile_side + tx;
  for (int r = 0; r < micro; ++r)
    for (int c = 0; c < micro; ++c) acc[r][c] = Acc{};
  const index_t d = X.cols();
  for (index_t k0 = 0; k0 < d; k0 += tile_k) {
    const int kn = d - k0 < tile_k ? static_cast<int>(d - k0) : tile_k;
    for (int q = 0; q < micro; ++q) {
      const int row = t / tile_k + (tile_side * tile_side / tile_k) * q, kk = t % tile_k;
      const index_t i = i0 + row, j = j0 + row;
      sm.xs[kk][row] = (i < X.rows() && kk < kn) ? X(i, k0 + kk) : T(0);
      sm.ys[kk][row] = (j < Y.rows() && kk < kn) ? Y(j, k0 + kk) : T(0);
    }
    __syncthreads();
    for (int kk = 0; kk < kn; ++kk) {
      T xv[micro], yv[micro];
      for (int r = 0; r < micro; ++r) xv[r] = sm.xs[kk][ty + tile_side * r];
      for (int c = 0; c < micro; ++c) yv[c] = sm.ys[kk][tx + tile_side * c];
      for (int r = 0; r < micro; ++r)
        for (int c = 0; c < micro; ++c) metric.accumulate(acc[r][c], xv[r], yv[c]);
    }
    __syncthreads();
  }
}

template <class Metric, class T>
__global__ void __launch_bounds__(tile_side* tile_side)
    pairwise_tiled_kernel(Metric metric, matrix_view<const T, device_space> X, matrix_view<const T, device_space> Y,
                          matrix_view<T, device_space> out, bool to_distance) {
  using acc_t = typename Metric::template accumulator<T>;
  __shared__ tile_smem<T> sm;
  const index_t i0 = static_cast<index_t>(blockIdx.x) * tile;
  for (index_t j0 = static_cast<index_t>(blockIdx.y) * tile; j0 < Y.rows(); j0 += static_cast<index_t>(gridDim.y) * tile) {
    acc_t acc[micro][micro];
    tile_accumulate(metric, X, Y, i0, j0, sm, acc);
    for (int r = 0; r < micro; ++r) {
      const index_t i = i0 + threadIdx.y + tile_side * r;
      if (i >= X.rows()) continue;
      for (int c = 0; c < micro; ++c) {
        const index_t j = j0 + threadIdx.x + tile_side * c;
        if (j >= Y.rows()) continue;
        const T red = metric.finalize(acc[r][c]);
        out(i, j) = to_distance ? metric.to_distance(red) : red;
      }
    }
  }
}

/// The smaller (value, index); ties to the smaller index.
template <class T>
__device__ inline void argmin_merge(T& v, index_t& j, T ov, index_t oj) {
  if (ov < v || (ov == v && oj < j)) {
    v = ov;
    j = oj;
  }
}

template <class Metric, class T, class I>
__global__ void __launch_bounds__(tile_side* tile_side)
    argmin_tiled_kernel(Metric metric, matrix_view<const T, device_space> X, matrix_view<const T, device_space> Y,
                        I* out_index, T* out_distance) {
  using acc_t = typename Metric::template accumulator<T>;
  __shared__ tile_smem<T> sm;
  const index_t i0 = static_cast<index_t>(blockIdx.x) * tile;
  T best[micro];
  index_t best_j[micro];
  for (int r = 0; r < micro; ++r) {
    best[r] = std::numeric_limits<T>::max();
    best_j[r] = std::numeric_limits<index_t>::max();
  }
  for (index_t j0 = 0; j0 < Y.rows(); j0 += tile) {
    acc_t acc[micro][micro];
    tile_accumulate(metric, X, Y, i0, j0, sm, acc);
    for (int c = 0; c < micro; ++c) {  // ascending j: strict < keeps the first
      const index_t j = j0 + threadIdx.x + tile_side * c;
      if (j >= Y.rows()) break;
      for (int r = 0; r < micro; ++r) {
        const T red = metric.finalize(acc[r][c]);
        if (red < best[r]) {
          best[r] = red;
          best_j[r] = j;
        }
      }
    }
  }
  // The 16 threads of a row of the block are 16 consecutive lanes.
  for (int r = 0; r < micro; ++r) {
    for (int o = tile_side / 2; o > 0; o >>= 1) {
      const T ov = __shfl_xor_sync(0xffffffffu, best[r], o, tile_side);
      const index_t oj = __shfl_xor_sync(0xffffffffu, best_j[r], o, tile_side);
      argmin_merge(best[r], best_j[r], ov, oj);
    }
    const index_t i = i0 + threadIdx.y + tile_side * r;
    if (threadIdx.x == 0 && i < X.rows()) {
      // A row whose every distance is NaN or +max keeps index 0, as the host form.
      const bool none = best_j[r] == std::numeric_limits<index_t>::max();
      out_index[i] = static_cast<I>(none ? 0 : best_j[r]);
      out_distance[i] = best[r];
    }
  }
}

template <class Metric, class T>
dim3 tiled_grid(matrix_view<const T, device_space> X, matrix_view<const T, device_space> Y) {
  const index_t gy = (Y.rows() + tile - 1) / tile;
  return dim3(static_cast<unsigned>((X.rows() + tile - 1) / tile), static_cast<unsigned>(gy < 65535 ? gy : 65535));
}

// ------------------------------------------------------- expanded (GEMM)

template <class Metric, class T>
__global__ void expanded_epilogue_kernel(Metric metric, matrix_view<T, device_space> out, const T* nx, const T* ny,
                                         bool to_distance) {
  for (index_t i = blockIdx.y; i < out.rows(); i += gridDim.y) {
    for (index_t j = static_cast<index_t>(blockIdx.x) * blockDim.x + threadIdx.x; j < out.cols();
         j += static_cast<index_t>(gridDim.x) * blockDim.x) {
      const T red = metric.from_dot(out(i, j), nx[i], ny[j]);
      out(i, j) = to_distance ? metric.to_distance(red) : red;
    }
  }
}

/// One warp per row of the dot-product block ws (rows x m, packed): the
/// argmin over j of from_dot(ws(r, j), nx[row0 + r], ny[j]).
template <class Metric, class T, class I>
__global__ void expanded_argmin_kernel(Metric metric, const T* ws, index_t rows, index_t m, const T* nx,
                                       const T* ny, index_t row0, I* out_index, T* out_distance) {
  const int lane = threadIdx.x % 32;
  const index_t warps = static_cast<index_t>(gridDim.x) * (blockDim.x / 32);
  for (index_t r = (static_cast<index_t>(blockIdx.x) * blockDim.x + threadIdx.x) / 32; r < rows; r += warps) {
    const T* dots = ws + r * m;
    const T xn = nx[row0 + r];
    T best = std::numeric_limits<T>::max();
    index_t best_j = std::numeric_limits<index_t>::max();
    for (index_t j = lane; j < m; j += 32) {
      const T red = metric.from_dot(dots[j], xn, ny[j]);
      if (red < best) {
        best = red;
        best_j = j;
      }
    }
    for (int o = 16; o > 0; o >>= 1) {
      const T ov = __shfl_xor_sync(0xffffffffu, best, o);
      const index_t oj = __shfl_xor_sync(0xffffffffu, best_j, o);
      argmin_merge(best, best_j, ov, oj);
    }
    if (lane == 0) {
      out_index[row0 + r] = static_cast<I>(best_j == std::numeric_limits<index_t>::max() ? 0 : best_j);
      out_distance[row0 + r] = best;
    }
  }
}

/// Expanded metrics take the GEMM path where cuBLAS has the type and the
/// dimension is large enough for the expansion to pay (and to be accurate).
template <class Metric, class T>
bool use_gemm(index_t d) {
  if constexpr (metric::is_expanded_v<Metric> && gemm_type_v<T>) return d > 16;
  else return false;
}

template <class Metric, class T>
void pairwise_distance(context ctx, const Metric& metric, matrix_view<const T, device_space> X,
                       matrix_view<const T, device_space> Y, matrix_view<T, device_space> out, bool to_distance) {
  const index_t n = X.rows(), m = Y.rows(), d = X.cols();
  if (n <= 0 || m <= 0) return;
  device_guard g(ctx.device);
  if constexpr (metric::is_expanded_v<Metric> && gemm_type_v<T>) {
    if (use_gemm<Metric, T>(d)) {
      scratch<T> nx(ctx, static_cast<std::size_t>(n), "pairwise_distance row norms");
      scratch<T> ny(ctx, static_cast<std::size_t>(m), "pairwise_distance row norms");
      row_norms(ctx, metric, X, nx.get());
      row_norms(ctx, metric, Y, ny.get());
      gemm_xyt(ctx, n, m, d, X.data(), X.stride(), Y.data(), Y.stride(), out.data(), out.stride());
      const index_t gx = (m + 255) / 256;
      const dim3 grid(static_cast<unsigned>(gx < 1024 ? gx : 1024), static_cast<unsigned>(n < 65535 ? n : 65535));
      expanded_epilogue_kernel<<<grid, 256, 0, ctx.stream>>>(metric, out, nx.get(), ny.get(), to_distance);
      CLUSTR_CUDA_CHECK_LAUNCH("clustr::detail::cuda::expanded_epilogue_kernel");
      return;
    }
  }
  pairwise_tiled_kernel<<<tiled_grid<Metric>(X, Y), dim3(tile_side, tile_side), 0, ctx.stream>>>(metric, X, Y, out,
                                                                                                 to_distance);
  CLUSTR_CUDA_CHECK_LAUNCH("clustr::detail::cuda::pairwise_tiled_kernel");
}

template <class Metric, class T, class I>
void fused_distance_argmin(context ctx, const Metric& metric, matrix_view<const T, device_space> X,
                           matrix_view<const T, device_space> Y, I* out_index, T* out_distance,
                           std::size_t workspace_bytes) {
  const index_t n = X.rows(), m = Y.rows(), d = X.cols();
  if (n <= 0 || m <= 0) return;
  device_guard g(ctx.device);
  if constexpr (metric::is_expanded_v<Metric> && gemm_type_v<T>) {
    if (use_gemm<Metric, T>(d)) {
      // Rows of X per GEMM: as many as workspace_bytes of dot products hold.
      // (Overlapping the argmin of one block with the GEMM of the next on a
      // second stream was measured on an H200: no faster, so kept simple.)
      index_t batch = static_cast<index_t>(workspace_bytes / (sizeof(T) * static_cast<std::size_t>(m)));
      if (batch > 256) batch -= batch % 256;
      batch = batch < 1 ? 1 : (batch > n ? n : batch);
      scratch<T> nx(ctx, static_cast<std::size_t>(n), "fused_distance_argmin row norms");
      scratch<T> ny(ctx, static_cast<std::size_t>(m), "fused_distance_argmin row norms");
      scratch<T> ws(ctx, static_cast<std::size_t>(batch) * static_cast<std::size_t>(m),
                    "fused_distance_argmin dot-product block (bound it with clustr::cuda::workspace_bytes)");
      row_norms(ctx, metric, X, nx.get());
      row_norms(ctx, metric, Y, ny.get());
      for (index_t r0 = 0; r0 < n; r0 += batch) {
        const index_t rows = n - r0 < batch ? n - r0 : batch;
        gemm_xyt(ctx, rows, m, d, X.row(r0), X.stride(), Y.data(), Y.stride(), ws.get(), m);
        expanded_argmin_kernel<<<grid_for(ctx.device, rows * 32, 256), 256, 0, ctx.stream>>>(
            metric, ws.get(), rows, m, nx.get(), ny.get(), r0, out_index, out_distance);
        CLUSTR_CUDA_CHECK_LAUNCH("clustr::detail::cuda::expanded_argmin_kernel");
      }
      return;
    }
  }
  argmin_tiled_kernel<<<static_cast<unsigned>((n + tile - 1) / tile), dim3(tile_side, tile_side), 0, ctx.stream>>>(
      metric, X, Y, out_index, out_distance);
  CLUSTR_CUDA_CHECK_LAUNCH("clustr::detail::cuda::argmin_tiled_kernel");
}

}  // namespace clustr::detail::cuda
