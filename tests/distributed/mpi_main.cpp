// Catch2 main for the distributed tests: MPI is initialised around the whole
// session; every rank runs every test case (each is collective).
#include <mpi.h>

#if __has_include(<catch2/catch_session.hpp>)  // Catch2 v3
#include <catch2/catch_session.hpp>
#else  // Catch2 v2
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#endif

int main(int argc, char* argv[]) {
  MPI_Init(&argc, &argv);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  Catch::Session session;
  // Only rank 0 prints the summary of passing runs; failures print everywhere.
  int rc = session.applyCommandLine(argc, argv);
  if (rc == 0) rc = session.run();
  int worst = 0;
  MPI_Allreduce(&rc, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  MPI_Finalize();
  return worst;
}
