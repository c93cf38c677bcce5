// UMAP on the GPU (issue 7): Fashion-MNIST 70,000 x 784 -> 5-d and -> 2-d
// (n_neighbors 15, min_dist 0), end to end including the exact kNN graph, fast
// (hogwild) vs deterministic mode; CUDA-event timing after a warm-up; the
// trustworthiness (k = 15) of the first 10,000 rows of each embedding; and a
// run-to-run check of the deterministic mode. Prints one JSON object per line.
//
//   nvcc -std=c++20 -O3 -arch=sm_90 --extended-lambda --expt-relaxed-constexpr -Iinclude \
//        scripts/gpu/bench_umap.cu -lcublas -lz -o bench_umap
//   ./bench_umap [dir with train-images-idx3-ubyte.gz and t10k-images-idx3-ubyte.gz]
//                (default /usr/share/datasets/fashion-mnist)
#include <cuda_runtime.h>
#include <zlib.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "clustr/backend/cuda.cuh"
#include "clustr/manifold/umap.hpp"
#include "clustr/neighbors/knn.hpp"
#include "clustr/stats/trustworthiness.hpp"

using clustr::index_t;

namespace {

/// A gzip'd IDX image file as floats in [0, 1], appended to `out`; returns rows.
index_t read_idx_images(const std::string& path, std::vector<float>& out, index_t& d) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) {
    std::fprintf(stderr, "cannot open %s\n", path.c_str());
    std::exit(2);
  }
  unsigned char h[16];
  if (gzread(f, h, 16) != 16) std::exit(2);
  auto be32 = [&](int o) {
    return static_cast<index_t>(h[o]) << 24 | static_cast<index_t>(h[o + 1]) << 16 |
           static_cast<index_t>(h[o + 2]) << 8 | static_cast<index_t>(h[o + 3]);
  };
  if (be32(0) != 0x803) {
    std::fprintf(stderr, "%s: not an IDX3 ubyte file\n", path.c_str());
    std::exit(2);
  }
  const index_t n = be32(4);
  d = be32(8) * be32(12);
  std::vector<unsigned char> buf(static_cast<std::size_t>(n * d));
  if (gzread(f, buf.data(), static_cast<unsigned>(buf.size())) != static_cast<int>(buf.size())) std::exit(2);
  gzclose(f);
  const std::size_t base = out.size();
  out.resize(base + buf.size());
  for (std::size_t i = 0; i < buf.size(); ++i) out[base + i] = static_cast<float>(buf[i]) / 255.0f;
  return n;
}

struct timer {
  cudaEvent_t a, b;
  timer() {
    cudaEventCreate(&a);
    cudaEventCreate(&b);
  }
  ~timer() {
    cudaEventDestroy(a);
    cudaEventDestroy(b);
  }
  void start() { cudaEventRecord(a); }
  double stop_ms() {
    cudaEventRecord(b);
    cudaEventSynchronize(b);
    float ms = 0;
    cudaEventElapsedTime(&ms, a, b);
    return ms;
  }
};

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "/usr/share/datasets/fashion-mnist";
  std::vector<float> host;
  index_t d = 0;
  index_t n = read_idx_images(dir + "/train-images-idx3-ubyte.gz", host, d);
  n += read_idx_images(dir + "/t10k-images-idx3-ubyte.gz", host, d);
  const clustr::cuda gpu{};
  auto X = clustr::clone(gpu, clustr::matrix_view<const float>(host.data(), n, d));  // on the device
  cudaDeviceSynchronize();
  cudaDeviceProp prop{};
  cudaGetDeviceProperties(&prop, 0);
  std::printf("{\"device\": \"%s\", \"n\": %ld, \"d\": %ld}\n", prop.name, static_cast<long>(n), static_cast<long>(d));

  // Warm-up: a small fit compiles nothing but initialises cuBLAS, pools, caches.
  {
    clustr::umap::params<> p{.n_components = 2, .n_epochs = 20};
    auto w = clustr::umap::fit(gpu, p, clustr::matrix_view<const float, clustr::device_space>(X.data(), 5000, d));
    cudaDeviceSynchronize();
  }
  timer t;
  const clustr::stats::trustworthiness_params<> tp{.n_neighbors = 15};
  const index_t n_tw = 10000;
  for (index_t dim : {5, 2}) {
    for (bool det : {false, true}) {
      clustr::umap::params<> p{.n_components = dim, .min_dist = 0.0, .seed = 12, .deterministic = det};
      p.knn_algo = clustr::knn::algorithm::exact;
      // End to end: kNN graph + fuzzy graph + spectral init + layout.
      double best = 1e30, knn_ms = 0;
      std::vector<float> first;
      bool same = true;
      clustr::umap::model<float, clustr::device_space> m;
      for (int rep = 0; rep < 3; ++rep) {
        t.start();
        m = clustr::umap::fit(gpu, p, X);
        const double ms = t.stop_ms();
        best = ms < best ? ms : best;
        auto e = m.embedding.to_std_vector();
        if (rep == 0) first = std::move(e);
        else same = same && e == first;
      }
      // The kNN graph alone (for the split).
      {
        clustr::knn::params<> kp{.k = 14};
        t.start();
        auto g = clustr::knn::graph<index_t>(gpu, kp, X);
        knn_ms = t.stop_ms();
      }
      const auto Xs = clustr::matrix_view<const float, clustr::device_space>(X.data(), n_tw, d);
      const auto Es = clustr::matrix_view<const float, clustr::device_space>(m.embedding.data(), n_tw, dim);
      const double tw = clustr::stats::trustworthiness(gpu, Xs, Es, tp);
      std::printf(
          "{\"n_components\": %ld, \"deterministic\": %s, \"end_to_end_ms_best_of_3\": %.1f, \"knn_graph_ms\": %.1f, "
          "\"epochs\": %ld, \"init\": \"%s\", \"trustworthiness_first_10k\": %.4f, \"identical_across_runs\": %s}\n",
          static_cast<long>(dim), det ? "true" : "false", best, knn_ms, static_cast<long>(m.n_epochs),
          m.init_message.c_str(), tw, same ? "true" : "false");
      std::fflush(stdout);
    }
  }
  return 0;
}
