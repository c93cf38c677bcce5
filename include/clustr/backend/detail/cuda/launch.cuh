#pragma once
// for_each on the GPU: a grid-stride loop over a 64-bit index, with a grid
// sized to fill the device (not one thread per element) so that huge n needs
// no more blocks than the hardware runs at once.

#include <cuda_runtime.h>

#include "clustr/backend/detail/cuda/error.cuh"
#include "clustr/backend/detail/cuda/memory.cuh"
#include "clustr/core/config.hpp"

namespace clustr::detail::cuda {

inline constexpr int for_each_block = 256;

template <class F>
__global__ void __launch_bounds__(for_each_block) for_each_kernel(index_t n, F f) {
  const index_t step = static_cast<index_t>(blockDim.x) * gridDim.x;
  for (index_t i = static_cast<index_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step) f(i);
}

/// Number of streaming multiprocessors of the current device.
inline int sm_count(int device) {
  int n = 0;
  CLUSTR_CUDA_CHECK(cudaDeviceGetAttribute(&n, cudaDevAttrMultiProcessorCount, device));
  return n;
}

/// Blocks for a grid-stride loop over n items with `block` threads per block:
/// enough to fill every SM several times over, never more than needed.
inline unsigned grid_for(int device, index_t n, int block) {
  const index_t needed = (n + block - 1) / block;
  const index_t cap = static_cast<index_t>(sm_count(device)) * (2048 / block) * 4;
  return static_cast<unsigned>(needed < cap ? needed : cap);
}

template <class F>
void for_each(context ctx, index_t n, F f) {
  if (n <= 0) return;
  device_guard g(ctx.device);
  for_each_kernel<<<grid_for(ctx.device, n, for_each_block), for_each_block, 0, ctx.stream>>>(n, f);
  CLUSTR_CUDA_CHECK_LAUNCH("clustr::detail::cuda::for_each_kernel");
}

}  // namespace clustr::detail::cuda
