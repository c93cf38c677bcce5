# Included from tests/CMakeLists.txt: the ctest "clustr_consumer" (label
# consumer) installs this build to a scratch prefix, configures tests/consumer
# against it with find_package(clustr CONFIG REQUIRED COMPONENTS <every
# component this build has>), builds it and runs it.
set(_clustr_consumer_args
  -DCLUSTR_BINARY_DIR=${PROJECT_BINARY_DIR}
  -DCLUSTR_CONSUMER_SOURCE=${CMAKE_CURRENT_LIST_DIR}
  -DCLUSTR_CONSUMER_WORK=${PROJECT_BINARY_DIR}/consumer-check
  -DCLUSTR_CONSUMER_GENERATOR=${CMAKE_GENERATOR}
  -DCLUSTR_CONSUMER_CXX=${CMAKE_CXX_COMPILER})
# Lists travel comma-separated: add_test would split them at ';'.
string(REPLACE ";" "," _clustr_consumer_components "${CLUSTR_COMPONENTS}")
list(APPEND _clustr_consumer_args -DCLUSTR_CONSUMER_COMPONENTS=${_clustr_consumer_components})
if(Kokkos_DIR)
  list(APPEND _clustr_consumer_args -DKokkos_DIR=${Kokkos_DIR})
endif()
if(CUDAToolkit_BIN_DIR)
  list(APPEND _clustr_consumer_args -DCUDAToolkit_ROOT=${CUDAToolkit_BIN_DIR}/..)
endif()
add_test(NAME clustr_consumer
  COMMAND ${CMAKE_COMMAND} ${_clustr_consumer_args} -P ${CMAKE_CURRENT_LIST_DIR}/run.cmake)
set_tests_properties(clustr_consumer PROPERTIES LABELS consumer TIMEOUT 600)
