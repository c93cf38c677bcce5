#pragma once
// UMAP's spectral initialisation, as umap-learn's spectral.py and the scaling
// of simplicial_set_embedding:
//   - connected graph: the eigenvectors of the normalised Laplacian
//     L = I - D^{-1/2} W D^{-1/2} for its n_components smallest non-trivial
//     eigenvalues (block Krylov-Schur, spectral_lanczos.hpp; graphs of at
//     most dense_max vertices by a dense solve on the host, after copying
//     their CSR there);
//   - several components: umap-learn's multi_component_layout (each component
//     laid out alone, scaled to half the distance to the nearest other
//     component of the meta-layout and moved there; tiny components placed
//     at random around their meta position);
//   - then noisy_scale_coords: x * 10 / max|x| plus N(0, 1e-4) noise;
//   - when the eigen-solver does not converge: uniform in [-10, 10] (then
//     scaled), with ok = false and the reason in `message`.
// Every random draw is Philox keyed by (seed, stream, element), so every
// backend draws the same numbers. See docs/spectral_init.md.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "clustr/core/array.hpp"
#include "clustr/core/errors.hpp"
#include "clustr/core/rng.hpp"
#include "clustr/manifold/detail/spectral_components.hpp"
#include "clustr/manifold/detail/spectral_dense.hpp"
#include "clustr/manifold/detail/spectral_lanczos.hpp"
#include "clustr/manifold/detail/spectral_ops.hpp"
#include "clustr/manifold/umap_types.hpp"
#include "clustr/primitives/for_each.hpp"
#include "clustr/primitives/functional.hpp"
#include "clustr/primitives/memory.hpp"
#include "clustr/primitives/reduce.hpp"

