# Install the headers, the INTERFACE targets and a package config so that
#   find_package(clustr CONFIG [COMPONENTS openmp cuda kokkos mpi])
# works downstream. The core target goes to clustr-targets.cmake; each backend
# component to its own clustr-<component>-targets.cmake, which clustrConfig
# loads only when that component is asked for (or, when none is named, when its
# dependency is found). A consumer that wants only OpenMP therefore never needs
# CUDA, Kokkos or MPI to be findable.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(CLUSTR_INSTALL_CMAKEDIR ${CMAKE_INSTALL_DATADIR}/cmake/clustr
    CACHE STRING "Where clustrConfig.cmake is installed (relative to the prefix)")

install(DIRECTORY include/clustr DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

install(TARGETS clustr EXPORT clustr-targets)
install(EXPORT clustr-targets NAMESPACE clustr:: DESTINATION ${CLUSTR_INSTALL_CMAKEDIR})

foreach(c IN LISTS CLUSTR_COMPONENTS)
  install(TARGETS clustr_${c} EXPORT clustr-${c}-targets)
  install(EXPORT clustr-${c}-targets NAMESPACE clustr:: DESTINATION ${CLUSTR_INSTALL_CMAKEDIR})
endforeach()

# Where the dependencies were found at build time: hints only (searched after
# the consumer's own Kokkos_ROOT / CMAKE_PREFIX_PATH), so an install stays usable
# on a machine where they live elsewhere.
set(CLUSTR_KOKKOS_DIR_HINT "")
if(Kokkos_DIR)
  set(CLUSTR_KOKKOS_DIR_HINT "${Kokkos_DIR}")
endif()

configure_package_config_file(cmake/clustrConfig.cmake.in
  ${PROJECT_BINARY_DIR}/clustrConfig.cmake INSTALL_DESTINATION ${CLUSTR_INSTALL_CMAKEDIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/clustrConfigVersion.cmake
  COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
install(FILES ${PROJECT_BINARY_DIR}/clustrConfig.cmake ${PROJECT_BINARY_DIR}/clustrConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/clustrCudaStd.cmake DESTINATION ${CLUSTR_INSTALL_CMAKEDIR})
