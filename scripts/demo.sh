#!/usr/bin/env bash
# The README's first command: installs what is missing (Debian 12: the
# compiler, CMake, CLI11, zlib and the dataset-fashion-mnist package), builds
# the clustr program on the OpenMP backend (CMake preset "demo", in
# build/demo) and runs the users' pipeline on the Fashion-MNIST test split
# (10,000 x 784): UMAP to 5-d (n_neighbors 15, min_dist 0) -> HDBSCAN
# (min_cluster_size 50) -> soft clustering. It prints the ARI/AMI against the
# true labels and where the report is (out/demo/report.html).
#
#   scripts/demo.sh [--full] [more clustr pipeline options]
#     --full   all 70,000 images (train + test) instead of the test split
#
# Environment: JOBS (parallel build jobs, default: all cores),
#              CLUSTR_DEMO_OUT (output folder, default out/demo).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
jobs=${JOBS:-$(nproc)}

"$root/scripts/install-deps.sh" demo

cmake --preset demo
cmake --build --preset demo -j "$jobs"

out=${CLUSTR_DEMO_OUT:-$root/out/demo}
echo "demo: build/demo/bin/clustr pipeline --input fashion-mnist:test --out $out $*"
exec "$root/build/demo/bin/clustr" pipeline --input fashion-mnist:test --out "$out" "$@"
