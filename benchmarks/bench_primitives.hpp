#pragma once
// Benchmarks of the primitives the algorithms spend their time in, written
// once over the backend: fused distance + argmin (the k-means assignment and
// the 1-NN search), select_k, reduce and exclusive scan. Each translation unit
// (bench_primitives_<backend>.cpp/.cu) includes this and calls
// clustr_bench::register_all(backend) from its main.
//
// Counters (see docs/benchmarks.md):
//   items_per_second  rows of X per second (fused argmin), elements per second
//   FLOP/s            2 n m d per fused argmin (one multiply-add per coordinate
//                     and pair: the matrix-multiply count, whatever the path)
//   bytes_per_second  bytes the primitive must read and write at least

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "clustr/clustr.hpp"

namespace clustr_bench {

using clustr::index_t;

template <class T>
std::vector<T> random_host(index_t count, std::uint64_t seed) {
  clustr::rng::random_stream r{seed, 7};
  std::vector<T> v(static_cast<std::size_t>(count));
  for (index_t i = 0; i < count; ++i) v[static_cast<std::size_t>(i)] = r.uniform<T>(i, T(-1), T(1));
  return v;
}

template <class Backend, class T>
auto to_backend(const Backend& be, const std::vector<T>& v, index_t rows, index_t cols) {
  return clustr::clone(be, clustr::make_matrix_view(v.data(), rows, cols));
}

/// fused_distance_argmin of n x d against m x d.
template <class Backend, class Metric, class T>
void fused_argmin(benchmark::State& state, Backend be, Metric metric) {
  const index_t n = state.range(0), m = state.range(1), d = state.range(2);
  const auto X = to_backend(be, random_host<T>(n * d, 1), n, d);
  const auto Y = to_backend(be, random_host<T>(m * d, 2), m, d);
  auto idx = clustr::make_vector<std::int32_t>(be, n);
  auto dist = clustr::make_vector<T>(be, n);
  clustr::fused_distance_argmin(be, metric, X.view(), Y.view(), idx.view(), dist.view());  // warm-up
  clustr::fence(be);
  for (auto _ : state) {
    clustr::fused_distance_argmin(be, metric, X.view(), Y.view(), idx.view(), dist.view());
    clustr::fence(be);
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.counters["FLOP/s"] = benchmark::Counter(2.0 * double(n) * double(m) * double(d),
                                                benchmark::Counter::kIsIterationInvariantRate);
  state.SetBytesProcessed(state.iterations() * (n + m) * d * index_t(sizeof(T)));
}

/// select_k: the k smallest of each row of a rows x cols matrix.
template <class Backend, class T>
void select_k(benchmark::State& state, Backend be) {
  const index_t rows = state.range(0), cols = state.range(1), k = state.range(2);
  const auto in = to_backend(be, random_host<T>(rows * cols, 3), rows, cols);
  auto vals = clustr::make_matrix<T>(be, rows, k);
  auto ids = clustr::make_matrix<std::int32_t>(be, rows, k);
  clustr::select_k(be, in.view(), vals.view(), ids.view());
  clustr::fence(be);
  for (auto _ : state) {
    clustr::select_k(be, in.view(), vals.view(), ids.view());
    clustr::fence(be);
  }
  state.SetItemsProcessed(state.iterations() * rows * cols);
  state.SetBytesProcessed(state.iterations() * rows * cols * index_t(sizeof(T)));
}

/// Sum of n values (returned to the host: synchronous).
template <class Backend, class T>
void reduce(benchmark::State& state, Backend be) {
  const index_t n = state.range(0);
  const auto v = to_backend(be, random_host<T>(n, 4), n, 1);
  const auto view = v.view().flat();
  for (auto _ : state) benchmark::DoNotOptimize(clustr::reduce(be, view));
  state.SetItemsProcessed(state.iterations() * n);
  state.SetBytesProcessed(state.iterations() * n * index_t(sizeof(T)));
}

/// Exclusive prefix sum of n values into another array.
template <class Backend, class T>
void exclusive_scan(benchmark::State& state, Backend be) {
  const index_t n = state.range(0);
  const auto v = to_backend(be, random_host<T>(n, 5), n, 1);
  auto out = clustr::make_vector<T>(be, n);
  const auto view = v.view().flat();
  for (auto _ : state) benchmark::DoNotOptimize(clustr::exclusive_scan(be, view, out.view()));
  state.SetItemsProcessed(state.iterations() * n);
  state.SetBytesProcessed(state.iterations() * 2 * n * index_t(sizeof(T)));
}

/// Registers every benchmark for one backend; `tag` names it in the output.
/// Host backends get sizes that take about a second at most on a laptop
/// core; device backends get sizes that fill a GPU.
template <class Backend>
void register_all(const Backend& be, const std::string& tag) {
  constexpr bool host = clustr::is_host_backend_v<Backend>;
  using std::int64_t;
  const std::vector<std::vector<int64_t>> fused_shapes =
      host ? std::vector<std::vector<int64_t>>{{100000, 256, 64}, {100000, 16, 2}}
           : std::vector<std::vector<int64_t>>{
                 {1000000, 1024, 128}, {1000000, 256, 64}, {51000, 500, 512}, {100000, 16, 2}};
  namespace m = clustr::metric;
  auto add_fused = [&](const std::string& name, auto fn) {
    auto* b = benchmark::RegisterBenchmark((tag + "/fused_argmin/" + name).c_str(), fn);
    for (const auto& s : fused_shapes) b->Args(s);
    b->ArgNames({"n", "m", "d"})->UseRealTime()->Unit(benchmark::kMillisecond);
  };
  add_fused("sqeuclidean/float",
            [be](benchmark::State& s) { fused_argmin<Backend, m::sqeuclidean, float>(s, be, {}); });
  add_fused("cosine/float",
            [be](benchmark::State& s) { fused_argmin<Backend, m::cosine, float>(s, be, {}); });
  add_fused("manhattan/float",
            [be](benchmark::State& s) { fused_argmin<Backend, m::manhattan, float>(s, be, {}); });
  add_fused("sqeuclidean/double",
            [be](benchmark::State& s) { fused_argmin<Backend, m::sqeuclidean, double>(s, be, {}); });

  auto* sk = benchmark::RegisterBenchmark((tag + "/select_k/float").c_str(),
                                          [be](benchmark::State& s) { select_k<Backend, float>(s, be); });
  const int64_t sk_rows = 10000;
  for (int64_t cols : {int64_t(1000), int64_t(10000)})
    for (int64_t k : {int64_t(10), int64_t(100)}) sk->Args({sk_rows, cols, k});
  sk->ArgNames({"rows", "cols", "k"})->UseRealTime()->Unit(benchmark::kMillisecond);

  const int64_t big = host ? (int64_t(1) << 24) : (int64_t(1) << 28);
  auto* r = benchmark::RegisterBenchmark((tag + "/reduce/float").c_str(),
                                         [be](benchmark::State& s) { reduce<Backend, float>(s, be); });
  r->Arg(1 << 20)->Arg(big)->ArgName("n")->UseRealTime()->Unit(benchmark::kMicrosecond);
  auto* rd = benchmark::RegisterBenchmark((tag + "/reduce/double").c_str(),
                                          [be](benchmark::State& s) { reduce<Backend, double>(s, be); });
  rd->Arg(big)->ArgName("n")->UseRealTime()->Unit(benchmark::kMicrosecond);
  auto* sc = benchmark::RegisterBenchmark((tag + "/exclusive_scan/float").c_str(), [be](benchmark::State& s) {
    exclusive_scan<Backend, float>(s, be);
  });
  sc->Arg(1 << 20)->Arg(big)->ArgName("n")->UseRealTime()->Unit(benchmark::kMicrosecond);
  auto* sci = benchmark::RegisterBenchmark(
      (tag + "/exclusive_scan/int64").c_str(),
      [be](benchmark::State& s) { exclusive_scan<Backend, std::int64_t>(s, be); });
  sci->Arg(big)->ArgName("n")->UseRealTime()->Unit(benchmark::kMicrosecond);
}

}  // namespace clustr_bench
