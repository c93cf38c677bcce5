#!/usr/bin/env bash
# Runs on the 2-GPU device machine, from the repository root, after
# scripts/gpu/build_distributed.sh here: the CUDA distributed tests under
# mpirun -np 1 and 2, then the benchmark (k-means 10M x 128, k = 1000, 20
# iterations; kNN graph 2M x 128, k = 15) on 1 and on 2 GPUs, one rank per
# GPU, device buffers through NCCL. Logs and JSON go to $OUT (or ./out).
# Extra arguments go to the benchmark (e.g. --what kmeans, --staged).
set -uo pipefail
out=${OUT:-out}
mkdir -p "$out"
bin=.carry/distributed
# NVLink SHARP (multicast) is not usable on the lent machines: keep it off.
export NCCL_NVLS_ENABLE=0
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
for d in /usr/local/cuda/lib64 /usr/local/cuda/lib; do
  [[ -d $d ]] && export LD_LIBRARY_PATH=$d${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
done
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv | tee "$out/gpu.txt"
mpi=(mpirun --oversubscribe --bind-to none -x NCCL_NVLS_ENABLE -x LD_LIBRARY_PATH)
rc=0
if [[ -x $bin/clustr_tests_distributed_cuda ]]; then
  for np in 1 2; do
    "${mpi[@]}" -np $np $bin/clustr_tests_distributed_cuda 2>&1 | tee "$out/distributed_cuda_tests_np$np.log" | tail -4 ||
      rc=1
  done
fi
for np in 1 2; do
  echo "=== bench_distributed: $np GPU(s): mpirun -np $np $bin/bench_distributed $*"
  "${mpi[@]}" -np $np $bin/bench_distributed "$@" 2>&1 | tee "$out/bench_distributed_np$np.json" || rc=1
done
exit $rc
