#pragma once
// Compile-time configuration shared by every header: host/device annotations,
// the index type of extents, and the lambda macro that generic algorithm code
// uses so that one body runs on the host and on the GPU.

#include <cstddef>
#include <cstdint>

#if defined(__CUDACC__) || defined(__HIPCC__)
#define CLUSTR_HD __host__ __device__
#define CLUSTR_DEVICE_FN __device__
#else
#define CLUSTR_HD
#define CLUSTR_DEVICE_FN
#endif

// True inside device code (the __CUDA_ARCH__ pass of nvcc).
#if defined(__CUDA_ARCH__)
#define CLUSTR_IN_DEVICE_CODE 1
#else
#define CLUSTR_IN_DEVICE_CODE 0
#endif

// A by-value lambda callable on the host and, when compiled by nvcc (with
// --extended-lambda), on the device. Rules that nvcc imposes on such lambdas and
// that clustr code keeps everywhere: no init-captures, no generic (auto)
// parameters, and the enclosing function must not have a deduced return type
// nor be a private/protected member.
#define CLUSTR_LAMBDA [=] CLUSTR_HD

#define CLUSTR_INLINE inline

namespace clustr {

/// Extents and offsets of views and arrays. Signed, 64-bit: rows * cols of a
/// large matrix does not fit 32 bits, and signed arithmetic keeps loops simple.
using index_t = std::int64_t;

}  // namespace clustr
