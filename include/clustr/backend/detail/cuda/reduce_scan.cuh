#pragma once
// transform_reduce and the prefix scans through CUB. Scratch storage comes
// from the backend's stream-ordered allocator; results that the primitives
// return by value (the reduction, the exclusive scan's total) are copied to
// the host, which synchronises the stream.

#include <cub/device/device_reduce.cuh>
#include <cub/device/device_scan.cuh>
#include <thrust/iterator/counting_iterator.h>

#include "clustr/backend/detail/cuda/error.cuh"
#include "clustr/backend/detail/cuda/memory.cuh"
#include "clustr/core/view.hpp"

namespace clustr::detail::cuda {

/// op(init, f(0), ..., f(n-1)), returned on the host.
template <class T, class Op, class F>
T transform_reduce(context ctx, index_t n, T init, Op op, F f) {
  if (n <= 0) return init;
  device_guard g(ctx.device);
  const thrust::counting_iterator<index_t> first(0);
  scratch<T> result(ctx, 1);
  std::size_t bytes = 0;
  CLUSTR_CUDA_CHECK(cub::DeviceReduce::TransformReduce(nullptr, bytes, first, result.get(), n, op, f, init, ctx.stream));
  scratch<unsigned char> temp(ctx, bytes);
  CLUSTR_CUDA_CHECK(
      cub::DeviceReduce::TransformReduce(temp.get(), bytes, first, result.get(), n, op, f, init, ctx.stream));
  T host{};
  copy_bytes<host_space, device_space>(ctx, &host, result.get(), sizeof(T));
  return host;
}

/// out = inclusive scan of in (in == out allowed).
template <class T, class Op>
void inclusive_scan(context ctx, vector_view<const T, device_space> in, vector_view<T, device_space> out, Op op) {
  const index_t n = in.size();
  if (n <= 0) return;
  device_guard g(ctx.device);
  std::size_t bytes = 0;
  CLUSTR_CUDA_CHECK(cub::DeviceScan::InclusiveScan(nullptr, bytes, in.data(), out.data(), op, n, ctx.stream));
  scratch<unsigned char> temp(ctx, bytes);
  CLUSTR_CUDA_CHECK(cub::DeviceScan::InclusiveScan(temp.get(), bytes, in.data(), out.data(), op, n, ctx.stream));
}

template <class T, class Op>
__global__ void exclusive_total_kernel(const T* last_out, const T* last_in, Op op, T* total) {
  *total = op(*last_out, *last_in);
}

/// out = exclusive scan of in starting at init (in == out allowed); returns
/// init op in[0] op ... op in[n-1].
template <class T, class Op>
T exclusive_scan(context ctx, vector_view<const T, device_space> in, vector_view<T, device_space> out, T init,
                 Op op) {
  const index_t n = in.size();
  if (n <= 0) return init;
  device_guard g(ctx.device);
  // The total needs in[n-1], which an in-place scan overwrites: keep it.
  scratch<T> keep(ctx, 2);  // [0] = in[n-1], [1] = total
  CLUSTR_CUDA_CHECK(cudaMemcpyAsync(keep.get(), in.data() + (n - 1), sizeof(T), cudaMemcpyDeviceToDevice, ctx.stream));
  std::size_t bytes = 0;
  CLUSTR_CUDA_CHECK(cub::DeviceScan::ExclusiveScan(nullptr, bytes, in.data(), out.data(), op, init, n, ctx.stream));
  scratch<unsigned char> temp(ctx, bytes);
  CLUSTR_CUDA_CHECK(
      cub::DeviceScan::ExclusiveScan(temp.get(), bytes, in.data(), out.data(), op, init, n, ctx.stream));
  exclusive_total_kernel<<<1, 1, 0, ctx.stream>>>(out.data() + (n - 1), keep.get(), op, keep.get() + 1);
  CLUSTR_CUDA_CHECK_LAUNCH("clustr::detail::cuda::exclusive_total_kernel");
  T host{};
  copy_bytes<host_space, device_space>(ctx, &host, keep.get() + 1, sizeof(T));
  return host;
}

}  // namespace clustr::detail::cuda
