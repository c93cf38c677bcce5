#!/usr/bin/env bash
# Installs the Debian 12 packages that clustr needs and that are missing
# (nothing is installed or updated when everything is there already).
#
#   scripts/install-deps.sh [demo|test]
#
#   demo  the compiler, CMake, CLI11, zlib and the Fashion-MNIST data set:
#         what scripts/demo.sh needs (the clustr program on Fashion-MNIST)
#   test  also Catch2, Google Benchmark, Open MPI and patch (for the Kokkos
#         build): what scripts/test.sh needs
#
# Environment:
#   CLUSTR_NO_INSTALL=1        only report what is missing, install nothing
set -euo pipefail

profile=${1:-test}
pkgs=(cmake g++ make libcli11-dev zlib1g-dev dataset-fashion-mnist)
case $profile in
  demo) ;;
  test) pkgs+=(catch2 libbenchmark-dev libopenmpi-dev openmpi-bin patch) ;;
  *) echo "install-deps: unknown profile '$profile' (demo|test)" >&2; exit 2 ;;
esac

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#pkgs[@]} packages present (${pkgs[*]})"
  exit 0
fi
echo "install-deps: missing: ${missing[*]}"
if [[ ${CLUSTR_NO_INSTALL:-0} == 1 ]]; then
  exit 1
fi

if ! command -v apt-get >/dev/null; then
  echo "install-deps: no apt-get here; install these yourself: ${missing[*]}" >&2
  exit 1
fi
as_root=()
if ((EUID != 0)); then
  if command -v sudo >/dev/null; then
    as_root=(sudo)
  else
    echo "install-deps: not root and no sudo; run as root or install: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
