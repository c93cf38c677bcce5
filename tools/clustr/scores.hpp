#pragma once
// The quality scores a clustering subcommand reports (light header: the
// computation is in job_scores.hpp).

#include <cstdint>
#include <limits>

namespace clustr_cli {

struct cluster_scores {
  double silhouette = std::numeric_limits<double>::quiet_NaN();
  double davies_bouldin = std::numeric_limits<double>::quiet_NaN();
  double calinski_harabasz = std::numeric_limits<double>::quiet_NaN();
  double ari = std::numeric_limits<double>::quiet_NaN();
  double ami = std::numeric_limits<double>::quiet_NaN();
  std::int64_t silhouette_sample = 0;  ///< points the silhouette was computed on
};

/// Which scores to compute.
struct score_request {
  bool internal = true;            ///< silhouette, Davies-Bouldin, Calinski-Harabasz
  std::int64_t sample = 2000;      ///< silhouette sample size (0: every point)
  std::uint64_t seed = 0;
};

}  // namespace clustr_cli
