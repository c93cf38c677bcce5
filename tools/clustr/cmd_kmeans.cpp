// `clustr kmeans`: k-means -> labels.npy (int32), centroids.npy, summary.json
// (inertia, iterations, scores, ARI/AMI), report.html (2-d scatter of the
// first two columns coloured by cluster, cluster sizes).
#include <CLI/CLI.hpp>

#include <sstream>

#include "cmd_shared.hpp"
#include "commands.hpp"
#include "distributed.hpp"
#include "job_kmeans.hpp"
#include "progress.hpp"
#include "report.hpp"

namespace clustr_cli {

namespace {

struct kmeans_cli {
  common_options common;
  clustr::kmeans::params params;
  std::string init = "k-means++";
  std::int64_t score_sample = 2000;
  bool no_scores = false;
  bool distributed = false;
};

}  // namespace

clustr::kmeans::init_method parse_init(const std::string& s) {
  if (s == "random") return clustr::kmeans::init_method::random;
  return clustr::kmeans::init_method::kmeans_plus_plus;
}

/// Options shared by kmeans, sweep and bench.
void add_kmeans_options(CLI::App* sub, clustr::kmeans::params& p, std::string& init) {
  sub->add_option("--init", init, "k-means++ | random")->check(CLI::IsMember({"k-means++", "kmeans++", "random"}))
      ->capture_default_str();
  sub->add_option("--n-init", p.n_init, "runs with different seeds; the lowest inertia is kept")->capture_default_str();
  sub->add_option("--max-iter", p.max_iter, "most Lloyd iterations per run")->capture_default_str();
  sub->add_option("--tol", p.tol, "relative tolerance on the centroid shift")->capture_default_str();
}

json kmeans_params_json(const clustr::kmeans::params& p, const std::string& init) {
  json j = json::object();
  j["n_clusters"] = p.n_clusters;
  j["init"] = init;
  j["n_init"] = p.n_init;
  j["max_iter"] = p.max_iter;
  j["tol"] = p.tol;
  j["seed"] = static_cast<unsigned long long>(p.seed);
  return j;
}

json scores_json(const cluster_scores& s) {
  json j = json::object();
  j["silhouette"] = s.silhouette;
  j["silhouette_sample"] = s.silhouette_sample;
  j["davies_bouldin"] = s.davies_bouldin;
  j["calinski_harabasz"] = s.calinski_harabasz;
  j["ari"] = s.ari;
  j["ami"] = s.ami;
  return j;
}

namespace {

void run_kmeans(const kmeans_cli& c) {
  const auto& o = c.common;
  if (c.distributed) {
#ifdef CLUSTR_TOOL_MPI
    auto p = c.params;
    p.init = parse_init(c.init);
    p.seed = o.seed;
    return run_kmeans_distributed(o, p, c.init);
#else
    fail_without_mpi("kmeans");
#endif
  }
  const auto kind = chosen_backend(o);
  if (c.params.n_clusters < 1) fail("--n-clusters " + std::to_string(c.params.n_clusters) + ": must be >= 1", 2);
  stage_timer timer;
  const dataset d = timer.time("load", [&] { return load_dataset(o); });
  if (c.params.n_clusters > d.X.rows)
    fail("--n-clusters " + std::to_string(c.params.n_clusters) + ": more clusters than the " + std::to_string(d.X.rows) +
         " points");
  output_dir out(o.out);
  const auto bo = options_of(o);
  const std::string device = describe_device(kind, bo);

  kmeans_request req;
  req.params = c.params;
  req.params.init = parse_init(c.init);
  req.params.seed = o.seed;
  req.scores = !c.no_scores;
  req.score.sample = c.score_sample;
  req.score.seed = o.seed;
  const auto res = run_job<kmeans_job>(kind, bo, d, req);
  timer.add("kmeans", res.fit_seconds);
  if (req.scores) timer.add("scores", res.score_seconds);

  out.write_npy("labels.npy", res.labels.data(), {static_cast<std::int64_t>(res.labels.size())});
  out.write_npy("centroids.npy", res.centroids);

  json s = summary_header("kmeans", o, d, device);
  s["parameters"] = kmeans_params_json(req.params, c.init);
  s["timings_s"] = timer.to_json();
  s["n_clusters"] = count_clusters(res.labels);
  s["noise_fraction"] = 0.0;
  s["inertia"] = res.inertia;
  s["n_iter"] = res.n_iter;
  s["converged"] = res.converged;
  s["n_empty_reseeded"] = res.n_empty_reseeded;
  s["scores"] = scores_json(res.scores);

  report rep("clustr kmeans: " + d.source);
  rep.key_values({{"input", d.source + " (" + std::to_string(d.X.rows) + " x " + std::to_string(d.X.cols) + ", " +
                                d.X.dtype_name() + ")"},
                  {"backend", o.backend + " on " + device},
                  {"n_clusters", std::to_string(req.params.n_clusters)},
                  {"inertia", fmt(res.inertia, 6)},
                  {"iterations", std::to_string(res.n_iter) + (res.converged ? " (converged)" : " (max_iter reached)")},
                  {"time", "fit " + fmt(res.fit_seconds, 3) + " s, scores " + fmt(res.score_seconds, 3) + " s"},
                  {"silhouette", fmt(res.scores.silhouette) + " (" + std::to_string(res.scores.silhouette_sample) + " points)"},
                  {"Davies-Bouldin", fmt(res.scores.davies_bouldin)},
                  {"Calinski-Harabasz", fmt(res.scores.calinski_harabasz)},
                  {"ARI / AMI vs true labels", d.truth.empty() ? "no true labels" : fmt(res.scores.ari) + " / " + fmt(res.scores.ami)}});
  const auto labels = widen(res.labels);
  std::string axis;
  const auto [x, y] = view_2d(d.X, axis);
  rep.heading("Clusters");
  rep.figure(plot_clusters_2d(x, y, labels, "k-means clusters", axis + " 0", axis + " 1"),
             "The data (its first two " + axis + "s), coloured by cluster.");
  rep.figure(plot_cluster_sizes(labels));

  std::ostringstream msg;
  msg << "kmeans: " << d.X.rows << " x " << d.X.cols << ' ' << d.X.dtype_name() << ", k=" << req.params.n_clusters
      << " on " << o.backend << ": inertia " << fmt(res.inertia, 6) << ", " << res.n_iter << " iterations"
      << (res.converged ? "" : " (not converged)") << ", " << fmt(res.fit_seconds, 3) << " s\n";
  if (req.scores)
    msg << "  silhouette " << fmt(res.scores.silhouette) << "  Davies-Bouldin " << fmt(res.scores.davies_bouldin)
        << "  Calinski-Harabasz " << fmt(res.scores.calinski_harabasz) << '\n';
  if (!d.truth.empty()) msg << "  ARI " << fmt(res.scores.ari) << "  AMI " << fmt(res.scores.ami) << " against " << d.truth_source << '\n';
  say(o, msg.str());
  finish_outputs(o, out, s, &rep);
}

}  // namespace

command add_kmeans_command(CLI::App& app) {
  auto cfg = std::make_shared<kmeans_cli>();
  auto* sub = app.add_subcommand("kmeans", "k-means clustering -> labels.npy, centroids.npy");
  add_common_options(sub, cfg->common);
  sub->add_option("-n,--n-clusters", cfg->params.n_clusters, "number of clusters k")->capture_default_str();
  add_kmeans_options(sub, cfg->params, cfg->init);
  sub->add_option("--score-sample", cfg->score_sample, "points the silhouette is computed on (0: all)")
      ->capture_default_str();
  sub->add_flag("--no-scores", cfg->no_scores, "skip silhouette, Davies-Bouldin, Calinski-Harabasz");
  sub->add_flag("--distributed", cfg->distributed,
                std::string("under mpirun: each rank reads its rows ({rank} in --input: its own file; else its block "
                            "of rows), rank 0 writes the outputs (no scores, no report)") +
                    (mpi_compiled() ? "" : " [this clustr was built without MPI]"));
  return {sub, [cfg] { run_kmeans(*cfg); }};
}

}  // namespace clustr_cli
