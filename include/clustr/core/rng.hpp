#pragma once
// Counter-based random numbers (Philox4x32-10, Salmon et al., SC'11). A draw is
// a pure function of (seed, stream, index), so every backend, thread count and
// iteration order produces the same numbers: the basis of clustr's
// determinism promise.

#include <cmath>
#include <cstdint>

#include "clustr/core/config.hpp"

namespace clustr::rng {

struct uint32x4 {
  std::uint32_t v[4];
};

/// Philox4x32 with 10 rounds: 128-bit counter, 64-bit key -> 128 random bits.
CLUSTR_HD inline uint32x4 philox4x32_10(uint32x4 counter, std::uint32_t key0, std::uint32_t key1) {
  constexpr std::uint32_t m0 = 0xD2511F53u, m1 = 0xCD9E8D57u;
  constexpr std::uint32_t w0 = 0x9E3779B9u, w1 = 0xBB67AE85u;
  std::uint32_t c0 = counter.v[0], c1 = counter.v[1], c2 = counter.v[2], c3 = counter.v[3];
  for (int round = 0; round < 10; ++round) {
    const std::uint64_t p0 = static_cast<std::uint64_t>(m0) * c0;
    const std::uint64_t p1 = static_cast<std::uint64_t>(m1) * c2;
    const std::uint32_t hi0 = static_cast<std::uint32_t>(p0 >> 32), lo0 = static_cast<std::uint32_t>(p0);
    const std::uint32_t hi1 = static_cast<std::uint32_t>(p1 >> 32), lo1 = static_cast<std::uint32_t>(p1);
    c0 = hi1 ^ c1 ^ key0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ key1;
    c3 = lo0;
    key0 += w0;
    key1 += w1;
  }
  return {{c0, c1, c2, c3}};
}

/// A stream of random numbers addressed by index: draw i is the same wherever
/// and whenever it is computed. Different `stream` values give independent
/// sequences for the same seed (e.g. one per algorithm phase or per restart).
struct random_stream {
  std::uint64_t seed = 0;
  std::uint64_t stream = 0;

  /// 128 random bits for index i.
  CLUSTR_HD uint32x4 block(std::uint64_t i) const {
    const uint32x4 ctr{{static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i >> 32),
                        static_cast<std::uint32_t>(stream), static_cast<std::uint32_t>(stream >> 32)}};
    return philox4x32_10(ctr, static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32));
  }
  /// 64 random bits for index i.
  CLUSTR_HD std::uint64_t bits(std::uint64_t i) const {
    const uint32x4 b = block(i);
    return (static_cast<std::uint64_t>(b.v[1]) << 32) | b.v[0];
  }
  /// Uniform in [0, 1) for index i; float uses 24 bits, double 53.
  template <class T>
  CLUSTR_HD T uniform(std::uint64_t i) const {
    const uint32x4 b = block(i);
    if constexpr (sizeof(T) <= 4) {
      return static_cast<T>(b.v[0] >> 8) * static_cast<T>(5.9604644775390625e-08);  // 2^-24
    } else {
      const std::uint64_t x = ((static_cast<std::uint64_t>(b.v[1]) << 32) | b.v[0]) >> 11;
      return static_cast<T>(x) * static_cast<T>(1.1102230246251565e-16);  // 2^-53
    }
  }
  /// Uniform in [lo, hi).
  template <class T>
  CLUSTR_HD T uniform(std::uint64_t i, T lo, T hi) const {
    return lo + (hi - lo) * uniform<T>(i);
  }
  /// Standard normal for index i (Box-Muller on two 32-bit uniforms, in double
  /// so that float and double draws agree to float precision).
  template <class T>
  CLUSTR_HD T normal(std::uint64_t i) const {
    const uint32x4 b = block(i);
    const double u1 = (static_cast<double>(b.v[2]) + 1.0) * 2.3283064365386963e-10;  // (0, 1]
    const double u2 = static_cast<double>(b.v[3]) * 2.3283064365386963e-10;          // [0, 1)
    return static_cast<T>(std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2));
  }
  /// Uniform integer in [0, n), n > 0 (Lemire's multiply-shift; bias < n / 2^64).
  CLUSTR_HD std::uint64_t below(std::uint64_t i, std::uint64_t n) const {
    const std::uint64_t x = bits(i);
#if defined(__CUDA_ARCH__)
    return __umul64hi(x, n);
#else
    __extension__ using uint128 = unsigned __int128;
    return static_cast<std::uint64_t>((static_cast<uint128>(x) * n) >> 64);
#endif
  }
};

}  // namespace clustr::rng
