#pragma once
// Block Krylov-Schur (thick-restart block Lanczos with full
// reorthogonalisation) for the largest eigenpairs of M = D^{-1/2} W D^{-1/2}
// on the orthogonal complement of a known eigenvector u0 = sqrt(deg) / |.|:
// the smallest non-trivial eigenpairs of the normalised Laplacian
// L = I - M (same eigenvectors, eigenvalue 1 - mu).
//
// Why this method: a block (not single-vector) Krylov space finds repeated
// and clustered eigenvalues (rings, grids, well-separated clusters), full
// reorthogonalisation against a bounded basis (n x (m + p + 1) doubles,
// m ~ 24..40) keeps it robust, and each block step costs one sparse product
// of p vectors and four small reductions, which keeps the GPU's
// synchronisations few. Deflating u0 exactly (it is known) replaces the
// trivial eigenpair that umap-learn computes and drops.
//
// Everything the solver does with vectors of length n goes through the
// deterministic kernels of spectral_ops.hpp; the projected problems (m x m)
// are solved on the host.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "clustr/core/array.hpp"
#include "clustr/manifold/detail/spectral_dense.hpp"
#include "clustr/manifold/detail/spectral_ops.hpp"
#include "clustr/primitives/memory.hpp"

namespace clustr::umap::detail {

struct lanczos_settings {
  index_t nev = 2;              ///< wanted eigenpairs
  index_t block = 2;            ///< block size p (<= spectral_max_block)
  index_t basis = 24;           ///< basis size m (active vectors before a restart)
  double tol = 1e-6;            ///< residual |M x - mu x| (|M| <= 1) of every wanted pair
  index_t max_iterations = 0;   ///< block steps (sparse products of a block); must be > 0
  std::uint64_t seed = 0;
  std::uint64_t stream = 0;     ///< Philox stream of the start and replacement vectors
};

struct lanczos_outcome {
  bool converged = false;
  index_t iterations = 0;       ///< block steps taken
  index_t restarts = 0;
  double max_residual = 0;      ///< largest residual of the wanted pairs at the end
  std::vector<double> values;   ///< the wanted eigenvalues of M, descending
};

template <class Backend, class T>
class block_lanczos {
 public:
  using S = memory_space_t<Backend>;

  /// u0: the locked unit vector (device, n entries).
  block_lanczos(const Backend& be, const normalized_adjacency<T>& op, const double* u0, const lanczos_settings& st)
      : be_(be), op_(op), st_(st), n_(op.n), p_(st.block), m_(st.basis),
        V_(make_vector<double>(be, (1 + st.basis + st.block) * op.n)),
        scratch_(make_vector<double>(be, std::max(st.basis, st.block) * op.n)),
        ws_(be, op.n, 1 + st.basis + st.block, std::max(st.basis, st.block)) {
    copy(be_, vector_view<double, S>(V_.data(), n_), vector_view<const double, S>(u0, n_));
  }