namespace clustr::umap::detail {

/// Knobs of the spectral initialisation (defaults are what fit() uses).
struct spectral_options {
  /// Residual tolerance |M x - mu x| of every wanted eigenpair of
  /// M = I - L (|M| <= 1). umap-learn asks ARPACK for 1e-4 relative to the
  /// (small) eigenvalue of L; 1e-4 absolute here gives the same layouts.
  double tol = 1e-4;
  /// Block steps (sparse products of one block) per component before the
  /// solver gives up and the init falls back to random; 0 = 2000. Checked at
  /// each restart, so up to one restart cycle more may run.
  index_t max_iterations = 0;
  /// Basis size m (vectors before a thick restart); 0 = max(24, 2 * n_components + 6 * block).
  index_t basis_size = 0;
  /// Vectors multiplied at once (1..8); 0 = 2 for n_components <= 2, else 3.
  /// A block at least as large as an eigenvalue's multiplicity finds all its
  /// vectors (rings and square grids have double eigenvalues); larger blocks
  /// cost more dense work per step than they save in steps (measured on
  /// Fashion-MNIST graphs).
  index_t block_size = 0;
  /// Components with at most this many vertices (capped at 1024) are solved
  /// densely on the host.
  index_t dense_max = 64;
  /// Apply umap-learn's noisy_scale_coords (x * max_coord / max|x| + noise).
  bool scale = true;
  double max_coord = 10.0;
  double noise = 1e-4;
  /// Optional, for graphs with more than 2 * n_components components: given
  /// the component labels (host, 0..C-1 by smallest vertex) and C, the C x C
  /// row-major distances between the components' data centroids (umap-learn's
  /// component_layout; used up to 256 components). Without it the meta-layout
  /// is uniform in [0, 10), as umap-learn's data=None path.
  std::function<std::vector<double>(const std::vector<index_t>& labels, index_t count)> component_distances{};
};

template <class T, class Space>
struct spectral_result {
  matrix<T, Space> embedding;   ///< n x n_components
  bool ok = false;              ///< every eigen-solve converged (false: random fallback used somewhere)
  std::string message;          ///< what was done (components, iterations) or why it fell back
  index_t graph_components = 0; ///< connected components of the graph
  index_t iterations = 0;       ///< block steps of the Lanczos solver, all components together
};

/// Largest component solved densely on the host (s x s doubles), whatever dense_max says.
inline constexpr index_t spectral_max_dense = 1024;

/// Most components whose meta-layout is the spectral embedding of centroid distances.
inline constexpr index_t spectral_max_meta = 256;

/// Random-stream numbers of the spectral initialisation (disjoint from each other).
inline constexpr std::uint64_t spectral_stream_uniform = 0x5350454301ull;
inline constexpr std::uint64_t spectral_stream_noise = 0x5350454302ull;
inline constexpr std::uint64_t spectral_stream_meta = 0x5350454303ull;
inline std::uint64_t spectral_stream_solver(index_t component) {
  return 0x53504543000000ull + static_cast<std::uint64_t>(component);
}

inline std::string concat_reason(const lanczos_outcome& res, const lanczos_settings& st) {
  return clustr::detail::concat("the eigen-solver did not converge in ", res.iterations,
                                " block steps (largest residual ", res.max_residual, " > tol ", st.tol,
                                "); the eigengap is probably too small");
}

/// out (rows x dim, row-major, at row offset r0 of a matrix with `dim`
/// columns) = center + uniform(-range, range), keyed by global row.
template <class Backend>
void spectral_uniform_rows(const Backend& be, double* out, index_t r0, index_t rows, index_t dim, double range,
                           const double* center_host, std::uint64_t seed) {
  std::vector<double> center(center_host, center_host + dim);
  auto c_dev = make_vector<double>(be, dim);
  copy(be, c_dev.view(), vector_view<const double, host_space>(center.data(), dim));
  const double* c = c_dev.data();
  const rng::random_stream rs{seed, spectral_stream_uniform};
  for_each(be, rows * dim, CLUSTR_LAMBDA(index_t t) {
    const index_t j = t % dim;
    const index_t g = r0 * dim + t;
    out[g] = c[j] + rs.uniform<double>(static_cast<std::uint64_t>(g), -range, range);
  });
}

/// Solves one connected component (rows [r0, r0 + s) of a graph whose edges
/// stay inside): writes its dim eigenvectors, signs fixed (below), as rows
/// r0.. of `emb` (row-major, dim columns). Returns false (and leaves
/// emb untouched) when the solver did not converge.
template <class Backend, class T>
bool spectral_component(const Backend& be, const index_t* offsets, const index_t* indices, const T* weights,
                        const double* dinv_all, index_t r0, index_t s, index_t dim, std::uint64_t seed,
                        std::uint64_t stream, const spectral_options& opt, double* emb, index_t& iterations,
                        std::string& why) {
  const index_t p = opt.block_size > 0 ? std::min(opt.block_size, spectral_max_block) : (dim <= 2 ? 2 : 3);
  index_t m = opt.basis_size > 0 ? opt.basis_size : std::max<index_t>(24, 2 * dim + 6 * p);
  m = std::min(m, s - 1 - p);  // the complement of u0 has s - 1 dimensions
  // The dense host solve holds s x s doubles: never more than spectral_max_dense.
  const bool dense = s <= std::min(opt.dense_max, spectral_max_dense) || m < dim + 2 * p;
  auto cols = make_vector<double>(be, s * dim);  // column-major result of the solver
  double* X = cols.data();
  if (dense) {
    // Host: dense M of the component, all eigenvectors, drop the largest (u0).
    std::vector<index_t> off(static_cast<std::size_t>(s + 1));
    copy(be, vector_view<index_t, host_space>(off.data(), s + 1),
         vector_view<const index_t, memory_space_t<Backend>>(offsets + r0, s + 1));
    const index_t e0 = off[0], ne = off[static_cast<std::size_t>(s)] - e0;
    std::vector<index_t> idx(static_cast<std::size_t>(ne));
    std::vector<T> w(static_cast<std::size_t>(ne));
    copy(be, vector_view<index_t, host_space>(idx.data(), ne), vector_view<const index_t, memory_space_t<Backend>>(indices + e0, ne));
    copy(be, vector_view<T, host_space>(w.data(), ne), vector_view<const T, memory_space_t<Backend>>(weights + e0, ne));
    std::vector<double> deg(static_cast<std::size_t>(s), 0.0), M(static_cast<std::size_t>(s * s), 0.0);
    for (index_t i = 0; i < s; ++i)
      for (index_t e = off[static_cast<std::size_t>(i)]; e < off[static_cast<std::size_t>(i + 1)]; ++e)
        if (w[static_cast<std::size_t>(e - e0)] > T(0)) deg[static_cast<std::size_t>(i)] += static_cast<double>(w[static_cast<std::size_t>(e - e0)]);
    for (index_t i = 0; i < s; ++i)
      for (index_t e = off[static_cast<std::size_t>(i)]; e < off[static_cast<std::size_t>(i + 1)]; ++e) {
        const double we = static_cast<double>(w[static_cast<std::size_t>(e - e0)]);
        if (!(we > 0)) continue;
        const index_t j = idx[static_cast<std::size_t>(e - e0)] - r0;
        M[static_cast<std::size_t>(i * s + j)] += we / std::sqrt(deg[static_cast<std::size_t>(i)] * deg[static_cast<std::size_t>(j)]);
      }
    std::vector<double> values, vectors, out(static_cast<std::size_t>(s * dim));
    dense_symmetric_eigen(M, s, values, vectors);
    for (index_t j = 0; j < dim; ++j)
      for (index_t i = 0; i < s; ++i)
        out[static_cast<std::size_t>(j * s + i)] = vectors[static_cast<std::size_t>(i * s + (s - 2 - j))];
    copy(be, cols.view(), vector_view<const double, host_space>(out.data(), s * dim));
  } else {
    // Device: u0 = sqrt(deg) / |sqrt(deg)| from dinv, then block Lanczos.
    const double* dinv = dinv_all + r0;
    auto u0 = make_vector<double>(be, s);
    double* u = u0.data();
    const double norm2 = transform_reduce(be, s, 0.0, plus{}, CLUSTR_LAMBDA(index_t i) { return 1.0 / (dinv[i] * dinv[i]); });
    const double inv = 1.0 / std::sqrt(norm2);
    for_each(be, s, CLUSTR_LAMBDA(index_t i) { u[i] = inv / dinv[i]; });
    normalized_adjacency<T> op{offsets + r0, indices, weights, dinv, r0, s};
    lanczos_settings st;
    st.nev = dim;
    st.block = p;
    st.basis = m;
    st.tol = opt.tol;
    st.max_iterations = opt.max_iterations > 0 ? opt.max_iterations : 2000;
    st.seed = seed;
    st.stream = stream;
    block_lanczos<Backend, T> solver(be, op, u, st);
    const lanczos_outcome res = solver.run(X);
    iterations += res.iterations;
    if (!res.converged) {
      why = concat_reason(res, st);
      return false;
    }
  }
  // Sign convention, then transpose into the row-major embedding. The sign
  // makes the first entry with |x| >= 0.99 max|x| positive: a plain argmax
  // would flip between backends on the exact ties of symmetric graphs.
  for (index_t j = 0; j < dim; ++j) {
    const double* xj = X + j * s;
    const double big = transform_reduce(be, s, 0.0, maximum{}, CLUSTR_LAMBDA(index_t i) { return xj[i] < 0 ? -xj[i] : xj[i]; });
    const double cut = 0.99 * big;
    const index_t first = transform_reduce(be, s, s, minimum{}, CLUSTR_LAMBDA(index_t i) {
      return (xj[i] < 0 ? -xj[i] : xj[i]) >= cut ? i : s;
    });
    const double v = first < s ? read_value(be, xj + first) : 1.0;
    const double sgn = v < 0 ? -1.0 : 1.0;
    double* out = emb;
    const index_t col = j;
    for_each(be, s, CLUSTR_LAMBDA(index_t i) { out[(r0 + i) * dim + col] = sgn * xj[i]; });
  }
  return true;
}


/// The spectral initialisation of UMAP (see the file comment). `graph` is the
/// symmetric fuzzy graph (symmetry is assumed, not checked); its memory may
/// be host or the backend's (host graphs are staged to a device backend).
template <class Backend, class T, class Space>
spectral_result<T, memory_space_t<Backend>> spectral_layout(const Backend& be, const fuzzy_graph<T, Space>& graph,
                                                            index_t n_components, std::uint64_t seed,
                                                            const spectral_options& opt) {
  using S = memory_space_t<Backend>;
  const index_t n = graph.n;
  const index_t dim = n_components;
  if (dim < 1) clustr::detail::throw_invalid("n_components", dim, "must be >= 1");
  if (n < 1) clustr::detail::throw_invalid("graph.n", n, "the graph must have at least one vertex");
  if (graph.offsets.size() != n + 1)
    clustr::detail::throw_invalid("graph.offsets.size()", graph.offsets.size(), clustr::detail::concat("must be graph.n + 1 = ", n + 1));
  if (graph.weights.size() != graph.indices.size())
    clustr::detail::throw_invalid("graph.weights.size()", graph.weights.size(),
                                  clustr::detail::concat("must equal graph.indices.size() = ", graph.indices.size()));
  if (!(opt.tol > 0)) clustr::detail::throw_invalid("tol", opt.tol, "must be > 0");
  const index_t nnz = graph.indices.size();
  auto off_s = stage(be, graph.offsets.view());
  auto idx_s = stage(be, graph.indices.view());
  auto w_s = stage(be, graph.weights.view());
  const index_t* offsets = off_s.view().data();
  const index_t* indices = idx_s.view().data();
  const T* weights = w_s.view().data();
  {
    const index_t first = read_value(be, offsets), last = read_value(be, offsets + n);
    if (first != 0 || last != nnz)
      clustr::detail::throw_invalid("graph.offsets", clustr::detail::concat("[", first, " .. ", last, "]"),
                                    clustr::detail::concat("must run from 0 to nnz = ", nnz));
    const index_t bad_rows = count_if(be, n, CLUSTR_LAMBDA(index_t i) { return offsets[i + 1] < offsets[i]; });
    if (bad_rows > 0) clustr::detail::throw_invalid("graph.offsets", "must be non-decreasing");
    const index_t bad = count_if(be, nnz, CLUSTR_LAMBDA(index_t e) {
      const T w = weights[e];
      return indices[e] < 0 || indices[e] >= n || !((w - w) == (w - w)) || w < T(0);
    });
    if (bad > 0)
      clustr::detail::throw_invalid("graph", clustr::detail::concat(bad, " bad entries"),
                                    "indices must lie in [0, n) and weights be finite and >= 0");
  }

  spectral_result<T, S> result;
  auto emb = make_vector<double>(be, n * dim);  // row-major, double until the final cast
  double* E = emb.data();
  auto comp = connected_components(be, offsets, indices, weights, n);
  result.graph_components = comp.count;
  std::string failures;
  index_t failed = 0;

  // 1 / sqrt(degree) of every vertex (0 for isolated ones), in vertex order.
  auto dinv_v = make_vector<double>(be, n);
  double* dinv = dinv_v.data();
  for_each(be, n, CLUSTR_LAMBDA(index_t i) {
    double d = 0;
    for (index_t e = offsets[i]; e < offsets[i + 1]; ++e)
      if (weights[e] > T(0)) d += static_cast<double>(weights[e]);
    dinv[i] = d > 0 ? 1.0 / std::sqrt(d) : 0.0;
  });

  if (comp.count == 1) {
    std::string why;
    const bool ok = n > dim + 1 &&
                    spectral_component(be, offsets, indices, weights, dinv, 0, n, dim, seed, spectral_stream_solver(0),
                                       opt, E, result.iterations, why);
    if (!ok) {
      if (why.empty()) why = clustr::detail::concat("the graph has ", n, " vertices, too few for ", dim, " eigenvectors");
      std::vector<double> zero(static_cast<std::size_t>(dim), 0.0);
      spectral_uniform_rows(be, E, 0, n, dim, 10.0, zero.data(), seed);
      failures = why;
      failed = 1;
    }
  } else {
    // umap-learn's multi_component_layout on the component-sorted graph.
    const index_t C = comp.count;
    auto g = sort_by_component(be, offsets, indices, weights, n, nnz, comp);
    std::vector<double> dist;
    const std::vector<double>* dist_ptr = nullptr;
    // The centroid meta-layout is a dense C x C eigenproblem on the host: used
    // up to spectral_max_meta components, beyond that the uniform guess.
    if (C > 2 * dim && C <= spectral_max_meta && opt.component_distances) {
      dist = opt.component_distances(comp.labels.to_std_vector(), C);
      if (static_cast<index_t>(dist.size()) != C * C)
        clustr::detail::throw_invalid("component_distances().size()", dist.size(), clustr::detail::concat("must be C * C = ", C * C));
      dist_ptr = &dist;
    }
    const std::vector<double> meta = component_meta_layout(C, dim, dist_ptr, seed, spectral_stream_meta);
    auto dinv_sorted = make_vector<double>(be, n);
    double* ds = dinv_sorted.data();
    const index_t* perm = g.perm.data();
    for_each(be, n, CLUSTR_LAMBDA(index_t p) { ds[p] = dinv[perm[p]]; });
    auto sorted_emb = make_vector<double>(be, n * dim);
    double* SE = sorted_emb.data();
    for (index_t c = 0; c < C; ++c) {
      const index_t r0 = g.start[static_cast<std::size_t>(c)];
      const index_t s = g.start[static_cast<std::size_t>(c + 1)] - r0;
      const double* mc = meta.data() + c * dim;
      double nearest = std::numeric_limits<double>::infinity();
      for (index_t o = 0; o < C; ++o) {
        double d2 = 0;
        for (index_t j = 0; j < dim; ++j) {
          const double d = meta[static_cast<std::size_t>(o * dim + j)] - mc[j];
          d2 += d * d;
        }
        if (d2 > 0) nearest = std::min(nearest, std::sqrt(d2));
      }
      const double data_range = std::isfinite(nearest) ? nearest / 2.0 : 1.0;
      if (s < 2 * dim || s <= dim + 1) {
        spectral_uniform_rows(be, SE, r0, s, dim, data_range, mc, seed);
        continue;
      }
      std::string why;
      const bool ok = spectral_component(be, g.offsets.data(), g.indices.data(), g.weights.data(), ds, r0, s, dim,
                                         seed, spectral_stream_solver(c), opt, SE, result.iterations, why);
      if (!ok) {
        std::vector<double> zero(static_cast<std::size_t>(dim), 0.0);
        spectral_uniform_rows(be, SE, r0, s, dim, 10.0, zero.data(), seed);
        ++failed;
        if (failures.empty()) failures = clustr::detail::concat("component ", c, " (", s, " vertices): ", why);
      }
      // Scale to data_range and move to the meta position.
      const double* rows = SE + r0 * dim;
      const index_t count = s * dim;
      const double mx = transform_reduce(be, count, 0.0, maximum{}, CLUSTR_LAMBDA(index_t t) {
        return rows[t] < 0 ? -rows[t] : rows[t];
      });
      const double expansion = mx > 0 ? data_range / mx : 1.0;
      auto c_dev = make_vector<double>(be, dim);
      copy(be, c_dev.view(), vector_view<const double, host_space>(mc, dim));
      const double* cd = c_dev.data();
      double* wr = SE + r0 * dim;
      for_each(be, count, CLUSTR_LAMBDA(index_t t) { wr[t] = wr[t] * expansion + cd[t % dim]; });
    }
    for_each(be, n * dim, CLUSTR_LAMBDA(index_t t) {
      const index_t p = t / dim, j = t % dim;
      E[perm[p] * dim + j] = SE[t];
    });
  }

  // noisy_scale_coords, then the cast to T.
  result.embedding = make_matrix<T>(be, n, dim);
  T* out = result.embedding.data();
  double expansion = 1.0;
  double noise = 0.0;
  if (opt.scale) {
    const double mx = transform_reduce(be, n * dim, 0.0, maximum{}, CLUSTR_LAMBDA(index_t t) { return E[t] < 0 ? -E[t] : E[t]; });
    expansion = mx > 0 ? opt.max_coord / mx : 1.0;
    noise = opt.noise;
  }
  const rng::random_stream rs{seed, spectral_stream_noise};
  for_each(be, n * dim, CLUSTR_LAMBDA(index_t t) {
    const T x = static_cast<T>(E[t] * expansion);
    out[t] = noise > 0 ? x + static_cast<T>(noise * rs.normal<double>(static_cast<std::uint64_t>(t))) : x;
  });

  result.ok = failed == 0;
  if (result.ok) {
    result.message = clustr::detail::concat("spectral: ", comp.count, comp.count == 1 ? " component, " : " components, ",
                                            result.iterations, " block Lanczos steps");
  } else {
    result.message = clustr::detail::concat("spectral initialisation failed", failed > 1 ? clustr::detail::concat(" for ", failed, " components") : std::string(),
                                            ": ", failures, "; falling back to random initialisation");
  }
  return result;
}

template <class Backend, class T, class Space>
spectral_result<T, memory_space_t<Backend>> spectral_layout(const Backend& be, const fuzzy_graph<T, Space>& graph,
                                                            index_t n_components, std::uint64_t seed) {
  return spectral_layout(be, graph, n_components, seed, spectral_options{});
}

}  // namespace clustr::umap::detail
