// Algorithm benchmarks on the serial backend (the single-core reference).
#include "bench_algorithms.hpp"
#include "clustr/backend/serial.hpp"

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  clustr_bench::register_algorithms(clustr::serial{}, "serial");
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
