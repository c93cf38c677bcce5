#!/usr/bin/env python3
"""Exact kNN graph on the CPU: clustr's OpenMP backend vs scikit-learn's
brute-force NearestNeighbors at the same thread count (issue 3: 20k x 64,
k=15, self excluded, standard normal float32, numpy seed 0).

    OMP_NUM_THREADS=2 python3 scripts/bench/knn_cpu.py [--n 20000 --d 64 --k 15 --march-native]
"""
import argparse, os, subprocess, tempfile, time
import numpy as np
from sklearn.neighbors import NearestNeighbors
from threadpoolctl import threadpool_limits

ap = argparse.ArgumentParser()
ap.add_argument("--n", type=int, default=20000)
ap.add_argument("--d", type=int, default=64)
ap.add_argument("--k", type=int, default=15)
ap.add_argument("--repeats", type=int, default=3)
ap.add_argument("--march-native", action="store_true")
a = ap.parse_args()
threads = int(os.environ.get("OMP_NUM_THREADS", "2"))
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
tmp = tempfile.mkdtemp()
exe = os.path.join(tmp, "knn_cpu")
flags = ["-march=native"] if a.march_native else []
subprocess.check_call(["g++", "-std=c++20", "-O3", *flags, "-fopenmp", "-I", os.path.join(root, "include"),
                       os.path.join(root, "scripts/bench/knn_cpu.cpp"), "-o", exe])
X = np.random.default_rng(0).standard_normal((a.n, a.d)).astype(np.float32)
X.tofile(os.path.join(tmp, "X.f32"))
env = dict(os.environ, OMP_NUM_THREADS=str(threads), OMP_WAIT_POLICY="passive")
out = subprocess.check_output([exe, os.path.join(tmp, "X.f32"), str(a.n), str(a.d), str(a.k), str(a.repeats),
                               os.path.join(tmp, "idx.i64")], env=env, text=True)
print(out.strip(), "(-march=native)" if a.march_native else "")
ours = float(out.split()[2])
idx = np.fromfile(os.path.join(tmp, "idx.i64"), dtype=np.int64).reshape(a.n, a.k)
times = []
with threadpool_limits(limits=threads):
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        ref = NearestNeighbors(n_neighbors=a.k, algorithm="brute", n_jobs=threads).fit(X).kneighbors(return_distance=False)
        times.append(time.perf_counter() - t0)
sk = sorted(times)[len(times) // 2]
same_rows = np.mean(np.all(idx == ref, axis=1))
same_sets = np.mean([set(a_) == set(b_) for a_, b_ in zip(idx, ref)])
print(f"sklearn_brute seconds {sk:.4f}")
print(f"n={a.n} d={a.d} k={a.k} threads={threads}: clustr/sklearn time ratio {ours / sk:.2f}; "
      f"identical rows {same_rows:.4f}, identical sets {same_sets:.4f}")
