#pragma once
// cuBLAS for the expanded-metric distance paths: one handle per thread and
// device (creating one costs milliseconds), full fp32/fp64 math (never TF32:
// distances must match the host backends within float tolerance), and the
// row-major "X Y^T" product written as the column-major product cuBLAS does.

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <type_traits>
#include <vector>

#include "clustr/backend/detail/cuda/error.cuh"
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
    // Default math: fp32 GEMMs in fp32 (TF32 only with CUBLAS_TF32_TENSOR_OP_MATH).
    CLUSTR_CUDA_CHECK(cublasSetMathMode(h, CUBLAS_DEFAULT_MATH));
  }
  CLUSTR_CUDA_CHECK(cublasSetStream(h, ctx.stream));
  return h;
}

template <class T>
inline constexpr bool gemm_type_v = std::is_same_v<T, float> || std::is_same_v<T, double>;

/// C = X * Y^T for row-major X (n x d, row stride sx), Y (m x d, stride sy)
/// and C (n x m, stride sc): in column-major terms C^T = Y * X^T.
template <class T>
void gemm_xyt(context ctx, index_t n, index_t m, index_t d, const T* X, index_t sx, const T* Y, index_t sy, T* C,
              index_t sc) {
  static_assert(gemm_type_v<T>);
  cublasHandle_t h = cublas_handle(ctx);
  const T one = T(1), zero = T(0);
  if constexpr (std::is_same_v<T, float>) {
    CLUSTR_CUDA_CHECK(cublasSgemm_64(h, CUBLAS_OP_T, CUBLAS_OP_N, m, n, d, &one, Y, sy, X, sx, &zero, C, sc));
  } else {
    CLUSTR_CUDA_CHECK(cublasDgemm_64(h, CUBLAS_OP_T, CUBLAS_OP_N, m, n, d, &one, Y, sy, X, sx, &zero, C, sc));
  }
}

}  // namespace clustr::detail::cuda
