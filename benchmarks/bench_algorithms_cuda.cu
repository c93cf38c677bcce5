// Algorithm benchmarks on the CUDA backend (device 0, default stream). Inputs
// are made on the host and copied to the device once, outside the timing; each
// iteration ends with a fence, so times include the whole kernel sequence.
#include "bench_algorithms.hpp"
#include "clustr/backend/cuda.cuh"

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  clustr_bench::register_algorithms(clustr::cuda{}, "cuda");
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
