// The options every subcommand shares, and finishing a run's outputs.
#include <CLI/CLI.hpp>

#include <iostream>

#include "commands.hpp"
#include "distributed.hpp"
#include "report.hpp"

namespace clustr_cli {

void add_common_options(CLI::App* sub, common_options& o) {
  sub->add_option("-i,--input", o.input,
                  "data: .npy (float32/float64, C order), .csv/.tsv/.txt, idx[.gz], or "
                  "fashion-mnist[:test|:train|:all]")
      ->required();
  sub->add_option("--labels", o.labels, "true labels (.npy or one-column .csv) for ARI/AMI");
  sub->add_option("-o,--out", o.out, "output directory (created; files appear only when the run succeeds)")
      ->capture_default_str();
  sub->add_option("--backend", o.backend, "serial | openmp | cuda | kokkos")->capture_default_str();
  sub->add_option("--seed", o.seed, "seed of every random draw")->capture_default_str();
  sub->add_option("--threads", o.threads, "OpenMP threads (0: OMP_NUM_THREADS or all cores)")->capture_default_str();
  sub->add_option("--device", o.device, "CUDA device")->capture_default_str();
  sub->add_option("--dtype", o.dtype, "compute in float32 or float64 (auto: the input's)")->capture_default_str();
  sub->add_flag("-q,--quiet", o.quiet, "no progress bars and no messages on stdout");
  sub->add_flag("--no-report", o.no_report, "do not write report.html");
}

void fail_without_mpi(const std::string& command) {
  fail(command + " --distributed: this clustr was built without MPI (rebuild with -DCLUSTR_ENABLE_MPI=ON and run it "
                 "under mpirun)",
       2);
}

backend_kind chosen_backend(const common_options& o) {
  const auto k = parse_backend(o.backend);
  require_compiled(k);
  return k;
}

backend_options options_of(const common_options& o) { return {o.threads, o.device}; }

void finish_outputs(const common_options& o, output_dir& out, const json& summary, const report* rep) {
  out.write_text("summary.json", summary.dump());
  if (rep && !o.no_report) out.write_text("report.html", rep->html());
  const auto files = out.commit();
  if (!o.quiet) {
    std::cout << "wrote";
    for (const auto& f : files) std::cout << ' ' << f;
    std::cout << '\n';
    if (rep && !o.no_report) std::cout << "report: " << out.dir() << "/report.html\n";
  }
}

}  // namespace clustr_cli
