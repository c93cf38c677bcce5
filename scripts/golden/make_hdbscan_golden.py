#!/usr/bin/env python3
"""Writes tests/golden/hdbscan_golden.hpp: small data sets and what the
hdbscan library (and scikit-learn's HDBSCAN, for min_samples counting the
point itself) gives on them: labels, probabilities, GLOSH outlier scores,
cluster_persistence_, relative_validity_, the condensed tree and a
dbscan_clustering cut. The C++ tests compare against these literals and need
no Python.

    pip install scikit-learn hdbscan
    python3 scripts/golden/make_hdbscan_golden.py

Mutual-reachability distances max(core_a, core_b, d(a, b) / alpha) tie often
(several MST edges can carry the same core distance), and with ties both the
MST and the order in which the libraries' unstable np.argsort feeds equal
edges to label() are arbitrary, so the hierarchy itself is not unique. The
golden values therefore come from the libraries' own tree code
(hdbscan._hdbscan_linkage.label, hdbscan_._tree_to_labels, outlier_scores,
HDBSCAN.relative_validity_, labelling_at_cut; scikit-learn's
make_single_linkage and tree_to_labels) run on one canonical MST: Kruskal with
the total order (weight, min index, max index), edges oriented away from node
0 (as Prim from node 0 orients them) and sorted by that order, which is what
clustr does. The labels of a plain HDBSCAN(...).fit are stored beside them,
with algorithm="generic" (hdbscan) / "brute" (scikit-learn), for an ARI check.
Data are continuous random values printed with %.17g (exact doubles): no two
pairwise distances tie.
"""
import importlib.metadata
import os

import numpy as np
import sklearn
from sklearn.cluster import HDBSCAN as SkHDBSCAN
from sklearn.datasets import make_blobs
from sklearn.metrics import pairwise_distances

import hdbscan
from hdbscan._hdbscan_linkage import label
from hdbscan._hdbscan_tree import labelling_at_cut, outlier_scores
from hdbscan.hdbscan_ import _tree_to_labels
from scipy.spatial.distance import cdist
from sklearn.cluster._hdbscan._linkage import MST_edge_dtype, make_single_linkage
from sklearn.cluster._hdbscan._tree import tree_to_labels as sk_tree_to_labels
from sklearn.metrics import adjusted_rand_score

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "golden", "hdbscan_golden.hpp")


def dataset(name, n_blob, d, centers, std, n_noise, seed, spread=1.0):
    X, _ = make_blobs(n_samples=n_blob, n_features=d, centers=centers, cluster_std=std, random_state=seed,
                      center_box=(-10, 10))
    rng = np.random.default_rng(seed)
    lo, hi = X.min(axis=0), X.max(axis=0)
    mid, half = (lo + hi) / 2, (hi - lo) / 2 * spread
    B = rng.uniform(mid - half, mid + half, size=(n_noise, d))
    X = np.vstack([X, B])[rng.permutation(n_blob + n_noise)]
    for metric in ["euclidean", "manhattan", "cosine"]:
        D = pairwise_distances(X, metric=metric)
        iu = np.triu_indices(len(X), 1)
        assert len(np.unique(D[iu])) == len(iu[0]), f"{name}: tied {metric} distances"
    return dict(name=name, X=X)


DATA = [
    dataset("blobs_240x2", 210, 2, 8, 1.0, 30, 7),
    dataset("blobs_200x5", 180, 5, 8, 2.0, 20, 4),
    dataset("single_150x3", 140, 3, 1, 1.0, 10, 3, spread=2.0),
    dataset("noisy_160x3", 60, 3, 2, 1.5, 100, 5, spread=1.5),
]

# (data index, kwargs, keep condensed tree, dbscan cut or None)
CASES = [
    (0, dict(min_cluster_size=10), True, 0.8),
    (0, dict(min_cluster_size=10, cluster_selection_method="leaf"), True, None),
    (0, dict(min_cluster_size=10, cluster_selection_epsilon=2.0, max_cluster_size=45), False, None),
    (0, dict(min_cluster_size=8, min_samples=4, alpha=1.3), False, 0.6),
    (0, dict(min_cluster_size=10, max_cluster_size=45), False, None),
    (0, dict(min_cluster_size=5, cluster_selection_method="leaf", cluster_selection_epsilon=0.7), False, None),
    (0, dict(min_cluster_size=10, cluster_selection_method="leaf", cluster_selection_epsilon=2.0), False, None),
    (1, dict(min_cluster_size=10), True, None),
    (1, dict(min_cluster_size=10, metric="manhattan"), False, None),
    (1, dict(min_cluster_size=10, metric="cosine"), False, None),
    (1, dict(min_cluster_size=6, min_samples=3, cluster_selection_method="leaf"), False, None),
    (2, dict(min_cluster_size=10, allow_single_cluster=True), True, None),
    (2, dict(min_cluster_size=10, allow_single_cluster=True, cluster_selection_epsilon=2.0), False, None),
    (2, dict(min_cluster_size=10), False, None),
    (3, dict(min_cluster_size=8), True, 1.5),
    (3, dict(min_cluster_size=8, cluster_selection_method="leaf", allow_single_cluster=True), False, None),
]

