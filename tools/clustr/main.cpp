// clustr: the command-line program. Parses with CLI11, runs the chosen
// subcommand, and turns every failure into one line on stderr and a non-zero
// exit status (2 for usage errors, 1 for bad data and run-time failures).

#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "backend.hpp"
#include "commands.hpp"

namespace {

/// Library messages start with "clustr: "; ours add "clustr: error: ".
std::string strip_prefix(std::string s) {
  if (s.rfind("clustr: ", 0) == 0) s = s.substr(8);
  for (auto& c : s)
    if (c == '\n') c = ' ';
  return s;
}

int error(const std::string& message, int code) {
  std::fprintf(stderr, "clustr: error: %s\n", strip_prefix(message).c_str());
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace clustr_cli;
  register_host_backends();
#ifdef CLUSTR_TOOL_CUDA
  register_cuda_backend();
#endif
#ifdef CLUSTR_TOOL_KOKKOS
  register_kokkos_backend();
#endif

  CLI::App app{"clustr: clustering and dimensionality reduction on CPU and GPU.\n"
               "Backends compiled in: " + compiled_names(), "clustr"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "clustr 0.1.0");
  // The program's one-line error format for parse errors too.
  app.failure_message([](const CLI::App*, const CLI::Error& e) { return std::string(e.what()) + "\n"; });

  std::vector<command> commands = {
      add_pipeline_command(app),
      add_umap_command(app),
      add_hdbscan_command(app),
      add_knn_command(app),
      add_kmeans_command(app),
      add_sweep_command(app),
      add_dbscan_command(app),
      add_bench_command(app),
  };

  // CLI11 reports an unknown subcommand as "a subcommand is required"; name it.
  if (argc > 1 && argv[1][0] != '-') {
    bool known = false;
    std::string names;
    for (const auto& c : commands) {
      known = known || c.app->get_name() == argv[1];
      names += (names.empty() ? "" : ", ") + c.app->get_name();
    }
    if (!known) return error(std::string("unknown subcommand '") + argv[1] + "' (" + names + "; see clustr --help)", 2);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string msg = e.what();
    if (msg.empty()) msg = e.get_name();
    if (msg.find("subcommand") != std::string::npos || msg.find("required") != std::string::npos)
      msg += " (see clustr --help)";
    return error(msg, 2);
  }

  try {
    for (auto& c : commands)
      if (c.app->parsed()) {
        c.run();
        return 0;
      }
  } catch (const cli_error& e) {
    // An empty message: already printed (--distributed: each rank prints its own line before MPI ends).
    if (std::string(e.what()).empty()) return e.code();
    return error(e.what(), e.code());
  } catch (const std::exception& e) {
    return error(e.what(), 1);
  }
  return error("no subcommand given (see clustr --help)", 2);
}
