# Options. AUTO means "on when the dependency is found".
include(CheckLanguage)

set(CLUSTR_ENABLE_OPENMP AUTO CACHE STRING "OpenMP backend (ON/OFF/AUTO)")
set(CLUSTR_ENABLE_CUDA AUTO CACHE STRING "CUDA backend; needs nvcc (ON/OFF/AUTO)")
set(CLUSTR_ENABLE_KOKKOS AUTO CACHE STRING "Kokkos backend; needs Kokkos_ROOT (ON/OFF/AUTO)")
set(CLUSTR_ENABLE_MPI AUTO CACHE STRING "MPI/NCCL distributed component (ON/OFF/AUTO)")

string(COMPARE EQUAL "${CMAKE_SOURCE_DIR}" "${PROJECT_SOURCE_DIR}" _clustr_top_level)
option(CLUSTR_BUILD_TESTS "Build the tests" ${_clustr_top_level})
option(CLUSTR_BUILD_EXAMPLES "Build the examples" ${_clustr_top_level})
option(CLUSTR_BUILD_BENCHMARKS "Build the benchmarks (Google Benchmark)" OFF)
option(CLUSTR_BUILD_TOOLS "Build the clustr command-line program (tools/)" ${_clustr_top_level})
option(CLUSTR_WARNINGS_AS_ERRORS "Treat warnings as errors in clustr's own targets" OFF)
set(CLUSTR_SANITIZE "" CACHE STRING "Sanitizers for tests and examples, e.g. address,undefined")

if(CLUSTR_ENABLE_OPENMP STREQUAL "AUTO")
  find_package(OpenMP QUIET COMPONENTS CXX)
  set(CLUSTR_ENABLE_OPENMP ${OpenMP_CXX_FOUND})
endif()

if(CLUSTR_ENABLE_CUDA STREQUAL "AUTO")
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    set(CLUSTR_ENABLE_CUDA ON)
  else()
    set(CLUSTR_ENABLE_CUDA OFF)
  endif()
endif()
if(CLUSTR_ENABLE_CUDA)
  if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
    # A100 and H100/H200: users run on both.
    set(CMAKE_CUDA_ARCHITECTURES 80 90)
  endif()
  # The language is enabled here, before CMAKE_CUDA_STANDARD is set, because
  # CMake 3.25 (Debian 12) does not know nvcc's C++20 flag: with the standard
  # set first, its compiler check fails. We tell it the flag instead.
  enable_language(CUDA)
  include(${CMAKE_CURRENT_LIST_DIR}/clustrCudaStd.cmake)
  set(CMAKE_CUDA_STANDARD 20)
  set(CMAKE_CUDA_STANDARD_REQUIRED ON)
  set(CMAKE_CUDA_EXTENSIONS OFF)
endif()

if(CLUSTR_ENABLE_KOKKOS STREQUAL "AUTO")
  find_package(Kokkos 4 QUIET)
  set(CLUSTR_ENABLE_KOKKOS ${Kokkos_FOUND})
endif()

if(CLUSTR_ENABLE_MPI STREQUAL "AUTO")
  find_package(MPI QUIET COMPONENTS CXX)
  set(CLUSTR_ENABLE_MPI ${MPI_CXX_FOUND})
endif()
