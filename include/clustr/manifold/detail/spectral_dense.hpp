#pragma once
// Host-side dense symmetric eigen-solvers for the small problems of the
// spectral initialisation: the Rayleigh-Ritz matrix of the Lanczos basis (a
// few dozen columns, once per restart: its cost is on the GPU path's critical
// path), the Laplacian of a small connected component, and the meta-layout of
// component centroids. Householder tridiagonalisation + implicit QL (EISPACK's
// tred2/tql2, as in JAMA) is the main solver, ~25x faster than Jacobi at
// m = 28; cyclic Jacobi is the fallback should QL not converge.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numeric>
#include <vector>

#include "clustr/core/config.hpp"

namespace clustr::umap::detail {

/// Cyclic Jacobi (the fallback). Eigen-decomposition of a symmetric m x m matrix A (row-major, read from
/// the upper triangle). Eigenvalues ascending in `values`; eigenvector i is
/// column i of `vectors` (row-major m x m, vectors[r * m + i]). Deterministic.
inline void dense_symmetric_eigen_jacobi(std::vector<double> A, index_t m, std::vector<double>& values,
                                         std::vector<double>& vectors) {
  const std::size_t M = static_cast<std::size_t>(m);
  auto at = [&](std::vector<double>& X, index_t r, index_t c) -> double& {
    return X[static_cast<std::size_t>(r) * M + static_cast<std::size_t>(c)];
  };
  for (index_t r = 0; r < m; ++r)
    for (index_t c = 0; c < r; ++c) at(A, r, c) = at(A, c, r);  // symmetrise from the upper triangle
  std::vector<double> V(M * M, 0.0);
  for (index_t i = 0; i < m; ++i) at(V, i, i) = 1.0;
  double total = 0;
  for (double x : A) total += x * x;
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0;
    for (index_t p = 0; p < m; ++p)
      for (index_t q = p + 1; q < m; ++q) off += at(A, p, q) * at(A, p, q);
    if (off <= 1e-30 * total || off == 0.0 || (sweep > 0 && off <= 1e-300)) break;
    for (index_t p = 0; p < m; ++p) {
      for (index_t q = p + 1; q < m; ++q) {
        const double apq = at(A, p, q);
        if (apq == 0.0) continue;
        const double app = at(A, p, p), aqq = at(A, q, q);
        // Skip rotations that no longer change the diagonal (Rutishauser's test).
        if (sweep > 3 && std::abs(apq) * 1e18 < std::abs(app) && std::abs(apq) * 1e18 < std::abs(aqq)) {
          at(A, p, q) = at(A, q, p) = 0.0;
          continue;
        }
        const double theta = (aqq - app) / (2.0 * apq);
        const double t = (theta >= 0 ? 1.0 : -1.0) / (std::abs(theta) + std::sqrt(theta * theta + 1.0));
        const double c = 1.0 / std::sqrt(t * t + 1.0), s = t * c;
        for (index_t k = 0; k < m; ++k) {  // A <- A J (columns p, q)
          const double akp = at(A, k, p), akq = at(A, k, q);
          at(A, k, p) = c * akp - s * akq;
          at(A, k, q) = s * akp + c * akq;
        }
        for (index_t k = 0; k < m; ++k) {  // A <- J^T A (rows p, q)
          const double apk = at(A, p, k), aqk = at(A, q, k);
          at(A, p, k) = c * apk - s * aqk;
          at(A, q, k) = s * apk + c * aqk;
        }
        at(A, p, q) = at(A, q, p) = 0.0;
        for (index_t k = 0; k < m; ++k) {
          const double vkp = at(V, k, p), vkq = at(V, k, q);
          at(V, k, p) = c * vkp - s * vkq;
          at(V, k, q) = s * vkp + c * vkq;
        }
      }
    }
  }
  std::vector<index_t> order(M);
  std::iota(order.begin(), order.end(), index_t(0));
  std::stable_sort(order.begin(), order.end(), [&](index_t a, index_t b) { return at(A, a, a) < at(A, b, b); });
  values.assign(M, 0.0);
  vectors.assign(M * M, 0.0);
  for (index_t i = 0; i < m; ++i) {
    values[static_cast<std::size_t>(i)] = at(A, order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(i)]);
    for (index_t r = 0; r < m; ++r) at(vectors, r, i) = at(V, r, order[static_cast<std::size_t>(i)]);
  }
}

