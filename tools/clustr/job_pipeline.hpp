#pragma once
// The users' pipeline on any backend: kNN graph of the input -> UMAP
// (n_components, min_dist ...) -> HDBSCAN on the embedding (with prediction
// data) -> soft clustering (all_points_membership_vectors, dense or top-k),
// then the top-two membership gap of every non-noise point and the scores.
// Also serves `umap` (hdbscan off) and `hdbscan` (umap off: HDBSCAN on the
// input itself).

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "clustr/cluster/hdbscan.hpp"
#include "clustr/cluster/hdbscan_predict.hpp"
#include "clustr/manifold/umap.hpp"
#include "clustr/neighbors/knn.hpp"
#include "common.hpp"
#include "job_scores.hpp"

namespace clustr_cli {

struct pipeline_request {
  bool run_umap = true;
  bool run_hdbscan = true;
  // kNN + UMAP (umap-learn's names and defaults, except min_dist: 0 for clustering)
  std::int64_t n_neighbors = 15;
  std::int64_t n_components = 5;
  double min_dist = 0.0;
  double spread = 1.0;
  std::int64_t n_epochs = 0;
  std::string init = "spectral";
  std::string metric = "euclidean";  ///< of the input: euclidean | cosine
  std::string knn_algorithm = "auto";
  bool deterministic = false;
  std::uint64_t seed = 0;
  // HDBSCAN (the hdbscan library's names and defaults)
  std::int64_t min_cluster_size = 50;
  std::int64_t min_samples = 0;
  std::string selection = "eom";
  double cluster_selection_epsilon = 0.0;
  bool allow_single_cluster = false;
  // soft clustering: 0 = dense n x n_clusters, else the top k per point
  std::int64_t soft_top_k = 0;
  bool soft = true;
  bool scores = true;
  score_request score;
  /// (stage, fraction done); may be empty.
  std::function<void(const char*, double)> progress;
};

struct pipeline_result {
  any_matrix embedding;                   ///< empty without UMAP
  std::vector<std::int32_t> labels;       ///< empty without HDBSCAN
  std::vector<double> probabilities, outlier_scores;
  std::int64_t n_clusters = 0;
  double relative_validity = 0;
  // soft clustering
  bool soft_dense = true;
  std::int64_t soft_cols = 0;             ///< n_clusters (dense) or k (top-k)
  any_matrix membership;                  ///< dense n x n_clusters, or top-k probabilities n x k
  std::vector<std::int32_t> soft_clusters;///< top-k cluster ids n x k (top-k only)
  std::vector<double> noise_probability;  ///< top-k only
  std::vector<double> gaps;               ///< top-two gap per non-noise point
  // UMAP facts
  std::string init_used, init_message;
  std::int64_t n_epochs = 0;
  cluster_scores scores;
  std::vector<std::pair<std::string, double>> seconds;  ///< per stage
};

struct pipeline_job {
  using request = pipeline_request;
  using result = pipeline_result;
  static constexpr const char* name = "pipeline";

  template <class T>
  static any_matrix to_any(const clustr::matrix<T, clustr::host_space>& m) {
    return any_matrix::of(m.data(), m.rows(), m.cols());
  }

