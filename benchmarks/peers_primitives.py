"""Peer baselines for bench_primitives on the GPU: what a PyTorch user writes
instead of each primitive, on the same shapes and data distribution
(uniform in [-1, 1)). Run it in the same device command as
bench_primitives_cuda (see docs/benchmarks.md). Prints JSON: median seconds
of 10 timed calls after one warm-up, per benchmark name as clustr names it."""
import json
import os
import torch

torch.backends.cuda.matmul.allow_tf32 = False  # clustr never uses TF32
dev = "cuda"


def med(f, reps=10):
    f()
    torch.cuda.synchronize()
    ts = []
    for _ in range(reps):
        a = torch.cuda.Event(enable_timing=True)
        b = torch.cuda.Event(enable_timing=True)
        a.record()
        f()
        b.record()
        torch.cuda.synchronize()
        ts.append(a.elapsed_time(b) / 1e3)
    ts.sort()
    return ts[len(ts) // 2]


def uniform(shape, dtype):
    return torch.rand(shape, device=dev, dtype=dtype) * 2 - 1


def fused_argmin(X, Y, out, chunk=262144):
    # ||x||^2 - 2 x.y + ||y||^2, argmin over y (blocks of rows bound memory)
    yy = (Y * Y).sum(1)[None, :]
    for s in range(0, X.shape[0], chunk):
        x = X[s:s + chunk]
        d = (x * x).sum(1, keepdim=True) - 2 * x @ Y.T + yy
        out[s:s + chunk] = d.argmin(1)


res = {"device": torch.cuda.get_device_name(0), "torch": torch.__version__}
for dtype, tag in ((torch.float32, "float"), (torch.float64, "double")):
    for (n, m, d) in [(1000000, 1024, 128), (1000000, 256, 64), (51000, 500, 512), (100000, 16, 2)]:
        X, Y = uniform((n, d), dtype), uniform((m, d), dtype)
        out = torch.empty(n, dtype=torch.long, device=dev)
        res[f"cuda/fused_argmin/sqeuclidean/{tag}/n:{n}/m:{m}/d:{d}"] = med(lambda: fused_argmin(X, Y, out))
        del X, Y, out
for cols in (1000, 10000):
    A = uniform((10000, cols), torch.float32)
    for k in (10, 100):
        res[f"cuda/select_k/float/rows:10000/cols:{cols}/k:{k}"] = med(lambda: torch.topk(A, k, dim=1, largest=False))
for n in (1 << 20, 1 << 28):
    v = uniform((n,), torch.float32)
    res[f"cuda/reduce/float/n:{n}"] = med(lambda: v.sum())
    res[f"cuda/exclusive_scan/float/n:{n}"] = med(lambda: torch.cumsum(v, 0))
v = uniform((1 << 28,), torch.float64)
res[f"cuda/reduce/double/n:{1 << 28}"] = med(lambda: v.sum())
vi = torch.randint(-1000, 1000, (1 << 28,), device=dev, dtype=torch.int64)
res[f"cuda/exclusive_scan/int64/n:{1 << 28}"] = med(lambda: torch.cumsum(vi, 0))
text = json.dumps(res, indent=0)
print(text)
if os.environ.get("OUT"):
    open(os.path.join(os.environ["OUT"], "peers_primitives.json"), "w").write(text)
