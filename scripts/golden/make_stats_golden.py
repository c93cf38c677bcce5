#!/usr/bin/env python3
"""Writes tests/golden/stats_golden.hpp: small data sets with labellings and
the values scikit-learn (and the hdbscan library, for DBCV) give for every
clustr::stats score on them. The C++ tests compare against these literals and
need no Python.

    pip install scikit-learn hdbscan
    python3 scripts/golden/make_stats_golden.py

Data are rounded to 6 decimals, so the C++ side reads exactly the doubles that
Python scored. Noise policies: "exclude" is scikit-learn on the arrays with
the noise points removed (for two labellings: removed where either is -1);
"as_cluster" is scikit-learn with -1 as an ordinary label. DBCV is hdbscan's
validity_index, which always excludes -1 (but counts it in n).
"""
import os
import sys

import numpy as np
import sklearn
from sklearn import metrics
from sklearn.datasets import make_blobs
from sklearn.decomposition import PCA
from sklearn.manifold import trustworthiness
from sklearn.metrics import pairwise_distances

import hdbscan
from hdbscan.validity import validity_index

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "golden", "stats_golden.hpp")


def make_case(name, n, d, centers, std, seed, min_cluster_size, n_background):
    """Blobs plus n_background uniform points over their bounding box (true
    label -1): HDBSCAN calls most of those noise."""
    X, y = make_blobs(n_samples=n - n_background, n_features=d, centers=centers, cluster_std=std, random_state=seed)
    rng = np.random.default_rng(seed)
    B = rng.uniform(X.min(axis=0), X.max(axis=0), size=(n_background, d))
    X = np.round(np.vstack([X, B]), 6)
    true = np.concatenate([y, np.full(n_background, -1)]).astype(np.int64)
    order = rng.permutation(n)
    X, true = X[order], true[order]
    assert len(np.unique(X, axis=0)) == n, "duplicate rows"
    pred = hdbscan.HDBSCAN(min_cluster_size=min_cluster_size).fit_predict(X)
    assert (pred == -1).any() and len(set(pred) - {-1}) >= 2, f"{name}: want noise and >= 2 clusters"
    # Label values that are not 0..k-1, to test the compaction.
    pred = np.where(pred >= 0, 10 * pred + 3, -1).astype(np.int64)
    emb = np.round(PCA(n_components=2, random_state=0).fit_transform(X) + rng.normal(scale=0.3, size=(n, 2)), 6)
    # Rank ties would make trustworthiness depend on numpy's sort order.
    for metric in ["euclidean", "manhattan", "cosine"]:
        D = pairwise_distances(X, metric=metric)
        assert all(len(np.unique(r)) == n for r in D), f"{name}: tied {metric} distances"
    assert all(len(np.unique(r)) == n for r in pairwise_distances(emb)), f"{name}: tied embedding distances"
    return dict(name=name, X=X, true=true, pred=pred, emb=emb)


def expected(c):
    X, t, p, emb = c["X"], c["true"], c["pred"], c["emb"]
    e = {}
    keep = p != -1
    for metric in ["euclidean", "manhattan", "cosine"]:
        e[f"silhouette/{metric}/exclude"] = metrics.silhouette_score(X[keep], p[keep], metric=metric)
        e[f"silhouette/{metric}/as_cluster"] = metrics.silhouette_score(X, p, metric=metric)
    e["davies_bouldin/exclude"] = metrics.davies_bouldin_score(X[keep], p[keep])
    e["davies_bouldin/as_cluster"] = metrics.davies_bouldin_score(X, p)
    e["calinski_harabasz/exclude"] = metrics.calinski_harabasz_score(X[keep], p[keep])
    e["calinski_harabasz/as_cluster"] = metrics.calinski_harabasz_score(X, p)
    both = (t != -1) & (p != -1)
    for policy, (a, b) in {"exclude": (t[both], p[both]), "as_cluster": (t, p)}.items():
        e[f"ari/{policy}"] = metrics.adjusted_rand_score(a, b)
        e[f"mi/{policy}"] = metrics.mutual_info_score(a, b)
        for avg in ["min", "geometric", "arithmetic", "max"]:
            e[f"ami/{avg}/{policy}"] = metrics.adjusted_mutual_info_score(a, b, average_method=avg)
            e[f"nmi/{avg}/{policy}"] = metrics.normalized_mutual_info_score(a, b, average_method=avg)
        h, cpl, v = metrics.homogeneity_completeness_v_measure(a, b)
        e[f"homogeneity/{policy}"], e[f"completeness/{policy}"], e[f"v_measure/{policy}"] = h, cpl, v
        e[f"v_measure/beta2/{policy}"] = metrics.homogeneity_completeness_v_measure(a, b, beta=2.0)[2]
    e["trustworthiness/euclidean/5"] = trustworthiness(X, emb, n_neighbors=5)
    e["trustworthiness/manhattan/7"] = trustworthiness(X, emb, n_neighbors=7, metric="manhattan")
    e["trustworthiness/cosine/3"] = trustworthiness(X, emb, n_neighbors=3, metric="cosine")
    score, per_cluster = validity_index(X, p, per_cluster_scores=True)
    e["dbcv"] = score
    for i, label in enumerate(sorted(set(p) - {-1})):
        # hdbscan indexes per-cluster scores by label value (0..max label).
        e[f"dbcv/cluster/{i}"] = per_cluster[label]
    samples = np.full(len(p), np.nan)
    samples[keep] = metrics.silhouette_samples(X[keep], p[keep])
    return e, samples, metrics.silhouette_samples(X, p)


