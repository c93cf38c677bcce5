// `clustr pipeline` (UMAP -> HDBSCAN -> soft clustering), `clustr umap` and
// `clustr hdbscan`: one job (job_pipeline.hpp) with stages switched on or
// off, and the same outputs where they apply:
//   embedding.npy (n x n_components), labels.npy (int32, -1 noise),
//   probabilities.npy, outlier_scores.npy (GLOSH), soft clustering as
//   soft_clusters.npy (dense n x n_clusters) or, with --soft-top-k K,
//   soft_clusters.npy (int32 n x K cluster ids), soft_probabilities.npy and
//   noise_probability.npy; summary.json; report.html (the embedding
//   coloured by cluster, cluster sizes, the histogram and CDF of the gap
//   between each non-noise point's top-two membership probabilities).
#include <CLI/CLI.hpp>

#include <algorithm>
#include <limits>
#include <sstream>

#include "cmd_shared.hpp"
#include "commands.hpp"
#include "job_pipeline.hpp"
#include "progress.hpp"
#include "report.hpp"

namespace clustr_cli {

namespace {

struct pipeline_cli {
  std::string command;
  common_options common;
  pipeline_request req;
  bool no_soft = false;
  bool no_scores = false;
  bool full = false;  ///< fashion-mnist: all 70,000 images
  std::int64_t score_sample = 2000;
};

void add_umap_options(CLI::App* sub, pipeline_request& r) {
  sub->add_option("--n-neighbors", r.n_neighbors, "UMAP neighbours (counting the point itself)")->capture_default_str();
  sub->add_option("--n-components", r.n_components, "UMAP embedding dimension")->capture_default_str();
  sub->add_option("--min-dist", r.min_dist, "UMAP min_dist")->capture_default_str();
  sub->add_option("--spread", r.spread, "UMAP spread")->capture_default_str();
  sub->add_option("--n-epochs", r.n_epochs, "UMAP epochs (0: 500 up to 10,000 points, else 200)")->capture_default_str();
  sub->add_option("--init", r.init, "spectral | random")->check(CLI::IsMember({"spectral", "random"}))->capture_default_str();
  sub->add_option("--metric", r.metric, "distance of the input: euclidean | cosine")
      ->check(CLI::IsMember({"euclidean", "cosine"}))
      ->capture_default_str();
  sub->add_option("--knn-algorithm", r.knn_algorithm, "exact | nn_descent | auto")
      ->check(CLI::IsMember({"exact", "nn_descent", "auto"}))
      ->capture_default_str();
  sub->add_flag("--deterministic", r.deterministic, "UMAP's deterministic SGD (same result on every backend)");
}

void add_hdbscan_options(CLI::App* sub, pipeline_cli& c) {
  auto& r = c.req;
  sub->add_option("--min-cluster-size", r.min_cluster_size, "smallest cluster")->capture_default_str();
  sub->add_option("--min-samples", r.min_samples, "core-distance neighbours (0: min_cluster_size)")->capture_default_str();
  sub->add_option("--cluster-selection-method", r.selection, "eom | leaf")
      ->check(CLI::IsMember({"eom", "leaf"}))
      ->capture_default_str();
  sub->add_option("--cluster-selection-epsilon", r.cluster_selection_epsilon, "merge clusters closer than this")
      ->capture_default_str();
  sub->add_flag("--allow-single-cluster", r.allow_single_cluster, "the root may be the only cluster");
  sub->add_option("--soft-top-k", r.soft_top_k, "soft clustering: 0 = dense n x n_clusters, else the k largest per point")
      ->capture_default_str();
  sub->add_flag("--no-soft", c.no_soft, "skip soft clustering (all_points_membership_vectors)");
  sub->add_option("--score-sample", c.score_sample, "points the silhouette is computed on (0: all)")->capture_default_str();
  sub->add_flag("--no-scores", c.no_scores, "skip silhouette, Davies-Bouldin, Calinski-Harabasz");
}

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1))];
}

