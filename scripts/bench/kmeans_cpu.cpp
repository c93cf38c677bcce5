// Times clustr::kmeans Lloyd iterations on the OpenMP backend from given
// initial centroids (the same start scikit-learn gets in kmeans_cpu.py).
// Usage: kmeans_cpu X.f32 n d C0.f32 k iters repeats  -> prints median seconds and inertia.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <vector>

#include "clustr/backend/openmp.hpp"
#include "clustr/cluster/kmeans.hpp"

static std::vector<float> load(const char* path, std::size_t count) {
  std::vector<float> v(count);
  std::ifstream f(path, std::ios::binary);
  f.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(count * sizeof(float)));
  if (!f) { std::fprintf(stderr, "cannot read %s\n", path); std::exit(2); }
  return v;
}

int main(int argc, char** argv) {
  if (argc != 8) { std::fprintf(stderr, "usage: %s X n d C0 k iters repeats\n", argv[0]); return 2; }
  const long n = std::atol(argv[2]), d = std::atol(argv[3]), k = std::atol(argv[5]), iters = std::atol(argv[6]),
             reps = std::atol(argv[7]);
  const auto X = load(argv[1], static_cast<std::size_t>(n * d));
  const auto C0 = load(argv[4], static_cast<std::size_t>(k * d));
  const clustr::kmeans::params p{.n_clusters = k, .init = clustr::kmeans::init_method::array, .max_iter = iters, .tol = 0};
  std::vector<double> times;
  double inertia = 0;
  long n_iter = 0;
  for (long r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto m = clustr::kmeans::fit(clustr::openmp{}, p, clustr::matrix_view<const float>(X.data(), n, d), {},
                                       clustr::matrix_view<const float>(C0.data(), k, d));
    times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    inertia = m.inertia;
    n_iter = m.n_iter;
  }
  std::sort(times.begin(), times.end());
  std::printf("clustr_openmp seconds %.4f inertia %.6e n_iter %ld\n", times[times.size() / 2], inertia, n_iter);
}
