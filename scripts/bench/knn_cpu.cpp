// Times clustr::knn::graph on the OpenMP backend (exact, self excluded).
// Usage: knn_cpu X.f32 n d k repeats out.i64 -> prints the median seconds; writes the indices.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <vector>

#include "clustr/backend/openmp.hpp"
#include "clustr/neighbors/knn.hpp"

int main(int argc, char** argv) {
  if (argc != 7) { std::fprintf(stderr, "usage: %s X n d k repeats out\n", argv[0]); return 2; }
  const long n = std::atol(argv[2]), d = std::atol(argv[3]), k = std::atol(argv[4]), reps = std::atol(argv[5]);
  std::vector<float> X(static_cast<std::size_t>(n * d));
  std::ifstream(argv[1], std::ios::binary).read(reinterpret_cast<char*>(X.data()), static_cast<std::streamsize>(X.size() * 4));
  std::vector<double> times;
  std::vector<long long> idx;
  for (long r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto g = clustr::knn::graph(clustr::openmp{}, {.k = k}, clustr::matrix_view<const float>(X.data(), n, d));
    times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    const auto h = g.indices.to_std_vector();
    idx.assign(h.begin(), h.end());
  }
  std::ofstream(argv[6], std::ios::binary).write(reinterpret_cast<const char*>(idx.data()), static_cast<std::streamsize>(idx.size() * 8));
  std::sort(times.begin(), times.end());
  std::printf("clustr_openmp seconds %.4f\n", times[times.size() / 2]);
}
