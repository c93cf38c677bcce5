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
//   Under the default tf32x3 math, float (sq)Euclidean argmins take one TF32
//   GEMM and certify each row's winner against the TF32 error bound; rows
//   that cannot be certified are decided on exact fp32 distances of the
//   candidates the bound leaves (certified_argmin_kernel).

#include <cuda_runtime.h>

#include <cmath>
#include <cstddef>
#include <limits>
#include <type_traits>

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

/// out[j] = sqrt(in[j]).
template <class T>
struct sqrt_of {
  const T* in;
  T* out;
  __device__ void operator()(index_t j) const { out[j] = sqrt(in[j]); }
};

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

// ------------------------------------------- certified argmin (tf32x3, L2)

/// Bounds of the certified argmin: with the operands rounded (or truncated)
/// to TF32 and fp32 accumulation over d terms, a dot product is off by at
/// most (2 * 2^-10 + d * 2^-23) * sum_j |x_j y_j| <= that * |x| |y|, so
/// nx + ny - 2 dot is off by twice that; the fp32 norms and the final sum
/// add at most (d + 8) * 2^-24 * (nx + ny). Both are doubled again for
/// margin. e(i, j) = a |x_i| |y_j| + b (nx_i + ny_j).
struct tf32_argmin_bound {
  float a, b;
};
inline tf32_argmin_bound tf32_bound_for(index_t d) {
  const double dot = 2.0 * std::ldexp(1.0, -10) + static_cast<double>(d) * std::ldexp(1.0, -23);
  return {static_cast<float>(2.0 * 2.0 * dot), static_cast<float>(2.0 * (static_cast<double>(d) + 8.0) * std::ldexp(1.0, -24))};
}

/// The exact reduced (squared Euclidean) distance of X row i and Y row j,
/// summed by the warp: every lane gets it.
template <class Metric, class T>
__device__ inline T warp_exact_distance(const Metric& metric, matrix_view<const T, device_space> X,
                                        matrix_view<const T, device_space> Y, index_t i, index_t j, int lane) {
  typename Metric::template accumulator<T> acc{};
  const T* x = X.row(i);
  const T* y = Y.row(j);
  for (index_t c = lane; c < X.cols(); c += 32) metric.accumulate(acc, x[c], y[c]);
  for (int o = 16; o > 0; o >>= 1) acc.sum += __shfl_xor_sync(0xffffffffu, acc.sum, o);
  return metric.finalize(acc);
}

/// One warp per row of the TF32 dot-product block ws (rows x m): the
/// argmin of the approximate distances v(j) is certified when its upper
/// bound v + e is below every other lower bound v(j) - e(j); then only its
/// exact distance is computed. Otherwise every j whose lower bound does not
/// exceed that upper bound is measured exactly (in increasing j, strict <:
/// ties to the smaller index) and the smallest wins. Either way the answer
/// is the argmin of exact fp32 distances; the distance written is exact
/// (direct form), and a row with no finite distance gets (0, max) as the
/// other forms.
template <class Metric, class T, class I>
__global__ void certified_argmin_kernel(Metric metric, const T* ws, index_t rows, index_t m, const T* nx,
                                        const T* ny, const T* root_ny, tf32_argmin_bound bound,
                                        matrix_view<const T, device_space> X, matrix_view<const T, device_space> Y,
                                        index_t row0, I* out_index, T* out_distance) {
  constexpr T big = std::numeric_limits<T>::max();
  constexpr index_t none = std::numeric_limits<index_t>::max();
  const int lane = threadIdx.x % 32;
  const index_t warps = static_cast<index_t>(gridDim.x) * (blockDim.x / 32);
  for (index_t r = (static_cast<index_t>(blockIdx.x) * blockDim.x + threadIdx.x) / 32; r < rows; r += warps) {
    const index_t i = row0 + r;
    const T* dots = ws + r * m;
    const T xn = nx[i], root_xn = sqrt(xn);
    auto error = [&](index_t j) { return bound.a * root_xn * root_ny[j] + bound.b * (xn + ny[j]); };
    // best: smallest approximate distance (its bound in best_e); other: the
    // smallest lower bound among all the rest.
    T best = big, best_e = T(0), other = big;
    index_t best_j = none;
    for (index_t j = lane; j < m; j += 32) {
      const T v = metric.from_dot(dots[j], xn, ny[j]), e = error(j);
      if (v < best) {
        other = fmin(other, best - best_e);
        best = v, best_e = e, best_j = j;
      } else {
        other = fmin(other, v - e);
      }
    }
    for (int o = 16; o > 0; o >>= 1) {
      const T ov = __shfl_xor_sync(0xffffffffu, best, o), oe = __shfl_xor_sync(0xffffffffu, best_e, o);
      const index_t oj = __shfl_xor_sync(0xffffffffu, best_j, o);
      other = fmin(other, __shfl_xor_sync(0xffffffffu, other, o));
      if (ov < best || (ov == best && oj < best_j)) {
        other = fmin(other, best - best_e);
        best = ov, best_e = oe, best_j = oj;
      } else {
        other = fmin(other, ov - oe);
      }
    }
    index_t win = none;
    T win_d = big;
    if (best_j != none && best + best_e < other) {
      win = best_j;
      win_d = warp_exact_distance(metric, X, Y, i, best_j, lane);
    } else {
      const T upper = best_j != none ? best + best_e : big;
      for (index_t j0 = 0; j0 < m; j0 += 32) {
        const index_t j = j0 + lane;
        bool candidate = false;
        if (j < m) candidate = !(metric.from_dot(dots[j], xn, ny[j]) - error(j) > upper);  // NaN: measured
        unsigned mask = __ballot_sync(0xffffffffu, candidate);
        while (mask) {
          const index_t jj = j0 + (__ffs(mask) - 1);
          mask &= mask - 1;
          const T exact = warp_exact_distance(metric, X, Y, i, jj, lane);
          if (exact < win_d) win_d = exact, win = jj;
        }
      }
    }
    if (lane == 0) {
      out_index[i] = static_cast<I>(win == none ? 0 : win);
      out_distance[i] = win_d;
    }
  }
}

