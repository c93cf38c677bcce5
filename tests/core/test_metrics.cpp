#include <cmath>
#include <vector>

#include "clustr/metric/metric.hpp"
#include "support/catch.hpp"

namespace {
// Textbook formulas, in long double, as the reference.
long double l2(const std::vector<double>& x, const std::vector<double>& y) {
  long double s = 0;
  for (std::size_t j = 0; j < x.size(); ++j) s += (long double)(x[j] - y[j]) * (x[j] - y[j]);
  return std::sqrt(s);
}
}  // namespace

TEST_CASE("metrics match their textbook definitions", "[metric]") {
  using namespace clustr::metric;
  const std::vector<double> x{1.0, -2.0, 3.5, 0.25}, y{-0.5, 4.0, 1.0, 2.0};
  const auto d = static_cast<clustr::index_t>(x.size());
  const double e = static_cast<double>(l2(x, y));
  CHECK(distance(euclidean{}, x.data(), y.data(), d) == Approx(e).epsilon(1e-14));
  CHECK(reduced_distance(euclidean{}, x.data(), y.data(), d) == Approx(e * e).epsilon(1e-14));
  CHECK(distance(sqeuclidean{}, x.data(), y.data(), d) == Approx(e * e).epsilon(1e-14));
  CHECK(distance(manhattan{}, x.data(), y.data(), d) == Approx(1.5 + 6.0 + 2.5 + 1.75));
  CHECK(distance(chebyshev{}, x.data(), y.data(), d) == Approx(6.0));
  CHECK(distance(minkowski{3.0}, x.data(), y.data(), d) ==
        Approx(std::cbrt(1.5 * 1.5 * 1.5 + 216.0 + 2.5 * 2.5 * 2.5 + 1.75 * 1.75 * 1.75)));
  CHECK(distance(minkowski{2.0}, x.data(), y.data(), d) == Approx(e));
  double dot = 0, nx = 0, ny = 0;
  for (std::size_t j = 0; j < x.size(); ++j) {
    dot += x[j] * y[j];
    nx += x[j] * x[j];
    ny += y[j] * y[j];
  }
  CHECK(distance(cosine{}, x.data(), y.data(), d) == Approx(1.0 - dot / std::sqrt(nx * ny)));
  CHECK(distance(inner_product{}, x.data(), y.data(), d) == Approx(-dot));
}

TEST_CASE("expanded metrics agree with their direct form", "[metric]") {
  using namespace clustr::metric;
  const std::vector<double> x{0.3, -1.2, 2.0}, y{1.1, 0.4, -0.7};
  double dot = 0, sx = 0, sy = 0;
  for (std::size_t j = 0; j < x.size(); ++j) {
    dot += x[j] * y[j];
    sx += x[j] * x[j];
    sy += y[j] * y[j];
  }
  auto check = [&](auto m) {
    const double direct = reduced_distance(m, x.data(), y.data(), 3);
    const double expanded = m.from_dot(dot, m.norm_term(sx), m.norm_term(sy));
    CHECK(expanded == Approx(direct).epsilon(1e-12));
  };
  check(sqeuclidean{});
  check(euclidean{});
  check(cosine{});
  check(inner_product{});
}

TEST_CASE("cosine distance of a zero vector is 1; minkowski p < 1 is rejected", "[metric]") {
  using namespace clustr::metric;
  const std::vector<float> z{0, 0}, y{1, 2};
  CHECK(distance(cosine{}, z.data(), y.data(), 2) == 1.0f);
  CHECK_THROWS_AS(validate(minkowski{0.5}), clustr::invalid_argument);
  CHECK_NOTHROW(validate(minkowski{1.0}));
  CHECK(parse_kind("l2") == kind::euclidean);
  CHECK_THROWS_AS(parse_kind("hamming"), clustr::invalid_argument);
  CHECK(visit(kind::minkowski, 3.0, [](auto m) { return std::string(m.name); }) == "minkowski");
}
