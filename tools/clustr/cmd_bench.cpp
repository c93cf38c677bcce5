// `clustr bench`: one job on every compiled backend (or those listed), with
// the time of each and the agreement between backends: ARI of the k-means
// labels, and the fraction of identical neighbour indices for kNN, both
// against the first backend. -> table on stdout, summary.json, report.html.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>
#include <sstream>

#include "clustr/backend/serial.hpp"
#include "clustr/stats/partition.hpp"
#include "cmd_shared.hpp"
#include "commands.hpp"
#include "job_kmeans.hpp"
#include "job_knn.hpp"
#include "job_pipeline.hpp"
#include "progress.hpp"
#include "report.hpp"

namespace clustr_cli {

namespace {

struct bench_cli {
  common_options common;
  std::vector<std::string> jobs = {"kmeans", "knn"};
  std::vector<std::string> backends;  // empty: every compiled one
  int repeat = 1;
  clustr::kmeans::params params;
  std::string init = "k-means++";
  std::int64_t k = 15;
  std::string metric = "euclidean";
  pipeline_request pipeline;  ///< --job pipeline: UMAP -> HDBSCAN -> soft clustering
};

struct row {
  std::string job, backend, device;
  double seconds = 0, agreement = std::numeric_limits<double>::quiet_NaN();
  std::string agreement_kind;
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/// The first `rows` rows of d (a warm-up input: device context, allocator).
dataset head(const dataset& d, std::int64_t rows) {
  dataset h;
  h.source = d.source;
  h.X.rows = std::min(rows, d.X.rows);
  h.X.cols = d.X.cols;
  h.X.is_double = d.X.is_double;
  const auto n = static_cast<std::size_t>(h.X.rows * h.X.cols);
  if (d.X.is_double) h.X.d.assign(d.X.d.begin(), d.X.d.begin() + static_cast<std::ptrdiff_t>(n));
  else h.X.f.assign(d.X.f.begin(), d.X.f.begin() + static_cast<std::ptrdiff_t>(n));
  return h;
}

/// The best of `repeat` timed runs of `job` (into `best`); returns the last
/// run's result.
template <class Job>
typename Job::result time_best(int repeat, backend_kind kind, const backend_options& bo, const dataset& d,
                               const typename Job::request& req, double& best) {
  typename Job::result res;
  for (int t = 0; t < repeat; ++t) {
    const auto t0 = std::chrono::steady_clock::now();
    res = run_job<Job>(kind, bo, d, req);
    best = std::min(best, seconds_since(t0));
  }
  return res;
}

/// Agreement of a backend's labels with the first backend's: their ARI.
void label_agreement(std::size_t b, std::vector<std::int32_t>& ref_labels, const std::vector<std::int32_t>& labels,
                     row& r) {
  if (b == 0) ref_labels = labels;
  const auto n = static_cast<clustr::index_t>(labels.size());
  r.agreement = clustr::stats::adjusted_rand_score(
      clustr::serial{}, clustr::vector_view<const std::int32_t, clustr::host_space>(ref_labels.data(), n),
      clustr::vector_view<const std::int32_t, clustr::host_space>(labels.data(), n));
  r.agreement_kind = b == 0 ? "ARI (reference)" : "ARI";
}

void run_bench(const bench_cli& c) {
  const auto& o = c.common;
  std::vector<backend_kind> kinds;
  std::string skipped;
  if (c.backends.empty())
    for (auto k : compiled_backends()) {
      if (is_available(k)) kinds.push_back(k);
      else skipped += std::string(skipped.empty() ? "" : ", ") + name_of(k);
    }
  if (!skipped.empty()) say(o, "bench: skipping " + skipped + " (compiled in, but no device on this machine)\n");
  for (const auto& b : c.backends) {
    const auto k = parse_backend(b);
    require_compiled(k);
    kinds.push_back(k);
  }
  for (const auto& j : c.jobs)
    if (j != "kmeans" && j != "knn" && j != "pipeline") fail("--job " + j + ": unknown job (kmeans, knn, pipeline)", 2);
  if (c.repeat < 1) fail("--repeat must be >= 1", 2);
  stage_timer timer;
  const dataset d = timer.time("load", [&] { return load_dataset(o); });
  if (c.params.n_clusters > d.X.rows) fail("--n-clusters " + std::to_string(c.params.n_clusters) + ": more clusters than points");
  if (c.k > d.X.rows - 1) fail("--k " + std::to_string(c.k) + ": must be <= " + std::to_string(d.X.rows - 1));
  output_dir out(o.out);
  const auto bo = options_of(o);
  const dataset warm = head(d, 256);

  std::vector<row> rows;
  progress_bar bar("bench", progress_allowed(o.quiet));
  const double total = static_cast<double>(c.jobs.size() * kinds.size());
  for (const auto& job : c.jobs) {
    std::vector<std::int32_t> ref_labels;
    std::vector<std::int64_t> ref_idx;
    for (std::size_t b = 0; b < kinds.size(); ++b) {
      const auto kind = kinds[b];
      row r;
      r.job = job;
      r.backend = name_of(kind);
      r.device = describe_device(kind, bo);
      double best = std::numeric_limits<double>::infinity();
      if (job == "kmeans") {
        kmeans_request req;
        req.params = c.params;
        req.params.init = parse_init(c.init);
        req.params.seed = o.seed;
        req.scores = false;
        kmeans_request wreq = req;
        wreq.params.n_clusters = std::min<clustr::index_t>(req.params.n_clusters, warm.X.rows);
        (void)run_job<kmeans_job>(kind, bo, warm, wreq);  // warm-up, not timed
        const auto res = time_best<kmeans_job>(c.repeat, kind, bo, d, req, best);
        label_agreement(b, ref_labels, res.labels, r);
      } else if (job == "pipeline") {
        pipeline_request req = c.pipeline;
        req.seed = o.seed;
        req.score.seed = o.seed;
        req.scores = false;
        knn_request wreq;  // a small job brings the device up (context, allocator)
        wreq.k = std::min<std::int64_t>(5, warm.X.rows - 1);
        if (wreq.k >= 1) (void)run_job<knn_job>(kind, bo, warm, wreq);
        const auto res = time_best<pipeline_job>(c.repeat, kind, bo, d, req, best);
        label_agreement(b, ref_labels, res.labels, r);
        std::string stages;
        for (const auto& [stage, sec] : res.seconds) stages += (stages.empty() ? "" : ", ") + stage + " " + fmt(sec, 3) + " s";
        r.device += " [" + stages + "; " + std::to_string(res.n_clusters) + " clusters]";
      } else {
        knn_request req;
        req.k = c.k;
        req.metric = c.metric;
        knn_request wreq = req;
        wreq.k = std::min<std::int64_t>(req.k, warm.X.rows - 1);
        if (wreq.k >= 1) (void)run_job<knn_job>(kind, bo, warm, wreq);
        const auto res = time_best<knn_job>(c.repeat, kind, bo, d, req, best);
        if (b == 0) ref_idx = res.indices;
        std::size_t same = 0;
        for (std::size_t i = 0; i < ref_idx.size(); ++i) same += ref_idx[i] == res.indices[i];
        r.agreement = ref_idx.empty() ? 1.0 : static_cast<double>(same) / static_cast<double>(ref_idx.size());
        r.agreement_kind = b == 0 ? "same indices (reference)" : "same indices";
      }
      r.seconds = best;
      rows.push_back(r);
      bar.update(static_cast<double>(rows.size()) / total);
    }
  }
  bar.finish();
  if (rows.empty()) fail("nothing to run");

  std::ostringstream table;
  char line[256];
  std::snprintf(line, sizeof line, "%-8s %-8s %10s %10s %12s  %s\n", "job", "backend", "seconds", "speedup", "agreement", "device");
  table << line;
  json jrows = json::array();
  std::vector<std::vector<std::string>> trows;
  for (const auto& r : rows) {
    double base = r.seconds;
    for (const auto& q : rows)
      if (q.job == r.job) {
        base = q.seconds;
        break;
      }
    std::snprintf(line, sizeof line, "%-8s %-8s %10.4f %9.2fx %12.6f  %s\n", r.job.c_str(), r.backend.c_str(), r.seconds,
                  base / r.seconds, r.agreement, r.device.c_str());
    table << line;
    json j = json::object();
    j["job"] = r.job;
    j["backend"] = r.backend;
    j["device"] = r.device;
    j["seconds"] = r.seconds;
    j["speedup_vs_first"] = base / r.seconds;
    j["agreement"] = r.agreement;
    j["agreement_measure"] = r.job == "knn" ? "fraction of identical neighbour indices vs the first backend"
                                            : "adjusted Rand index of labels vs the first backend";
    jrows.push_back(j);
    trows.push_back({r.job, r.backend, fmt(r.seconds, 4), fmt(base / r.seconds, 3) + "x", fmt(r.agreement, 6), r.device});
  }

  json s = summary_header("bench", o, d, "several (see results)");
  s["backend"] = nullptr;
  json p = json::object();
  p["jobs"] = c.jobs;
  p["repeat"] = c.repeat;
  p["kmeans"] = kmeans_params_json(c.params, c.init);
  p["knn_k"] = c.k;
  p["knn_metric"] = c.metric;
  s["parameters"] = p;
  s["results"] = jrows;
  s["timings_s"] = timer.to_json();

  report rep("clustr bench: " + d.source);
  rep.key_values({{"input", d.source + " (" + std::to_string(d.X.rows) + " x " + std::to_string(d.X.cols) + ", " +
                                d.X.dtype_name() + ")"},
                  {"repeat", std::to_string(c.repeat) + " (best time kept, after one untimed warm-up on 256 rows)"}});
  rep.table({"job", "backend", "seconds", "speedup", "agreement", "device"}, trows);
  for (const auto& job : c.jobs) {
    std::vector<std::string> names;
    std::vector<double> t;
    for (const auto& r : rows)
      if (r.job == job) names.push_back(r.backend), t.push_back(r.seconds);
    rep.figure(plot_times(names, t, job + ": seconds per backend"));
  }

  say(o, "bench: " + std::to_string(d.X.rows) + " x " + std::to_string(d.X.cols) + " " + d.X.dtype_name() + "\n" + table.str());
  finish_outputs(o, out, s, &rep);
}

}  // namespace

command add_bench_command(CLI::App& app) {
  auto cfg = std::make_shared<bench_cli>();
  auto* sub = app.add_subcommand("bench", "time one job on every compiled backend, with agreement between them");
  add_common_options(sub, cfg->common);
  sub->add_option("--job", cfg->jobs, "kmeans, knn and/or pipeline (UMAP -> HDBSCAN -> soft clustering)")
      ->capture_default_str();
  sub->add_option("--backends", cfg->backends, "backends to compare (default: every compiled one)")->delimiter(',');
  sub->add_option("--repeat", cfg->repeat, "timed runs per backend (best kept)")->capture_default_str();
  sub->add_option("-n,--n-clusters", cfg->params.n_clusters, "k-means clusters")->capture_default_str();
  add_kmeans_options(sub, cfg->params, cfg->init);
  sub->add_option("-k,--k", cfg->k, "kNN neighbours")->capture_default_str();
  sub->add_option("--metric", cfg->metric, "kNN metric")->capture_default_str();
  sub->add_option("--n-components", cfg->pipeline.n_components, "pipeline: UMAP dimension")->capture_default_str();
  sub->add_option("--min-cluster-size", cfg->pipeline.min_cluster_size, "pipeline: HDBSCAN min_cluster_size")
      ->capture_default_str();
  sub->add_flag("--deterministic", cfg->pipeline.deterministic, "pipeline: UMAP's deterministic SGD (comparable labels)");
  return {sub, [cfg] { run_bench(*cfg); }};
}

}  // namespace clustr_cli
