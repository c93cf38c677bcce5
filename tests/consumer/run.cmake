# cmake -DCLUSTR_BINARY_DIR=... -DCLUSTR_CONSUMER_SOURCE=... -DCLUSTR_CONSUMER_WORK=...
#       [-DCLUSTR_CONSUMER_COMPONENTS=a,b] [-DCLUSTR_CONSUMER_CXX=...] [-DCLUSTR_CONSUMER_GENERATOR=...]
#       [-DKokkos_DIR=...] [-DCUDAToolkit_ROOT=...] -P run.cmake
# Install, configure the downstream project twice (every component required;
# no component named, which loads those whose dependencies are found), build
# the first and run it. Any failing step fails the test.
cmake_minimum_required(VERSION 3.24)
foreach(v CLUSTR_BINARY_DIR CLUSTR_CONSUMER_SOURCE CLUSTR_CONSUMER_WORK)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "run.cmake: -D${v}=... is required")
  endif()
endforeach()

set(work ${CLUSTR_CONSUMER_WORK})
set(prefix ${work}/prefix)
file(REMOVE_RECURSE ${work})

function(step what)
  message(STATUS "consumer: ${what}")
  if(what MATCHES "^install")
    set(quiet OUTPUT_QUIET)  # one line per header
  endif()
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc ${quiet})
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "consumer: '${what}' failed (${rc})")
  endif()
endfunction()

step("install clustr to ${prefix}" ${CMAKE_COMMAND} --install ${CLUSTR_BINARY_DIR} --prefix ${prefix})

set(common -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=${prefix})
if(CLUSTR_CONSUMER_GENERATOR)
  list(APPEND common -G ${CLUSTR_CONSUMER_GENERATOR})
endif()
if(CLUSTR_CONSUMER_CXX)
  list(APPEND common -DCMAKE_CXX_COMPILER=${CLUSTR_CONSUMER_CXX})
endif()
foreach(v Kokkos_DIR CUDAToolkit_ROOT)
  if(${v})
    list(APPEND common -D${v}=${${v}})
  endif()
endforeach()

if(NOT CLUSTR_CONSUMER_COMPONENTS)
  set(CLUSTR_CONSUMER_COMPONENTS openmp)
endif()

step("configure with COMPONENTS ${CLUSTR_CONSUMER_COMPONENTS}"
     ${CMAKE_COMMAND} -S ${CLUSTR_CONSUMER_SOURCE} -B ${work}/build ${common}
     -DCLUSTR_CONSUMER_COMPONENTS=${CLUSTR_CONSUMER_COMPONENTS})
step("configure with no COMPONENTS"
     ${CMAKE_COMMAND} -S ${CLUSTR_CONSUMER_SOURCE} -B ${work}/build-none ${common} "-DCLUSTR_CONSUMER_COMPONENTS=")
step("build" ${CMAKE_COMMAND} --build ${work}/build)
step("run" ${work}/build/consumer)
