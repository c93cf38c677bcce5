#pragma once
// `--distributed` runs of the clustr program (MPI). Light header: the command
// files call these without seeing MPI; distributed.cpp, compiled only when
// the program is built with MPI (CLUSTR_TOOL_MPI), defines them.
//
// Under `mpirun -np N clustr <cmd> --distributed --input X ...` every rank
// reads its own rows: an --input containing "{rank}" names one file per rank
// (part{rank}.npy -> part0.npy, part1.npy, ...); any other --input is one
// file of which rank r reads rows [r*n/N, (r+1)*n/N). Rank 0 writes the
// outputs (the other ranks' labels gathered in rank order).

#include <cstdint>
#include <string>

#include "clustr/cluster/kmeans_types.hpp"
#include "common.hpp"

namespace clustr_cli {

struct knn_request;  // job_knn.hpp

/// Whether this program was built with MPI (the --distributed runs).
constexpr bool mpi_compiled() {
#ifdef CLUSTR_TOOL_MPI
  return true;
#else
  return false;
#endif
}

/// Fails with the one-line "built without MPI" error (exit status 2).
[[noreturn]] void fail_without_mpi(const std::string& command);

#ifdef CLUSTR_TOOL_MPI
/// `clustr kmeans --distributed`: clustr::distributed::kmeans::fit on the
/// serial or OpenMP backend. `params.init` and `params.seed` already set.
void run_kmeans_distributed(const common_options& o, const clustr::kmeans::params& params, const std::string& init_name);

/// `clustr knn --distributed`: the exact kNN graph of the concatenated rows
/// (clustr::distributed::knn::graph), gathered to rank 0.
void run_knn_distributed(const common_options& o, const knn_request& req);
#endif

}  // namespace clustr_cli
