// `clustr knn`: the kNN graph of the input -> indices.npy (int64, n x k),
// distances.npy (n x k, the input's dtype), summary.json, report.html with
// the k-distance curve and its knee (a suggested DBSCAN eps).
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "clustr/neighbors/k_distance.hpp"
#include "commands.hpp"
#include "distributed.hpp"
#include "job_knn.hpp"
#include "progress.hpp"
#include "report.hpp"

namespace clustr_cli {

namespace {

struct knn_cli {
  common_options common;
  knn_request req;
  bool distributed = false;
};

void run_knn(const knn_cli& c) {
  const auto& o = c.common;
  if (c.distributed) {
#ifdef CLUSTR_TOOL_MPI
    return run_knn_distributed(o, c.req);
#else
    fail_without_mpi("knn");
#endif
  }
  const auto kind = chosen_backend(o);
  clustr::metric::parse_kind(c.req.metric);  // a bad name fails before any work
  if (c.req.k < 1) fail("--k " + std::to_string(c.req.k) + ": must be >= 1", 2);
  stage_timer timer;
  const dataset d = timer.time("load", [&] { return load_dataset(o); });
  const std::int64_t most = c.req.include_self ? d.X.rows : d.X.rows - 1;
  if (c.req.k > most)
    fail("--k " + std::to_string(c.req.k) + ": must be <= " + std::to_string(most) + " for " + std::to_string(d.X.rows) +
         " points" + (c.req.include_self ? "" : " (each point's neighbours exclude itself)"));
  output_dir out(o.out);
  const auto bo = options_of(o);
  const std::string device = describe_device(kind, bo);

  knn_request req = c.req;
  req.seed = o.seed;
  progress_bar bar("knn", progress_allowed(o.quiet));
  req.progress = bar.callback();
  const auto res = timer.time("knn", [&] { return run_job<knn_job>(kind, bo, d, req); });
  bar.finish();

  // The k-distance curve: each point's distance to its k-th neighbour.
  std::vector<double> kdist(static_cast<std::size_t>(d.X.rows));
  for (std::int64_t i = 0; i < d.X.rows; ++i) kdist[static_cast<std::size_t>(i)] = res.distances.at(i, res.k - 1);
  std::sort(kdist.begin(), kdist.end());
  const auto knee = clustr::knn::knee_of_sorted_curve(kdist);
  const double eps = kdist.empty() ? 0 : kdist[static_cast<std::size_t>(knee)];
  double mean = 0;
  for (double v : kdist) mean += v;
  mean /= std::max<double>(1, static_cast<double>(kdist.size()));

  out.write_npy("indices.npy", res.indices.data(), {d.X.rows, res.k});
  out.write_npy("distances.npy", res.distances);

  json s = summary_header("knn", o, d, device);
  json p = json::object();
  p["k"] = res.k;
  p["metric"] = req.metric;
  if (req.metric == "minkowski") p["p"] = req.p;
  p["algorithm"] = req.algorithm;
  p["include_self"] = req.include_self;
  p["batch_size"] = req.batch_size;
  s["parameters"] = p;
  s["exact"] = res.exact;
  s["timings_s"] = timer.to_json();
  json kd = json::object();
  kd["mean_kth_distance"] = mean;
  kd["median_kth_distance"] = kdist[kdist.size() / 2];
  kd["knee_index"] = knee;
  kd["suggested_eps"] = eps;
  s["k_distance"] = kd;

  report rep("clustr knn: " + d.source);
  rep.key_values({{"input", d.source + " (" + std::to_string(d.X.rows) + " x " + std::to_string(d.X.cols) + ", " +
                                d.X.dtype_name() + ")"},
                  {"backend", o.backend + " on " + device},
                  {"k", std::to_string(res.k) + (req.include_self ? " (including self)" : "")},
                  {"metric", req.metric},
                  {"search", res.exact ? "exact" : "approximate (NN-descent)"},
                  {"time", fmt(timer.total(), 3) + " s (kNN " + fmt(timer.stages().back().second, 3) + " s)"},
                  {"suggested DBSCAN eps (knee)", fmt(eps)}});
  rep.heading("k-distance curve");
  rep.figure(plot_k_distance(kdist, static_cast<int>(res.k), eps, "knee"),
             "Every point's distance to its k-th neighbour, sorted. The knee (farthest point from the chord, "
             "kneedle) is a usual choice of DBSCAN's eps with min_samples = k + 1.");

  std::ostringstream msg;
  msg << "knn: " << d.X.rows << " x " << d.X.cols << ' ' << d.X.dtype_name() << ", k=" << res.k << ", " << req.metric
      << " on " << o.backend << " in " << fmt(timer.stages().back().second, 3) << " s; suggested eps (knee) "
      << fmt(eps) << '\n';
  say(o, msg.str());
  finish_outputs(o, out, s, &rep);
}

}  // namespace

command add_knn_command(CLI::App& app) {
  auto cfg = std::make_shared<knn_cli>();
  auto* sub = app.add_subcommand("knn", "k nearest neighbours of every point -> indices.npy, distances.npy");
  add_common_options(sub, cfg->common);
  sub->add_option("-k,--k", cfg->req.k, "neighbours per point")->capture_default_str();
  sub->add_option("--metric", cfg->req.metric,
                  "euclidean | sqeuclidean | cosine | manhattan | chebyshev | minkowski | inner_product")
      ->capture_default_str();
  sub->add_option("--p", cfg->req.p, "Minkowski's p")->capture_default_str();
  sub->add_option("--algorithm", cfg->req.algorithm, "exact | nn_descent | auto")
      ->check(CLI::IsMember({"exact", "nn_descent", "nn-descent", "auto"}))
      ->capture_default_str();
  sub->add_flag("--include-self", cfg->req.include_self, "each point is its own first neighbour");
  sub->add_option("--batch-size", cfg->req.batch_size, "queries per batch (bounds memory)")->capture_default_str();
  sub->add_flag("--distributed", cfg->distributed,
                std::string("under mpirun: exact graph of every rank's rows ({rank} in --input: its own file; else its "
                            "block of rows), gathered to rank 0 (no report)") +
                    (mpi_compiled() ? "" : " [this clustr was built without MPI]"));
  return {sub, [cfg] { run_knn(*cfg); }};
}

}  // namespace clustr_cli
