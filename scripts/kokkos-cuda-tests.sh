#!/usr/bin/env bash
# Builds the Kokkos::Cuda backend tests (clustr_tests_kokkos_cuda) on the
# development machine and stages them in .carry/kokkos/ for the GPU machine.
#
#   scripts/kokkos-cuda-tests.sh [build-dir]     (default: build-kokkos-cuda)
#
# Steps: build Kokkos 4.6.01 with CUDA (sm_90, patched for CUDA 13) into the
# cache via scripts/build-kokkos.sh cuda (reused when present); configure clustr
# with the whole project compiled through Kokkos' nvcc_wrapper; build the test
# executable; copy it and the CUDA runtime it links to .carry/kokkos/ (Kokkos
# itself is linked statically).
# Then, on the GPU machine (the `run` tool, carry [".carry/kokkos"]):
#   set -o pipefail; LD_LIBRARY_PATH=.carry/kokkos .carry/kokkos/clustr_tests_kokkos_cuda 2>&1 | tee $OUT/kokkos_cuda.log
#
# Environment: JOBS (parallel compile jobs, default 2), CLUSTR_DEPS_DIR and
# CLUSTR_DEPS_CACHE as for build-kokkos.sh.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$here/build-kokkos-cuda}
jobs=${JOBS:-2}

kokkos=$(JOBS=$jobs "$here/scripts/build-kokkos.sh" cuda | tail -n 1)
[[ -x $kokkos/bin/nvcc_wrapper ]] || { echo "kokkos-cuda-tests: no nvcc_wrapper in $kokkos/bin" >&2; exit 1; }

cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_COMPILER="$kokkos/bin/nvcc_wrapper" -DKokkos_ROOT="$kokkos" \
  -DCLUSTR_ENABLE_KOKKOS=ON -DCLUSTR_ENABLE_CUDA=OFF -DCLUSTR_ENABLE_MPI=OFF
cmake --build "$build" --target clustr_tests_kokkos_cuda -j "$jobs"

carry=$here/.carry/kokkos
mkdir -p "$carry"
cp "$build/tests/clustr_tests_kokkos_cuda" "$carry/"
# Kokkos links the shared CUDA runtime; carry it so that the binary does not
# depend on the GPU machine's library path (run with LD_LIBRARY_PATH=.carry/kokkos).
cudart=$(ldd "$carry/clustr_tests_kokkos_cuda" | awk '/libcudart\.so/ {print $3}')
if [[ -n $cudart ]]; then cp -L "$cudart" "$carry/"; fi
if ldd "$carry/clustr_tests_kokkos_cuda" | grep -q 'libkokkos'; then
  echo "kokkos-cuda-tests: the binary links Kokkos shared libraries; carry them too" >&2
  exit 1
fi
echo "$here/.carry/kokkos/clustr_tests_kokkos_cuda"
