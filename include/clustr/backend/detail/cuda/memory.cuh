#pragma once
// Stream-ordered device memory: owned arrays (memory_ops for core/array.hpp),
// scratch buffers for kernels and CUB, and copies between spaces.

#include <cuda_runtime.h>

#include <cstddef>
#include <type_traits>

#include "clustr/backend/detail/cuda/error.cuh"
#include "clustr/core/array.hpp"
#include "clustr/core/errors.hpp"
#include "clustr/core/space.hpp"

namespace clustr::detail::cuda {

/// What every detail function needs from the backend: where to run.
struct context {
  cudaStream_t stream = nullptr;
  int device = 0;
};

inline void release(void* ptr, void* stream, int device) noexcept {
  if (!ptr) return;
  int previous = 0;
  if (cudaGetDevice(&previous) != cudaSuccess) previous = device;
  if (previous != device) CLUSTR_CUDA_REPORT(cudaSetDevice(device));
  CLUSTR_CUDA_REPORT(cudaFreeAsync(ptr, static_cast<cudaStream_t>(stream)));
  if (previous != device) CLUSTR_CUDA_REPORT(cudaSetDevice(previous));
}

inline void copy_to_host(void* dst, const void* src, std::size_t bytes, void* stream, int device) {
  if (bytes == 0) return;
  device_guard g(device);
  const auto s = static_cast<cudaStream_t>(stream);
  CLUSTR_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDefault, s));
  CLUSTR_CUDA_CHECK(cudaStreamSynchronize(s));
}

/// `bytes` of device memory, ordered on ctx.stream. The caller holds a device_guard.
inline void* malloc_async(context ctx, std::size_t bytes, const char* where) {
  if (bytes == 0) return nullptr;
  void* p = nullptr;
  const cudaError_t e = cudaMallocAsync(&p, bytes, ctx.stream);
  if (e == cudaErrorMemoryAllocation) {
    (void)cudaGetLastError();
    throw_out_of_memory(bytes, where, "cudaMallocAsync: out of device memory");
  }
  check(e, "cudaMallocAsync(&p, bytes, ctx.stream)", __FILE__, __LINE__);
  return p;
}

/// An owned allocation that frees itself on the stream (clustr::vector/matrix).
inline allocation allocate(context ctx, std::size_t bytes) {
  allocation a;
  a.ops.release = &release;
  a.ops.copy_to_host = &copy_to_host;
  a.ops.context = static_cast<void*>(ctx.stream);
  a.ops.device = ctx.device;
  if (bytes == 0) return a;
  device_guard g(ctx.device);
  a.ptr = malloc_async(ctx, bytes, "clustr::cuda device allocation");
  return a;
}

/// Scratch memory for one primitive call: n elements of T, freed
/// (stream-ordered, so after the kernels that use it) when it goes out of scope.
template <class T>
class scratch {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  scratch(context ctx, std::size_t n, const char* where = "clustr::cuda scratch buffer")
      : ctx_(ctx), ptr_(static_cast<T*>(malloc_async(ctx, n * sizeof(T), where))) {}
  scratch(const scratch&) = delete;
  scratch& operator=(const scratch&) = delete;
  ~scratch() { release(ptr_, static_cast<void*>(ctx_.stream), ctx_.device); }
  T* get() const { return ptr_; }

 private:
  context ctx_;
  T* ptr_;
};

/// dst = src, bytes. Synchronous when either side is host memory (the caller
/// reads the destination next, or may free or reuse the source, which could be
/// pinned); stream-ordered between device buffers.
template <class DstSpace, class SrcSpace>
void copy_bytes(context ctx, void* dst, const void* src, std::size_t bytes) {
  if (bytes == 0) return;
  device_guard g(ctx.device);
  CLUSTR_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDefault, ctx.stream));
  if constexpr (std::is_same_v<DstSpace, host_space> || std::is_same_v<SrcSpace, host_space>)
    CLUSTR_CUDA_CHECK(cudaStreamSynchronize(ctx.stream));
}

inline void fence(context ctx) {
  device_guard g(ctx.device);
  CLUSTR_CUDA_CHECK(cudaStreamSynchronize(ctx.stream));
}

}  // namespace clustr::detail::cuda