  /// Runs the solver; on success writes the nev eigenvectors (descending
  /// eigenvalue of M) as columns of `out` (column-major, ld n).
  lanczos_outcome run(double* out) {
    lanczos_outcome res;
    const index_t n = n_, p = p_, m = m_, nev = st_.nev;
    std::vector<double> H(static_cast<std::size_t>(m * m), 0.0);
    auto h = [&](index_t r, index_t c) -> double& { return H[static_cast<std::size_t>(r * m + c)]; };

    // Start block: Philox normal vectors, orthonormalised against u0.
    spectral_random_block(be_, col(0), p, n, n, st_.seed, st_.stream * 1024);
    std::vector<double> Cdummy, Rdummy;
    orthonormalise(1, Cdummy, Rdummy);
    index_t J = p;
    std::vector<double> R, C, values, vecs;
    for (;;) {
      // Expand the basis by blocks until it holds m vectors, then take one
      // more product: its orthogonal remainder is the residual block.
      for (;;) {
        spectral_spmm(be_, op_, col(J - p), col(J), n, p);
        ++res.iterations;
        orthonormalise(1 + J, C, R);  // C: (1 + J) x p coefficients over [u0, V_active]
        for (index_t a = 0; a < J; ++a)
          for (index_t b = 0; b < p; ++b) {
            const index_t cb = J - p + b;
            const double v = C[static_cast<std::size_t>((1 + a) * p + b)];
            if (a < J - p) {
              h(a, cb) = v;
              h(cb, a) = v;
            } else if (a <= cb) {  // inside the block: average the two computed halves
              const double w = C[static_cast<std::size_t>((1 + cb) * p + (a - (J - p)))];
              h(a, cb) = h(cb, a) = 0.5 * (v + w);
            }
          }
        if (J + p <= m) {
          J += p;
        } else {
          break;
        }
      }
      // Rayleigh-Ritz on the J x J projected matrix.
      std::vector<double> HJ(static_cast<std::size_t>(J * J));
      for (index_t r = 0; r < J; ++r)
        for (index_t c = 0; c < J; ++c) HJ[static_cast<std::size_t>(r * J + c)] = h(r, c);
      dense_symmetric_eigen(HJ, J, values, vecs);
      auto s = [&](index_t r, index_t i) { return vecs[static_cast<std::size_t>(r * J + i)]; };
      double worst = 0;
      for (index_t w = 0; w < nev; ++w) {
        const index_t i = J - 1 - w;
        double r2 = 0;
        for (index_t a = 0; a < p; ++a) {
          double acc = 0;
          for (index_t b = 0; b < p; ++b) acc += R[static_cast<std::size_t>(a * p + b)] * s(J - p + b, i);
          r2 += acc * acc;
        }
        worst = std::max(worst, std::sqrt(r2));
      }
      res.max_residual = worst;
      if (worst <= st_.tol || res.iterations >= st_.max_iterations) {
        res.converged = worst <= st_.tol;
        std::vector<double> Sel(static_cast<std::size_t>(J * nev));
        for (index_t r = 0; r < J; ++r)
          for (index_t w = 0; w < nev; ++w) Sel[static_cast<std::size_t>(r * nev + w)] = s(r, J - 1 - w);
        spectral_combine(be_, col(0), J, spectral_upload(be_, ws_, Sel), out, nev, n, n, false, 1.0);
        res.values.resize(static_cast<std::size_t>(nev));
        for (index_t w = 0; w < nev; ++w) res.values[static_cast<std::size_t>(w)] = values[static_cast<std::size_t>(J - 1 - w)];
        return res;
      }
      // Thick restart: keep the k largest Ritz vectors and the residual block.
      const index_t k = std::max(nev, std::min(m - 2 * p, (m + nev) / 2));
      std::vector<double> Keep(static_cast<std::size_t>(J * k));
      for (index_t r = 0; r < J; ++r)
        for (index_t w = 0; w < k; ++w) Keep[static_cast<std::size_t>(r * k + w)] = s(r, J - 1 - w);
      spectral_combine(be_, col(0), J, spectral_upload(be_, ws_, Keep), scratch_.data(), k, n, n, false, 1.0);
      copy(be_, vector_view<double, S>(col(0), k * n), vector_view<const double, S>(scratch_.data(), k * n));
      copy(be_, vector_view<double, S>(col(k), p * n), vector_view<const double, S>(col(J), p * n));
      std::fill(H.begin(), H.end(), 0.0);
      for (index_t w = 0; w < k; ++w) h(w, w) = values[static_cast<std::size_t>(J - 1 - w)];
      J = k + p;
      ++res.restarts;
    }
  }

 private:
  /// Active column a of the basis (column 0 of V_ is u0).
  double* col(index_t a) const { return V_.data() + (1 + a) * n_; }

