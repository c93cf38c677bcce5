#pragma once
// Comparisons of two labellings of the same points, as scikit-learn's
// sklearn.metrics: adjusted_rand_score, adjusted_mutual_info_score,
// normalized_mutual_info_score, mutual_info_score and
// homogeneity_completeness_v_measure. All are built on the sparse
// contingency table (memory O(n)); labels are int32 or int64 views or arrays,
// in host memory or the backend's.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "clustr/core/as_view.hpp"
#include "clustr/stats/contingency.hpp"
#include "clustr/stats/stats_types.hpp"

namespace clustr::stats {

namespace detail {

template <class Backend, class A, class B>
contingency<memory_space_t<Backend>> contingency_of(const Backend& be, const A& labels_true, const B& labels_pred,
                                                    noise_policy noise) {
  static_check_labels<value_type_of_t<A>>();
  static_check_labels<value_type_of_t<B>>();
  const auto ta = stage(be, as_const_view(labels_true));
  const auto tb = stage(be, as_const_view(labels_pred));
  check_label_count(tb.view(), ta.view().size(), "labels_pred", "labels_true.size()");
  return make_contingency(be, ta.view(), tb.view(), noise);
}

/// log Gamma(x) for x > 0, callable on the host and the device. glibc's
/// lgamma writes the global signgam, a data race under OpenMP: use lgamma_r.
CLUSTR_HD inline double log_gamma(double x) {
#if CLUSTR_IN_DEVICE_CODE
  return ::lgamma(x);
#elif defined(__GLIBC__)
  int sign = 0;
  return ::lgamma_r(x, &sign);
#else
  return std::lgamma(x);
#endif
}

/// Expected mutual information of two labellings with the table's marginals
/// under the hypergeometric model of random labellings (Vinh et al. 2010),
/// term by term as scikit-learn's expected_mutual_information, in double.
/// One task per (class, cluster) pair; O(sum over pairs of min(a_i, b_j)).
template <class Backend, class S>
double expected_mutual_information(const Backend& be, const contingency<S>& ct) {
  if (ct.n_classes <= 1 || ct.n_clusters <= 1) return 0.0;
  const std::int64_t* pa = ct.class_sizes.data();
  const std::int64_t* pb = ct.cluster_sizes.data();
  const std::int64_t N = static_cast<std::int64_t>(ct.n);
  const index_t nk = ct.n_clusters;
  const double dN = static_cast<double>(N);
  const double log_N = std::log(dN);
  const double gln_N1 = log_gamma(dN + 1.0);
  return transform_reduce(be, ct.n_classes * nk, 0.0, plus{}, CLUSTR_LAMBDA(index_t pair) {
    const std::int64_t a = pa[pair / nk], b = pb[pair % nk];
    const double da = static_cast<double>(a), db = static_cast<double>(b);
    const double log_a = std::log(da), log_b = std::log(db);
    const double gln_a = log_gamma(da + 1.0), gln_b = log_gamma(db + 1.0);
    const double gln_Na = log_gamma(dN - da + 1.0), gln_Nb = log_gamma(dN - db + 1.0);
    const std::int64_t start = a - N + b > 1 ? a - N + b : 1;
    const std::int64_t end = (a < b ? a : b) + 1;
    double emi = 0.0;
    for (std::int64_t nij = start; nij < end; ++nij) {
      const double dn = static_cast<double>(nij);
      const double term1 = dn / dN;
      const double term2 = (log_N + std::log(dn)) - log_a - log_b;
      const double gln = gln_a + gln_b + gln_Na + gln_Nb - (log_gamma(dn + 1.0) + gln_N1) -
                         log_gamma(static_cast<double>(a - nij + 1)) - log_gamma(static_cast<double>(b - nij + 1)) -
                         log_gamma(static_cast<double>(N - a - b + nij + 1));
      emi += term1 * term2 * std::exp(gln);
    }
    return emi;
  });
}

/// scikit-learn's _generalized_average of the two entropies.
inline double generalized_average(double u, double v, average_method m) {
  switch (m) {
    case average_method::min: return std::min(u, v);
    case average_method::geometric: return std::sqrt(u * v);
    case average_method::arithmetic: return (u + v) / 2.0;
    case average_method::max: break;
  }
  return std::max(u, v);
}

inline void check_partition_params(const partition_params& p) {
  if (!(p.beta >= 0.0) || !std::isfinite(p.beta)) clustr::detail::throw_invalid("params.beta", p.beta, "must be finite and >= 0");
}

}  // namespace detail

/// Adjusted Rand index (Hubert & Arabie 1985) of two labellings, as
/// scikit-learn's adjusted_rand_score: 1 for identical partitions (whatever
/// the label values), about 0 for independent ones, symmetric. Pair counts are
/// exact integers (128-bit products). Throws clustr::invalid_argument when the
/// lengths differ.
template <class Backend, class A, class B>
double adjusted_rand_score(const Backend& be, const A& labels_true, const B& labels_pred,
                           const partition_params& p = {}) {
  const auto ct = detail::contingency_of(be, labels_true, labels_pred, p.noise);
  __extension__ using int128 = __int128;
  const int128 n = ct.n;
  const int128 sum_cells = detail::sum_of_squares(be, ct.cell_count);
  const int128 sum_classes = detail::sum_of_squares(be, ct.class_sizes);
  const int128 sum_clusters = detail::sum_of_squares(be, ct.cluster_sizes);
  // scikit-learn's pair_confusion_matrix: ordered pairs of distinct points.
  const int128 tp = sum_cells - n;
  const int128 fp = sum_clusters - sum_cells;
  const int128 fn = sum_classes - sum_cells;
  const int128 tn = n * n - fp - fn - sum_cells;
  if (fn == 0 && fp == 0) return 1.0;  // identical partitions, or no points
  const int128 num = 2 * (tp * tn - fn * fp);
  const int128 den = (tp + fn) * (fn + tn) + (tp + fp) * (fp + tn);
  return static_cast<double>(static_cast<long double>(num) / static_cast<long double>(den));
}

/// Mutual information (in nats) of two labellings, as scikit-learn's
/// mutual_info_score.
template <class Backend, class A, class B>
double mutual_info_score(const Backend& be, const A& labels_true, const B& labels_pred,
                         const partition_params& p = {}) {
  const auto ct = detail::contingency_of(be, labels_true, labels_pred, p.noise);
  return detail::mutual_information(be, ct);
}

/// Adjusted mutual information (Vinh, Epps & Bailey 2010), as scikit-learn's
/// adjusted_mutual_info_score with params.average as average_method
/// (default arithmetic): (MI - E[MI]) / (avg(H_true, H_pred) - E[MI]). 1 when
/// both labellings have one cluster (or no points); symmetric.
template <class Backend, class A, class B>
double adjusted_mutual_info_score(const Backend& be, const A& labels_true, const B& labels_pred,
                                  const partition_params& p = {}) {
  const auto ct = detail::contingency_of(be, labels_true, labels_pred, p.noise);
  if ((ct.n_classes == 1 && ct.n_clusters == 1) || (ct.n_classes == 0 && ct.n_clusters == 0)) return 1.0;
  const double mi = detail::mutual_information(be, ct);
  const double emi = detail::expected_mutual_information(be, ct);
  const double h_true = detail::entropy(be, ct.class_sizes, ct.n);
  const double h_pred = detail::entropy(be, ct.cluster_sizes, ct.n);
  const double normalizer = detail::generalized_average(h_true, h_pred, p.average);
  double denominator = normalizer - emi;
  // As scikit-learn: keep the sign, never divide by less than machine epsilon.
  const double eps = std::numeric_limits<double>::epsilon();
  if (denominator < 0)
    denominator = std::min(denominator, -eps);
  else
    denominator = std::max(denominator, eps);
  return (mi - emi) / denominator;
}

/// Normalised mutual information, as scikit-learn's
/// normalized_mutual_info_score: MI / avg(H_true, H_pred), params.average
/// choosing the average (default arithmetic).
template <class Backend, class A, class B>
double normalized_mutual_info_score(const Backend& be, const A& labels_true, const B& labels_pred,
                                    const partition_params& p = {}) {
  const auto ct = detail::contingency_of(be, labels_true, labels_pred, p.noise);
  if ((ct.n_classes == 1 && ct.n_clusters == 1) || (ct.n_classes == 0 && ct.n_clusters == 0)) return 1.0;
  const double mi = detail::mutual_information(be, ct);
  if (mi == 0.0) return 0.0;
  const double h_true = detail::entropy(be, ct.class_sizes, ct.n);
  const double h_pred = detail::entropy(be, ct.cluster_sizes, ct.n);
  return mi / detail::generalized_average(h_true, h_pred, p.average);
}

/// Homogeneity, completeness and V-measure (Rosenberg & Hirschberg 2007), as
/// scikit-learn's homogeneity_completeness_v_measure with beta = params.beta.
template <class Backend, class A, class B>
homogeneity_completeness_v homogeneity_completeness_v_measure(const Backend& be, const A& labels_true,
                                                              const B& labels_pred, const partition_params& p = {}) {
  detail::check_partition_params(p);
  const auto ct = detail::contingency_of(be, labels_true, labels_pred, p.noise);
  homogeneity_completeness_v r;
  if (ct.n == 0) {
    r.homogeneity = r.completeness = r.v_measure = 1.0;
    return r;
  }
  const double h_c = detail::entropy(be, ct.class_sizes, ct.n);
  const double h_k = detail::entropy(be, ct.cluster_sizes, ct.n);
  const double mi = detail::mutual_information(be, ct);
  r.homogeneity = h_c != 0.0 ? mi / h_c : 1.0;
  r.completeness = h_k != 0.0 ? mi / h_k : 1.0;
  if (r.homogeneity + r.completeness == 0.0)
    r.v_measure = 0.0;
  else
    r.v_measure = (1.0 + p.beta) * r.homogeneity * r.completeness / (p.beta * r.homogeneity + r.completeness);
  return r;
}

/// homogeneity_completeness_v_measure(...).homogeneity.
template <class Backend, class A, class B>
double homogeneity_score(const Backend& be, const A& labels_true, const B& labels_pred, const partition_params& p = {}) {
  return homogeneity_completeness_v_measure(be, labels_true, labels_pred, p).homogeneity;
}
/// homogeneity_completeness_v_measure(...).completeness.
template <class Backend, class A, class B>
double completeness_score(const Backend& be, const A& labels_true, const B& labels_pred, const partition_params& p = {}) {
  return homogeneity_completeness_v_measure(be, labels_true, labels_pred, p).completeness;
}
/// homogeneity_completeness_v_measure(...).v_measure.
template <class Backend, class A, class B>
double v_measure_score(const Backend& be, const A& labels_true, const B& labels_pred, const partition_params& p = {}) {
  return homogeneity_completeness_v_measure(be, labels_true, labels_pred, p).v_measure;
}

}  // namespace clustr::stats