/// Tridiagonal QL on row-major V (m x m, in: the matrix, out: eigenvectors in
/// columns); false if an eigenvalue needed more than 64 iterations.
inline bool dense_symmetric_eigen_ql(std::vector<double>& Vm, index_t m, std::vector<double>& d) {
  const std::size_t M = static_cast<std::size_t>(m);
  auto V = [&](index_t r, index_t c) -> double& { return Vm[static_cast<std::size_t>(r) * M + static_cast<std::size_t>(c)]; };
  std::vector<double> e(M, 0.0);
  d.assign(M, 0.0);
  const index_t n = m;
  // tred2: Householder reduction to tridiagonal form.
  for (index_t j = 0; j < n; ++j) d[static_cast<std::size_t>(j)] = V(n - 1, j);
  for (index_t i = n - 1; i > 0; --i) {
    double scale = 0.0, h = 0.0;
    for (index_t k = 0; k < i; ++k) scale += std::abs(d[static_cast<std::size_t>(k)]);
    if (scale == 0.0) {
      e[static_cast<std::size_t>(i)] = d[static_cast<std::size_t>(i - 1)];
      for (index_t j = 0; j < i; ++j) {
        d[static_cast<std::size_t>(j)] = V(i - 1, j);
        V(i, j) = 0.0;
        V(j, i) = 0.0;
      }
    } else {
      for (index_t k = 0; k < i; ++k) {
        d[static_cast<std::size_t>(k)] /= scale;
        h += d[static_cast<std::size_t>(k)] * d[static_cast<std::size_t>(k)];
      }
      double f = d[static_cast<std::size_t>(i - 1)];
      double g = std::sqrt(h);
      if (f > 0) g = -g;
      e[static_cast<std::size_t>(i)] = scale * g;
      h -= f * g;
      d[static_cast<std::size_t>(i - 1)] = f - g;
      for (index_t j = 0; j < i; ++j) e[static_cast<std::size_t>(j)] = 0.0;
      for (index_t j = 0; j < i; ++j) {
        f = d[static_cast<std::size_t>(j)];
        V(j, i) = f;
        g = e[static_cast<std::size_t>(j)] + V(j, j) * f;
        for (index_t k = j + 1; k <= i - 1; ++k) {
          g += V(k, j) * d[static_cast<std::size_t>(k)];
          e[static_cast<std::size_t>(k)] += V(k, j) * f;
        }
        e[static_cast<std::size_t>(j)] = g;
      }
      f = 0.0;
      for (index_t j = 0; j < i; ++j) {
        e[static_cast<std::size_t>(j)] /= h;
        f += e[static_cast<std::size_t>(j)] * d[static_cast<std::size_t>(j)];
      }
      const double hh = f / (h + h);
      for (index_t j = 0; j < i; ++j) e[static_cast<std::size_t>(j)] -= hh * d[static_cast<std::size_t>(j)];
      for (index_t j = 0; j < i; ++j) {
        f = d[static_cast<std::size_t>(j)];
        g = e[static_cast<std::size_t>(j)];
        for (index_t k = j; k <= i - 1; ++k) V(k, j) -= (f * e[static_cast<std::size_t>(k)] + g * d[static_cast<std::size_t>(k)]);
        d[static_cast<std::size_t>(j)] = V(i - 1, j);
        V(i, j) = 0.0;
      }
    }
    d[static_cast<std::size_t>(i)] = h;
  }
  for (index_t i = 0; i < n - 1; ++i) {  // accumulate the transformations
    V(n - 1, i) = V(i, i);
    V(i, i) = 1.0;
    const double h = d[static_cast<std::size_t>(i + 1)];
    if (h != 0.0) {
      for (index_t k = 0; k <= i; ++k) d[static_cast<std::size_t>(k)] = V(k, i + 1) / h;
      for (index_t j = 0; j <= i; ++j) {
        double g = 0.0;
        for (index_t k = 0; k <= i; ++k) g += V(k, i + 1) * V(k, j);
        for (index_t k = 0; k <= i; ++k) V(k, j) -= g * d[static_cast<std::size_t>(k)];
      }
    }
    for (index_t k = 0; k <= i; ++k) V(k, i + 1) = 0.0;
  }
  for (index_t j = 0; j < n; ++j) {
    d[static_cast<std::size_t>(j)] = V(n - 1, j);
    V(n - 1, j) = 0.0;
  }
  V(n - 1, n - 1) = 1.0;
  e[0] = 0.0;
  // tql2: implicit QL on the tridiagonal matrix.
  for (index_t i = 1; i < n; ++i) e[static_cast<std::size_t>(i - 1)] = e[static_cast<std::size_t>(i)];
  e[static_cast<std::size_t>(n - 1)] = 0.0;
  double f = 0.0, tst1 = 0.0;
  const double eps = 2.220446049250313e-16;
  for (index_t l = 0; l < n; ++l) {
    tst1 = std::max(tst1, std::abs(d[static_cast<std::size_t>(l)]) + std::abs(e[static_cast<std::size_t>(l)]));
    index_t mm = l;
    while (mm < n) {
      if (std::abs(e[static_cast<std::size_t>(mm)]) <= eps * tst1) break;
      ++mm;
    }
    if (mm > l) {
      int iter = 0;
      do {
        if (++iter > 64) return false;
        double g = d[static_cast<std::size_t>(l)];
        double p = (d[static_cast<std::size_t>(l + 1)] - g) / (2.0 * e[static_cast<std::size_t>(l)]);
        double r = std::hypot(p, 1.0);
        if (p < 0) r = -r;
        d[static_cast<std::size_t>(l)] = e[static_cast<std::size_t>(l)] / (p + r);
        d[static_cast<std::size_t>(l + 1)] = e[static_cast<std::size_t>(l)] * (p + r);
        const double dl1 = d[static_cast<std::size_t>(l + 1)];
        double h = g - d[static_cast<std::size_t>(l)];
        for (index_t i = l + 2; i < n; ++i) d[static_cast<std::size_t>(i)] -= h;
        f += h;
        p = d[static_cast<std::size_t>(mm)];
        double c = 1.0, c2 = c, c3 = c;
        const double el1 = e[static_cast<std::size_t>(l + 1)];
        double s = 0.0, s2 = 0.0;
        for (index_t i = mm - 1; i >= l; --i) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[static_cast<std::size_t>(i)];
          h = c * p;
          r = std::hypot(p, e[static_cast<std::size_t>(i)]);
          e[static_cast<std::size_t>(i + 1)] = s * r;
          s = e[static_cast<std::size_t>(i)] / r;
          c = p / r;
          p = c * d[static_cast<std::size_t>(i)] - s * g;
          d[static_cast<std::size_t>(i + 1)] = h + s * (c * g + s * d[static_cast<std::size_t>(i)]);
          for (index_t k = 0; k < n; ++k) {
            h = V(k, i + 1);
            V(k, i + 1) = s * V(k, i) + c * h;
            V(k, i) = c * V(k, i) - s * h;
          }
        }
        p = -s * s2 * c3 * el1 * e[static_cast<std::size_t>(l)] / dl1;
        e[static_cast<std::size_t>(l)] = s * p;
        d[static_cast<std::size_t>(l)] = c * p;
      } while (std::abs(e[static_cast<std::size_t>(l)]) > eps * tst1);
    }
    d[static_cast<std::size_t>(l)] += f;
    e[static_cast<std::size_t>(l)] = 0.0;
  }
  return true;
}

