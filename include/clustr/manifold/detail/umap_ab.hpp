#pragma once
// find_ab_params: the curve 1 / (1 + a x^(2b)) fitted by least squares to
// umap-learn's target (1 for x < min_dist, exp(-(x - min_dist) / spread)
// beyond) on 300 points of [0, 3 spread], as umap-learn does with
// scipy.optimize.curve_fit (Levenberg-Marquardt from a = b = 1). A small
// host-side Levenberg-Marquardt in double: two parameters, 300 residuals.

#include <cmath>
#include <utility>

namespace clustr::umap::detail {

struct ab_params {
  double a = 0;
  double b = 0;
};

inline double ab_sse(double a, double b, const double* x, const double* y, int m) {
  double s = 0;
  for (int i = 0; i < m; ++i) {
    const double xb = x[i] > 0 ? std::pow(x[i], 2 * b) : 0.0;
    const double r = 1.0 / (1.0 + a * xb) - y[i];
    s += r * r;
  }
  return s;
}

/// umap-learn's find_ab_params(spread, min_dist).
inline ab_params find_ab_params(double spread, double min_dist) {
  constexpr int m = 300;
  double x[m], y[m];
  for (int i = 0; i < m; ++i) {
    x[i] = spread * 3.0 * i / (m - 1);  // np.linspace(0, 3 spread, 300)
    y[i] = x[i] < min_dist ? 1.0 : std::exp(-(x[i] - min_dist) / spread);
  }
  double a = 1.0, b = 1.0, lambda = 1e-3;
  double sse = ab_sse(a, b, x, y, m);
  for (int it = 0; it < 500; ++it) {
    // Normal equations J^T J dp = -J^T r of the two-parameter model.
    double jaa = 0, jab = 0, jbb = 0, ga = 0, gb = 0;
    for (int i = 0; i < m; ++i) {
      if (!(x[i] > 0)) {
        const double r = 1.0 - y[i];  // f(0) = 1, no dependence on a or b
        (void)r;
        continue;
      }
      const double xb = std::pow(x[i], 2 * b);
      const double den = 1.0 + a * xb;
      const double f = 1.0 / den;
      const double r = f - y[i];
      const double da = -xb / (den * den);
      const double db = -a * xb * 2.0 * std::log(x[i]) / (den * den);
      jaa += da * da;
      jab += da * db;
      jbb += db * db;
      ga += da * r;
      gb += db * r;
    }
    bool improved = false;
    for (int tries = 0; tries < 30 && !improved; ++tries) {
      const double a11 = jaa * (1 + lambda), a22 = jbb * (1 + lambda), a12 = jab;
      const double det = a11 * a22 - a12 * a12;
      if (!(std::fabs(det) > 0)) {
        lambda *= 10;
        continue;
      }
      const double dA = -(a22 * ga - a12 * gb) / det;
      const double dB = -(a11 * gb - a12 * ga) / det;
      const double na = a + dA, nb = b + dB;
      const double nsse = ab_sse(na, nb, x, y, m);
      if (std::isfinite(nsse) && nsse <= sse) {
        const double rel = sse - nsse;
        a = na;
        b = nb;
        improved = true;
        lambda = lambda * 0.1 < 1e-12 ? 1e-12 : lambda * 0.1;
        const double step = std::fabs(dA) / (std::fabs(a) + 1e-12) + std::fabs(dB) / (std::fabs(b) + 1e-12);
        sse = nsse;
        if (step < 1e-12 || rel <= 1e-16 * (sse + 1e-300)) return {a, b};
      } else {
        lambda *= 10;
      }
    }
    if (!improved) break;
  }
  return {a, b};
}

}  // namespace clustr::umap::detail
