// Catch2 main for the Kokkos backend tests: Kokkos is initialised around the
// whole session (Kokkos::ScopeGuard), as clustr requires of its users. Kokkos'
// own flags (--kokkos-num-threads=4, ...) are consumed before Catch2 sees argv.
#include <Kokkos_Core.hpp>

#if __has_include(<catch2/catch_session.hpp>)  // Catch2 v3
#include <catch2/catch_session.hpp>
#else  // Catch2 v2
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#endif

int main(int argc, char* argv[]) {
  Kokkos::ScopeGuard guard(argc, argv);
  return Catch::Session().run(argc, argv);
}
