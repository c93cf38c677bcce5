#!/usr/bin/env python3
"""DBSCAN on the CPU: clustr (OpenMP) against scikit-learn at the same thread
count, on make_blobs data (issue #5: 200k 2-d points, 6 centres, std 0.1,
eps 0.05, min_samples 10). Each side runs in its own process, `--repeats`
times; the script prints every run and the medians of fit time and peak
resident memory (VmHWM of the process, and its value just before fit,
i.e. with the data loaded), and checks that the labels agree (ARI, share of
identical labels).

    g++ -std=c++20 -O3 -march=native -fopenmp -Iinclude scripts/bench/dbscan_bench.cpp -o build/dbscan_bench
    OMP_WAIT_POLICY=passive python3 scripts/bench/dbscan_cpu.py --bench build/dbscan_bench --threads 2 --repeats 3
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile

import numpy as np
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

SKLEARN_CHILD = r"""
import sys, time
import numpy as np
from sklearn.cluster import DBSCAN
def peak_rss_mib():  # VmHWM: this process's own peak (ru_maxrss keeps a parent's across exec)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
path, n, d, eps, ms, threads, out = sys.argv[1:8]
X = np.fromfile(path).reshape(int(n), int(d))
before = peak_rss_mib()
t = time.perf_counter()
m = DBSCAN(eps=float(eps), min_samples=int(ms), n_jobs=int(threads)).fit(X)
dt = time.perf_counter() - t
after = peak_rss_mib()
m.labels_.astype(np.int32).tofile(out)
print("fit_seconds %.6f n_clusters %d n_core %d maxrss_before_fit_MiB %.1f maxrss_MiB %.1f"
      % (dt, m.labels_.max() + 1, len(m.core_sample_indices_), before, after))
"""


def parse(line):
    f = line.split()
    return {f[i]: float(f[i + 1]) for i in range(0, len(f) - 1, 2)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", required=True, help="the compiled scripts/bench/dbscan_bench.cpp")
    ap.add_argument("--n", type=int, default=200000)
    ap.add_argument("--d", type=int, default=2)
    ap.add_argument("--centers", type=int, default=6)
    ap.add_argument("--std", type=float, default=0.1)
    ap.add_argument("--eps", type=float, default=0.05)
    ap.add_argument("--min-samples", type=int, default=10)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--skip-sklearn", action="store_true")
    a = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="dbscan_bench_")
    X, _ = make_blobs(n_samples=a.n, n_features=a.d, centers=a.centers, cluster_std=a.std, random_state=0)
    path = os.path.join(tmp, "X.f64")
    X.astype(np.float64).tofile(path)
    env = dict(os.environ, OMP_NUM_THREADS=str(a.threads), OPENBLAS_NUM_THREADS=str(a.threads),
               OMP_WAIT_POLICY=os.environ.get("OMP_WAIT_POLICY", "passive"))
    args = [path, str(a.n), str(a.d), str(a.eps), str(a.min_samples), str(a.threads)]
    sides = {"clustr": [a.bench] + args + [os.path.join(tmp, "clustr.i32")]}
    if not a.skip_sklearn:
        sides["sklearn"] = [sys.executable, "-c", SKLEARN_CHILD] + args + [os.path.join(tmp, "sklearn.i32")]
    results = {k: [] for k in sides}
    for rep in range(a.repeats):
        for name, cmd in sides.items():
            out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout.strip()
            r = parse(out.splitlines()[-1])
            results[name].append(r)
            print("run %d %-8s %s" % (rep, name, out.splitlines()[-1]), flush=True)
    print("n %d d %d centers %d std %g eps %g min_samples %d threads %d, median of %d runs:"
          % (a.n, a.d, a.centers, a.std, a.eps, a.min_samples, a.threads, a.repeats))
    med = {}
    for name, rs in results.items():
        med[name] = {k: statistics.median(r[k] for r in rs) for k in rs[0]}
        m = med[name]
        print("  %-8s fit %.3f s, peak RSS %.0f MiB (%.0f MiB before fit: data loaded), clusters %d, core %d"
              % (name, m["fit_seconds"], m["maxrss_MiB"], m["maxrss_before_fit_MiB"], m["n_clusters"], m["n_core"]))
    if "sklearn" in med:
        c, s = med["clustr"], med["sklearn"]
        print("  speed-up %.1fx; peak RSS ratio %.3f; fit memory (peak - before fit) %.0f vs %.0f MiB"
              % (s["fit_seconds"] / c["fit_seconds"], c["maxrss_MiB"] / s["maxrss_MiB"],
                 c["maxrss_MiB"] - c["maxrss_before_fit_MiB"], s["maxrss_MiB"] - s["maxrss_before_fit_MiB"]))
        lc = np.fromfile(os.path.join(tmp, "clustr.i32"), dtype=np.int32)
        ls = np.fromfile(os.path.join(tmp, "sklearn.i32"), dtype=np.int32)
        print("  labels: ARI %.6f, identical %.6f" % (adjusted_rand_score(ls, lc), float(np.mean(lc == ls))))


if __name__ == "__main__":
    main()
