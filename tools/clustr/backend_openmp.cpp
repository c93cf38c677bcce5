// The OpenMP backend's jobs (the program is always built with OpenMP).
#include <string>
#include <thread>

#include "backend_register.hpp"
#include "clustr/backend/openmp.hpp"

namespace clustr_cli {

std::string cpu_model();
void register_serial_backend();

namespace {

struct make_openmp {
  clustr::openmp operator()(const backend_options& o) const { return clustr::openmp{o.threads}; }
};

std::string describe_openmp(const backend_options& o) {
  return cpu_model() + ", " + std::to_string(clustr::openmp{o.threads}.thread_count()) + " OpenMP threads (" +
         std::to_string(std::thread::hardware_concurrency()) + " hardware threads)";
}

}  // namespace

void register_host_backends() {
  register_serial_backend();
  register_jobs<clustr::openmp, make_openmp>(backend_kind::openmp, &describe_openmp);
}

}  // namespace clustr_cli
