#!/usr/bin/env bash
# Builds, on the development machine (nvcc + Open MPI + NCCL, no GPU
# needed), the multi-GPU benchmark and the CUDA distributed tests into
# .carry/distributed/ (git-ignored). Then, on the 2-GPU device machine:
#   scripts/gpu/run_distributed.sh
#   scripts/gpu/build_distributed.sh [arch] [--no-tests]   (default arch 90: H100/H200)
set -euo pipefail
cd "$(dirname "$0")/../.."
arch=${1:-90}
cuda=${CUDA_HOME:-/usr/local/cuda}
mkdir -p .carry/distributed
# MPI's include and library flags (the C API only: no libmpi_cxx needed).
mpi_inc=$(mpicxx --showme:incdirs | tr ' ' '\n' | sed 's/^/-I/' | tr '\n' ' ')
mpi_lib=$(mpicxx --showme:libdirs | tr ' ' '\n' | sed 's/^/-L/' | tr '\n' ' ')
# NCCL: beside the CUDA toolkit (lib or lib64), or NCCL_ROOT.
nccl_dirs="-L$cuda/lib64 -L$cuda/lib ${NCCL_ROOT:+-L$NCCL_ROOT/lib -I$NCCL_ROOT/include}"
"$cuda/bin/nvcc" -std=c++20 -O3 -arch=sm_"$arch" --extended-lambda --expt-relaxed-constexpr \
  -DOMPI_SKIP_MPICXX -Iinclude $mpi_inc scripts/gpu/bench_distributed.cu \
  $mpi_lib $nccl_dirs -lmpi -lcublas -lnccl -o .carry/distributed/bench_distributed
if [[ ${2:-} != --no-tests ]]; then
  build=build-cuda${arch}-mpi
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DCLUSTR_ENABLE_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES="$arch" \
    -DCMAKE_CUDA_COMPILER="$cuda/bin/nvcc" -DCLUSTR_ENABLE_KOKKOS=OFF -DCLUSTR_ENABLE_MPI=ON \
    -DCLUSTR_BUILD_EXAMPLES=OFF -DCLUSTR_TEST_AREAS=kmeans >/dev/null
  nice -n 10 cmake --build "$build" -j"${JOBS:-1}" --target clustr_tests_distributed_cuda
  cp "$build/tests/distributed/clustr_tests_distributed_cuda" .carry/distributed/
fi
ls -l .carry/distributed
