# Install the headers, the INTERFACE targets and a package config so that
# find_package(clustr CONFIG COMPONENTS openmp cuda kokkos mpi) works downstream.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(_clustr_targets clustr)
foreach(c IN LISTS CLUSTR_COMPONENTS)
  list(APPEND _clustr_targets clustr_${c})
endforeach()

install(DIRECTORY include/clustr DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS ${_clustr_targets} EXPORT clustrTargets)
set(CLUSTR_INSTALL_CMAKEDIR ${CMAKE_INSTALL_DATADIR}/cmake/clustr)
install(EXPORT clustrTargets NAMESPACE clustr:: DESTINATION ${CLUSTR_INSTALL_CMAKEDIR})
configure_package_config_file(cmake/clustrConfig.cmake.in
  ${PROJECT_BINARY_DIR}/clustrConfig.cmake INSTALL_DESTINATION ${CLUSTR_INSTALL_CMAKEDIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/clustrConfigVersion.cmake
  COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
install(FILES ${PROJECT_BINARY_DIR}/clustrConfig.cmake ${PROJECT_BINARY_DIR}/clustrConfigVersion.cmake
  DESTINATION ${CLUSTR_INSTALL_CMAKEDIR})
