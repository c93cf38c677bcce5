#!/usr/bin/env bash
# The README's second command (and CI's, through .ci/run): installs what is
# missing (Debian 12), builds Kokkos (Serial + OpenMP) from ../shared/deps into
# a cache outside the repository, configures with every backend that is found
# (CMake preset "ci", in build/ci), builds with all cores and runs ctest
# without the "gpu" label. The ctest run includes the downstream-consumer check
# (tests/consumer: install, find_package(clustr), build, run).
#
# CUDA test programs are built when nvcc is on PATH or at
# /usr/local/cuda/bin/nvcc, and never run here (no GPU): see the README.
#
# Environment:
#   JOBS                parallel build and test jobs (default: all cores)
#   CLUSTR_DEPS_DIR     where kokkos-4.6.01.tar.gz lives (default: ../shared/deps
#                       beside the repository); without it Kokkos is skipped
#   CLUSTR_KOKKOS_ROOT  use this Kokkos install instead of building one
#   CLUSTR_DEPS_CACHE   cache root for the Kokkos build (see build-kokkos.sh)
#   CLUSTR_CMAKE_ARGS   extra configure arguments, split at spaces, e.g.
#                       "-DCMAKE_CUDA_ARCHITECTURES=90" or "-DCLUSTR_ENABLE_CUDA=OFF"
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
jobs=${JOBS:-$(nproc)}

declare -a phase_names=() phase_secs=()
phase_start=0
phase() {  # phase <name>: close the running phase, start the next
  local now
  now=$(date +%s)
  if ((${#phase_names[@]} > 0)); then phase_secs+=($((now - phase_start))); fi
  phase_start=$now
  [[ -n ${1:-} ]] && phase_names+=("$1") && echo "=== test.sh: $1"
  return 0
}
log=""
finish() {  # on every exit: the timing table, then the counts as the last line
  local rc=$? total=0 i summary
  phase ""
  echo "=== test.sh timing (seconds, $jobs jobs)"
  for i in "${!phase_names[@]}"; do
    printf '  %-10s %6d\n' "${phase_names[$i]}" "${phase_secs[$i]:-0}"
    total=$((total + ${phase_secs[$i]:-0}))
  done
  printf '  %-10s %6d\n' total "$total"
  if [[ -n $log && -f $log ]]; then
    summary=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1 || true)
    if [[ $summary =~ ([0-9]+)\ tests?\ failed\ out\ of\ ([0-9]+) ]]; then
      echo "ctest: $((BASH_REMATCH[2] - BASH_REMATCH[1])) passed, ${BASH_REMATCH[1]} failed"
    fi
  elif ((rc != 0)); then
    echo "test.sh: FAILED in phase '${phase_names[-1]:-start}' (exit $rc)" >&2
  fi
  exit "$rc"
}
trap finish EXIT

phase deps
"$root/scripts/install-deps.sh" test

phase kokkos
extra=()
deps=${CLUSTR_DEPS_DIR:-$root/../shared/deps}
if [[ -n ${CLUSTR_KOKKOS_ROOT:-} ]]; then
  echo "test.sh: Kokkos from CLUSTR_KOKKOS_ROOT=$CLUSTR_KOKKOS_ROOT"
elif [[ -f $deps/kokkos-4.6.01.tar.gz ]]; then
  CLUSTR_KOKKOS_ROOT=$(CLUSTR_DEPS_DIR=$deps JOBS=$jobs "$root/scripts/build-kokkos.sh" openmp | tail -n 1)
  echo "test.sh: Kokkos at $CLUSTR_KOKKOS_ROOT"
else
  echo "test.sh: WARNING: $deps/kokkos-4.6.01.tar.gz not found (set CLUSTR_DEPS_DIR):" \
       "the Kokkos backend is NOT built or tested" >&2
  CLUSTR_KOKKOS_ROOT=""
  extra+=(-DCLUSTR_ENABLE_KOKKOS=OFF)
fi
export CLUSTR_KOKKOS_ROOT

# nvcc where the CUDA toolkit puts it, when it is not on PATH.
if ! command -v nvcc >/dev/null && [[ -z ${CUDACXX:-} && -x /usr/local/cuda/bin/nvcc ]]; then
  export CUDACXX=/usr/local/cuda/bin/nvcc
fi

# Open MPI refuses to start as root, and tests may use more ranks than cores.
if ((EUID == 0)); then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
export OMPI_MCA_rmaps_base_oversubscribe=1 PRTE_MCA_rmaps_default_mapping_policy=:oversubscribe

read -r -a user_args <<< "${CLUSTR_CMAKE_ARGS:-}"
extra+=("${user_args[@]}")

phase configure
cmake --preset ci "${extra[@]}"

phase build
cmake --build --preset ci -j "$jobs"

phase test
log=$root/build/ci/ctest.log
rm -f "$log"
ctest --preset ci -j "$jobs" 2>&1 | tee "$log"