/// The certified path applies to float (sq)Euclidean (under tf32x3).
template <class Metric, class T>
inline constexpr bool certifiable_v = std::is_same_v<T, float> && std::is_base_of_v<metric::sqeuclidean, Metric>;

/// Expanded metrics take the GEMM path where cuBLAS has the type and the
/// dimension is large enough for the expansion to pay (and to be accurate).
template <class Metric, class T>
bool use_gemm(index_t d) {
  if constexpr (metric::is_expanded_v<Metric> && gemm_type_v<T>) return d > 16;
  else return false;
}

/// Rows of X per block of the GEMM paths: as many as `workspace_bytes` hold
/// of m dot products each, plus the row's split copy under tf32x3; a
/// multiple of 256 when there are more than 256, at least 1, at most n.
template <class T>
index_t gemm_batch_rows(context ctx, index_t n, index_t m, index_t d, std::size_t workspace_bytes) {
  std::size_t per_row = sizeof(T) * static_cast<std::size_t>(m);
  if (std::is_same_v<T, float> && ctx.math == gemm_math::tf32x3)
    per_row += sizeof(T) * static_cast<std::size_t>(tf32x3_depth(d));
  index_t batch = static_cast<index_t>(workspace_bytes / per_row);
  if (batch > 256) batch -= batch % 256;
  return batch < 1 ? 1 : (batch > n ? n : batch);
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
      // Rows of X per GEMM: as many as workspace_bytes of dot products (and
      // of X's split rows under tf32x3) hold.
      // (Overlapping the argmin of one block with the GEMM of the next on a
      // second stream was measured on an H200: no faster, so kept simple.)
      // Under tf32x3, (sq)Euclidean float distances take one TF32 GEMM and
      // the certified argmin (exact answers, a third of the tensor work).
      const bool certified = certifiable_v<Metric, T> && ctx.math == gemm_math::tf32x3;
      context gemm_ctx = ctx;
      if (certified) gemm_ctx.math = gemm_math::tf32;
      const index_t batch = gemm_batch_rows<T>(gemm_ctx, n, m, d, workspace_bytes);
      scratch<T> nx(ctx, static_cast<std::size_t>(n), "fused_distance_argmin row norms");
      scratch<T> ny(ctx, static_cast<std::size_t>(m), "fused_distance_argmin row norms");
      scratch<T> root_ny(ctx, certified ? static_cast<std::size_t>(m) : 0, "fused_distance_argmin row norms");
      scratch<T> ws(ctx, static_cast<std::size_t>(batch) * static_cast<std::size_t>(m),
                    "fused_distance_argmin dot-product block (bound it with clustr::cuda::workspace_bytes)");
      row_norms(ctx, metric, X, nx.get());
      row_norms(ctx, metric, Y, ny.get());
      if (certified) {
        const T* yn = ny.get();
        T* ry = root_ny.get();
        for_each(ctx, m, sqrt_of<T>{yn, ry});
      }
      const gemm_rows<T> Yg(gemm_ctx, Y.data(), m, d, Y.stride(), false);
      for (index_t r0 = 0; r0 < n; r0 += batch) {
        const index_t rows = n - r0 < batch ? n - r0 : batch;
        gemm_xyt(gemm_ctx, rows, m, gemm_rows<T>(gemm_ctx, X.row(r0), rows, d, X.stride(), true), Yg, ws.get(), m);
        if constexpr (certifiable_v<Metric, T>) {
          if (certified) {
            certified_argmin_kernel<<<grid_for(ctx.device, rows * 32, 256), 256, 0, ctx.stream>>>(
                metric, ws.get(), rows, m, nx.get(), ny.get(), root_ny.get(), tf32_bound_for(d), X, Y, r0,
                out_index, out_distance);
            CLUSTR_CUDA_CHECK_LAUNCH("clustr::detail::cuda::certified_argmin_kernel");
            continue;
          }
        }
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
