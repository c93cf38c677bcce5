// `clustr sweep`: k-means for every k in [k-min, k-max] (step k-step) with
// inertia, silhouette, Davies-Bouldin and Calinski-Harabasz per k (and
// ARI/AMI when true labels are known) -> a table on stdout, sweep.csv,
// summary.json, report.html (inertia and scores against k).
#include <CLI/CLI.hpp>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "cmd_shared.hpp"
#include "commands.hpp"
#include "job_kmeans.hpp"
#include "progress.hpp"
#include "report.hpp"

namespace clustr_cli {

namespace {

struct sweep_cli {
  common_options common;
  clustr::kmeans::params params;
  std::string init = "k-means++";
  std::int64_t k_min = 2, k_max = 10, k_step = 1;
  std::int64_t score_sample = 2000;
};

void run_sweep(const sweep_cli& c) {
  const auto& o = c.common;
  const auto kind = chosen_backend(o);
  if (c.k_min < 1) fail("--k-min " + std::to_string(c.k_min) + ": must be >= 1", 2);
  if (c.k_max < c.k_min) fail("--k-max " + std::to_string(c.k_max) + ": must be >= --k-min " + std::to_string(c.k_min), 2);
  if (c.k_step < 1) fail("--k-step " + std::to_string(c.k_step) + ": must be >= 1", 2);
  stage_timer timer;
  const dataset d = timer.time("load", [&] { return load_dataset(o); });
  if (c.k_max > d.X.rows)
    fail("--k-max " + std::to_string(c.k_max) + ": more clusters than the " + std::to_string(d.X.rows) + " points");
  output_dir out(o.out);
  const auto bo = options_of(o);
  const std::string device = describe_device(kind, bo);

  std::vector<double> ks, inertia, sil, db, ch, ari, ami, secs, iters;
  progress_bar bar("sweep", progress_allowed(o.quiet));
  const double n_k = static_cast<double>((c.k_max - c.k_min) / c.k_step + 1);
  double fit_total = 0, score_total = 0;
  for (std::int64_t k = c.k_min; k <= c.k_max; k += c.k_step) {
    kmeans_request req;
    req.params = c.params;
    req.params.n_clusters = k;
    req.params.init = parse_init(c.init);
    req.params.seed = o.seed;
    req.score.sample = c.score_sample;
    req.score.seed = o.seed;
    const auto r = run_job<kmeans_job>(kind, bo, d, req);
    ks.push_back(static_cast<double>(k));
    inertia.push_back(r.inertia);
    sil.push_back(r.scores.silhouette);
    db.push_back(r.scores.davies_bouldin);
    ch.push_back(r.scores.calinski_harabasz);
    ari.push_back(r.scores.ari);
    ami.push_back(r.scores.ami);
    secs.push_back(r.fit_seconds + r.score_seconds);
    iters.push_back(static_cast<double>(r.n_iter));
    fit_total += r.fit_seconds;
    score_total += r.score_seconds;
    bar.update(static_cast<double>(ks.size()) / n_k);
  }
  bar.finish();
  timer.add("kmeans", fit_total);
  timer.add("scores", score_total);

  // Best k by silhouette (NaN-safe).
  std::size_t best = 0;
  for (std::size_t i = 0; i < ks.size(); ++i)
    if (std::isnan(sil[best]) || (!std::isnan(sil[i]) && sil[i] > sil[best])) best = i;

  const bool truth = !d.truth.empty();
  std::vector<std::string> header = {"k", "inertia", "silhouette", "davies_bouldin", "calinski_harabasz", "n_iter", "seconds"};
  if (truth) header.insert(header.end(), {"ari", "ami"});
  std::vector<std::vector<std::string>> rows;
  std::ostringstream csv, table;
  for (std::size_t j = 0; j < header.size(); ++j) csv << (j ? "," : "") << header[j];
  csv << '\n';
  char line[256];
  std::snprintf(line, sizeof line, "%5s %14s %11s %15s %18s %7s %9s%s\n", "k", "inertia", "silhouette", "Davies-Bouldin",
                "Calinski-Harabasz", "iters", "seconds", truth ? "       ARI       AMI" : "");
  table << line;
  for (std::size_t i = 0; i < ks.size(); ++i) {
    std::vector<std::string> r = {fmt(ks[i]), fmt(inertia[i], 8), fmt(sil[i]), fmt(db[i]), fmt(ch[i], 6), fmt(iters[i]),
                                  fmt(secs[i], 3)};
    if (truth) r.insert(r.end(), {fmt(ari[i]), fmt(ami[i])});
    // The CSV keeps every digit (shortest round-trip form); the table rounds.
    std::vector<double> raw = {ks[i], inertia[i], sil[i], db[i], ch[i], iters[i], secs[i]};
    if (truth) raw.insert(raw.end(), {ari[i], ami[i]});
    for (std::size_t j = 0; j < raw.size(); ++j) {
      char buf[32];
      const auto res = std::to_chars(buf, buf + sizeof buf, raw[j]);
      csv << (j ? "," : "") << std::string(buf, res.ptr);
    }
    csv << '\n';
    std::snprintf(line, sizeof line, "%5.0f %14.6g %11.4f %15.4f %18.6g %7.0f %9.3f", ks[i], inertia[i], sil[i], db[i], ch[i],
                  iters[i], secs[i]);
    table << line;
    if (truth) {
      std::snprintf(line, sizeof line, " %9.4f %9.4f", ari[i], ami[i]);
      table << line;
    }
    table << (i == best ? "  <- best silhouette\n" : "\n");
    rows.push_back(std::move(r));
  }
  out.write_text("sweep.csv", csv.str());

  json s = summary_header("sweep", o, d, device);
  json p = kmeans_params_json(c.params, c.init);
  p["n_clusters"] = nullptr;
  p["k_min"] = c.k_min;
  p["k_max"] = c.k_max;
  p["k_step"] = c.k_step;
  p["score_sample"] = c.score_sample;
  s["parameters"] = p;
  s["timings_s"] = timer.to_json();
  json per_k = json::object();
  per_k["k"] = ks;
  per_k["inertia"] = inertia;
  per_k["silhouette"] = sil;
  per_k["davies_bouldin"] = db;
  per_k["calinski_harabasz"] = ch;
  per_k["n_iter"] = iters;
  per_k["seconds"] = secs;
  if (truth) {
    per_k["ari"] = ari;
    per_k["ami"] = ami;
  }
  s["per_k"] = per_k;
  s["best_k_by_silhouette"] = static_cast<long long>(ks[best]);

  report rep("clustr sweep: " + d.source);
  rep.key_values({{"input", d.source + " (" + std::to_string(d.X.rows) + " x " + std::to_string(d.X.cols) + ", " +
                                d.X.dtype_name() + ")"},
                  {"backend", o.backend + " on " + device},
                  {"k", std::to_string(c.k_min) + " to " + std::to_string(c.k_max) + " step " + std::to_string(c.k_step)},
                  {"best k by silhouette", fmt(ks[best]) + " (silhouette " + fmt(sil[best]) + ")"},
                  {"time", "k-means " + fmt(fit_total, 3) + " s, scores " + fmt(score_total, 3) + " s"}});
  rep.heading("Scores against k");
  rep.figure(plot_inertia_vs_k(ks, inertia), "Within-cluster sum of squares; look for the elbow.");
  rep.figure(plot_scores_vs_k(ks, sil, db),
             (c.score_sample > 0 && c.score_sample < d.X.rows
                  ? "Silhouette on a Philox sample of " + std::to_string(c.score_sample) + " points."
                  : std::string("Silhouette on every point.")));
  rep.table(header, rows);

  say(o, "sweep: " + std::to_string(d.X.rows) + " x " + std::to_string(d.X.cols) + " " + d.X.dtype_name() + " on " +
             o.backend + "\n" + table.str());
  finish_outputs(o, out, s, &rep);
}

}  // namespace

command add_sweep_command(CLI::App& app) {
  auto cfg = std::make_shared<sweep_cli>();
  auto* sub = app.add_subcommand("sweep", "k-means over a range of k: inertia and scores per k");
  add_common_options(sub, cfg->common);
  sub->add_option("--k-min", cfg->k_min, "smallest k")->capture_default_str();
  sub->add_option("--k-max", cfg->k_max, "largest k")->capture_default_str();
  sub->add_option("--k-step", cfg->k_step, "step between ks")->capture_default_str();
  add_kmeans_options(sub, cfg->params, cfg->init);
  sub->add_option("--score-sample", cfg->score_sample, "points the silhouette is computed on (0: all)")
      ->capture_default_str();
  return {sub, [cfg] { run_sweep(*cfg); }};
}

}  // namespace clustr_cli