  template <class Backend, class T, class Metric>
  static void run_typed(const Backend& be, const T* data, const dataset& d, const request& r, Metric metric, result& out) {
    using namespace clustr;
    using clock = std::chrono::steady_clock;
    auto t = clock::now();
    auto lap = [&](const char* stage) {
      const auto now = clock::now();
      out.seconds.emplace_back(stage, std::chrono::duration<double>(now - t).count());
      t = now;
    };
    const matrix_view<const T, host_space> X(data, d.X.rows, d.X.cols);
    matrix<T, host_space> emb;
    if (r.run_umap) {
      knn::params<Metric> kp;
      kp.k = r.n_neighbors - 1;
      kp.metric = metric;
      kp.algo = r.knn_algorithm == "exact"        ? knn::algorithm::exact
                : r.knn_algorithm == "nn_descent" ? knn::algorithm::nn_descent
                                                  : knn::algorithm::automatic;
      kp.nn_descent.seed = r.seed;
      if (r.progress) r.progress("knn", 0.0);
      const auto g = knn::graph<index_t>(be, kp, X);
      if (r.progress) r.progress("knn", 1.0);
      lap("knn");
      umap::params<Metric> up;
      up.n_neighbors = r.n_neighbors;
      up.n_components = r.n_components;
      up.min_dist = r.min_dist;
      up.spread = r.spread;
      up.n_epochs = r.n_epochs;
      up.init = r.init == "random" ? umap::init_method::random : umap::init_method::spectral;
      up.metric = metric;
      up.deterministic = r.deterministic;
      up.seed = r.seed;
      if (r.progress)
        up.progress = [&r](index_t e, index_t n) { r.progress("umap", static_cast<double>(e) / static_cast<double>(n > 0 ? n : 1)); };
      const auto m = umap::fit(be, up, g);
      emb = m.embedding.to_host();
      out.embedding = to_any(emb);
      out.init_used = umap::name_of(m.init_used);
      out.init_message = m.init_message;
      out.n_epochs = m.n_epochs;
      lap("umap");
    }
    if (!r.run_hdbscan) return;
    const matrix_view<const T, host_space> H = r.run_umap ? matrix_view<const T, host_space>(emb.view()) : X;
    hdbscan::params<metric::euclidean> hp;
    hp.min_cluster_size = r.min_cluster_size;
    hp.min_samples = r.min_samples;
    hp.cluster_selection_method = r.selection == "leaf" ? hdbscan::selection_method::leaf : hdbscan::selection_method::eom;
    hp.cluster_selection_epsilon = r.cluster_selection_epsilon;
    hp.allow_single_cluster = r.allow_single_cluster;
    hp.prediction_data = r.soft;
    if (r.progress) hp.progress = [&r](const char* stage, double f) { r.progress(stage, f); };
    const auto hm = hdbscan::fit(be, hp, H);
    out.labels = hm.labels.to_std_vector();
    {
      const auto p = hm.probabilities.to_std_vector();
      const auto o = hm.outlier_scores.to_std_vector();
      out.probabilities.assign(p.begin(), p.end());
      out.outlier_scores.assign(o.begin(), o.end());
    }
    out.n_clusters = hm.n_clusters;
    out.relative_validity = hm.relative_validity;
    lap("hdbscan");
    const std::int64_t n = d.X.rows;
    if (r.soft) {
      std::vector<std::int64_t> lab(out.labels.begin(), out.labels.end());
      if (r.soft_top_k > 0) {
        const auto tk = hdbscan::all_points_membership_top_k(be, hm, r.soft_top_k);
        const auto ids = tk.clusters.to_host();
        const auto pr = tk.probabilities.to_host();
        const auto np = tk.noise_probability.to_std_vector();
        out.soft_dense = false;
        out.soft_cols = pr.cols();
        out.membership = to_any(pr);
        out.soft_clusters.assign(ids.data(), ids.data() + ids.size());
        out.noise_probability.assign(np.begin(), np.end());
        for (std::int64_t i = 0; i < n; ++i) {
          if (lab[static_cast<std::size_t>(i)] < 0) continue;
          const double a = pr.cols() > 0 ? static_cast<double>(pr(i, 0)) : 0.0;
          const double b = pr.cols() > 1 ? static_cast<double>(pr(i, 1)) : 0.0;
          out.gaps.push_back(a - b);
        }
      } else {
        const auto mv = hdbscan::all_points_membership_vectors(be, hm).to_host();
        out.soft_dense = true;
        out.soft_cols = mv.cols();
        out.membership = to_any(mv);
        std::vector<double> dense(mv.data(), mv.data() + mv.size());
        out.gaps = top_two_gaps_of(dense, n, mv.cols(), lab);
      }
      lap("soft_clustering");
    }
    if (r.scores) {
      out.scores = compute_scores(be, H, out.labels, d.truth, r.score);
      lap("scores");
    }
  }

  /// p(first) - p(second) of each non-noise row (the report's helper, here
  /// so that the job needs no report code).
  static std::vector<double> top_two_gaps_of(const std::vector<double>& m, std::int64_t n, std::int64_t c,
                                             const std::vector<std::int64_t>& labels) {
    std::vector<double> g;
    if (c < 1) return g;
    for (std::int64_t i = 0; i < n; ++i) {
      if (labels[static_cast<std::size_t>(i)] < 0) continue;
      double a = -1, b = 0;
      for (std::int64_t j = 0; j < c; ++j) {
        const double p = m[static_cast<std::size_t>(i * c + j)];
        if (p > a) b = a < 0 ? 0 : a, a = p;
        else if (p > b) b = p;
      }
      g.push_back(a - b);
    }
    return g;
  }

  template <class Backend>
  static result run(const Backend& be, const dataset& d, const request& r) {
    result out;
    d.X.visit([&](const auto* data) {
      if (r.metric == "cosine") run_typed(be, data, d, r, clustr::metric::cosine{}, out);
      else run_typed(be, data, d, r, clustr::metric::euclidean{}, out);
    });
    return out;
  }
};

}  // namespace clustr_cli
