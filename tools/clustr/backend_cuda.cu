// The CUDA backend's jobs: the same job sources as the host backends,
// compiled by nvcc (built only when CLUSTR_ENABLE_CUDA is on).
#include <cuda_runtime.h>

#include <string>

#include "backend_register.hpp"
#include "clustr/backend/cuda.cuh"

namespace clustr_cli {

namespace {

struct make_cuda {
  clustr::cuda operator()(const backend_options& o) const {
    int count = 0;
    if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0)
      fail("backend 'cuda': no CUDA device is available on this machine");
    if (o.device < 0 || o.device >= count)
      fail("--device " + std::to_string(o.device) + ": this machine has " + std::to_string(count) + " CUDA device(s)");
    clustr::cuda be;
    be.device = o.device;
    return be;
  }
};

std::string describe_cuda(const backend_options& o) {
  cudaDeviceProp p{};
  if (cudaGetDeviceProperties(&p, o.device) != cudaSuccess) return "CUDA (no device available)";
  return std::string(p.name) + " (CUDA device " + std::to_string(o.device) + ", " +
         std::to_string(static_cast<long long>(p.totalGlobalMem >> 20)) + " MiB)";
}

bool cuda_available() {
  int count = 0;
  return cudaGetDeviceCount(&count) == cudaSuccess && count > 0;
}

}  // namespace

void register_cuda_backend() {
  register_jobs<clustr::cuda, make_cuda>(backend_kind::cuda, &describe_cuda, &cuda_available);
}

}  // namespace clustr_cli