# scikit-learn's meaning of min_samples (the point counts itself).
SK_CASES = [
    (0, dict(min_cluster_size=10, min_samples=6)),
    (1, dict(min_cluster_size=6, min_samples=3, cluster_selection_method="leaf")),
    (2, dict(min_cluster_size=10, min_samples=1, allow_single_cluster=True)),
]


def canonical_mst(X, metric, m, alpha):
    """Kruskal on the mutual-reachability graph, ties by (min, max) index;
    edges oriented away from node 0 and sorted by (weight, min, max)."""
    D = cdist(X, X, metric={"euclidean": "euclidean", "manhattan": "cityblock", "cosine": "cosine"}[metric])
    core = np.sort(D, axis=1)[:, m]  # column 0 is the point itself
    i, j = np.triu_indices(len(X), 1)
    w = np.maximum(np.maximum(D[i, j] / alpha, core[i]), core[j])
    order = np.lexsort((j, i, w))
    parent = list(range(len(X)))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    edges = []
    for k in order:
        a, b = find(i[k]), find(j[k])
        if a != b:
            parent[a] = b
            edges.append((i[k], j[k], w[k]))
    adj = {}
    for a, b, _ in edges:
        adj.setdefault(a, []).append(b)
        adj.setdefault(b, []).append(a)
    up = {0: -1}
    queue = [0]
    for u in queue:
        for v in adj.get(u, []):
            if v not in up:
                up[v] = u
                queue.append(v)
    return np.array([(a, b, wt) if up[b] == a else (b, a, wt) for a, b, wt in edges], dtype=np.float64)


def fmt(v):
    if isinstance(v, (float, np.floating)):
        if np.isinf(v):
            return "inf_value" if v > 0 else "-inf_value"
        return "%.17g" % v
    return str(int(v))


def arr(vals, per_line=8):
    vals = [fmt(v) for v in vals]
    lines = [", ".join(vals[i:i + per_line]) for i in range(0, len(vals), per_line)]
    return "{" + ",\n       ".join(lines) + "}"


