// Algorithm benchmarks on the OpenMP backend (all cores unless
// OMP_NUM_THREADS says otherwise).
#include "bench_algorithms.hpp"
#include "clustr/backend/openmp.hpp"

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  clustr_bench::register_algorithms(clustr::openmp{}, "openmp");
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
