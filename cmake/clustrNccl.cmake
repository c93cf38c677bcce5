# NCCL for clustr/distributed/nccl_communicator.cuh (device buffers between
# GPUs). NCCL comes with the CUDA toolkit install (or a separate package):
# this finds nccl.h and libnccl beside the CUDA toolkit, in NCCL_ROOT, or on
# the default paths, and defines the INTERFACE target clustr::nccl
# (NCCL + clustr::cuda + clustr::mpi) when all three are there.
#   include(cmake/clustrNccl.cmake)   # after clustr::cuda and clustr::mpi exist
include_guard(GLOBAL)

if(NOT TARGET clustr::cuda OR NOT TARGET clustr::mpi)
  return()
endif()
find_path(CLUSTR_NCCL_INCLUDE_DIR nccl.h
  HINTS ${NCCL_ROOT} $ENV{NCCL_ROOT} ${CUDAToolkit_INCLUDE_DIRS} ${CUDAToolkit_LIBRARY_ROOT}
  PATH_SUFFIXES include)
find_library(CLUSTR_NCCL_LIBRARY nccl
  HINTS ${NCCL_ROOT} $ENV{NCCL_ROOT} ${CUDAToolkit_LIBRARY_DIR} ${CUDAToolkit_LIBRARY_ROOT}
  PATH_SUFFIXES lib lib64)
if(CLUSTR_NCCL_INCLUDE_DIR AND CLUSTR_NCCL_LIBRARY)
  message(STATUS "clustr: NCCL ${CLUSTR_NCCL_LIBRARY}")
  add_library(clustr_nccl INTERFACE)
  add_library(clustr::nccl ALIAS clustr_nccl)
  set_target_properties(clustr_nccl PROPERTIES EXPORT_NAME nccl)
  target_include_directories(clustr_nccl INTERFACE ${CLUSTR_NCCL_INCLUDE_DIR})
  target_link_libraries(clustr_nccl INTERFACE clustr::cuda clustr::mpi ${CLUSTR_NCCL_LIBRARY})
else()
  message(STATUS "clustr: NCCL not found (set NCCL_ROOT): no nccl_communicator tests")
endif()
