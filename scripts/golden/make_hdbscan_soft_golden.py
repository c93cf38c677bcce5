#!/usr/bin/env python3
"""Writes tests/golden/hdbscan_soft_golden.hpp: small data sets, everything the
hdbscan library computed on them with prediction_data=True (condensed tree,
labels, probabilities, GLOSH, selected clusters, exemplars, prediction core
distances) and its soft-clustering outputs: all_points_membership_vectors on
the training points, and membership_vector / approximate_predict /
approximate_predict_scores on new points. The C++ tests rebuild a model from
the tree and labels, so they need neither Python nor a working fit().

    pip install hdbscan scikit-learn
    python3 scripts/golden/make_hdbscan_soft_golden.py

Data are rounded to 6 decimals so the C++ side reads exactly the doubles that
hdbscan saw. The new points include a few exact copies of training points
(approximate_predict_scores treats a zero distance specially).
"""
import os

import numpy as np
import sklearn
from sklearn.datasets import make_blobs

import hdbscan
from hdbscan import prediction

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "golden", "hdbscan_soft_golden.hpp")


def blobs(n, d, centers, std, seed, n_background):
    X, _ = make_blobs(n_samples=n - n_background, n_features=d, centers=centers, cluster_std=std, random_state=seed)
    rng = np.random.default_rng(seed)
    B = rng.uniform(X.min(axis=0) - 1, X.max(axis=0) + 1, size=(n_background, d))
    X = np.vstack([X, B])
    X = np.round(X[rng.permutation(n)], 6)
    assert len(np.unique(X, axis=0)) == n, "duplicate rows"
    return X


def new_points(X, m, seed):
    rng = np.random.default_rng(seed + 1)
    near = X[rng.choice(len(X), m - 8 - 3, replace=False)] + rng.normal(scale=0.3, size=(m - 11, X.shape[1]))
    far = rng.uniform(X.min(axis=0) - 2, X.max(axis=0) + 2, size=(8, X.shape[1]))
    same = X[rng.choice(len(X), 3, replace=False)]
    return np.round(np.vstack([near, far, same]), 6)


def canonical(c):
    """Labels renumbered by first appearance and the membership columns in that
    order: equal for two fits that differ only in cluster numbering."""
    order = []
    for l in c.labels_:
        if l >= 0 and l not in order:
            order.append(l)
    relabel = {l: i for i, l in enumerate(order)}
    lab = np.array([relabel.get(l, -1) for l in c.labels_])
    return lab, prediction.all_points_membership_vectors(c)[:, order]


def tie_free(X, metric, **kw):
    """True when the tree has no tie that an MST algorithm may break either
    way: no point leaves a cluster at exactly the lambda where that cluster
    splits (mutual-reachability distances tie often; such a tie decides which
    child the point joins), and hdbscan's MST algorithms give the same
    clustering and memberships. Any exact MST (clustr's too) then agrees."""
    raw = hdbscan.HDBSCAN(metric=metric, **kw).fit(X).condensed_tree_._raw_tree
    splits = raw["lambda_val"][raw["child_size"] > 1]
    pts = raw["lambda_val"][raw["child_size"] == 1]
    if len(splits) and np.min(np.abs(pts[:, None] - splits[None, :]) / splits[None, :]) < 1e-9:
        return False
    algos = ["best", "prims_kdtree", "boruvka_kdtree", "generic"]
    ref = None
    for a in algos:
        lab, mem = canonical(hdbscan.HDBSCAN(prediction_data=True, metric=metric, algorithm=a, **kw).fit(X))
        if ref is None:
            ref = (lab, mem)
        elif not (np.array_equal(lab, ref[0]) and np.allclose(mem, ref[1], rtol=0, atol=1e-12)):
            return False
    return True


def run(name, X, Y, metric="euclidean", **kw):
    assert tie_free(X, metric, **kw), f"{name}: a mutual-reachability tie decides a label; change the seed"
    c = hdbscan.HDBSCAN(prediction_data=True, metric=metric, **kw).fit(X)
    pd = c.prediction_data_
    raw = c.condensed_tree_._raw_tree
    sel = sorted(c.condensed_tree_._select_clusters())
    n = len(X)
    row_of = {tuple(r): i for i, r in enumerate(X)}
    exemplars = [[row_of[tuple(r)] for r in e] for e in pd.exemplars]
    ms = c.min_samples or c.min_cluster_size
    labels, probs = prediction.approximate_predict(c, Y)
    out = dict(
        name=name, X=X, Y=Y, metric=metric, p=kw.get("p", 2.0), min_cluster_size=c.min_cluster_size,
        min_samples=ms, method=c.cluster_selection_method, allow_single_cluster=c.allow_single_cluster,
        parent=raw["parent"], child=raw["child"], lam=raw["lambda_val"], size=raw["child_size"],
        labels=c.labels_, probabilities=c.probabilities_, outlier_scores=c.outlier_scores_,
        selected=[s - n for s in sel], exemplars=exemplars, core=pd.core_distances,
        all_points=prediction.all_points_membership_vectors(c),
        mv=prediction.membership_vector(c, Y), pred_labels=labels, pred_probs=probs,
        pred_scores=prediction.approximate_predict_scores(c, Y))
    C = len(sel)
    assert C >= 2, f"{name}: want >= 2 clusters"
    assert out["all_points"].shape == (n, C)
    # Coverage: a selected cluster with sub-clusters (exemplars from several leaves).
    kids = set(raw["parent"][raw["child_size"] > 1])
    out["nested"] = any(s in kids for s in sel)
    return out


