#!/usr/bin/env bash
# Runs on the device machine (from the repository root, after
# scripts/gpu/build.sh here): the CUDA tests, then the CUDA benchmark.
# Logs go to $OUT (or ./out).
set -uo pipefail
out=${OUT:-out}
mkdir -p "$out"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv > "$out/gpu.txt" 2>&1
cat "$out/gpu.txt"
rc=0
.carry/cuda/clustr_tests_cuda 2>&1 | tee "$out/cuda_tests.log" | tail -40 || rc=1
.carry/cuda/bench_cuda 2>&1 | tee "$out/cuda_bench.log" || rc=1
exit $rc
