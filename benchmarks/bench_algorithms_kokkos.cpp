// Algorithm benchmarks on Kokkos' default execution space (OpenMP, Serial or
// Cuda, whatever the Kokkos install was built with). Kokkos is initialised
// around the run; its flags (--kokkos-num-threads=N) are consumed first.
#include <Kokkos_Core.hpp>

#include "bench_algorithms.hpp"
#include "clustr/backend/kokkos.hpp"

int main(int argc, char** argv) {
  Kokkos::ScopeGuard guard(argc, argv);
  benchmark::Initialize(&argc, argv);
  using space = Kokkos::DefaultExecutionSpace;
  clustr_bench::register_algorithms(clustr::kokkos<space>{}, std::string("kokkos_") + space::name());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
