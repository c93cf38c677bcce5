#include <cmath>
#include <set>

#include "clustr/core/rng.hpp"
#include "support/catch.hpp"

using clustr::rng::philox4x32_10;
using clustr::rng::uint32x4;

TEST_CASE("Philox4x32-10 reproduces the Random123 known-answer vectors", "[rng]") {
  // kat_vectors from Random123 (Salmon et al.): counter, key -> output.
  const uint32x4 zero = philox4x32_10({{0, 0, 0, 0}}, 0, 0);
  CHECK(zero.v[0] == 0x6627e8d5u);
  CHECK(zero.v[1] == 0xe169c58du);
  CHECK(zero.v[2] == 0xbc57ac4cu);
  CHECK(zero.v[3] == 0x9b00dbd8u);
  const uint32x4 ones = philox4x32_10({{0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}}, 0xffffffffu, 0xffffffffu);
  CHECK(ones.v[0] == 0x408f276du);
  CHECK(ones.v[1] == 0x41c83b0eu);
  CHECK(ones.v[2] == 0xa20bc7c6u);
  CHECK(ones.v[3] == 0x6d5451fdu);
  const uint32x4 pi = philox4x32_10({{0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}}, 0xa4093822u, 0x299f31d0u);
  CHECK(pi.v[0] == 0xd16cfe09u);
  CHECK(pi.v[1] == 0x94fdccebu);
  CHECK(pi.v[2] == 0x5001e420u);
  CHECK(pi.v[3] == 0x24126ea1u);
}

TEST_CASE("random_stream draws are a pure function of (seed, stream, index)", "[rng]") {
  const clustr::rng::random_stream a{42, 1}, b{42, 1}, c{42, 2}, d{43, 1};
  int differ_stream = 0, differ_seed = 0;
  for (std::uint64_t i = 0; i < 1000; ++i) {
    REQUIRE(a.bits(i) == b.bits(i));
    differ_stream += a.bits(i) != c.bits(i);
    differ_seed += a.bits(i) != d.bits(i);
  }
  CHECK(differ_stream == 1000);
  CHECK(differ_seed == 1000);
}

TEST_CASE("uniform, normal and below have the right distributions", "[rng]") {
  const clustr::rng::random_stream r{7, 0};
  const int n = 200000;
  double sum = 0, sum2 = 0, nsum = 0, nsum2 = 0;
  float fmin = 1, fmax = 0;
  std::vector<int> hist(10, 0);
  for (int i = 0; i < n; ++i) {
    const double u = r.uniform<double>(i);
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    sum += u;
    sum2 += u * u;
    const float f = r.uniform<float>(i);
    fmin = std::min(fmin, f);
    fmax = std::max(fmax, f);
    REQUIRE(f < 1.0f);
    const double z = r.normal<double>(i);
    nsum += z;
    nsum2 += z * z;
    ++hist[r.below(i, 10)];
  }
  CHECK(std::abs(sum / n - 0.5) < 0.005);
  CHECK(std::abs(sum2 / n - 1.0 / 3.0) < 0.005);
  CHECK(fmin < 0.001f);
  CHECK(fmax > 0.999f);
  CHECK(std::abs(nsum / n) < 0.01);
  CHECK(std::abs(nsum2 / n - 1.0) < 0.01);
  for (int h : hist) CHECK(std::abs(h - n / 10) < 1000);
}