void run_pipeline(const pipeline_cli& c) {
  common_options o = c.common;
  if (c.full) {
    if (o.input.rfind("fashion-mnist", 0) != 0) fail("--full applies to --input fashion-mnist only", 2);
    o.input = "fashion-mnist:all";
  }
  const auto kind = chosen_backend(o);
  pipeline_request req = c.req;
  req.seed = o.seed;
  req.soft = req.run_hdbscan && !c.no_soft;
  req.scores = req.run_hdbscan && !c.no_scores;
  req.score.sample = c.score_sample;
  req.score.seed = o.seed;
  if (req.run_umap) {
    if (req.n_neighbors < 2) fail("--n-neighbors " + std::to_string(req.n_neighbors) + ": must be >= 2", 2);
    if (req.n_components < 1) fail("--n-components " + std::to_string(req.n_components) + ": must be >= 1", 2);
  }
  if (req.run_hdbscan && req.min_cluster_size < 2)
    fail("--min-cluster-size " + std::to_string(req.min_cluster_size) + ": must be >= 2", 2);
  if (req.soft_top_k < 0) fail("--soft-top-k must be >= 0", 2);
  stage_timer timer;
  const dataset d = timer.time("load", [&] { return load_dataset(o); });
  if (req.run_umap && req.n_neighbors > d.X.rows)
    fail("--n-neighbors " + std::to_string(req.n_neighbors) + ": more than the " + std::to_string(d.X.rows) + " points");
  if (req.run_hdbscan && req.min_cluster_size > d.X.rows)
    fail("--min-cluster-size " + std::to_string(req.min_cluster_size) + ": more than the " + std::to_string(d.X.rows) + " points");
  output_dir out(o.out);
  const auto bo = options_of(o);
  const std::string device = describe_device(kind, bo);

  stage_progress bars(progress_allowed(o.quiet));
  req.progress = [&bars](const char* stage, double f) { bars(stage, f); };
  const auto res = run_job<pipeline_job>(kind, bo, d, req);
  bars.finish();
  for (const auto& [stage, s] : res.seconds) timer.add(stage, s);

  const std::int64_t n = d.X.rows;
  if (req.run_umap) out.write_npy("embedding.npy", res.embedding);
  if (req.run_hdbscan) {
    out.write_npy("labels.npy", res.labels.data(), {n});
    out.write_npy("probabilities.npy", res.probabilities.data(), {n});
    out.write_npy("outlier_scores.npy", res.outlier_scores.data(), {n});
    if (req.soft) {
      if (res.soft_dense) {
        out.write_npy("soft_clusters.npy", res.membership);
      } else {
        out.write_npy("soft_clusters.npy", res.soft_clusters.data(), {n, res.soft_cols});
        out.write_npy("soft_probabilities.npy", res.membership);
        out.write_npy("noise_probability.npy", res.noise_probability.data(), {n});
      }
    }
  }

  json s = summary_header(c.command, o, d, device);
  json p = json::object();
  if (req.run_umap) {
    json u = json::object();
    u["n_neighbors"] = req.n_neighbors;
    u["n_components"] = req.n_components;
    u["min_dist"] = req.min_dist;
    u["spread"] = req.spread;
    u["n_epochs"] = req.n_epochs;
    u["init"] = req.init;
    u["metric"] = req.metric;
    u["knn_algorithm"] = req.knn_algorithm;
    u["deterministic"] = req.deterministic;
    p["umap"] = u;
  }
  if (req.run_hdbscan) {
    json h = json::object();
    h["min_cluster_size"] = req.min_cluster_size;
    h["min_samples"] = req.min_samples;
    h["cluster_selection_method"] = req.selection;
    h["cluster_selection_epsilon"] = req.cluster_selection_epsilon;
    h["allow_single_cluster"] = req.allow_single_cluster;
    h["soft_clustering"] = !req.soft ? json("off") : req.soft_top_k > 0 ? json("top-" + std::to_string(req.soft_top_k)) : json("dense");
    p["hdbscan"] = h;
  }
  s["parameters"] = p;
  s["timings_s"] = timer.to_json();
  s["total_s"] = timer.total();
  if (req.run_umap) {
    s["umap_init_used"] = res.init_used;
    if (!res.init_message.empty()) s["umap_init_message"] = res.init_message;
    s["umap_n_epochs"] = res.n_epochs;
  }
  const double noise = noise_fraction(res.labels);
  if (req.run_hdbscan) {
    s["n_clusters"] = res.n_clusters;
    s["noise_fraction"] = noise;
    s["relative_validity"] = res.relative_validity;
    s["scores"] = scores_json(res.scores);
    if (req.soft) {
      json g = json::object();
      g["points"] = static_cast<long long>(res.gaps.size());
      g["median"] = quantile(res.gaps, 0.5);
      g["p10"] = quantile(res.gaps, 0.1);
      g["fraction_below_0.1"] =
          res.gaps.empty() ? 0.0
                           : static_cast<double>(std::count_if(res.gaps.begin(), res.gaps.end(), [](double x) { return x < 0.1; })) /
                                 static_cast<double>(res.gaps.size());
      s["membership_gap"] = g;
    }
  }

  report rep("clustr " + c.command + ": " + d.source);
  std::vector<std::pair<std::string, std::string>> kv = {
      {"input", d.source + " (" + std::to_string(d.X.rows) + " x " + std::to_string(d.X.cols) + ", " + d.X.dtype_name() + ")"},
      {"backend", o.backend + " on " + device}};
  std::string stages;
  for (const auto& [stage, sec] : timer.stages()) stages += (stages.empty() ? "" : ", ") + stage + " " + fmt(sec, 3) + " s";
  kv.emplace_back("time", fmt(timer.total(), 3) + " s (" + stages + ")");
  if (req.run_umap)
    kv.emplace_back("UMAP", "n_neighbors " + std::to_string(req.n_neighbors) + ", n_components " + std::to_string(req.n_components) +
                                ", min_dist " + fmt(req.min_dist) + ", " + std::to_string(res.n_epochs) + " epochs, init " +
                                res.init_used);
  if (req.run_hdbscan) {
    kv.emplace_back("HDBSCAN", "min_cluster_size " + std::to_string(req.min_cluster_size) + ": " + std::to_string(res.n_clusters) +
                                   " clusters, " + fmt(100 * noise, 3) + " % noise");
    kv.emplace_back("silhouette / Davies-Bouldin (noise excluded)", fmt(res.scores.silhouette) + " / " + fmt(res.scores.davies_bouldin));
    kv.emplace_back("ARI / AMI vs true labels (noise excluded)",
                    d.truth.empty() ? "no true labels" : fmt(res.scores.ari) + " / " + fmt(res.scores.ami));
  }
  rep.key_values(kv);
  std::vector<std::int64_t> colour = req.run_hdbscan ? widen(res.labels) : widen(d.truth);
  const any_matrix& view2 = req.run_umap ? res.embedding : d.X;
  std::string axis;
  const auto [x, y] = req.run_umap ? first_two_columns(view2) : view_2d(view2, axis);
  if (req.run_umap) axis = "UMAP component";
  rep.heading(req.run_umap ? "Embedding" : "Clusters");
  rep.figure(plot_clusters_2d(x, y, colour,
                              std::string(req.run_umap ? "UMAP embedding" : "Data") + " coloured by " +
                                  (req.run_hdbscan ? "cluster" : d.truth.empty() ? "nothing" : "true label"),
                              axis + " 0", axis + " 1"),
             req.run_umap ? "The embedding's first two components." : "The data (its first two " + axis + "s).");
  if (req.run_hdbscan) rep.figure(plot_cluster_sizes(colour));
  if (req.soft) {
    rep.heading("Soft clustering: how sure is each point?");
    rep.figure(plot_gap_histogram(res.gaps), "Per non-noise point: its largest membership probability minus the second largest.");
    rep.figure(plot_gap_cdf(res.gaps), "Fraction of non-noise points whose gap is at most x.");
  }

  std::ostringstream msg;
  msg << c.command << ": " << d.X.rows << " x " << d.X.cols << ' ' << d.X.dtype_name() << " on " << o.backend << " in "
      << fmt(timer.total(), 3) << " s (" << stages << ")\n";
  if (req.run_hdbscan) {
    msg << "  " << res.n_clusters << " clusters, " << fmt(100 * noise, 3) << "% noise";
    if (!d.truth.empty()) msg << "; ARI " << fmt(res.scores.ari) << ", AMI " << fmt(res.scores.ami) << " against " << d.truth_source
                              << " (noise excluded)";
    msg << '\n';
  }
  say(o, msg.str());
  finish_outputs(o, out, s, &rep);
}

