#pragma once
// Initial embeddings as umap-learn's simplicial_set_embedding: random uniform
// in [-10, 10] (the spectral layout is detail/spectral.hpp's, given arrays are
// copied); then every column is rescaled to [0, 10]. Random draws are Philox
// keyed by element.

#include <cmath>
#include <cstdint>
#include <limits>

#include "clustr/core/rng.hpp"
#include "clustr/manifold/detail/umap_optimize.hpp"
#include "clustr/primitives/primitives.hpp"

namespace clustr::umap::detail {

/// Uniform in [-10, 10] (umap-learn's init="random").
template <class Backend, class T, class S>
void random_init(const Backend& be, matrix_view<T, S> Y, std::uint64_t seed) {
  T* y = Y.data();
  const rng::random_stream rs{seed, stream_init_random};
  for_each(be, Y.rows() * Y.cols(), CLUSTR_LAMBDA(index_t k) {
    y[k] = rs.uniform<T>(static_cast<std::uint64_t>(k), T(-10), T(10));
  });
}

/// Each column to [0, 10]: 10 (y - min) / (max - min) (a constant column -> 0).
template <class Backend, class T, class S>
void rescale_to_10(const Backend& be, matrix_view<T, S> Y) {
  T* y = Y.data();
  const index_t n = Y.rows(), dim = Y.cols();
  for (index_t c = 0; c < dim; ++c) {
    const T lo = transform_reduce(be, n, std::numeric_limits<T>::max(), minimum{},
                                  CLUSTR_LAMBDA(index_t i) { return y[i * dim + c]; });
    const T hi = transform_reduce(be, n, std::numeric_limits<T>::lowest(), maximum{}, CLUSTR_LAMBDA(index_t i) { return y[i * dim + c]; });
    const T range = hi - lo;
    for_each(be, n, CLUSTR_LAMBDA(index_t i) {
      y[i * dim + c] = range > T(0) ? T(10) * (y[i * dim + c] - lo) / range : T(0);
    });
  }
}

}  // namespace clustr::umap::detail
