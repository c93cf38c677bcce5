// Times clustr::dbscan::fit on the OpenMP backend for data in a raw file of
// float64 row-major values (written by scripts/bench/dbscan_cpu.py).
// Build: g++ -std=c++20 -O3 -march=native -fopenmp -Iinclude scripts/bench/dbscan_bench.cpp -o dbscan_bench
// Run:   dbscan_bench X.f64 n d eps min_samples threads [labels_out.i32] [grid|brute]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>


#include "clustr/backend/openmp.hpp"
#include "clustr/cluster/dbscan.hpp"

/// Peak resident memory of this process in MiB (VmHWM: reset by exec, unlike
/// ru_maxrss, which keeps the parent's peak across fork + exec).
static double peak_rss_mib() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::atof(line.c_str() + 6) / 1024.0;
  return -1;
}

int main(int argc, char** argv) {
  if (argc < 7) {
    std::fprintf(stderr, "usage: %s X.f64 n d eps min_samples threads [labels_out.i32] [grid|brute]\n", argv[0]);
    return 2;
  }
  const long long n = std::atoll(argv[2]), d = std::atoll(argv[3]);
  std::vector<double> X(static_cast<std::size_t>(n * d));
  std::ifstream in(argv[1], std::ios::binary);
  in.read(reinterpret_cast<char*>(X.data()), static_cast<std::streamsize>(X.size() * sizeof(double)));
  if (!in) {
    std::fprintf(stderr, "cannot read %lld x %lld doubles from %s\n", n, d, argv[1]);
    return 2;
  }
  clustr::dbscan::params<> p;
  p.eps = std::atof(argv[4]);
  p.min_samples = std::atoll(argv[5]);
  if (argc > 8) p.algo = std::strcmp(argv[8], "brute") == 0 ? clustr::dbscan::algorithm::brute : clustr::dbscan::algorithm::grid;
  const clustr::openmp be{std::atoi(argv[6])};
  const double rss_before = peak_rss_mib();
  const auto t0 = std::chrono::steady_clock::now();
  const auto m = clustr::dbscan::fit(be, p, clustr::make_matrix_view(X.data(), n, d));
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("fit_seconds %.6f n_clusters %lld n_core %lld maxrss_before_fit_MiB %.1f maxrss_MiB %.1f\n", s,
              static_cast<long long>(m.n_clusters), static_cast<long long>(m.core_sample_indices.size()),
              rss_before, peak_rss_mib());
  if (argc > 7 && std::strcmp(argv[7], "-") != 0) {
    std::ofstream out(argv[7], std::ios::binary);
    out.write(reinterpret_cast<const char*>(m.labels.data()), static_cast<std::streamsize>(n * sizeof(std::int32_t)));
  }
  return 0;
}