command add(CLI::App& app, const char* name, const char* help, bool umap, bool hdbscan) {
  auto cfg = std::make_shared<pipeline_cli>();
  cfg->command = name;
  cfg->req.run_umap = umap;
  cfg->req.run_hdbscan = hdbscan;
  if (umap && !hdbscan) {  // umap-learn's defaults when the embedding is the goal
    cfg->req.min_dist = 0.1;
    cfg->req.n_components = 2;
  }
  if (hdbscan && !umap) cfg->req.min_cluster_size = 5;  // the hdbscan library's default
  auto* sub = app.add_subcommand(name, help);
  add_common_options(sub, cfg->common);
  sub->add_flag("--full", cfg->full, "with --input fashion-mnist: all 70,000 images (train and test)");
  if (umap) add_umap_options(sub, cfg->req);
  if (hdbscan) add_hdbscan_options(sub, *cfg);
  return {sub, [cfg] { run_pipeline(*cfg); }};
}

}  // namespace

command add_pipeline_command(CLI::App& app) {
  return add(app, "pipeline", "UMAP -> HDBSCAN -> soft clustering, with the membership-gap report", true, true);
}
command add_umap_command(CLI::App& app) { return add(app, "umap", "UMAP embedding -> embedding.npy", true, false); }
command add_hdbscan_command(CLI::App& app) {
  return add(app, "hdbscan", "HDBSCAN* with GLOSH scores and soft clustering -> labels.npy", false, true);
}

}  // namespace clustr_cli
