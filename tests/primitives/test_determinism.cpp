// The host determinism promise: the serial backend and the OpenMP backend at
// 1, 2, 3 and 7 threads give the same bits for float reductions, scans and
// distances (fixed chunking, combination in chunk order, per-row work).

#include <cmath>
#include <cstring>
#include <vector>

#include "clustr/backend/openmp.hpp"
#include "clustr/backend/serial.hpp"
#include "clustr/clustr.hpp"
#include "support/catch.hpp"

namespace {

using clustr::index_t;
constexpr index_t n = 33001;  // not a multiple of the host chunk
constexpr index_t m = 67, d = 19;

std::vector<float> random_floats(index_t count, std::uint64_t seed) {
  clustr::rng::random_stream r{seed, 1};
  std::vector<float> v(static_cast<std::size_t>(count));
  for (index_t i = 0; i < count; ++i) v[static_cast<std::size_t>(i)] = r.uniform<float>(i, -1.0f, 1.0f);
  return v;
}

template <class T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), sizeof(T) * a.size()) == 0;
}

/// Everything the test compares, computed on one backend.
struct results {
  float sum = 0, sum_of_squares = 0;
  std::vector<float> scan, inclusive, pairwise, fused_distance, cosine_pairwise;
  std::vector<std::int32_t> fused_index;
};

template <class Backend>
results compute(const Backend& be, const std::vector<float>& v, const std::vector<float>& X,
                const std::vector<float>& Y) {
  results r;
  const auto vv = clustr::make_vector_view(v.data(), n);
  r.sum = clustr::reduce(be, vv);
  const float* p = v.data();
  r.sum_of_squares =
      clustr::transform_reduce(be, n, 0.0f, clustr::plus{}, [p](index_t i) { return p[i] * p[i]; });

  auto out = clustr::make_vector<float>(be, n);
  const float total = clustr::exclusive_scan(be, vv, out.view(), 0.5f);
  r.scan = out.to_std_vector();
  r.scan.push_back(total);
  clustr::inclusive_scan(be, vv, out.view());
  r.inclusive = out.to_std_vector();

  const auto Xv = clustr::make_matrix_view(X.data(), n, d);
  const auto Yv = clustr::make_matrix_view(Y.data(), m, d);
  auto D = clustr::make_matrix<float>(be, n, m);
  clustr::pairwise_distance(be, clustr::metric::euclidean{}, Xv, Yv, D.view());
  r.pairwise = D.to_std_vector();
  clustr::pairwise_distance(be, clustr::metric::cosine{}, Xv, Yv, D.view(), clustr::distance_form::reduced);
  r.cosine_pairwise = D.to_std_vector();

  auto idx = clustr::make_vector<std::int32_t>(be, n);
  auto dist = clustr::make_vector<float>(be, n);
  clustr::fused_distance_argmin(be, clustr::metric::sqeuclidean{}, Xv, Yv, idx.view(), dist.view());
  r.fused_index = idx.to_std_vector();
  r.fused_distance = dist.to_std_vector();
  return r;
}

}  // namespace

TEST_CASE("serial and OpenMP at 1, 2, 3 and 7 threads give identical bits", "[determinism]") {
  const auto v = random_floats(n, 1);
  const auto X = random_floats(n * d, 2);
  const auto Y = random_floats(m * d, 3);
  const results ref = compute(clustr::serial{}, v, X, Y);
  // The reference itself is sane (so that equal bits are not equal garbage).
  double s = 0;
  for (float x : v) s += x;
  REQUIRE(std::abs(ref.sum - s) < 1e-2);
  REQUIRE(ref.scan.size() == static_cast<std::size_t>(n + 1));

  for (int threads : {1, 2, 3, 7}) {
    INFO("openmp threads = " << threads);
    const results got = compute(clustr::openmp{threads}, v, X, Y);
    REQUIRE(std::memcmp(&got.sum, &ref.sum, sizeof(float)) == 0);
    REQUIRE(std::memcmp(&got.sum_of_squares, &ref.sum_of_squares, sizeof(float)) == 0);
    REQUIRE(same_bits(got.scan, ref.scan));
    REQUIRE(same_bits(got.inclusive, ref.inclusive));
    REQUIRE(same_bits(got.pairwise, ref.pairwise));
    REQUIRE(same_bits(got.cosine_pairwise, ref.cosine_pairwise));
    REQUIRE(same_bits(got.fused_index, ref.fused_index));
    REQUIRE(same_bits(got.fused_distance, ref.fused_distance));
  }
}
