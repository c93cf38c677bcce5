#include <numeric>
#include <string>
#include <vector>

#include "clustr/backend/serial.hpp"
#include "clustr/clustr.hpp"
#include "support/catch.hpp"

TEST_CASE("matrix_view indexes row-major with a stride", "[core]") {
  std::vector<int> data(20);
  std::iota(data.begin(), data.end(), 0);
  const clustr::matrix_view<const int> m(data.data(), 3, 4, 5);  // 3x4 inside a 4x5 buffer
  CHECK(m(0, 0) == 0);
  CHECK(m(1, 0) == 5);
  CHECK(m(2, 3) == 13);
  CHECK(!m.is_packed());
  const auto b = m.row_block(1, 2);
  CHECK(b.rows() == 2);
  CHECK(b(0, 1) == 6);
  clustr::matrix_view<int> mut(data.data(), 4, 5);
  clustr::matrix_view<const int> as_const = mut;  // T -> const T converts
  CHECK(as_const(3, 4) == 19);
}

TEST_CASE("owning arrays allocate, move and copy to the host", "[core]") {
  const clustr::serial be;
  auto m = clustr::make_matrix<double>(be, 3, 2);
  for (clustr::index_t i = 0; i < 6; ++i) m.data()[i] = static_cast<double>(i);
  auto moved = std::move(m);
  CHECK(m.data() == nullptr);
  CHECK(moved(2, 1) == 5.0);
  const auto h = moved.to_host();
  CHECK(h.data() != moved.data());
  CHECK(h(1, 0) == 2.0);
  CHECK(moved.to_std_vector() == std::vector<double>{0, 1, 2, 3, 4, 5});
  auto empty = clustr::make_vector<float>(be, 0);
  CHECK(empty.empty());
  CHECK(empty.to_std_vector().empty());
}

TEST_CASE("errors name the argument and the value", "[core]") {
  try {
    clustr::detail::throw_invalid("params.k", 0, "must be >= 1");
    FAIL("no throw");
  } catch (const clustr::invalid_argument& e) {
    CHECK(e.argument() == "params.k");
    CHECK(std::string(e.what()) == "clustr: params.k = 0: must be >= 1");
  }
  // clustr::invalid_argument is a std::invalid_argument.
  CHECK_THROWS_AS(clustr::detail::throw_invalid("x", 1, "bad"), std::invalid_argument);
  try {
    clustr::detail::throw_out_of_memory(1 << 20, "test", "no room");
    FAIL("no throw");
  } catch (const clustr::out_of_memory& e) {
    CHECK(e.bytes() == (1u << 20));
    CHECK(std::string(e.what()).find("batch") != std::string::npos);
  }
}

TEST_CASE("check_finite names the first bad element", "[core]") {
  const clustr::serial be;
  std::vector<float> x(12, 1.0f);
  x[7] = std::numeric_limits<float>::infinity();
  const clustr::matrix_view<const float> X(x.data(), 4, 3);
  try {
    clustr::check_finite(be, X, "X");
    FAIL("no throw");
  } catch (const clustr::invalid_argument& e) {
    CHECK(e.argument() == "X");
    CHECK(std::string(e.what()).find("row 2, column 1") != std::string::npos);
  }
  x[7] = 0.0f;
  CHECK_NOTHROW(clustr::check_finite(be, X, "X"));
  CHECK_THROWS_AS(clustr::check_finite(be, clustr::matrix_view<const float>(x.data(), 0, 3), "X"),
                  clustr::invalid_argument);
}
