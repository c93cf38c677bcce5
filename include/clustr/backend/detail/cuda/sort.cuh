#pragma once
// Stable ascending sorts through CUB: LSD radix sort (stable, and -0.0 ==
// +0.0 as with operator<) for arithmetic keys, merge sort with operator< for
// any other key type.

#include <cub/device/device_merge_sort.cuh>
#include <cub/device/device_radix_sort.cuh>

#include <type_traits>

#include "clustr/backend/detail/cuda/error.cuh"
#include "clustr/backend/detail/cuda/memory.cuh"
#include "clustr/core/view.hpp"

namespace clustr::detail::cuda {

struct less_op {
  template <class K>
  __host__ __device__ bool operator()(const K& a, const K& b) const { return a < b; }
};

template <class K>
inline constexpr bool radix_sortable_v = std::is_arithmetic_v<K> && !std::is_same_v<K, bool>;

template <class K, class V>
void sort_by_key(context ctx, vector_view<K, device_space> keys, vector_view<V, device_space> values) {
  const index_t n = keys.size();
  if (n <= 1) return;
  device_guard g(ctx.device);
  std::size_t bytes = 0;
  if constexpr (radix_sortable_v<K>) {
    scratch<K> key_alt(ctx, static_cast<std::size_t>(n));
    scratch<V> value_alt(ctx, static_cast<std::size_t>(n));
    cub::DoubleBuffer<K> kb(keys.data(), key_alt.get());
    cub::DoubleBuffer<V> vb(values.data(), value_alt.get());
    CLUSTR_CUDA_CHECK(cub::DeviceRadixSort::SortPairs(nullptr, bytes, kb, vb, n, 0, int(sizeof(K) * 8), ctx.stream));
    scratch<unsigned char> temp(ctx, bytes);
    CLUSTR_CUDA_CHECK(
        cub::DeviceRadixSort::SortPairs(temp.get(), bytes, kb, vb, n, 0, int(sizeof(K) * 8), ctx.stream));
    if (kb.Current() != keys.data())
      CLUSTR_CUDA_CHECK(cudaMemcpyAsync(keys.data(), kb.Current(), sizeof(K) * static_cast<std::size_t>(n),
                                        cudaMemcpyDeviceToDevice, ctx.stream));
    if (vb.Current() != values.data())
      CLUSTR_CUDA_CHECK(cudaMemcpyAsync(values.data(), vb.Current(), sizeof(V) * static_cast<std::size_t>(n),
                                        cudaMemcpyDeviceToDevice, ctx.stream));
  } else {
    CLUSTR_CUDA_CHECK(
        cub::DeviceMergeSort::StableSortPairs(nullptr, bytes, keys.data(), values.data(), n, less_op{}, ctx.stream));
    scratch<unsigned char> temp(ctx, bytes);
    CLUSTR_CUDA_CHECK(cub::DeviceMergeSort::StableSortPairs(temp.get(), bytes, keys.data(), values.data(), n,
                                                            less_op{}, ctx.stream));
  }
}

template <class K>
void sort(context ctx, vector_view<K, device_space> keys) {
  const index_t n = keys.size();
  if (n <= 1) return;
  device_guard g(ctx.device);
  std::size_t bytes = 0;
  if constexpr (radix_sortable_v<K>) {
    scratch<K> key_alt(ctx, static_cast<std::size_t>(n));
    cub::DoubleBuffer<K> kb(keys.data(), key_alt.get());
    CLUSTR_CUDA_CHECK(cub::DeviceRadixSort::SortKeys(nullptr, bytes, kb, n, 0, int(sizeof(K) * 8), ctx.stream));
    scratch<unsigned char> temp(ctx, bytes);
    CLUSTR_CUDA_CHECK(cub::DeviceRadixSort::SortKeys(temp.get(), bytes, kb, n, 0, int(sizeof(K) * 8), ctx.stream));
    if (kb.Current() != keys.data())
      CLUSTR_CUDA_CHECK(cudaMemcpyAsync(keys.data(), kb.Current(), sizeof(K) * static_cast<std::size_t>(n),
                                        cudaMemcpyDeviceToDevice, ctx.stream));
  } else {
    CLUSTR_CUDA_CHECK(cub::DeviceMergeSort::StableSortKeys(nullptr, bytes, keys.data(), n, less_op{}, ctx.stream));
    scratch<unsigned char> temp(ctx, bytes);
    CLUSTR_CUDA_CHECK(
        cub::DeviceMergeSort::StableSortKeys(temp.get(), bytes, keys.data(), n, less_op{}, ctx.stream));
  }
}

}  // namespace clustr::detail::cuda