/// Eigen-decomposition of a symmetric m x m matrix A (row-major, read from
/// the upper triangle). Eigenvalues ascending in `values`; eigenvector i is
/// column i of `vectors` (row-major m x m, vectors[r * m + i]). Deterministic.
inline void dense_symmetric_eigen(const std::vector<double>& A, index_t m, std::vector<double>& values,
                                  std::vector<double>& vectors) {
  const std::size_t M = static_cast<std::size_t>(m);
  if (m <= 2) {
    dense_symmetric_eigen_jacobi(A, m, values, vectors);
    return;
  }
  std::vector<double> V(M * M);
  for (std::size_t r = 0; r < M; ++r)
    for (std::size_t c = 0; c < M; ++c) V[r * M + c] = c >= r ? A[r * M + c] : A[c * M + r];
  std::vector<double> d;
  if (!dense_symmetric_eigen_ql(V, m, d)) {
    dense_symmetric_eigen_jacobi(A, m, values, vectors);
    return;
  }
  std::vector<index_t> order(M);
  std::iota(order.begin(), order.end(), index_t(0));
  std::stable_sort(order.begin(), order.end(), [&](index_t a, index_t b) { return d[static_cast<std::size_t>(a)] < d[static_cast<std::size_t>(b)]; });
  values.assign(M, 0.0);
  vectors.assign(M * M, 0.0);
  for (std::size_t i = 0; i < M; ++i) {
    values[i] = d[static_cast<std::size_t>(order[i])];
    for (std::size_t r = 0; r < M; ++r) vectors[r * M + i] = V[r * M + static_cast<std::size_t>(order[i])];
  }
}


}  // namespace clustr::umap::detail
