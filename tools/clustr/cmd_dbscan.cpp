// `clustr dbscan`: DBSCAN with a given eps or `--eps auto` (the knee of the
// k-distance curve) -> labels.npy (int32, -1 noise), core_sample_indices.npy
// (int64), summary.json (eps used, n_clusters, noise fraction, scores),
// report.html (clusters in the first two columns, sizes, k-distance curve
// with the chosen eps).
#include <CLI/CLI.hpp>

#include <sstream>

#include "commands.hpp"
#include "job_dbscan.hpp"
#include "progress.hpp"
#include "report.hpp"

namespace clustr_cli {

json scores_json(const cluster_scores& s);

namespace {

struct dbscan_cli {
  common_options common;
  dbscan_request req;
  std::string eps = "0.5";
  std::int64_t score_sample = 2000;
  bool no_scores = false;
  std::int64_t plot_limit = 20000;
};

void run_dbscan(const dbscan_cli& c) {
  const auto& o = c.common;
  const auto kind = chosen_backend(o);
  dbscan_request req = c.req;
  clustr::metric::parse_kind(req.metric);
  if (c.eps == "auto") {
    req.eps_auto = true;
  } else {
    try {
      std::size_t used = 0;
      req.eps = std::stod(c.eps, &used);
      if (used != c.eps.size()) throw std::invalid_argument("trailing");
    } catch (const std::exception&) {
      fail("--eps " + c.eps + ": expected a positive number or 'auto'", 2);
    }
    if (!(req.eps > 0)) fail("--eps " + c.eps + ": must be > 0", 2);
  }
  if (req.min_samples < 1) fail("--min-samples " + std::to_string(req.min_samples) + ": must be >= 1", 2);
  stage_timer timer;
  const dataset d = timer.time("load", [&] { return load_dataset(o); });
  const std::int64_t most = req.min_samples_includes_self ? d.X.rows : d.X.rows - 1;
  if (req.min_samples > most) fail("--min-samples " + std::to_string(req.min_samples) + ": must be <= " + std::to_string(most));
  req.plot_k_distance = req.eps_auto || d.X.rows <= c.plot_limit;
  req.scores = !c.no_scores;
  req.score.sample = c.score_sample;
  req.score.seed = o.seed;
  output_dir out(o.out);
  const auto bo = options_of(o);
  const std::string device = describe_device(kind, bo);

  const auto res = run_job<dbscan_job>(kind, bo, d, req);
  if (!res.k_distance.empty()) timer.add("k_distance", res.kdist_seconds);
  timer.add("dbscan", res.fit_seconds);
  if (req.scores) timer.add("scores", res.score_seconds);

  out.write_npy("labels.npy", res.labels.data(), {static_cast<std::int64_t>(res.labels.size())});
  out.write_npy("core_sample_indices.npy", res.core_sample_indices.data(),
                {static_cast<std::int64_t>(res.core_sample_indices.size())});

  const double noise = noise_fraction(res.labels);
  json s = summary_header("dbscan", o, d, device);
  json p = json::object();
  p["eps"] = req.eps_auto ? json("auto") : json(req.eps);
  p["min_samples"] = req.min_samples;
  p["min_samples_includes_self"] = req.min_samples_includes_self;
  p["metric"] = req.metric;
  p["algorithm"] = req.algorithm;
  s["parameters"] = p;
  s["eps"] = res.eps;
  s["algorithm_used"] = res.algorithm;
  s["timings_s"] = timer.to_json();
  s["n_clusters"] = res.n_clusters;
  s["noise_fraction"] = noise;
  s["n_core_samples"] = static_cast<long long>(res.core_sample_indices.size());
  s["scores"] = scores_json(res.scores);

  report rep("clustr dbscan: " + d.source);
  rep.key_values({{"input", d.source + " (" + std::to_string(d.X.rows) + " x " + std::to_string(d.X.cols) + ", " +
                                d.X.dtype_name() + ")"},
                  {"backend", o.backend + " on " + device},
                  {"eps", fmt(res.eps) + (req.eps_auto ? " (auto: knee of the k-distance curve)" : "")},
                  {"min_samples", std::to_string(req.min_samples)},
                  {"clusters", std::to_string(res.n_clusters)},
                  {"noise", fmt(100 * noise, 3) + " %"},
                  {"silhouette (noise excluded)", fmt(res.scores.silhouette)},
                  {"Davies-Bouldin", fmt(res.scores.davies_bouldin)},
                  {"ARI / AMI vs true labels (noise excluded)",
                   d.truth.empty() ? "no true labels" : fmt(res.scores.ari) + " / " + fmt(res.scores.ami)}});
  const auto labels = widen(res.labels);
  std::string axis;
  const auto [x, y] = view_2d(d.X, axis);
  rep.heading("Clusters");
  rep.figure(plot_clusters_2d(x, y, labels, "DBSCAN clusters", axis + " 0", axis + " 1"),
             "The data (its first two " + axis + "s); noise in grey.");
  rep.figure(plot_cluster_sizes(labels));
  if (!res.k_distance.empty()) {
    rep.heading("eps");
    rep.figure(plot_k_distance(res.k_distance, static_cast<int>(req.min_samples), res.eps, req.eps_auto ? "eps (knee)" : "eps"),
               "Distance to the min_samples-th neighbour, sorted; the dashed line is the eps used.");
  }

  std::ostringstream msg;
  msg << "dbscan: " << d.X.rows << " x " << d.X.cols << ' ' << d.X.dtype_name() << " on " << o.backend << ": eps "
      << fmt(res.eps) << (req.eps_auto ? " (auto)" : "") << ", " << res.n_clusters << " clusters, " << fmt(100 * noise, 3)
      << "% noise, " << fmt(res.fit_seconds, 3) << " s\n";
  if (!d.truth.empty()) msg << "  ARI " << fmt(res.scores.ari) << "  AMI " << fmt(res.scores.ami) << " (noise excluded)\n";
  say(o, msg.str());
  finish_outputs(o, out, s, &rep);
}

}  // namespace

command add_dbscan_command(CLI::App& app) {
  auto cfg = std::make_shared<dbscan_cli>();
  auto* sub = app.add_subcommand("dbscan", "DBSCAN (eps given or 'auto' from the k-distance knee) -> labels.npy");
  add_common_options(sub, cfg->common);
  sub->add_option("--eps", cfg->eps, "neighbourhood radius, or 'auto' (knee of the k-distance curve)")->capture_default_str();
  sub->add_option("--min-samples", cfg->req.min_samples, "points within eps that make a core point (counting itself)")
      ->capture_default_str();
  sub->add_option("--metric", cfg->req.metric, "euclidean | sqeuclidean | cosine | manhattan | chebyshev | minkowski")
      ->capture_default_str();
  sub->add_option("--p", cfg->req.p, "Minkowski's p")->capture_default_str();
  sub->add_option("--algorithm", cfg->req.algorithm, "auto | grid | brute")
      ->check(CLI::IsMember({"auto", "grid", "brute"}))
      ->capture_default_str();
  sub->add_option("--batch-size", cfg->req.batch_size, "rows per distance tile (bounds memory)")->capture_default_str();
  sub->add_option("--score-sample", cfg->score_sample, "points the silhouette is computed on (0: all)")
      ->capture_default_str();
  sub->add_flag("--no-scores", cfg->no_scores, "skip silhouette, Davies-Bouldin, Calinski-Harabasz");
  return {sub, [cfg] { run_dbscan(*cfg); }};
}

}  // namespace clustr_cli
