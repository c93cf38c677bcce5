#pragma once
// The one place that lists every job: included by each backend translation
// unit (a .cpp for the host backends and Kokkos, a .cu for CUDA) so that the
// same job source is compiled for every backend. A new subcommand adds its
// job header and one line in register_jobs().

#include "backend.hpp"
#include "job_dbscan.hpp"
#include "job_kmeans.hpp"
#include "job_knn.hpp"
#include "job_pipeline.hpp"

namespace clustr_cli {

/// Job::run on a Backend made by Make from the options.
template <class Job, class Backend, class Make>
typename Job::result run_on(const backend_options& o, const dataset& d, const typename Job::request& r) {
  const Backend be = Make{}(o);
  return Job::template run<Backend>(be, d, r);
}

template <class Backend, class Make>
void register_jobs(backend_kind k, std::string (*describe)(const backend_options&), bool (*available)() = nullptr) {
  backend_table(k) = {true, describe, available};
  job_slot<knn_job>(k) = &run_on<knn_job, Backend, Make>;
  job_slot<kmeans_job>(k) = &run_on<kmeans_job, Backend, Make>;
  job_slot<dbscan_job>(k) = &run_on<dbscan_job, Backend, Make>;
  job_slot<pipeline_job>(k) = &run_on<pipeline_job, Backend, Make>;
}

}  // namespace clustr_cli
