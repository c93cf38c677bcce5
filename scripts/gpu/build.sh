#!/usr/bin/env bash
# Builds, on the development machine (nvcc, no GPU needed), what the GPU run
# needs, into .carry/cuda/ (git-ignored): the CUDA test executable and the
# CUDA benchmark. Then: scripts/gpu/run.sh on the device machine.
#   scripts/gpu/build.sh [arch]     (default 90: H100/H200)
set -euo pipefail
cd "$(dirname "$0")/../.."
arch=${1:-90}
build=build-cuda${arch}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCLUSTR_ENABLE_CUDA=ON \
  -DCMAKE_CUDA_ARCHITECTURES="$arch" -DCLUSTR_ENABLE_KOKKOS=OFF -DCLUSTR_ENABLE_MPI=OFF \
  -DCLUSTR_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$build" -j2 --target clustr_tests_cuda
mkdir -p .carry/cuda
cp "$build/tests/clustr_tests_cuda" .carry/cuda/
nvcc -std=c++20 -O3 -arch=sm_"$arch" --extended-lambda --expt-relaxed-constexpr -Iinclude \
  scripts/gpu/bench_cuda.cu -lcublas -o .carry/cuda/bench_cuda
ls -l .carry/cuda
