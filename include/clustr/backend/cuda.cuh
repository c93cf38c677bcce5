#pragma once
// The CUDA backend: `clustr::cuda{.stream = s, .device = 0}`.
//
// Work is issued on `stream` of `device` (the device is made current for each
// call and the caller's current device restored). Memory is stream-ordered
// (cudaMallocFromPoolAsync / cudaFreeAsync on `stream`) from clustr's own
// pool per device, which keeps freed memory for reuse until
// cuda::trim_memory_pool. Primitives that return a value
// to the host (reductions, the exclusive scan's total) and copies to the host
// synchronise the stream; everything else is asynchronous until fence().
// Every CUDA, CUB and cuBLAS call and every kernel launch is checked and
// throws clustr::cuda_error; out of device memory throws clustr::out_of_memory.
//
// Besides the base set every device backend provides (allocation, copies,
// fence, for_each, transform_reduce, scans, stable sorts), it overrides
// select_k (radix select), row_norms, pairwise_distance,
// fused_distance_argmin and fused_distance_topk (cuBLAS for expanded metrics,
// tiled kernels otherwise; bounded workspaces).
// Host views are not read directly: stage them with clustr::stage / clone.

#include <cuda_runtime.h>

#include <cstddef>

#include "clustr/backend/detail/cuda/distance.cuh"
#include "clustr/backend/detail/cuda/distance_topk.cuh"
#include "clustr/backend/detail/cuda/error.cuh"
#include "clustr/backend/detail/cuda/launch.cuh"
#include "clustr/backend/detail/cuda/memory.cuh"
#include "clustr/backend/detail/cuda/reduce_scan.cuh"
#include "clustr/backend/detail/cuda/select_k.cuh"
#include "clustr/backend/detail/cuda/sort.cuh"
#include "clustr/core/array.hpp"
#include "clustr/core/space.hpp"
#include "clustr/core/view.hpp"
#include "clustr/primitives/distance.hpp"
#include "clustr/primitives/fused_topk.hpp"

namespace clustr {

// The backend type lives in an unnamed namespace, so that every template
// instantiated with it is local to its translation unit. nvcc keeps the
// host-side copy/call/delete function pointers of an extended
// __host__ __device__ lambda (CLUSTR_LAMBDA) in per-translation-unit statics
// that only the lambda's constructor sets, while the linker merges the
// templates the lambda is passed to across translation units: a program with
// two .cu files could copy a lambda with the other file's (never set)
// pointer and jump to address 0. With a translation-unit-local backend
// nothing is merged. The cost: `clustr::cuda` cannot be a parameter of a
// function defined in one .cu file and called from another (a link error,
// not a crash); pass the stream and device, and build the backend where it
// is used. `clustr::cuda` is spelled as usual.
namespace {

struct cuda {
  using memory_space = device_space;
  static constexpr const char* name = "cuda";

  /// The stream all work is issued on (nullptr: the legacy default stream).
  cudaStream_t stream = nullptr;
  /// The device that owns `stream` and the memory allocated through this backend.
  int device = 0;
  /// Most bytes of intermediate distances fused_distance_argmin and
  /// fused_distance_topk keep at once (they process rows of X in blocks of
  /// this size against all of Y).
  std::size_t workspace_bytes = std::size_t(256) << 20;
  /// How float GEMMs of expanded distances (Euclidean, cosine, inner
  /// product with d > 16) are computed: fp32 (SGEMM), tf32x3 (tensor cores,
  /// fp32-accurate dot products; the default) or tf32 (tensor cores, about
  /// 1e-3 relative error per product). Doubles always use DGEMM. See
  /// docs/backends.md.
  using gemm_math = detail::cuda::gemm_math;
  gemm_math gemm = gemm_math::tf32x3;

  detail::cuda::context context() const { return {stream, device, gemm}; }

  /// Gives the device memory that clustr's pool on `device` keeps for reuse
  /// back to the driver (clustr keeps freed memory between calls, as
  /// PyTorch's caching allocator does). Call with no clustr work in flight.
  static void trim_memory_pool(int device) {
    detail::cuda::device_guard g(device);
    detail::cuda::trim_memory_pool(device);
  }

  // ---- memory
  allocation allocate_bytes(std::size_t bytes) const { return detail::cuda::allocate(context(), bytes); }
  template <class DstSpace, class SrcSpace>
  void copy_bytes(void* dst, const void* src, std::size_t bytes) const {
    detail::cuda::copy_bytes<DstSpace, SrcSpace>(context(), dst, src, bytes);
  }
  void fence() const { detail::cuda::fence(context()); }

  // ---- base set
  template <class F>
  void for_each(index_t n, F f) const {
    detail::cuda::for_each(context(), n, f);
  }
  template <class T, class Op, class F>
  T transform_reduce(index_t n, T init, Op op, F f) const {
    return detail::cuda::transform_reduce(context(), n, init, op, f);
  }
  template <class T, class Op>
  void inclusive_scan(vector_view<const T, device_space> in, vector_view<T, device_space> out, Op op) const {
    detail::cuda::inclusive_scan(context(), in, out, op);
  }
  template <class T, class Op>
  T exclusive_scan(vector_view<const T, device_space> in, vector_view<T, device_space> out, T init, Op op) const {
    return detail::cuda::exclusive_scan(context(), in, out, init, op);
  }
  template <class K, class V>
  void sort_by_key(vector_view<K, device_space> keys, vector_view<V, device_space> values) const {
    detail::cuda::sort_by_key(context(), keys, values);
  }
  template <class K>
  void sort(vector_view<K, device_space> keys) const {
    detail::cuda::sort(context(), keys);
  }

  // ---- faster forms
  template <class T, class I>
  void select_k(matrix_view<const T, device_space> in, matrix_view<T, device_space> out_values,
                matrix_view<I, device_space> out_ids, matrix_view<const I, device_space> in_ids) const {
    detail::cuda::select_k(context(), in, out_values, out_ids, in_ids);
  }
  template <class Metric, class T>
  void row_norms(const Metric& metric, matrix_view<const T, device_space> X, vector_view<T, device_space> out) const {
    detail::cuda::row_norms(context(), metric, X, out.data());
  }
  template <class Metric, class T>
  void pairwise_distance(const Metric& metric, matrix_view<const T, device_space> X,
                         matrix_view<const T, device_space> Y, matrix_view<T, device_space> out,
                         distance_form form) const {
    detail::cuda::pairwise_distance(context(), metric, X, Y, out, form == distance_form::distance);
  }
  template <class Metric, class T, class I>
  void fused_distance_argmin(const Metric& metric, matrix_view<const T, device_space> X,
                             matrix_view<const T, device_space> Y, vector_view<I, device_space> out_index,
                             vector_view<T, device_space> out_distance) const {
    detail::cuda::fused_distance_argmin(context(), metric, X, Y, out_index.data(), out_distance.data(),
                                        workspace_bytes);
  }
  template <class Metric, class T, class I>
  void fused_distance_topk(const Metric& metric, matrix_view<const T, device_space> X,
                           matrix_view<const T, device_space> Y, matrix_view<T, device_space> out_distance,
                           matrix_view<I, device_space> out_index, index_t self_offset) const {
    detail::cuda::fused_distance_topk(context(), metric, X, Y, out_distance, out_index, self_offset,
                                      workspace_bytes);
  }
};

}  // namespace

}  // namespace clustr
