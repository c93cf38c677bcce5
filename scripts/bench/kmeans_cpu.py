#!/usr/bin/env python3
"""k-means on the CPU: clustr's OpenMP backend vs scikit-learn's KMeans (lloyd)
at the same thread count, from the same initial centroids, the same number of
Lloyd iterations (tol=0), on make_blobs data (issue 4: n=100k, d=32, k=64).

    OMP_NUM_THREADS=2 python3 scripts/bench/kmeans_cpu.py [--n 100000 --d 32 --k 64 --iters 20]

Builds scripts/bench/kmeans_cpu.cpp with g++ -O3 -march=native -fopenmp first.
Prints the median of --repeats runs of each and the ratio."""
import argparse, os, subprocess, sys, tempfile, time
import numpy as np
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from threadpoolctl import threadpool_limits

ap = argparse.ArgumentParser()
ap.add_argument("--n", type=int, default=100000)
ap.add_argument("--d", type=int, default=32)
ap.add_argument("--k", type=int, default=64)
ap.add_argument("--iters", type=int, default=20)
ap.add_argument("--repeats", type=int, default=5)
a = ap.parse_args()
threads = int(os.environ.get("OMP_NUM_THREADS", "2"))
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
tmp = tempfile.mkdtemp()
exe = os.path.join(tmp, "kmeans_cpu")
subprocess.check_call(["g++", "-std=c++20", "-O3", "-march=native", "-fopenmp", "-I", os.path.join(root, "include"),
                       os.path.join(root, "scripts/bench/kmeans_cpu.cpp"), "-o", exe])
X, _ = make_blobs(n_samples=a.n, n_features=a.d, centers=a.k, random_state=0)
X = X.astype(np.float32)
C0 = X[np.random.default_rng(0).choice(a.n, a.k, replace=False)].copy()
X.tofile(os.path.join(tmp, "X.f32")); C0.tofile(os.path.join(tmp, "C0.f32"))
env = dict(os.environ, OMP_NUM_THREADS=str(threads), OMP_WAIT_POLICY="passive")
out = subprocess.check_output([exe, os.path.join(tmp, "X.f32"), str(a.n), str(a.d), os.path.join(tmp, "C0.f32"),
                               str(a.k), str(a.iters), str(a.repeats)], env=env, text=True)
print(out.strip())
ours = float(out.split()[2])
times = []
with threadpool_limits(limits=threads):
    for _ in range(a.repeats):
        km = KMeans(n_clusters=a.k, init=C0, n_init=1, max_iter=a.iters, tol=0, algorithm="lloyd")
        t0 = time.perf_counter(); km.fit(X); times.append(time.perf_counter() - t0)
sk = sorted(times)[len(times) // 2]
print(f"sklearn_lloyd seconds {sk:.4f} inertia {km.inertia_:.6e} n_iter {km.n_iter_}")
print(f"n={a.n} d={a.d} k={a.k} iters={a.iters} threads={threads}: clustr/sklearn time ratio {ours / sk:.2f} "
      f"(sklearn {sk / ours:.2f}x slower)")
