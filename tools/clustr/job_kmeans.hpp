#pragma once
// The k-means job: kmeans::fit on any backend, then (optionally) the quality
// scores of its labels. Used by `kmeans`, `sweep` (once per k) and `bench`.

#include <chrono>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "clustr/cluster/kmeans.hpp"
#include "common.hpp"
#include "job_scores.hpp"

namespace clustr_cli {

struct kmeans_request {
  clustr::kmeans::params params;
  bool scores = true;   ///< compute cluster_scores after the fit
  score_request score;
};

struct kmeans_result {
  std::vector<std::int32_t> labels;
  any_matrix centroids;
  double inertia = 0;
  std::int64_t n_iter = 0;
  bool converged = false;
  std::int64_t n_empty_reseeded = 0;
  cluster_scores scores;
  double fit_seconds = 0;
  double score_seconds = 0;
};

/// The fitted model's outputs on the host, into `out` (labels, centroids,
/// inertia, n_iter, converged, n_empty_reseeded).
template <class T, class S>
void copy_model(const clustr::kmeans::model<T, S>& m, kmeans_result& out) {
  const auto C = m.centroids.to_host();
  out.labels = m.labels.to_std_vector();
  out.inertia = m.inertia;
  out.n_iter = m.n_iter;
  out.converged = m.converged;
  out.n_empty_reseeded = m.n_empty_reseeded;
  out.centroids = any_matrix::of(C.data(), C.rows(), C.cols());
}

struct kmeans_job {
  using request = kmeans_request;
  using result = kmeans_result;
  static constexpr const char* name = "kmeans";

  template <class Backend>
  static result run(const Backend& be, const dataset& d, const request& r) {
    result out;
    d.X.visit([&](const auto* data) {
      using T = std::remove_const_t<std::remove_pointer_t<decltype(data)>>;
      const clustr::matrix_view<const T, clustr::host_space> X(data, d.X.rows, d.X.cols);
      const auto t0 = std::chrono::steady_clock::now();
      const auto m = clustr::kmeans::fit(be, r.params, X);
      copy_model(m, out);
      const auto t1 = std::chrono::steady_clock::now();
      out.fit_seconds = std::chrono::duration<double>(t1 - t0).count();
      if (r.scores) {
        out.scores = compute_scores(be, X, out.labels, d.truth, r.score);
        out.score_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
      }
    });
    return out;
  }
};

}  // namespace clustr_cli
