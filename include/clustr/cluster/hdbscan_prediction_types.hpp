#pragma once
// What clustr::hdbscan keeps for approximate_predict and soft clustering
// (params.prediction_data = true), and the results of soft clustering.

#include <cstdint>
#include <vector>

#include "clustr/core/array.hpp"

namespace clustr::hdbscan {

/// Kept by fit() when params.prediction_data is set (empty otherwise).
template <class T, class Space = host_space>
struct prediction_data {
  bool present = false;
  matrix<T, Space> data;             ///< the training points (a copy)
  vector<T, Space> core_distances;   ///< per training point
  // Fields below are filled by the prediction side (see hdbscan_predict.hpp).
};

/// Per point: its k most likely clusters (descending probability), their
/// probabilities, and the probability of being noise; memory O(n k).
template <class T, class Space = host_space>
struct top_k_membership {
  matrix<std::int32_t, Space> clusters;  ///< n x k, -1 where fewer than k clusters exist
  matrix<T, Space> probabilities;        ///< n x k
  vector<T, Space> noise_probability;    ///< n
};

}  // namespace clustr::hdbscan
