#pragma once
// Which backends this program was built with, and the run-time dispatch of a
// job to one of them. A job is a struct with `request` and `result` types and
// `template <class Backend> static result run(const Backend&, const dataset&,
// const request&)`; each backend's translation unit (backend_host.cpp,
// backend_cuda.cu, backend_kokkos.cpp) instantiates every job through
// backend_register.hpp and fills the table below. Light header: no clustr
// algorithm code, so command files compile fast.

#include <string>
#include <vector>

#include "common.hpp"

namespace clustr_cli {

enum class backend_kind { serial = 0, openmp = 1, cuda = 2, kokkos = 3 };
inline constexpr int n_backend_kinds = 4;

/// How the backend object is made.
struct backend_options {
  int threads = 0;  ///< OpenMP threads (0: OMP_NUM_THREADS or all cores)
  int device = 0;   ///< CUDA device
};

const char* name_of(backend_kind k);
/// Parses --backend; unknown names end the program (cli_error).
backend_kind parse_backend(const std::string& name);
/// Ends the program when `k` was not compiled in, naming the ones that were.
void require_compiled(backend_kind k);
bool is_compiled(backend_kind k);
std::vector<backend_kind> compiled_backends();
/// "serial, openmp, ..." of the compiled backends.
std::string compiled_names();
/// One line about the device a backend runs on (CPU model and threads, GPU name).
std::string describe_device(backend_kind k, const backend_options& o);

/// The per-backend entry points, filled by the register_* functions.
struct backend_entry {
  bool present = false;
  std::string (*describe)(const backend_options&) = nullptr;
  /// Whether it can run here (a CUDA build on a machine without a GPU cannot).
  bool (*available)() = nullptr;
};

/// Compiled in and able to run on this machine.
bool is_available(backend_kind k);
backend_entry& backend_table(backend_kind k);

template <class Job>
using job_fn = typename Job::result (*)(const backend_options&, const dataset&, const typename Job::request&);

/// The slot of Job on backend k (one table per job type, shared by all TUs).
template <class Job>
job_fn<Job>& job_slot(backend_kind k) {
  static job_fn<Job> table[n_backend_kinds] = {};
  return table[static_cast<int>(k)];
}

/// Runs Job on backend k (which must be compiled in).
template <class Job>
typename Job::result run_job(backend_kind k, const backend_options& o, const dataset& d, const typename Job::request& r) {
  require_compiled(k);
  auto fn = job_slot<Job>(k);
  if (!fn) fail(std::string("the ") + Job::name + " job is not available on backend " + name_of(k));
  return fn(o, d, r);
}

// Called once by main for each backend compiled in.
void register_host_backends();
void register_cuda_backend();
void register_kokkos_backend();

}  // namespace clustr_cli
