#pragma once
// Stream-ordered device memory: owned arrays (memory_ops for core/array.hpp),
// scratch buffers for kernels and CUB, and copies between spaces.

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <mutex>
#include <type_traits>
#include <vector>

#include "clustr/backend/detail/cuda/error.cuh"
#include "clustr/core/array.hpp"
#include "clustr/core/errors.hpp"
#include "clustr/core/space.hpp"

namespace clustr::detail::cuda {

/// How float GEMMs of the expanded distances are computed (clustr::cuda::gemm).
enum class gemm_math {
  fp32,    ///< IEEE fp32 products and sums (cuBLAS SGEMM on the CUDA cores)
  tf32x3,  ///< fp32-accurate: x = big + small in TF32, x.y = big.big + big.small + small.big on tensor cores
  tf32,    ///< one TF32 product on tensor cores: about 3 decimal digits per product, fastest
};

/// What every detail function needs from the backend: where to run, and how
/// to multiply.
struct context {
  cudaStream_t stream = nullptr;
  int device = 0;
  gemm_math math = gemm_math::fp32;
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

/// clustr's memory pool on `device`: created on first use, it keeps the
/// memory that clustr frees for reuse instead of handing it back to the driver
/// at every synchronisation (the default pool's release threshold is 0, and
/// re-mapping memory after each sync cost milliseconds per k-means iteration).
/// trim_memory_pool() gives the unused part back. The user's default pool is
/// left as it is.
inline cudaMemPool_t memory_pool(int device) {
  struct pools {
    std::mutex lock;
    std::vector<cudaMemPool_t> by_device;
  };
  static pools all;
  std::lock_guard<std::mutex> hold(all.lock);
  const auto d = static_cast<std::size_t>(device);
  if (all.by_device.size() <= d) all.by_device.resize(d + 1, nullptr);
  cudaMemPool_t& pool = all.by_device[d];
  if (!pool) {
    cudaMemPoolProps props{};
    props.allocType = cudaMemAllocationTypePinned;
    props.location.type = cudaMemLocationTypeDevice;
    props.location.id = device;
    CLUSTR_CUDA_CHECK(cudaMemPoolCreate(&pool, &props));
    std::uint64_t keep = std::numeric_limits<std::uint64_t>::max();
    CLUSTR_CUDA_CHECK(cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &keep));
  }
  return pool;
}

/// Hands the memory clustr's pool on `device` holds but does not use back to
/// the driver (as PyTorch's empty_cache). Call with no clustr work in flight
/// on that device that could still allocate.
inline void trim_memory_pool(int device) {
  CLUSTR_CUDA_CHECK(cudaMemPoolTrimTo(memory_pool(device), 0));
}

/// `bytes` of device memory, ordered on ctx.stream. The caller holds a device_guard.
inline void* malloc_async(context ctx, std::size_t bytes, const char* where) {
  if (bytes == 0) return nullptr;
  void* p = nullptr;
  const cudaError_t e = cudaMallocFromPoolAsync(&p, bytes, memory_pool(ctx.device), ctx.stream);
  if (e == cudaErrorMemoryAllocation) {
    (void)cudaGetLastError();
    throw_out_of_memory(bytes, where, "cudaMallocFromPoolAsync: out of device memory");
  }
  check(e, "cudaMallocFromPoolAsync(&p, bytes, memory_pool(ctx.device), ctx.stream)", __FILE__, __LINE__);
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
