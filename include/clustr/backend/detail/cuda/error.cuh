#pragma once
// Checking of every CUDA runtime call, cuBLAS call and kernel launch: a failure
// throws clustr::cuda_error naming the call, where it was made and the CUDA
// message. A scoped guard makes the backend's device current for a call.

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <cstdio>

#include "clustr/core/errors.hpp"

namespace clustr::detail::cuda {

[[noreturn]] inline void throw_cuda_error(cudaError_t e, const char* call, const char* file, int line) {
  throw clustr::cuda_error(concat("clustr: CUDA call `", call, "` failed at ", file, ":", line, ": ",
                                  cudaGetErrorName(e), ": ", cudaGetErrorString(e)));
}

inline void check(cudaError_t e, const char* call, const char* file, int line) {
  if (e != cudaSuccess) {
    (void)cudaGetLastError();  // clear a non-sticky error so later calls are not blamed for it
    throw_cuda_error(e, call, file, line);
  }
}

inline void check(cublasStatus_t s, const char* call, const char* file, int line) {
  if (s != CUBLAS_STATUS_SUCCESS)
    throw clustr::cuda_error(concat("clustr: cuBLAS call `", call, "` failed at ", file, ":", line, ": ",
                                    cublasGetStatusName(s), ": ", cublasGetStatusString(s)));
}

/// For paths that must not throw (releasing memory): report and go on.
inline void report(cudaError_t e, const char* call, const char* file, int line) noexcept {
  if (e != cudaSuccess) {
    (void)cudaGetLastError();
    std::fprintf(stderr, "clustr: CUDA call `%s` failed at %s:%d: %s (ignored)\n", call, file, line,
                 cudaGetErrorString(e));
  }
}

}  // namespace clustr::detail::cuda

/// Throws clustr::cuda_error if a CUDA runtime or cuBLAS call fails.
#define CLUSTR_CUDA_CHECK(call) ::clustr::detail::cuda::check((call), #call, __FILE__, __LINE__)
/// Checks the launch of the kernel just issued (configuration errors, and
/// earlier asynchronous faults that surface here).
#define CLUSTR_CUDA_CHECK_LAUNCH(kernel_name) \
  ::clustr::detail::cuda::check(cudaGetLastError(), "launch of " kernel_name, __FILE__, __LINE__)
/// Prints (never throws) when a CUDA call fails: for noexcept paths.
#define CLUSTR_CUDA_REPORT(call) ::clustr::detail::cuda::report((call), #call, __FILE__, __LINE__)

namespace clustr::detail::cuda {

/// Makes `device` current for the guard's lifetime and restores the
/// previous device afterwards (so a user's own current device is kept).
class device_guard {
 public:
  explicit device_guard(int device) {
    CLUSTR_CUDA_CHECK(cudaGetDevice(&previous_));
    if (previous_ != device) CLUSTR_CUDA_CHECK(cudaSetDevice(device));
    changed_ = previous_ != device;
  }
  device_guard(const device_guard&) = delete;
  device_guard& operator=(const device_guard&) = delete;
  ~device_guard() {
    if (changed_) CLUSTR_CUDA_REPORT(cudaSetDevice(previous_));
  }

 private:
  int previous_ = 0;
  bool changed_ = false;
};

}  // namespace clustr::detail::cuda
