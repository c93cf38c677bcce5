// Primitive tests, one body for every backend (see tests/CMakeLists.txt).
// Each primitive is compared with a naive host reference on random inputs of
// awkward sizes.

#include <algorithm>
#include <cmath>
#include <numeric>

namespace clustr_test::primitives {

// Device lambdas live in named functions (nvcc extended-lambda rules).
template <class Backend, class T>
void square_into(const Backend& be, clustr::vector_view<const T, clustr::memory_space_t<Backend>> in,
                 clustr::vector_view<T, clustr::memory_space_t<Backend>> out) {
  const T* src = in.data();
  T* dst = out.data();
  clustr::for_each(be, in.size(), CLUSTR_LAMBDA(clustr::index_t i) { dst[i] = src[i] * src[i]; });
}

template <class Backend>
double sum_of_index_squares(const Backend& be, clustr::index_t n) {
  return clustr::transform_reduce(be, n, 0.0, clustr::plus{}, CLUSTR_LAMBDA(clustr::index_t i) {
    return static_cast<double>(i) * static_cast<double>(i);
  });
}

}  // namespace clustr_test::primitives

TEMPLATE_LIST_TEST_CASE("for_each writes every element exactly once", "[primitives]", clustr_test::test_backends) {
  const auto be = clustr_test::make<TestType>();
  for (clustr::index_t n : clustr_test::awkward_sizes()) {
    const auto host = clustr_test::random_matrix<float>(n, 1, 7 + n);
    auto in = clustr_test::to_backend(be, host);
    auto out = clustr::make_vector<float>(be, n);
    clustr::fill(be, out.view(), std::nanf(""));  // poison: an unwritten element stays NaN
    clustr_test::primitives::square_into<TestType, float>(be, in.view(), out.view());
    const auto got = out.to_std_vector();
    for (clustr::index_t i = 0; i < n; ++i) REQUIRE(got[i] == host[i] * host[i]);
  }
}

TEMPLATE_LIST_TEST_CASE("transform_reduce matches a sequential sum", "[primitives]", clustr_test::test_backends) {
  const auto be = clustr_test::make<TestType>();
  for (clustr::index_t n : clustr_test::awkward_sizes()) {
    // Integer-valued doubles below 2^53: exact whatever the association.
    double expected = 0;
    for (clustr::index_t i = 0; i < n; ++i) expected += static_cast<double>(i) * static_cast<double>(i);
    REQUIRE(clustr_test::primitives::sum_of_index_squares(be, n) == expected);
  }
}

TEMPLATE_LIST_TEST_CASE("scans match std::inclusive_scan / exclusive_scan", "[primitives]",
                        clustr_test::test_backends) {
  const auto be = clustr_test::make<TestType>();
  for (clustr::index_t n : clustr_test::awkward_sizes()) {
    std::vector<std::int64_t> host(static_cast<std::size_t>(n));
    clustr::rng::random_stream r{11, static_cast<std::uint64_t>(n)};
    for (clustr::index_t i = 0; i < n; ++i) host[i] = static_cast<std::int64_t>(r.below(i, 100));
    std::vector<std::int64_t> inc(host.size()), exc(host.size());
    std::inclusive_scan(host.begin(), host.end(), inc.begin());
    std::exclusive_scan(host.begin(), host.end(), exc.begin(), std::int64_t(5));

    auto in = clustr_test::to_backend(be, host);
    auto out = clustr::make_vector<std::int64_t>(be, n);
    clustr::inclusive_scan(be, in.view(), out.view());
    REQUIRE(out.to_std_vector() == inc);
    const auto total = clustr::exclusive_scan(be, in.view(), out.view(), std::int64_t(5));
    REQUIRE(out.to_std_vector() == exc);
    REQUIRE(total == inc.back() + 5);
    // In place.
    clustr::exclusive_scan(be, in.view(), in.view(), std::int64_t(5));
    REQUIRE(in.to_std_vector() == exc);
  }
}
