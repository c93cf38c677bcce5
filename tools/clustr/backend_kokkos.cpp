// The Kokkos backend's jobs on Kokkos' default execution space (built only
// when CLUSTR_ENABLE_KOKKOS is on). Kokkos is initialised on first use and
// finalised at exit; jobs return host data, so no Kokkos array outlives it.
#include <Kokkos_Core.hpp>

#include <cstdlib>
#include <string>

#include "backend_register.hpp"
#include "clustr/backend/kokkos.hpp"

namespace clustr_cli {

namespace {

using space = Kokkos::DefaultExecutionSpace;

struct make_kokkos {
  clustr::kokkos<space> operator()(const backend_options& o) const {
    if (!Kokkos::is_initialized()) {
      Kokkos::InitializationSettings s;
      if (o.threads > 0) s.set_num_threads(o.threads);
      s.set_disable_warnings(true);
      Kokkos::initialize(s);
      std::atexit([] { Kokkos::finalize(); });
    }
    return clustr::kokkos<space>{space{}};
  }
};

std::string describe_kokkos(const backend_options&) {
  std::string s = "Kokkos ";
  s += space::name();
  s += " execution space";
  return s;
}

}  // namespace

void register_kokkos_backend() {
  register_jobs<clustr::kokkos<space>, make_kokkos>(backend_kind::kokkos, &describe_kokkos);
}

}  // namespace clustr_cli
