#pragma once
// The dense and sparse kernels of the block Lanczos solver of the spectral
// initialisation, written over clustr::for_each so that every backend runs
// them. Blocks of vectors are column-major (vector b of a block starts at
// data + b * ld) and held in double whatever the graph's scalar type: the
// eigen-solver needs the precision and the blocks are small (n x a few dozen).
//
// Determinism: every reduction here (the Gram matrices) is split into a
// fixed number of row groups that depends only on n and on whether the
// backend is a host or a device backend, each group is summed in order by one
// worker, and the group sums are added in order. So serial and OpenMP agree
// bit for bit at any thread count, and a device backend is run-to-run
// identical. Host backends use contiguous row groups (cache friendly), device
// backends interleaved ones (coalesced loads), hence the two layouts.

#include <algorithm>
#include <vector>

#include "clustr/core/array.hpp"
#include "clustr/core/config.hpp"
#include "clustr/core/rng.hpp"
#include "clustr/core/space.hpp"
#include "clustr/core/view.hpp"
#include "clustr/primitives/for_each.hpp"
#include "clustr/primitives/memory.hpp"

namespace clustr::umap::detail {

/// Largest block size of the solver (vectors multiplied by the operator at once).
inline constexpr index_t spectral_max_block = 8;

/// M = D^{-1/2} W D^{-1/2} restricted to the vertices [shift, shift + n) of a
/// CSR graph whose edges stay inside that range (a connected component of a
/// component-sorted graph, or the whole graph with shift 0). Edges of weight
/// <= 0 are ignored (they may point outside the range).
template <class T>
struct normalized_adjacency {
  const index_t* offsets = nullptr;  ///< offsets of rows shift.. (absolute positions in indices)
  const index_t* indices = nullptr;  ///< global column indices
  const T* weights = nullptr;
  const double* dinv = nullptr;      ///< 1 / sqrt(degree), n local entries
  index_t shift = 0;
  index_t n = 0;
};

/// Row layout of the host/device kernels (see the file comment).
template <class Backend>
struct spectral_layout_of {
  static constexpr bool host = is_host_backend_v<Backend>;
  /// Rows per task of the row-wise kernels.
  static constexpr index_t rows_per_task = host ? 512 : 1;
  /// Rows per contiguous group of the host Gram reduction.
  static constexpr index_t gram_chunk = 2048;
  /// Interleaved groups of the device Gram reduction.
  static constexpr index_t device_groups = 1024;
  static index_t groups(index_t n) {
    if (n <= 0) return 1;
    return host ? (n + gram_chunk - 1) / gram_chunk : std::min<index_t>(n, device_groups);
  }
};

/// Scratch of the Gram reductions and coefficient uploads, in the backend's memory.
template <class Backend>
struct spectral_workspace {
  using S = memory_space_t<Backend>;
  vector<double, S> partial;  ///< groups x (rows x cols) partial sums
  vector<double, S> partial2; ///< device backends: 32 x (rows x cols) second-level sums
  vector<double, S> result;   ///< two slots of rows x cols Gram entries
  vector<double, S> coef;     ///< uploaded coefficient matrices
  index_t groups = 1;