def fmt(v):
    v = float(v)
    if np.isnan(v):
        return "nan_value"
    return repr(v)


def array(values, per_line=8):
    items = [fmt(v) if not isinstance(v, (int, np.integer)) else str(int(v)) for v in values]
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "{\n        " + ",\n        ".join(lines) + "}"


def main():
    cases = [
        make_case("blobs_60x2", 60, 2, 3, 1.0, 1, 5, 6),
        make_case("blobs_120x3", 120, 3, 4, [0.6, 1.0, 1.4, 0.8], 7, 8, 12),
        make_case("blobs_200x5", 200, 5, 5, 1.5, 42, 10, 20),
    ]
    out = []
    out.append("// Generated by scripts/golden/make_stats_golden.py with scikit-learn %s, hdbscan %s,\n"
               "// numpy %s: do not edit. Small data sets (rounded to 6 decimals), labellings and\n"
               "// the scores scikit-learn / hdbscan give on them.\n" % (sklearn.__version__, hdbscan.__version__ if hasattr(hdbscan, "__version__") else "?", np.__version__))
    out.append("#pragma once\n\n#include <cstdint>\n#include <limits>\n#include <string>\n#include <utility>\n#include <vector>\n\n")
    out.append("namespace clustr_test::stats_golden {\n\n")
    out.append("inline constexpr double nan_value = std::numeric_limits<double>::quiet_NaN();\n\n")
    out.append("struct golden_case {\n  const char* name;\n  long n, d;\n  std::vector<double> X;                  // n x d, row-major\n"
               "  std::vector<std::int64_t> labels_true;  // make_blobs centres, -1 for uniform background points\n"
               "  std::vector<std::int64_t> labels_pred;  // HDBSCAN labels as 10 * label + 3, -1 noise\n"
               "  std::vector<double> embedding;          // n x 2: PCA + noise\n"
               "  std::vector<double> silhouette_samples_exclude;     // NaN for noise\n"
               "  std::vector<double> silhouette_samples_as_cluster;\n"
               "  std::vector<std::pair<std::string, double>> expected;\n};\n\n")
    out.append("inline const std::vector<golden_case>& cases() {\n  static const std::vector<golden_case> all{\n")
    for c in cases:
        e, s_ex, s_as = expected(c)
        out.append("    {\"%s\", %d, %d,\n" % (c["name"], c["X"].shape[0], c["X"].shape[1]))
        out.append("     " + array(c["X"].ravel(), c["X"].shape[1] * 2) + ",\n")
        out.append("     " + array(c["true"], 20) + ",\n")
        out.append("     " + array(c["pred"], 20) + ",\n")
        out.append("     " + array(c["emb"].ravel(), 8) + ",\n")
        out.append("     " + array(s_ex, 4) + ",\n")
        out.append("     " + array(s_as, 4) + ",\n")
        out.append("     {\n")
        for k, v in e.items():
            out.append("         {\"%s\", %s},\n" % (k, fmt(v)))
        out.append("     }},\n")
    out.append("  };\n  return all;\n}\n\n}  // namespace clustr_test::stats_golden\n")
    with open(OUT, "w") as f:
        f.write("".join(out))
    print("wrote", os.path.normpath(OUT), file=sys.stderr)


if __name__ == "__main__":
    main()
