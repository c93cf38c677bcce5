#!/usr/bin/env bash
# The README's first command: installs what is missing (Debian 12), builds
# examples/quickstart.cpp on the OpenMP backend (CMake preset "demo", in
# build/demo) and runs it. Arguments are passed to the program.
#
# Environment: JOBS (parallel build jobs, default: all cores).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
jobs=${JOBS:-$(nproc)}

"$root/scripts/install-deps.sh" demo

if [[ ! -f examples/quickstart.cpp ]]; then
  echo "demo: examples/quickstart.cpp is missing" >&2
  exit 1
fi

cmake --preset demo
cmake --build --preset demo -j "$jobs"
echo "demo: running build/demo/examples/quickstart $*"
exec "$root/build/demo/examples/quickstart" "$@"
