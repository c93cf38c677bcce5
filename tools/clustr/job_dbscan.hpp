#pragma once
// The DBSCAN job: dbscan::fit on any backend. With eps "auto" the k-distance
// curve (k = min_samples, counted as min_samples_includes_self says) is
// computed here and its knee passed as eps — what dbscan's eps_auto does —
// so that the report can plot the curve without a second kNN pass. With a
// given eps the curve is computed only for plotting, when plot_k_distance.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "clustr/cluster/dbscan.hpp"
#include "clustr/neighbors/k_distance.hpp"
#include "common.hpp"
#include "job_scores.hpp"

namespace clustr_cli {

struct dbscan_request {
  double eps = 0.5;
  bool eps_auto = false;
  std::int64_t min_samples = 5;
  bool min_samples_includes_self = true;
  std::string metric = "euclidean";
  double p = 2.0;
  std::string algorithm = "auto";  ///< auto | grid | brute
  std::int64_t batch_size = 4096;
  bool plot_k_distance = true;     ///< compute the curve even when eps is given
  bool scores = true;
  score_request score;
};

struct dbscan_result {
  std::vector<std::int32_t> labels;
  std::vector<std::int64_t> core_sample_indices;
  std::int64_t n_clusters = 0;
  double eps = 0;
  std::string algorithm;
  std::vector<double> k_distance;  ///< sorted; empty when not computed
  std::int64_t knee_index = -1;
  cluster_scores scores;
  double kdist_seconds = 0, fit_seconds = 0, score_seconds = 0;
};

struct dbscan_job {
  using request = dbscan_request;
  using result = dbscan_result;
  static constexpr const char* name = "dbscan";

  template <class Backend, class T, class Metric>
  static void run_typed(const Backend& be, const T* data, const dataset& d, const request& r, Metric metric, result& out) {
    using namespace clustr;
    using clock = std::chrono::steady_clock;
    const matrix_view<const T, host_space> X(data, d.X.rows, d.X.cols);
    dbscan::params<Metric> p;
    p.eps = r.eps;
    p.min_samples = r.min_samples;
    p.min_samples_includes_self = r.min_samples_includes_self;
    p.metric = metric;
    p.algo = r.algorithm == "grid" ? dbscan::algorithm::grid
             : r.algorithm == "brute" ? dbscan::algorithm::brute : dbscan::algorithm::automatic;
    p.batch_size = r.batch_size;
    auto t0 = clock::now();
    if (r.eps_auto || r.plot_k_distance) {
      knn::params<Metric> kp;
      kp.k = r.min_samples;
      kp.metric = metric;
      kp.include_self = r.min_samples_includes_self;
      const auto curve = knn::k_distance(be, kp, X, r.min_samples);
      out.k_distance.assign(curve.distances.begin(), curve.distances.end());
      out.knee_index = curve.knee_index;
      if (r.eps_auto) {
        p.eps = static_cast<double>(curve.eps);
        if (!(p.eps > 0))
          fail("--eps auto: the knee of the k-distance curve is 0 (duplicate points, or --min-samples too small); give --eps");
      }
    }
    auto t1 = clock::now();
    out.kdist_seconds = std::chrono::duration<double>(t1 - t0).count();
    const auto m = dbscan::fit(be, p, X);
    out.labels = m.labels.to_std_vector();
    out.core_sample_indices = std::vector<std::int64_t>(m.core_sample_indices.size());
    {
      const auto c = m.core_sample_indices.to_std_vector();
      for (std::size_t i = 0; i < c.size(); ++i) out.core_sample_indices[i] = static_cast<std::int64_t>(c[i]);
    }
    out.n_clusters = m.n_clusters;
    out.eps = static_cast<double>(m.eps);
    out.algorithm = m.algo == dbscan::algorithm::grid ? "grid" : m.algo == dbscan::algorithm::brute ? "brute" : "graph";
    auto t2 = clock::now();
    out.fit_seconds = std::chrono::duration<double>(t2 - t1).count();
    if (r.scores) {
      out.scores = compute_scores(be, X, out.labels, d.truth, r.score);
      out.score_seconds = std::chrono::duration<double>(clock::now() - t2).count();
    }
  }

  template <class Backend>
  static result run(const Backend& be, const dataset& d, const request& r) {
    result out;
    const auto kind = clustr::metric::parse_kind(r.metric);
    d.X.visit([&](const auto* data) {
      clustr::metric::visit(kind, r.p, [&](auto m) { run_typed(be, data, d, r, m, out); });
    });
    return out;
  }
};

}  // namespace clustr_cli
