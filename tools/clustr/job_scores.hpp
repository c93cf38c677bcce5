#pragma once
// Cluster-quality scores of a labelling, on the job's backend: silhouette
// (on a Philox sample of points when the data is large), Davies-Bouldin,
// Calinski-Harabasz, and ARI / AMI against the true labels when known. A
// score that is undefined for the labelling (one cluster, all noise) is NaN,
// not an error. Shared by every clustering job.

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "clustr/stats/stats.hpp"
#include "common.hpp"
#include "scores.hpp"

namespace clustr_cli {

template <class F>
double nan_if_invalid(F&& f) {
  try {
    return f();
  } catch (const clustr::invalid_argument&) {
    return std::numeric_limits<double>::quiet_NaN();
  }
}

/// Scores of `labels` (noise -1 excluded) on the rows of X.
template <class Backend, class T>
cluster_scores compute_scores(const Backend& be, clustr::matrix_view<const T, clustr::host_space> X,
                              const std::vector<std::int32_t>& labels, const std::vector<std::int32_t>& truth,
                              const score_request& r) {
  using namespace clustr;
  cluster_scores s;
  const vector_view<const std::int32_t, host_space> L(labels.data(), static_cast<index_t>(labels.size()));
  if (r.internal) {
    stats::silhouette_params<> sp;
    sp.sample_size = (r.sample > 0 && r.sample < X.rows()) ? r.sample : 0;
    sp.seed = r.seed;
    s.silhouette_sample = sp.sample_size > 0 ? sp.sample_size : X.rows();
    s.silhouette = nan_if_invalid([&] { return stats::silhouette_score(be, X, L, sp); });
    s.davies_bouldin = nan_if_invalid([&] { return stats::davies_bouldin_score(be, X, L); });
    s.calinski_harabasz = nan_if_invalid([&] { return stats::calinski_harabasz_score(be, X, L); });
  }
  if (!truth.empty()) {
    const vector_view<const std::int32_t, host_space> G(truth.data(), static_cast<index_t>(truth.size()));
    s.ari = nan_if_invalid([&] { return stats::adjusted_rand_score(be, G, L); });
    s.ami = nan_if_invalid([&] { return stats::adjusted_mutual_info_score(be, G, L); });
  }
  return s;
}

}  // namespace clustr_cli
