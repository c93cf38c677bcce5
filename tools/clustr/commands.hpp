#pragma once
// The subcommands. Each command file (cmd_<name>.cpp) adds its CLI11
// subcommand with add_<name>_command and returns the action main runs when
// that subcommand was chosen. A new subcommand: one cmd_<name>.cpp, a job
// header if it runs library code, one line in main.cpp's command list and one
// in backend_register.hpp.

#include <functional>
#include <string>

#include "backend.hpp"
#include "common.hpp"

namespace CLI {
class App;
}

namespace clustr_cli {

struct command {
  CLI::App* app = nullptr;
  std::function<void()> run;
};

/// Adds --input, --labels, --out, --backend, --seed, --quiet, --threads,
/// --device, --dtype and --no-report to a subcommand.
void add_common_options(CLI::App* sub, common_options& o);

/// The backend chosen by --backend, checked to be compiled in.
backend_kind chosen_backend(const common_options& o);
backend_options options_of(const common_options& o);

/// Writes summary.json and (unless --no-report) report.html, commits the
/// output directory and prints where the files are.
class report;
void finish_outputs(const common_options& o, output_dir& out, const json& summary, const report* rep);

command add_knn_command(CLI::App& app);
command add_kmeans_command(CLI::App& app);
command add_sweep_command(CLI::App& app);
command add_bench_command(CLI::App& app);
command add_dbscan_command(CLI::App& app);
command add_hdbscan_command(CLI::App& app);
command add_umap_command(CLI::App& app);
command add_pipeline_command(CLI::App& app);

}  // namespace clustr_cli
