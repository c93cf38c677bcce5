#pragma once
// What every backend test body needs: Catch2, the backend-construction hook,
// and host-side helpers to make data and bring results back.
//
// Rules for bodies (they also compile as CUDA):
// - TEMPLATE_LIST_TEST_CASE("...", "[area]", clustr_test::test_backends), with
//   `const auto be = clustr_test::make<TestType>();`.
// - Device lambdas (CLUSTR_LAMBDA) live in named namespace-scope function
//   templates, not directly in the TEST_CASE body (nvcc's extended-lambda rules).
// - Data is made on the host, moved to the backend with clustr::clone(be, view),
//   and results come back with .to_host() / .to_std_vector().

#include <cstdint>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "clustr/clustr.hpp"
#include "support/catch.hpp"

#if __has_include(<omp.h>) && defined(_OPENMP)
#include "clustr/backend/openmp.hpp"
#endif

namespace clustr_test {

#if defined(_OPENMP)
/// The OpenMP backend pinned to 3 threads: determinism at another thread count.
struct openmp_3 : clustr::openmp {
  openmp_3() : clustr::openmp{3} {}
};
#endif

/// Constructs a backend for a test. Specialise for backends that need more.
template <class Backend>
Backend make() {
  return Backend{};
}

/// Row-major host data of the given shape with uniform values in [lo, hi).
template <class T>
std::vector<T> random_matrix(clustr::index_t rows, clustr::index_t cols, std::uint64_t seed, T lo = T(-1),
                             T hi = T(1)) {
  clustr::rng::random_stream r{seed, 99};
  std::vector<T> v(static_cast<std::size_t>(rows * cols));
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = r.uniform<T>(i, lo, hi);
  return v;
}

template <class T>
clustr::matrix_view<const T> host_view(const std::vector<T>& v, clustr::index_t rows, clustr::index_t cols) {
  return {v.data(), rows, cols};
}
template <class T>
clustr::vector_view<const T> host_view(const std::vector<T>& v) {
  return {v.data(), static_cast<clustr::index_t>(v.size())};
}

/// A backend-memory copy of host data.
template <class Backend, class T>
auto to_backend(const Backend& be, const std::vector<T>& v, clustr::index_t rows, clustr::index_t cols) {
  return clustr::clone(be, host_view(v, rows, cols));
}
template <class Backend, class T>
auto to_backend(const Backend& be, const std::vector<T>& v) {
  return clustr::clone(be, host_view(v));
}

/// Runs call() and requires a clustr::invalid_argument naming `argument`.
template <class Call>
void expect_invalid(Call&& call, const std::string& argument) {
  try {
    call();
    FAIL("no exception; expected clustr::invalid_argument naming " << argument);
  } catch (const clustr::invalid_argument& e) {
    CHECK(e.argument() == argument);
  }
}

/// Sizes every primitive is tested on: 1, 7, 1000, 33k and sizes that are not
/// multiples of any tile or chunk.
inline const std::vector<clustr::index_t>& awkward_sizes() {
  static const std::vector<clustr::index_t> sizes{1, 7, 1000, 4097, 33001};
  return sizes;
}

}  // namespace clustr_test
