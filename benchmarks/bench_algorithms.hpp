#pragma once
// Benchmarks of the public algorithms, written once over the backend: the
// exact kNN graph and search, 20 Lloyd iterations of k-means, DBSCAN,
// HDBSCAN, UMAP, silhouette and trustworthiness. Each translation unit
// (bench_algorithms_<backend>.cpp/.cu) includes this and calls
// clustr_bench::register_algorithms(backend, tag) from its main.
//
// Sizes: host backends get the issues' CPU cases (or a cut of them that
// runs in seconds on two cores); device backends get the issues' GPU cases.
// Inputs are on the backend before timing (as a user who keeps data on the
// device); one untimed warm-up run precedes the timed ones.
// These time the algorithms only: the peer comparisons (scikit-learn,
// PyTorch) are scripts/bench/*.py and scripts/gpu/*, recorded in
// docs/benchmarks.md.
//
// Counters: items_per_second = input rows per second; FLOP/s where the
// algorithm's main cost is a distance matrix (2·n·m·d per pass).

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "clustr/cluster/dbscan.hpp"
#include "clustr/cluster/hdbscan.hpp"
#include "clustr/cluster/kmeans.hpp"
#include "clustr/core/rng.hpp"
#include "clustr/manifold/umap.hpp"
#include "clustr/neighbors/knn.hpp"
#include "clustr/stats/silhouette.hpp"
#include "clustr/stats/trustworthiness.hpp"

