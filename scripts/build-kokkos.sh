#!/usr/bin/env bash
# Builds Kokkos 4.6.01 from ../shared/deps (checked against its .sha256, patched
# for CUDA 13) into a cache directory outside the repository, and prints the
# install prefix on its last line. A finished install is reused.
#
#   scripts/build-kokkos.sh [openmp|cuda]
#
# Environment:
#   CLUSTR_DEPS_DIR    where kokkos-4.6.01.tar.gz and its patch live (default: ../shared/deps)
#   CLUSTR_DEPS_CACHE  cache root (default: $XDG_CACHE_HOME/clustr or ~/.cache/clustr)
#   JOBS               parallel build jobs (default: nproc)
set -euo pipefail

variant=${1:-openmp}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
deps=${CLUSTR_DEPS_DIR:-$here/../shared/deps}
cache=${CLUSTR_DEPS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/clustr}
prefix=$cache/kokkos-4.6.01-$variant
jobs=${JOBS:-$(nproc)}

if [[ -f $prefix/.clustr-complete ]]; then
  echo "$prefix"
  exit 0
fi

tarball=$deps/kokkos-4.6.01.tar.gz
[[ -f $tarball ]] || { echo "build-kokkos: $tarball not found (set CLUSTR_DEPS_DIR)" >&2; exit 1; }
(cd "$deps" && sha256sum --quiet -c kokkos-4.6.01.tar.gz.sha256) >&2 ||
  { echo "build-kokkos: checksum mismatch for $tarball" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/clustr-kokkos.XXXXXX")
trap 'rm -rf "$work"' EXIT
src=$work/kokkos-4.6.01
mkdir -p "$src"
# The tarball has no top-level folder; strip one if a future one does.
if tar -tzf "$tarball" | head -n 1 | grep -q '^kokkos[^/]*/'; then
  tar -xzf "$tarball" -C "$src" --strip-components=1
else
  tar -xzf "$tarball" -C "$src"
fi
patch -d "$src" -p1 --quiet < "$deps/kokkos-4.6.01-cuda13.patch"

common=(-DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$prefix"
        -DCMAKE_CXX_STANDARD=20 -DKokkos_ENABLE_SERIAL=ON -DKokkos_ENABLE_OPENMP=ON
        -DKokkos_ENABLE_TESTS=OFF -DKokkos_ENABLE_EXAMPLES=OFF)
case $variant in
  openmp) extra=() ;;
  cuda)   # The installed config records the compiler (Kokkos_CXX_COMPILER, used by
          # kokkos_launch_compiler), so build with the prefix's own copy of the
          # patched nvcc_wrapper, not the temporary source tree's.
          mkdir -p "$prefix/bin" && cp "$src/bin/nvcc_wrapper" "$prefix/bin/nvcc_wrapper"
          extra=(-DKokkos_ENABLE_CUDA=ON -DKokkos_ARCH_HOPPER90=ON
                 -DKokkos_ENABLE_CUDA_LAMBDA=ON -DKokkos_ENABLE_CUDA_CONSTEXPR=ON
                 -DCMAKE_CXX_COMPILER="$prefix/bin/nvcc_wrapper") ;;
  *) echo "build-kokkos: unknown variant '$variant' (openmp|cuda)" >&2; exit 1 ;;
esac
cmake -S "$src" -B "$work/build" "${common[@]}" "${extra[@]}" >&2
cmake --build "$work/build" -j "$jobs" >&2
cmake --install "$work/build" >&2
touch "$prefix/.clustr-complete"
echo "$prefix"
