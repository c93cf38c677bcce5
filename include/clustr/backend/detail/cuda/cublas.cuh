#pragma once
// cuBLAS for the expanded-metric distance paths: one handle per thread and
// device (creating one costs milliseconds), the row-major "X Y^T" product
// written as the column-major product cuBLAS does, and the three ways a float
// product can be computed (context::math):
// - fp32: SGEMM on the CUDA cores, IEEE fp32 products and sums.
// - tf32x3: each operand split as x = big + small, both exact in TF32 (10
//   explicit mantissa bits), and x.y = big.big + big.small + small.big on the
//   tensor cores with fp32 accumulation, as one GEMM over 3d columns (the
//   rows become [big, big, small] and [big, small, big]). The dropped
//   small.small term is below 2^-22 of |x||y| per product, so the dot products
//   carry fp32's error, not TF32's (the "3xTF32" of CUTLASS).
// - tf32: one tensor-core product of the operands rounded to TF32 (about 1e-3
//   relative error per product); an explicit opt-in.
// Doubles always use DGEMM.

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

#include "clustr/backend/detail/cuda/error.cuh"
#include "clustr/backend/detail/cuda/launch.cuh"
#include "clustr/backend/detail/cuda/memory.cuh"
#include "clustr/core/config.hpp"

namespace clustr::detail::cuda {

/// This thread's handle for ctx.device, bound to ctx.stream. Call with the
/// device current (a device_guard held).
inline cublasHandle_t cublas_handle(context ctx) {
  struct handles {
    std::vector<cublasHandle_t> by_device;
    ~handles() {
      for (cublasHandle_t h : by_device)
        if (h) (void)cublasDestroy(h);  // at thread exit; nothing to report to
    }
  };
  thread_local handles cache;
  const auto d = static_cast<std::size_t>(ctx.device);
  if (cache.by_device.size() <= d) cache.by_device.resize(d + 1, nullptr);
  cublasHandle_t& h = cache.by_device[d];
  if (!h) {
    CLUSTR_CUDA_CHECK(cublasCreate(&h));
    // Default math: SGEMM stays fp32; TF32 only where gemm_xyt asks for it by compute type.
    CLUSTR_CUDA_CHECK(cublasSetMathMode(h, CUBLAS_DEFAULT_MATH));
  }
  CLUSTR_CUDA_CHECK(cublasSetStream(h, ctx.stream));
  return h;
}

template <class T>
inline constexpr bool gemm_type_v = std::is_same_v<T, float> || std::is_same_v<T, double>;

/// x rounded to TF32 (the nearest value with 10 explicit mantissa bits, ties
/// away from zero); infinities and NaN pass through.
__host__ __device__ inline float round_to_tf32(float x) {
  std::uint32_t u;
  std::memcpy(&u, &x, sizeof u);
  if ((u & 0x7f800000u) != 0x7f800000u) u = (u + 0x1000u) & 0xffffe000u;
  std::memcpy(&x, &u, sizeof u);
  return x;
}

/// Columns of a tf32x3 operand: 3d, padded to a multiple of 4 (16-byte rows
/// for the tensor-core kernels; the padding is zero in both operands).
inline index_t tf32x3_depth(index_t d) { return (3 * d + 3) / 4 * 4; }

/// out row i = [big, big, small] (left) or [big, small, big] (right) of A's row i, then zeros.
struct tf32x3_split {
  const float* a;
  index_t stride, d, depth;
  float* out;
  bool left;
  __device__ void operator()(index_t e) const {
    const index_t i = e / depth, c = e % depth;
    float v = 0.0f;
    if (c < 3 * d) {
      const index_t part = c / d, j = c % d;
      const float x = a[i * stride + j];
      const float big = round_to_tf32(x);
      const bool small = left ? part == 2 : part == 1;
      v = small ? round_to_tf32(x - big) : big;
    }
    out[i * depth + c] = v;
  }
};

/// The rows of one operand of gemm_xyt, laid out for ctx.math: the rows
/// themselves, or (float, tf32x3) a split copy of tf32x3_depth(d) columns,
/// which takes 3x the operand's memory while it lives.
template <class T>
class gemm_rows {
 public:
  /// A: rows x d, row stride `stride`; left: X of X Y^T, else Y.
  gemm_rows(context ctx, const T* A, index_t rows, index_t d, index_t stride, bool left)
      : data_(A), stride_(stride), depth_(d),
        split_(ctx, split(ctx) ? static_cast<std::size_t>(rows) * static_cast<std::size_t>(tf32x3_depth(d)) : 0,
               "tf32x3 split operand") {
    if constexpr (std::is_same_v<T, float>) {
      if (split(ctx) && rows > 0) {
        depth_ = stride_ = tf32x3_depth(d);
        for_each(ctx, rows * depth_, tf32x3_split{A, stride, d, depth_, split_.get(), left});
        data_ = split_.get();
      }
    }
  }
  const T* data() const { return data_; }
  index_t stride() const { return stride_; }
  /// The GEMM's inner dimension: d, or tf32x3_depth(d).
  index_t depth() const { return depth_; }

 private:
  static bool split(context ctx) { return std::is_same_v<T, float> && ctx.math == gemm_math::tf32x3; }
  const T* data_;
  index_t stride_, depth_;
  scratch<T> split_;
};

/// C = X * Y^T for row-major X (n x d), Y (m x d) and C (n x m, stride sc),
/// prepared by gemm_rows for the same ctx: in column-major terms C^T = Y X^T.
template <class T>
void gemm_xyt(context ctx, index_t n, index_t m, const gemm_rows<T>& X, const gemm_rows<T>& Y, T* C, index_t sc) {
  static_assert(gemm_type_v<T>);
  cublasHandle_t h = cublas_handle(ctx);
  const T one = T(1), zero = T(0);
  const index_t k = X.depth();
  if constexpr (std::is_same_v<T, float>) {
    if (ctx.math == gemm_math::fp32) {
      CLUSTR_CUDA_CHECK(cublasSgemm_64(h, CUBLAS_OP_T, CUBLAS_OP_N, m, n, k, &one, Y.data(), Y.stride(), X.data(),
                                       X.stride(), &zero, C, sc));
    } else {
      CLUSTR_CUDA_CHECK(cublasGemmEx_64(h, CUBLAS_OP_T, CUBLAS_OP_N, m, n, k, &one, Y.data(), CUDA_R_32F, Y.stride(),
                                        X.data(), CUDA_R_32F, X.stride(), &zero, C, CUDA_R_32F, sc,
                                        CUBLAS_COMPUTE_32F_FAST_TF32, CUBLAS_GEMM_DEFAULT));
    }
  } else {
    CLUSTR_CUDA_CHECK(cublasDgemm_64(h, CUBLAS_OP_T, CUBLAS_OP_N, m, n, k, &one, Y.data(), Y.stride(), X.data(),
                                     X.stride(), &zero, C, sc));
  }
}

/// The same for plain row-major operands (split here when ctx.math asks).
template <class T>
void gemm_xyt(context ctx, index_t n, index_t m, index_t d, const T* X, index_t sx, const T* Y, index_t sy, T* C,
              index_t sc) {
  const gemm_rows<T> xr(ctx, X, n, d, sx, true), yr(ctx, Y, m, d, sy, false);
  gemm_xyt(ctx, n, m, xr, yr, C, sc);
}

}  // namespace clustr::detail::cuda
