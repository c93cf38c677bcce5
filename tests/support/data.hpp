#pragma once
// Test data shared by the bodies: make_blobs-like clusters with known truth,
// and a partition comparison (ARI = 1 without computing it). No Catch2 here,
// so MPI and standalone tests can include it too.

#include <cstdint>
#include <map>
#include <vector>

#include "clustr/core/config.hpp"
#include "clustr/core/rng.hpp"

namespace clustr_test {

/// `centres` centres uniform in [-10, 10]^d, each point one of them plus
/// normal noise of standard deviation `noise`; truth gets each point's centre.
/// Philox-keyed, so the same on every machine.
template <class T>
std::vector<T> blobs(clustr::index_t n, clustr::index_t d, int centres, std::uint64_t seed, std::vector<int>& truth,
                     double noise = 0.5) {
  const clustr::rng::random_stream rs{seed, 3};
  std::vector<T> X(static_cast<std::size_t>(n * d));
  truth.assign(static_cast<std::size_t>(n), 0);
  for (clustr::index_t i = 0; i < n; ++i) {
    const int c = static_cast<int>(rs.below(static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(centres)));
    truth[static_cast<std::size_t>(i)] = c;
    for (clustr::index_t j = 0; j < d; ++j)
      X[static_cast<std::size_t>(i * d + j)] = static_cast<T>(
          20.0 * rs.uniform<double>(static_cast<std::uint64_t>(1 << 30) + static_cast<std::uint64_t>(c * d + j)) - 10.0 +
          noise * rs.normal<double>(static_cast<std::uint64_t>(1) << 40 | static_cast<std::uint64_t>(i * d + j)));
  }
  return X;
}

/// True when the two labelings are the same partition (ARI = 1).
template <class A, class B>
bool same_partition(const std::vector<A>& a, const std::vector<B>& b) {
  if (a.size() != b.size()) return false;
  std::map<long long, long long> ab, ba;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto [it1, new1] = ab.emplace(static_cast<long long>(a[i]), static_cast<long long>(b[i]));
    const auto [it2, new2] = ba.emplace(static_cast<long long>(b[i]), static_cast<long long>(a[i]));
    if (it1->second != static_cast<long long>(b[i]) || it2->second != static_cast<long long>(a[i])) return false;
  }
  return true;
}

}  // namespace clustr_test