  spectral_workspace(const Backend& be, index_t n, index_t max_rows, index_t max_cols)
      : partial(make_vector<double>(be, spectral_layout_of<Backend>::groups(n) * max_rows * max_cols)),
        partial2(make_vector<double>(be, spectral_layout_of<Backend>::host ? 0 : 32 * max_rows * max_cols)),
        result(make_vector<double>(be, 2 * max_rows * max_cols)),
        coef(make_vector<double>(be, max_rows * max_cols)),
        groups(spectral_layout_of<Backend>::groups(n)) {}
};

/// Y[:, b] = M X[:, b] for b < p (p <= spectral_max_block).
template <class Backend, class T>
void spectral_spmm(const Backend& be, const normalized_adjacency<T>& op, const double* X, double* Y, index_t ld,
                   index_t p) {
  const normalized_adjacency<T> A = op;
  for_each(be, A.n, CLUSTR_LAMBDA(index_t i) {
    double acc[spectral_max_block];
    for (index_t b = 0; b < p; ++b) acc[b] = 0.0;
    const index_t e1 = A.offsets[i + 1];
    for (index_t e = A.offsets[i]; e < e1; ++e) {
      const double w = static_cast<double>(A.weights[e]);
      if (!(w > 0.0)) continue;
      const index_t j = A.indices[e] - A.shift;
      const double s = w * A.dinv[j];
      for (index_t b = 0; b < p; ++b) acc[b] += s * X[b * ld + j];
    }
    const double di = A.dinv[i];
    for (index_t b = 0; b < p; ++b) Y[b * ld + i] = di * acc[b];
  });
}

/// G (rows x cols, row-major, left in backend memory at `res`) =
/// V[:, 0:rows]^T W[:, 0:cols] over n entries (cols <= spectral_max_block). One task per (row a, group): it
/// reads column a once for all cols, in two interleaved lanes (even and odd
/// rows) for instruction-level parallelism; the order of every sum is fixed.
template <class Backend>
void spectral_gram(const Backend& be, spectral_workspace<Backend>& ws, const double* V, index_t rows,
                   const double* W, index_t cols, index_t n, index_t ld, double* res) {
  using L = spectral_layout_of<Backend>;
  const index_t groups = ws.groups;
  const index_t pairs = rows * cols;
  double* part = ws.partial.data();
  const index_t first_mul = L::host ? L::gram_chunk : 1;
  const index_t step = L::host ? 1 : groups;
  const index_t span = L::host ? L::gram_chunk : n;
  for_each(be, rows * groups, CLUSTR_LAMBDA(index_t t) {
    const index_t g = t % groups, a = t / groups;
    const double* va = V + a * ld;
    const index_t i0 = g * first_mul;
    const index_t i1 = i0 + span < n ? i0 + span : n;
    double acc0[spectral_max_block], acc1[spectral_max_block];
    for (index_t b = 0; b < cols; ++b) acc0[b] = acc1[b] = 0.0;
    index_t i = i0;
    for (; i + step < i1; i += 2 * step) {
      const double x0 = va[i], x1 = va[i + step];
      for (index_t b = 0; b < cols; ++b) {
        acc0[b] += x0 * W[b * ld + i];
        acc1[b] += x1 * W[b * ld + i + step];
      }
    }
    if (i < i1)
      for (index_t b = 0; b < cols; ++b) acc0[b] += va[i] * W[b * ld + i];
    for (index_t b = 0; b < cols; ++b) part[(a * cols + b) * groups + g] = acc0[b] + acc1[b];
  });
  if constexpr (L::host) {
    for_each(be, pairs, CLUSTR_LAMBDA(index_t pr) {
      double acc = 0.0;
      for (index_t g = 0; g < groups; ++g) acc += part[pr * groups + g];
      res[pr] = acc;
    });
  } else {
    // Two levels: a GPU thread that sums 1024 values in order waits on each
    // load in turn (~0.2 ms); 32 threads per entry, then one, take ~10 us.
    constexpr index_t sub = 32;
    const index_t per = (groups + sub - 1) / sub;
    double* part2 = ws.partial2.data();
    for_each(be, pairs * sub, CLUSTR_LAMBDA(index_t t) {
      const index_t pr = t / sub, q = t % sub;
      const index_t g0 = q * per;
      const index_t g1 = g0 + per < groups ? g0 + per : groups;
      double acc = 0.0;
      for (index_t g = g0; g < g1; ++g) acc += part[pr * groups + g];
      part2[t] = acc;
    });
    for_each(be, pairs, CLUSTR_LAMBDA(index_t pr) {
      double acc = 0.0;
      for (index_t q = 0; q < sub; ++q) acc += part2[pr * sub + q];
      res[pr] = acc;
    });
  }
}

/// Copies `count` doubles of backend memory to a host vector.
template <class Backend>
void spectral_fetch(const Backend& be, const double* src, index_t count, std::vector<double>& dst) {
  dst.resize(static_cast<std::size_t>(count));
  copy(be, vector_view<double, host_space>(dst.data(), count), vector_view<const double, memory_space_t<Backend>>(src, count));
}

/// Uploads a host coefficient matrix into the workspace.
template <class Backend>
const double* spectral_upload(const Backend& be, spectral_workspace<Backend>& ws, const std::vector<double>& C) {
  const index_t count = static_cast<index_t>(C.size());
  copy(be, vector_view<double, memory_space_t<Backend>>(ws.coef.data(), count),
       vector_view<const double, host_space>(C.data(), count));
  return ws.coef.data();
}

/// Y[:, j] (+)= sign * sum_a X[:, a] C[a * k + j] for j < k; C in backend
/// memory; accumulate = false overwrites Y. Every Y entry adds its terms in
/// the order a = 0, 1, ...; outputs are taken four at a time so that each
/// load of X feeds four multiply-adds.
template <class Backend>
void spectral_combine(const Backend& be, const double* X, index_t rows, const double* C, double* Y, index_t k,
                      index_t n, index_t ld, bool accumulate, double sign) {
  using L = spectral_layout_of<Backend>;
  constexpr index_t B = L::rows_per_task;
  const index_t tasks = (n + B - 1) / B;
  for_each(be, tasks, CLUSTR_LAMBDA(index_t t) {
    const index_t i0 = t * B;
    const index_t i1 = i0 + B < n ? i0 + B : n;
    if (B == 1) {
      // One row per thread (device): accumulate in a register, same order.
      const index_t i = i0;
      for (index_t j = 0; j < k; ++j) {
        double acc = accumulate ? Y[j * ld + i] : 0.0;
        for (index_t a = 0; a < rows; ++a) acc += X[a * ld + i] * (sign * C[a * k + j]);
        Y[j * ld + i] = acc;
      }
      return;
    }
    if (!accumulate)
      for (index_t j = 0; j < k; ++j)
        for (index_t i = i0; i < i1; ++i) Y[j * ld + i] = 0.0;
    index_t j = 0;
    for (; j + 4 <= k; j += 4) {
      double* y0 = Y + j * ld;
      double* y1 = y0 + ld;
      double* y2 = y1 + ld;
      double* y3 = y2 + ld;
      for (index_t a = 0; a < rows; ++a) {
        const double* xa = X + a * ld;
        const double c0 = sign * C[a * k + j], c1 = sign * C[a * k + j + 1];
        const double c2 = sign * C[a * k + j + 2], c3 = sign * C[a * k + j + 3];
        for (index_t i = i0; i < i1; ++i) {
          const double x = xa[i];
          y0[i] += x * c0;
          y1[i] += x * c1;
          y2[i] += x * c2;
          y3[i] += x * c3;
        }
      }
    }
    if (k - j == 3) {
      double* y0 = Y + j * ld;
      double* y1 = y0 + ld;
      double* y2 = y1 + ld;
      for (index_t a = 0; a < rows; ++a) {
        const double* xa = X + a * ld;
        const double c0 = sign * C[a * k + j], c1 = sign * C[a * k + j + 1], c2 = sign * C[a * k + j + 2];
        for (index_t i = i0; i < i1; ++i) {
          const double x = xa[i];
          y0[i] += x * c0;
          y1[i] += x * c1;
          y2[i] += x * c2;
        }
      }
      j = k;
    } else if (k - j == 2) {
      double* y0 = Y + j * ld;
      double* y1 = y0 + ld;
      for (index_t a = 0; a < rows; ++a) {
        const double* xa = X + a * ld;
        const double c0 = sign * C[a * k + j], c1 = sign * C[a * k + j + 1];
        for (index_t i = i0; i < i1; ++i) {
          const double x = xa[i];
          y0[i] += x * c0;
          y1[i] += x * c1;
        }
      }
      j = k;
    }
    for (; j < k; ++j) {
      double* yj = Y + j * ld;
      for (index_t a = 0; a < rows; ++a) {
        const double* xa = X + a * ld;
        const double c = sign * C[a * k + j];
        for (index_t i = i0; i < i1; ++i) yj[i] += xa[i] * c;
      }
    }
  });
}

/// X[:, b] = standard normal draws (Philox, keyed by (seed, stream) and b * n + i).
template <class Backend>
void spectral_random_block(const Backend& be, double* X, index_t p, index_t n, index_t ld, std::uint64_t seed,
                           std::uint64_t stream) {
  const rng::random_stream rs{seed, stream};
  for_each(be, p * n, CLUSTR_LAMBDA(index_t t) {
    const index_t b = t / n, i = t % n;
    X[b * ld + i] = rs.normal<double>(static_cast<std::uint64_t>(t));
  });
}

}  // namespace clustr::umap::detail
