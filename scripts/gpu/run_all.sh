#!/usr/bin/env bash
# One device call for everything GPU (after scripts/gpu/build.sh,
# scripts/kokkos-cuda-tests.sh, the bench_algorithms build in its header and
# `cp ../shared/bench/peers_gpu.py .carry/peers/`): the CUDA and Kokkos::Cuda
# tests, the algorithm benchmarks, and the PyTorch / scikit-learn peers in the
# same run. Logs and JSON go to $OUT.
set -uo pipefail
out=${OUT:-out}
mkdir -p "$out"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv > "$out/gpu.txt" 2>&1
cat "$out/gpu.txt"
.carry/cuda/clustr_tests_cuda > "$out/cuda_tests.log" 2>&1
echo "clustr_tests_cuda rc=$?"; tail -n 3 "$out/cuda_tests.log"
if [[ -x .carry/kokkos/clustr_tests_kokkos_cuda ]]; then
  LD_LIBRARY_PATH=.carry/kokkos .carry/kokkos/clustr_tests_kokkos_cuda > "$out/kokkos_cuda_tests.log" 2>&1
  echo "clustr_tests_kokkos_cuda rc=$?"; tail -n 3 "$out/kokkos_cuda_tests.log"
fi
.carry/cuda/bench_algorithms > "$out/bench_algorithms.json" 2> "$out/bench_algorithms.log"
echo "bench_algorithms rc=$?"; cat "$out/bench_algorithms.json"
PYTHONUNBUFFERED=1 OUT="$out" timeout 300 python3 .carry/peers/peers_gpu.py > "$out/peers.log" 2>&1
echo "peers rc=$?"; tail -n 5 "$out/peers.log"