def main():
    out = []
    out.append("// Generated by scripts/golden/make_hdbscan_golden.py with hdbscan %s, scikit-learn %s,\n"
               "// numpy %s: do not edit. Small data sets and the hdbscan library's / scikit-learn's\n"
               "// HDBSCAN results on them." % (importlib.metadata.version("hdbscan"), sklearn.__version__,
                                                np.__version__))
    out.append("#pragma once\n\n#include <cstdint>\n#include <limits>\n#include <string>\n#include <vector>\n")
    out.append("namespace clustr_test::hdbscan_golden {\n")
    out.append("inline constexpr double inf_value = std::numeric_limits<double>::infinity();\n")
    out.append("""struct data_set {
  const char* name;
  long n, d;
  std::vector<double> X;  // n x d, row-major
};

struct golden_case {
  int data;                    // index into data_sets()
  const char* metric;          // euclidean | manhattan | cosine
  long min_cluster_size, min_samples;  // min_samples 0: default
  bool includes_self;          // scikit-learn's meaning of min_samples
  bool leaf;                   // cluster_selection_method leaf (else eom)
  double epsilon, alpha;
  long max_cluster_size;
  bool allow_single_cluster;
  std::vector<std::int32_t> labels;        // the library's tree code on the canonical MST
  std::vector<std::int32_t> plain_labels;  // a plain fit of the library (ARI check)
  std::vector<double> probabilities;
  std::vector<double> outlier_scores;      // empty for scikit-learn cases
  std::vector<double> persistence;         // empty for scikit-learn cases
  double relative_validity;                // NaN for scikit-learn cases
  // condensed tree (empty when not kept)
  std::vector<std::int64_t> ct_parent, ct_child, ct_size;
  std::vector<double> ct_lambda;
  double dbscan_cut;                       // 0: none
  std::vector<std::int32_t> dbscan_labels; // dbscan_clustering(cut, min_cluster_size)
};
""")
    out.append("inline const std::vector<data_set>& data_sets() {\n  static const std::vector<data_set> all{")
    for ds in DATA:
        X = ds["X"]
        out.append('    {"%s", %d, %d,\n     %s},' % (ds["name"], X.shape[0], X.shape[1], arr(X.ravel(), X.shape[1] * 2)))
    out.append("  };\n  return all;\n}\n")

    out.append("inline const std::vector<golden_case>& cases() {\n  static const std::vector<golden_case> all{")
    for di, kw, keep_ct, cut in CASES:
        X = DATA[di]["X"]
        kw = dict(kw)
        metric = kw.pop("metric", "euclidean")
        ms = kw.get("min_samples") or kw["min_cluster_size"]
        mst = canonical_mst(X, metric, ms, kw.get("alpha", 1.0))
        sl = label(mst)
        labels, probs, pers, ct, _ = _tree_to_labels(
            X, sl, kw["min_cluster_size"], kw.get("cluster_selection_method", "eom"),
            kw.get("allow_single_cluster", False), False, kw.get("cluster_selection_epsilon", 0.0), 0.0,
            kw.get("max_cluster_size", 0))
        glosh = outlier_scores(ct)
        holder = hdbscan.HDBSCAN(gen_min_span_tree=True)
        holder.labels_ = labels
        holder._min_spanning_tree = mst
        holder._relative_validity = None
        rv = holder.relative_validity_
        db = labelling_at_cut(sl, cut, 5) if cut else None
        plain = hdbscan.HDBSCAN(algorithm="generic", metric=metric, **kw).fit(X).labels_
        ari = adjusted_rand_score(plain, labels)
        print(DATA[di]["name"], metric, kw, "clusters", labels.max() + 1, "noise", (labels < 0).sum(),
              "plain fit: labels differ", (plain != labels).sum(), "ARI %.4f" % ari)
        ct = ct if keep_ct else None
        out.append("    {%d, \"%s\", %d, %d, false, %s, %s, %s, %d, %s," % (
            di, metric, kw.get("min_cluster_size", 5), kw.get("min_samples", 0) or 0,
            "true" if kw.get("cluster_selection_method") == "leaf" else "false",
            fmt(float(kw.get("cluster_selection_epsilon", 0.0))), fmt(float(kw.get("alpha", 1.0))),
            kw.get("max_cluster_size", 0), "true" if kw.get("allow_single_cluster") else "false"))
        out.append("     %s," % arr(labels, 30))
        out.append("     %s," % arr(plain, 30))
        out.append("     %s," % arr(probs))
        out.append("     %s," % arr(glosh))
        out.append("     %s," % arr(pers))
        out.append("     %s," % fmt(float(rv)))
        if ct is not None:
            out.append("     %s,\n     %s,\n     %s,\n     %s," % (
                arr(ct["parent"], 16), arr(ct["child"], 16), arr(ct["child_size"], 16), arr(ct["lambda_val"])))
        else:
            out.append("     {}, {}, {}, {},")
        if db is not None:
            out.append("     %s, %s}," % (fmt(float(cut)), arr(db, 30)))
        else:
            out.append("     0.0, {}},")
    for di, kw in SK_CASES:
        X = DATA[di]["X"]
        mst = canonical_mst(X, "euclidean", kw["min_samples"] - 1, 1.0)
        e = np.empty(len(mst), dtype=MST_edge_dtype)
        e["current_node"], e["next_node"], e["distance"] = mst[:, 0], mst[:, 1], mst[:, 2]
        labels, probs = sk_tree_to_labels(make_single_linkage(e), kw["min_cluster_size"],
                                          kw.get("cluster_selection_method", "eom"),
                                          kw.get("allow_single_cluster", False), 0.0, None)
        plain = SkHDBSCAN(algorithm="brute", copy=True, **kw).fit(X).labels_
        print(DATA[di]["name"], "sklearn", kw, "clusters", labels.max() + 1, "noise", (labels < 0).sum(),
              "plain fit: labels differ", (plain != labels).sum(), "ARI %.4f" % adjusted_rand_score(plain, labels))
        out.append("    {%d, \"euclidean\", %d, %d, true, %s, 0.0, 1.0, 0, %s," % (
            di, kw["min_cluster_size"], kw["min_samples"],
            "true" if kw.get("cluster_selection_method") == "leaf" else "false",
            "true" if kw.get("allow_single_cluster") else "false"))
        out.append("     %s," % arr(labels, 30))
        out.append("     %s," % arr(plain, 30))
        out.append("     %s," % arr(probs))
        out.append("     {}, {}, std::numeric_limits<double>::quiet_NaN(), {}, {}, {}, {}, 0.0, {}},")
    out.append("  };\n  return all;\n}\n")
    out.append("}  // namespace clustr_test::hdbscan_golden\n")
    with open(OUT, "w") as f:
        f.write("\n".join(out))
    print("wrote", os.path.normpath(OUT), os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