namespace clustr_bench {

using clustr::index_t;

/// make_blobs-like float data: `centres` centres uniform in [-10, 10]^d, each
/// point a centre plus normal noise of standard deviation `std`; labels are
/// the generating centre (row i belongs to centre i % centres).
struct blobs_data {
  std::vector<float> X;
  std::vector<std::int32_t> labels;
};

inline blobs_data make_blobs(index_t n, index_t d, index_t centres, float std, std::uint64_t seed) {
  const clustr::rng::random_stream rs{seed, 0x424C4F42ull};
  blobs_data b{std::vector<float>(static_cast<std::size_t>(n * d)), std::vector<std::int32_t>(static_cast<std::size_t>(n))};
  for (index_t i = 0; i < n; ++i) {
    const index_t c = i % centres;
    b.labels[static_cast<std::size_t>(i)] = static_cast<std::int32_t>(c);
    for (index_t j = 0; j < d; ++j)
      b.X[static_cast<std::size_t>(i * d + j)] =
          rs.uniform<float>(static_cast<std::uint64_t>(c * d + j), -10.0f, 10.0f) +
          std * rs.normal<float>(static_cast<std::uint64_t>((centres + i) * d + j));
  }
  return b;
}

/// Standard normal float data (the kNN cases: no structure to exploit).
inline std::vector<float> normal_data(index_t n, index_t d, std::uint64_t seed) {
  const clustr::rng::random_stream rs{seed, 0x4E4F524Dull};
  std::vector<float> v(static_cast<std::size_t>(n * d));
  for (index_t i = 0; i < n * d; ++i) v[static_cast<std::size_t>(i)] = rs.normal<float>(static_cast<std::uint64_t>(i));
  return v;
}

template <class Backend, class T>
auto on_backend(const Backend& be, const std::vector<T>& v, index_t rows, index_t cols) {
  return clustr::clone(be, clustr::make_matrix_view(v.data(), rows, cols));
}

/// Runs `fn` once untimed, then once per benchmark iteration, fencing after each.
template <class Backend, class Fn>
void timed(benchmark::State& state, const Backend& be, Fn&& fn) {
  fn();
  clustr::fence(be);
  for (auto _ : state) {
    fn();
    clustr::fence(be);
  }
}

inline void flop_rate(benchmark::State& state, double flop) {
  state.counters["FLOP/s"] = benchmark::Counter(flop, benchmark::Counter::kIsIterationInvariantRate);
}

/// Exact kNN graph of n x d standard normal points, self excluded.
template <class Backend>
void knn_graph(benchmark::State& state, Backend be) {
  const index_t n = state.range(0), d = state.range(1), k = state.range(2);
  const auto X = on_backend(be, normal_data(n, d, 1), n, d);
  timed(state, be, [&] { benchmark::DoNotOptimize(clustr::knn::graph(be, {.k = k}, X.view())); });
  state.SetItemsProcessed(state.iterations() * n);
  flop_rate(state, 2.0 * double(n) * double(n) * double(d));
}

/// Exact kNN search of q queries against n base points.
template <class Backend>
void knn_search(benchmark::State& state, Backend be) {
  const index_t q = state.range(0), n = state.range(1), d = state.range(2), k = state.range(3);
  const auto B = on_backend(be, normal_data(n, d, 2), n, d);
  const auto Q = on_backend(be, normal_data(q, d, 3), q, d);
  timed(state, be, [&] { benchmark::DoNotOptimize(clustr::knn::search(be, {.k = k}, B.view(), Q.view())); });
  state.SetItemsProcessed(state.iterations() * q);
  flop_rate(state, 2.0 * double(q) * double(n) * double(d));
}

/// 20 Lloyd iterations from the first k rows (tol 0) of standard normal data,
/// which does not converge within 20 (the n_iter counter shows it), as
/// peers_gpu.py times them.
template <class Backend>
void kmeans_lloyd(benchmark::State& state, Backend be) {
  const index_t n = state.range(0), d = state.range(1), k = state.range(2);
  const auto data = normal_data(n, d, 4);
  const auto X = on_backend(be, data, n, d);
  const auto C0 = on_backend(be, std::vector<float>(data.begin(), data.begin() + k * d), k, d);
  const clustr::kmeans::params p{.n_clusters = k, .init = clustr::kmeans::init_method::array, .max_iter = 20, .tol = 0.0};
  index_t n_iter = 0;
  timed(state, be, [&] {
    const auto m = clustr::kmeans::fit(be, p, X.view(), clustr::vector_view<const float, clustr::memory_space_t<Backend>>{}, C0.view());
    n_iter = m.n_iter;
  });
  state.counters["n_iter"] = static_cast<double>(n_iter);
  state.SetItemsProcessed(state.iterations() * n * n_iter);
  flop_rate(state, 2.0 * double(n) * double(k) * double(d) * double(n_iter));
}

/// DBSCAN on 2-d blobs (issue 5's case: 6 centres, std 0.1, eps 0.05,
/// min_samples 10).
template <class Backend>
void dbscan_blobs(benchmark::State& state, Backend be) {
  const index_t n = state.range(0), d = state.range(1);
  const auto data = make_blobs(n, d, 6, 0.1f, 5);
  const auto X = on_backend(be, data.X, n, d);
  timed(state, be, [&] { benchmark::DoNotOptimize(clustr::dbscan::fit(be, clustr::dbscan::params<>{.eps = 0.05, .min_samples = 10}, X.view())); });
  state.SetItemsProcessed(state.iterations() * n);
}

/// HDBSCAN fit on blobs (issue 6's case: 20 centres, min_cluster_size 50).
template <class Backend>
void hdbscan_blobs(benchmark::State& state, Backend be) {
  const index_t n = state.range(0), d = state.range(1);
  const auto data = make_blobs(n, d, 20, 1.0f, 6);
  const auto X = on_backend(be, data.X, n, d);
  timed(state, be, [&] { benchmark::DoNotOptimize(clustr::hdbscan::fit(be, clustr::hdbscan::params<>{.min_cluster_size = 50}, X.view())); });
  state.SetItemsProcessed(state.iterations() * n);
}

/// UMAP fit end to end (kNN graph included) of blobs in d dimensions to
/// n_components, n_neighbors 15, min_dist 0 (the users' setting before HDBSCAN).
template <class Backend>
void umap_blobs(benchmark::State& state, Backend be) {
  const index_t n = state.range(0), d = state.range(1), dim = state.range(2);
  const auto data = make_blobs(n, d, 10, 4.0f, 7);
  const auto X = on_backend(be, data.X, n, d);
  const clustr::umap::params p{.n_components = dim, .min_dist = 0.0, .seed = 12};
  timed(state, be, [&] { benchmark::DoNotOptimize(clustr::umap::fit(be, p, X.view())); });
  state.SetItemsProcessed(state.iterations() * n);
}

/// Silhouette over all n points (O(n^2 d): issue 8's 100k x 384, 50 clusters).
template <class Backend>
void silhouette(benchmark::State& state, Backend be) {
  const index_t n = state.range(0), d = state.range(1), c = state.range(2);
  const auto data = make_blobs(n, d, c, 1.0f, 8);
  const auto X = on_backend(be, data.X, n, d);
  const auto L = clustr::clone(be, clustr::vector_view<const std::int32_t, clustr::host_space>(data.labels.data(), n));
  timed(state, be, [&] { benchmark::DoNotOptimize(clustr::stats::silhouette_score(be, X.view(), L.view())); });
  state.SetItemsProcessed(state.iterations() * n);
  flop_rate(state, 2.0 * double(n) * double(n) * double(d));
}

/// Trustworthiness (k = 5, scikit-learn's default) of an n x d set against
/// its first two coordinates as the "embedding" (issue 8: 70k x 784 -> 2-d).
template <class Backend>
void trustworthiness(benchmark::State& state, Backend be) {
  const index_t n = state.range(0), d = state.range(1);
  const auto data = make_blobs(n, d, 10, 1.0f, 9);
  std::vector<float> E(static_cast<std::size_t>(n * 2));
  for (index_t i = 0; i < n; ++i)
    for (index_t j = 0; j < 2; ++j) E[static_cast<std::size_t>(i * 2 + j)] = data.X[static_cast<std::size_t>(i * d + j)];
  const auto X = on_backend(be, data.X, n, d);
  const auto Y = on_backend(be, E, n, index_t(2));
  timed(state, be, [&] { benchmark::DoNotOptimize(clustr::stats::trustworthiness(be, X.view(), Y.view())); });
  state.SetItemsProcessed(state.iterations() * n);
}

/// Registers every algorithm benchmark for one backend; `tag` names it.
template <class Backend>
void register_algorithms(const Backend& be, const std::string& tag) {
  constexpr bool host = clustr::is_host_backend_v<Backend>;
  using shapes = std::vector<std::vector<std::int64_t>>;
  auto add = [&](const std::string& name, auto fn, const shapes& s, std::vector<std::string> arg_names) {
    auto* b = benchmark::RegisterBenchmark((tag + "/" + name).c_str(), [be, fn](benchmark::State& st) { fn(st, be); });
    for (const auto& a : s) b->Args(a);
    b->ArgNames(arg_names)->UseRealTime()->Unit(benchmark::kMillisecond)->Iterations(host ? 1 : 3);
  };
  add("knn_graph", knn_graph<Backend>, host ? shapes{{20000, 64, 15}} : shapes{{100000, 384, 15}}, {"n", "d", "k"});
  add("knn_search", knn_search<Backend>, host ? shapes{{2000, 100000, 128, 10}} : shapes{{10000, 1000000, 128, 10}},
      {"queries", "n", "d", "k"});
  add("kmeans_lloyd20", kmeans_lloyd<Backend>,
      host ? shapes{{100000, 32, 64}} : shapes{{1000000, 256, 1000}, {51000, 512, 500}, {100000, 2, 6}}, {"n", "d", "k"});
  add("dbscan_blobs", dbscan_blobs<Backend>, host ? shapes{{200000, 2}} : shapes{{200000, 2}, {10000000, 3}}, {"n", "d"});
  add("hdbscan_blobs", hdbscan_blobs<Backend>, host ? shapes{{20000, 5}} : shapes{{100000, 5}, {1000000, 5}}, {"n", "d"});
  add("umap_blobs", umap_blobs<Backend>, host ? shapes{{10000, 64, 5}} : shapes{{70000, 784, 5}, {100000, 384, 5}},
      {"n", "d", "dim"});
  add("silhouette", silhouette<Backend>, host ? shapes{{10000, 64, 10}} : shapes{{100000, 384, 50}}, {"n", "d", "clusters"});
  add("trustworthiness", trustworthiness<Backend>, host ? shapes{{5000, 64}} : shapes{{70000, 784}}, {"n", "d"});
}

}  // namespace clustr_bench