def fmt(a, kind="d"):
    a = np.asarray(a).ravel()
    if kind == "d":
        return "{" + ", ".join(repr(float(v)) for v in a) + "}"
    return "{" + ", ".join(str(int(v)) for v in a) + "}"


def main():
    cases = []
    # Two close sub-blobs (eom keeps their parent: a nested selected cluster) and three more.
    X1 = blobs(260, 2, [(0, 0), (1.3, 0), (5, 5), (-5, 4), (4, -4)], 0.3, 16, 30)
    cases.append(run("eom_2d", X1, new_points(X1, 30, 16), min_cluster_size=15, min_samples=8))
    X2 = blobs(200, 3, 5, 0.8, 19, 20)
    cases.append(run("leaf_3d", X2, new_points(X2, 25, 19), min_cluster_size=10, min_samples=5,
                     cluster_selection_method="leaf"))
    X3 = blobs(180, 2, 4, 0.6, 12, 15)
    cases.append(run("manhattan_2d", X3, new_points(X3, 25, 12), metric="manhattan", min_cluster_size=12,
                     min_samples=3))
    assert cases[0]["nested"], "eom_2d should select a cluster with sub-clusters"

    lines = [
        "// Generated by scripts/golden/make_hdbscan_soft_golden.py with hdbscan (pip), scikit-learn "
        + sklearn.__version__ + ", numpy " + np.__version__ + ": do not edit.",
        "// Per case: data, hdbscan's condensed tree / labels / prediction data, and its soft clustering outputs.",
        "#pragma once", "", "#include <cstdint>", "#include <vector>", "",
        "namespace clustr_test::hdbscan_soft_golden {", "",
        "struct golden_case {",
        "  const char* name;",
        "  long n, d, m;                        // training points, dimension, new points",
        "  const char* metric;                  // \"euclidean\" | \"manhattan\"",
        "  long min_cluster_size, min_samples;  // hdbscan's (min_samples = min_samples or min_cluster_size)",
        "  const char* method;                  // \"eom\" | \"leaf\"",
        "  std::vector<double> X;               // n x d",
        "  std::vector<double> Y;               // m x d new points",
        "  std::vector<std::int64_t> parent, child;  // condensed tree (hdbscan's _raw_tree)",
        "  std::vector<double> lambda_val;",
        "  std::vector<std::int64_t> child_size;",
        "  std::vector<std::int32_t> labels;",
        "  std::vector<double> probabilities, outlier_scores;",
        "  std::vector<std::int32_t> selected;  // selected clusters as nodes (cluster id - n), ascending",
        "  std::vector<std::vector<std::int64_t>> exemplars;  // per cluster, training row indices",
        "  std::vector<double> core_distances;  // PredictionData.core_distances",
        "  std::vector<double> all_points;      // n x C all_points_membership_vectors",
        "  std::vector<double> membership;      // m x C membership_vector(Y)",
        "  std::vector<std::int32_t> predict_labels;  // approximate_predict(Y)",
        "  std::vector<double> predict_probabilities;",
        "  std::vector<double> predict_scores;  // approximate_predict_scores(Y)",
        "};", "",
        "inline const std::vector<golden_case>& cases() {",
        "  static const std::vector<golden_case> all{",
    ]
    for c in cases:
        n, d = c["X"].shape
        lines += [
            f'    {{"{c["name"]}", {n}, {d}, {len(c["Y"])}, "{c["metric"]}", {c["min_cluster_size"]}, {c["min_samples"]}, "{c["method"]}",',
            "     " + fmt(c["X"]) + ",", "     " + fmt(c["Y"]) + ",",
            "     " + fmt(c["parent"], "i") + ",", "     " + fmt(c["child"], "i") + ",",
            "     " + fmt(c["lam"]) + ",", "     " + fmt(c["size"], "i") + ",",
            "     " + fmt(c["labels"], "i") + ",", "     " + fmt(c["probabilities"]) + ",",
            "     " + fmt(c["outlier_scores"]) + ",", "     " + fmt(c["selected"], "i") + ",",
            "     {" + ", ".join(fmt(e, "i") for e in c["exemplars"]) + "},",
            "     " + fmt(c["core"]) + ",", "     " + fmt(c["all_points"]) + ",",
            "     " + fmt(c["mv"]) + ",", "     " + fmt(c["pred_labels"], "i") + ",",
            "     " + fmt(c["pred_probs"]) + ",", "     " + fmt(c["pred_scores"]) + "},",
        ]
    lines += ["  };", "  return all;", "}", "", "}  // namespace clustr_test::hdbscan_soft_golden", ""]
    with open(OUT, "w") as f:
        f.write("\n".join(lines))
    for c in cases:
        print(c["name"], "n", len(c["X"]), "C", len(c["selected"]), "nested", c["nested"],
              "noise", int((c["labels"] < 0).sum()), "pred", np.bincount(c["pred_labels"] + 1))


if __name__ == "__main__":
    main()