  /// Orthonormalises the block at V_ columns [c0, c0 + p) against columns
  /// [0, c0): W_raw = V[:, 0:c0] C + W_new R. Two classical Gram-Schmidt
  /// passes, then normalisation by the eigen-decomposition of the block's
  /// Gram matrix; repeated when the block was nearly dependent, and
  /// numerically dependent directions are replaced by random vectors (the
  /// Krylov space became invariant, or a multiple eigenvalue).
  void orthonormalise(index_t c0, std::vector<double>& C, std::vector<double>& R) {
    const index_t n = n_, p = p_;
    double* V = V_.data();
    double* W = V + c0 * n;
    C.assign(static_cast<std::size_t>(c0 * p), 0.0);
    R.assign(static_cast<std::size_t>(p * p), 0.0);
    for (index_t i = 0; i < p; ++i) R[static_cast<std::size_t>(i * p + i)] = 1.0;
    std::vector<double> Gh, Gw(static_cast<std::size_t>(p * p)), lam, Q, Tm(static_cast<std::size_t>(p * p)),
        Rr(static_cast<std::size_t>(p * p)), Cr(static_cast<std::size_t>(c0 * p));
    for (int round = 0; round < 4; ++round) {
      // Two classical Gram-Schmidt passes; the coefficients stay in backend
      // memory (no round trip) and come to the host together afterwards.
      // Pass 1 includes the block's own Gram matrix (its scale).
      const index_t slot = (c0 + p) * p;
      double* G1 = ws_.result.data();
      double* G2 = G1 + slot;
      spectral_gram(be_, ws_, V, c0 + p, W, p, n, n, G1);
      spectral_combine(be_, V, c0, G1, W, p, n, n, true, -1.0);
      spectral_gram(be_, ws_, V, c0 + p, W, p, n, n, G2);
      spectral_combine(be_, V, c0, G2, W, p, n, n, true, -1.0);
      spectral_fetch(be_, G1, 2 * slot, Gh);
      double ref = 0;
      for (index_t b = 0; b < p; ++b) ref = std::max(ref, Gh[static_cast<std::size_t>((c0 + b) * p + b)]);
      const double* G = Gh.data() + slot;
      const double* C2 = G;
      for (index_t i = 0; i < c0 * p; ++i) Cr[static_cast<std::size_t>(i)] = Gh[static_cast<std::size_t>(i)] + C2[i];
      for (index_t a = 0; a < p; ++a)
        for (index_t b = 0; b < p; ++b) {
          double g = G[(c0 + a) * p + b];
          for (index_t r = 0; r < c0; ++r) g -= C2[r * p + a] * C2[r * p + b];
          Gw[static_cast<std::size_t>(a * p + b)] = g;
        }
      dense_symmetric_eigen(Gw, p, lam, Q);
      // Normalise: W_new = W Q diag(lam)^-1/2, W = W_new Rr with Rr = diag(lam)^1/2 Q^T.
      bool again = false;
      std::vector<index_t> replace;
      for (index_t i = 0; i < p; ++i) {
        const double l = std::max(lam[static_cast<std::size_t>(i)], 0.0);
        const bool dead = !(l > 1e-20 * ref) || ref <= 0;
        if (dead) replace.push_back(i);
        if (l < 1e-6 * ref) again = true;
        const double sq = std::sqrt(l), inv = dead ? 0.0 : 1.0 / sq;
        for (index_t a = 0; a < p; ++a) {
          Tm[static_cast<std::size_t>(a * p + i)] = Q[static_cast<std::size_t>(a * p + i)] * inv;
          Rr[static_cast<std::size_t>(i * p + a)] = Q[static_cast<std::size_t>(a * p + i)] * sq;
        }
      }
      spectral_combine(be_, W, p, spectral_upload(be_, ws_, Tm), scratch_.data(), p, n, n, false, 1.0);
      copy(be_, vector_view<double, S>(W, p * n), vector_view<const double, S>(scratch_.data(), p * n));
      for (index_t i : replace)
        spectral_random_block(be_, W + i * n, 1, n, n, st_.seed, st_.stream * 1024 + 1 + (++random_draws_));
      // Accumulate: C += Cr R, R = Rr R.
      for (index_t r = 0; r < c0; ++r)
        for (index_t b = 0; b < p; ++b) {
          double acc = 0;
          for (index_t a = 0; a < p; ++a) acc += Cr[static_cast<std::size_t>(r * p + a)] * R[static_cast<std::size_t>(a * p + b)];
          C[static_cast<std::size_t>(r * p + b)] += acc;
        }
      std::vector<double> Rn(static_cast<std::size_t>(p * p), 0.0);
      for (index_t a = 0; a < p; ++a)
        for (index_t b = 0; b < p; ++b) {
          double acc = 0;
          for (index_t t = 0; t < p; ++t) acc += Rr[static_cast<std::size_t>(a * p + t)] * R[static_cast<std::size_t>(t * p + b)];
          Rn[static_cast<std::size_t>(a * p + b)] = acc;
        }
      R = Rn;
      if (!again && replace.empty()) return;
    }
  }

  Backend be_;
  normalized_adjacency<T> op_;
  lanczos_settings st_;
  index_t n_, p_, m_;
  vector<double, S> V_;
  vector<double, S> scratch_;
  spectral_workspace<Backend> ws_;
  std::uint64_t random_draws_ = 0;
};

}  // namespace clustr::umap::detail
