# CMake before 3.26 has no C++20 flag for nvcc (it knows up to C++17), so a
# CUDA target that asks for CUDA_STANDARD 20 or cuda_std_20 fails to
# configure. nvcc 12+ accepts -std=c++20: tell CMake. Installed with the
# package so that clustr::cuda works for consumers on the same CMake.
if(CMAKE_CUDA_COMPILER_ID STREQUAL "NVIDIA" AND NOT DEFINED CMAKE_CUDA20_STANDARD_COMPILE_OPTION
   AND CMAKE_CUDA_COMPILER_VERSION VERSION_GREATER_EQUAL 12.0)
  set(CMAKE_CUDA20_STANDARD_COMPILE_OPTION "-std=c++20")
  set(CMAKE_CUDA20_EXTENSION_COMPILE_OPTION "-std=c++20")
  list(APPEND CMAKE_CUDA_COMPILE_FEATURES cuda_std_20)
endif()
