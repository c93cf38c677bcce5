#pragma once
// Host-side tree stages of HDBSCAN*, step for step as the hdbscan library
// (_hdbscan_linkage.pyx label(), _hdbscan_tree.pyx condense_tree,
// compute_stability, get_clusters, do_labelling, get_probabilities,
// outlier_scores, get_stability_scores, labelling_at_cut). They are O(n)
// walks over trees with sequential dependencies, so they run on the host in
// double whatever the scalar type; fit() copies per-point results back.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <vector>

#include "clustr/cluster/hdbscan_types.hpp"

namespace clustr::hdbscan::detail {

using id_t = std::int64_t;

/// One row of the single-linkage tree (scipy layout) in double.
struct linkage_row {
  id_t left = 0, right = 0;
  double distance = 0.0;
  id_t size = 0;
};

/// One row of the condensed tree in double.
struct condensed_row {
  id_t parent = 0, child = 0;
  double lambda = 0.0;
  id_t size = 0;
};

/// Everything the tree stages produce (host, double).
struct tree_result {
  std::vector<linkage_row> linkage;
  std::vector<condensed_row> condensed;
  std::vector<std::int32_t> labels;
  std::vector<double> probabilities;
  std::vector<double> outlier_scores;
  std::vector<double> persistence;   ///< per label, as get_stability_scores
  std::vector<id_t> selected;        ///< condensed-tree id of each label, ascending
};

/// MST edges in the order and orientation the hdbscan library's Prim gives
/// them to label(): each edge points away from node 0 (from = the endpoint
/// nearer the root), sorted by weight (ties by smaller then larger
/// endpoint). A forest (kNN-graph MST) is joined by +inf edges from node 0
/// to the smallest index of every other component, as hdbscan does with
/// missing distances (those merges happen at lambda 0).
template <class T>
std::vector<mst_edge<double>> oriented_sorted_edges(id_t n, const std::vector<mst_edge<T>>& mst) {
  std::vector<id_t> deg(static_cast<std::size_t>(n) + 1, 0);
  for (const auto& e : mst) {
    ++deg[static_cast<std::size_t>(e.from) + 1];
    ++deg[static_cast<std::size_t>(e.to) + 1];
  }
  std::partial_sum(deg.begin(), deg.end(), deg.begin());
  std::vector<id_t> adj(static_cast<std::size_t>(deg.back()));
  std::vector<id_t> fill(deg.begin(), deg.end() - 1);
  for (std::size_t k = 0; k < mst.size(); ++k) {
    adj[static_cast<std::size_t>(fill[static_cast<std::size_t>(mst[k].from)]++)] = static_cast<id_t>(k);
    adj[static_cast<std::size_t>(fill[static_cast<std::size_t>(mst[k].to)]++)] = static_cast<id_t>(k);
  }
  std::vector<mst_edge<double>> out;
  out.reserve(static_cast<std::size_t>(n > 0 ? n - 1 : 0));
  std::vector<char> seen(static_cast<std::size_t>(n), 0);
  std::vector<char> used(mst.size(), 0);
  std::vector<id_t> queue;
  queue.reserve(static_cast<std::size_t>(n));
  for (id_t root = 0; root < n; ++root) {
    if (seen[static_cast<std::size_t>(root)]) continue;
    if (root != 0) out.push_back({0, root, std::numeric_limits<double>::infinity()});
    seen[static_cast<std::size_t>(root)] = 1;
    queue.clear();
    queue.push_back(root);
    for (std::size_t h = 0; h < queue.size(); ++h) {
      const id_t u = queue[h];
      for (id_t a = deg[static_cast<std::size_t>(u)]; a < deg[static_cast<std::size_t>(u) + 1]; ++a) {
        const auto k = static_cast<std::size_t>(adj[static_cast<std::size_t>(a)]);
        if (used[k]) continue;
        used[k] = 1;
        const id_t v = mst[k].from == u ? mst[k].to : mst[k].from;
        if (seen[static_cast<std::size_t>(v)]) continue;  // a cycle: not a forest; ignore the edge
        seen[static_cast<std::size_t>(v)] = 1;
        queue.push_back(v);
        out.push_back({u, v, static_cast<double>(mst[k].weight)});
      }
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const mst_edge<double>& a, const mst_edge<double>& b) {
    if (a.weight != b.weight) return a.weight < b.weight;
    const id_t amin = std::min(a.from, a.to), bmin = std::min(b.from, b.to);
    if (amin != bmin) return amin < bmin;
    return std::max(a.from, a.to) < std::max(b.from, b.to);
  });
  return out;
}

/// hdbscan's label(): MST edges (sorted) to the scipy linkage.
inline std::vector<linkage_row> single_linkage(id_t n, const std::vector<mst_edge<double>>& edges) {
  std::vector<id_t> parent(static_cast<std::size_t>(2 * n - 1), -1), size(static_cast<std::size_t>(2 * n - 1), 0);
  for (id_t i = 0; i < n; ++i) size[static_cast<std::size_t>(i)] = 1;
  auto find = [&](id_t x) {
    id_t r = x;
    while (parent[static_cast<std::size_t>(r)] != -1) r = parent[static_cast<std::size_t>(r)];
    while (x != r && parent[static_cast<std::size_t>(x)] != r) {
      const id_t next = parent[static_cast<std::size_t>(x)];
      parent[static_cast<std::size_t>(x)] = r;
      x = next;
    }
    return r;
  };
  std::vector<linkage_row> rows;
  rows.reserve(edges.size());
  id_t next = n;
  for (const auto& e : edges) {
    const id_t a = find(e.from), b = find(e.to);
    const id_t s = size[static_cast<std::size_t>(a)] + size[static_cast<std::size_t>(b)];
    rows.push_back({a, b, e.weight, s});
    parent[static_cast<std::size_t>(a)] = next;
    parent[static_cast<std::size_t>(b)] = next;
    size[static_cast<std::size_t>(next)] = s;
    ++next;
  }
  return rows;
}

/// Breadth-first order of the hierarchy below `root` (hdbscan's
/// bfs_from_hierarchy), appended to `out`.
inline void bfs_hierarchy(const std::vector<linkage_row>& h, id_t n, id_t root, std::vector<id_t>& out) {
  const std::size_t start = out.size();
  out.push_back(root);
  for (std::size_t i = start; i < out.size(); ++i) {
    const id_t node = out[i];
    if (node >= n) {
      const auto& r = h[static_cast<std::size_t>(node - n)];
      out.push_back(r.left);
      out.push_back(r.right);
    }
  }
}

/// hdbscan's condense_tree.
inline std::vector<condensed_row> condense(const std::vector<linkage_row>& h, id_t n, id_t min_cluster_size) {
  std::vector<condensed_row> out;
  if (n < 2) return out;
  const id_t root = 2 * static_cast<id_t>(h.size());
  id_t next_label = n + 1;
  std::vector<id_t> nodes;
  nodes.reserve(static_cast<std::size_t>(root + 1));
  bfs_hierarchy(h, n, root, nodes);
  std::vector<id_t> relabel(static_cast<std::size_t>(root + 1), 0);
  relabel[static_cast<std::size_t>(root)] = n;
  std::vector<char> ignore(static_cast<std::size_t>(root + 1), 0);
  out.reserve(static_cast<std::size_t>(2 * n));
  std::vector<id_t> sub;
  auto count = [&](id_t c) { return c >= n ? h[static_cast<std::size_t>(c - n)].size : id_t(1); };
  auto drop = [&](id_t from, id_t parent, double lambda) {  // every point below `from` leaves `parent`
    sub.clear();
    bfs_hierarchy(h, n, from, sub);
    for (const id_t s : sub) {
      if (s < n) out.push_back({parent, s, lambda, 1});
      ignore[static_cast<std::size_t>(s)] = 1;
    }
  };
  for (const id_t node : nodes) {
    if (node < n || ignore[static_cast<std::size_t>(node)]) continue;
    const auto& r = h[static_cast<std::size_t>(node - n)];
    const double lambda = r.distance > 0.0 ? 1.0 / r.distance : std::numeric_limits<double>::infinity();
    const id_t lc = count(r.left), rc = count(r.right);
    const id_t me = relabel[static_cast<std::size_t>(node)];
    if (lc >= min_cluster_size && rc >= min_cluster_size) {
      relabel[static_cast<std::size_t>(r.left)] = next_label++;
      out.push_back({me, relabel[static_cast<std::size_t>(r.left)], lambda, lc});
      relabel[static_cast<std::size_t>(r.right)] = next_label++;
      out.push_back({me, relabel[static_cast<std::size_t>(r.right)], lambda, rc});
    } else if (lc < min_cluster_size && rc < min_cluster_size) {
      drop(r.left, me, lambda);
      drop(r.right, me, lambda);
    } else if (lc < min_cluster_size) {
      relabel[static_cast<std::size_t>(r.right)] = me;
      drop(r.left, me, lambda);
    } else {
      relabel[static_cast<std::size_t>(r.left)] = me;
      drop(r.right, me, lambda);
    }
  }
  return out;
}

/// hdbscan's TreeUnionFind (union by rank, path compression): the root it
/// picks decides label numbering in labelling_at_cut.
struct tree_union_find {
  std::vector<id_t> parent, rank;
  explicit tree_union_find(id_t size) : parent(static_cast<std::size_t>(size)), rank(static_cast<std::size_t>(size), 0) {
    std::iota(parent.begin(), parent.end(), id_t(0));
  }
  id_t find(id_t x) {
    id_t r = x;
    while (parent[static_cast<std::size_t>(r)] != r) r = parent[static_cast<std::size_t>(r)];
    while (parent[static_cast<std::size_t>(x)] != r) {
      const id_t next = parent[static_cast<std::size_t>(x)];
      parent[static_cast<std::size_t>(x)] = r;
      x = next;
    }
    return r;
  }
  void unite(id_t x, id_t y) {
    const id_t xr = find(x), yr = find(y);
    auto& rx = rank[static_cast<std::size_t>(xr)];
    auto& ry = rank[static_cast<std::size_t>(yr)];
    if (rx < ry) {
      parent[static_cast<std::size_t>(xr)] = yr;
    } else if (rx > ry) {
      parent[static_cast<std::size_t>(yr)] = xr;
    } else {
      parent[static_cast<std::size_t>(yr)] = xr;
      ++rx;
    }
  }
};

/// The cluster part of the condensed tree, indexed by cluster id - n.
struct cluster_tree {
  id_t n = 0;                                  ///< points; the root is n
  id_t count = 0;                              ///< clusters (ids n .. n + count - 1)
  std::vector<std::vector<id_t>> children;     ///< cluster children in row order
  std::vector<id_t> parent;                    ///< -1 for the root
  std::vector<double> birth_lambda;            ///< lambda of its row as a child (root: 0)
  std::vector<id_t> size;                      ///< child_size of its row (root: filled by caller)
  std::vector<double> death;                   ///< max lambda over its rows (hdbscan's max_lambdas)

  std::size_t at(id_t c) const { return static_cast<std::size_t>(c - n); }
  /// hdbscan's _bfs_from_dict from `c` (c first).
  std::vector<id_t> bfs(id_t c) const {
    std::vector<id_t> out{c};
    for (std::size_t i = 0; i < out.size(); ++i)
      for (const id_t ch : children[at(out[i])]) out.push_back(ch);
    return out;
  }
};

inline cluster_tree make_cluster_tree(const std::vector<condensed_row>& ct, id_t n) {
  cluster_tree t;
  t.n = n;
  id_t max_parent = n;
  for (const auto& r : ct) max_parent = std::max(max_parent, r.parent);
  t.count = max_parent - n + 1;
  const auto K = static_cast<std::size_t>(t.count);
  t.children.assign(K, {});
  t.parent.assign(K, -1);
  t.birth_lambda.assign(K, 0.0);
  t.size.assign(K, 0);
  t.death.assign(K, 0.0);
  for (const auto& r : ct) {
    auto& d = t.death[t.at(r.parent)];
    d = std::max(d, r.lambda);
    if (r.child >= n) {  // child_size > 1 rows: the cluster tree
      t.children[t.at(r.parent)].push_back(r.child);
      t.parent[t.at(r.child)] = r.parent;
      t.birth_lambda[t.at(r.child)] = r.lambda;
      t.size[t.at(r.child)] = r.size;
    }
  }
  return t;
}

/// hdbscan's compute_stability (row order summation as there).
inline std::vector<double> stabilities(const std::vector<condensed_row>& ct, const cluster_tree& t) {
  std::vector<double> s(static_cast<std::size_t>(t.count), 0.0);
  for (const auto& r : ct) {
    const std::size_t p = t.at(r.parent);
    s[p] += (r.lambda - t.birth_lambda[p]) * static_cast<double>(r.size);
  }
  return s;
}

/// hdbscan's _epsilon_search_fast with _traverse_upwards_fast (`in` holds
/// cluster ids; the result is a membership mask over clusters).
inline std::vector<char> epsilon_search(const cluster_tree& t, const std::vector<id_t>& in, double eps,
                                        bool allow_single_cluster) {
  std::vector<char> selected(static_cast<std::size_t>(t.count), 0), processed(static_cast<std::size_t>(t.count), 0);
  const id_t root = t.n;
  for (const id_t leaf : in) {
    const double leaf_eps = 1.0 / t.birth_lambda[t.at(leaf)];
    if (leaf_eps < eps) {
      if (processed[t.at(leaf)]) continue;
      id_t node = leaf, up = leaf;
      for (;;) {
        const id_t parent = t.parent[t.at(node)];
        if (parent == root) {
          up = allow_single_cluster ? parent : node;
          break;
        }
        if (1.0 / t.birth_lambda[t.at(parent)] > eps) {
          up = parent;
          break;
        }
        node = parent;
      }
      selected[t.at(up)] = 1;
      for (const id_t s : t.bfs(up))
        if (s != up) processed[t.at(s)] = 1;
    } else {
      selected[t.at(leaf)] = 1;
    }
  }
  return selected;
}

/// The flat clustering options get_clusters takes.
struct selection_options {
  selection_method method = selection_method::eom;
  bool allow_single_cluster = false;
  double epsilon = 0.0;
  id_t max_cluster_size = 0;
};

/// hdbscan's get_clusters: which clusters are selected (a mask over cluster
/// ids - n). `stability` is updated as there (deselected clusters take
/// their children's sum; hdbscan accumulates that sum in a C float, so do
/// we: it decides ties exactly as the reference does).
inline std::vector<char> select_clusters(const cluster_tree& t, std::vector<double>& stability,
                                         const selection_options& o) {
  const auto K = static_cast<std::size_t>(t.count);
  const id_t root = t.n;
  std::vector<char> key(K, 0), is_cluster(K, 0);  // key: present in hdbscan's is_cluster dict
  for (std::size_t c = o.allow_single_cluster ? 0 : 1; c < K; ++c) key[c] = is_cluster[c] = 1;
  const bool have_tree = t.count > 1;
  const id_t max_size = o.max_cluster_size <= 0 ? t.n + 1 : o.max_cluster_size;
  std::vector<id_t> sizes = t.size;
  if (o.allow_single_cluster) {
    id_t s = 0;
    for (const id_t ch : t.children[0]) s += t.size[t.at(ch)];
    sizes[0] = s;
  }
  auto apply = [&](const std::vector<char>& sel) {
    for (std::size_t c = 0; c < K; ++c)
      if (key[c]) is_cluster[c] = sel[c];
  };
  if (o.method == selection_method::eom) {
    for (std::size_t c = K; c-- > (o.allow_single_cluster ? 0u : 1u);) {
      float subtree = 0.0f;
      for (const id_t ch : t.children[c]) subtree = static_cast<float>(static_cast<double>(subtree) + stability[t.at(ch)]);
      if (static_cast<double>(subtree) > stability[c] || sizes[c] > max_size) {
        is_cluster[c] = 0;
        stability[c] = static_cast<double>(subtree);
      } else {
        for (const id_t s : t.bfs(root + static_cast<id_t>(c)))
          if (s != root + static_cast<id_t>(c)) is_cluster[t.at(s)] = 0;
      }
    }
    if (o.epsilon != 0.0 && have_tree) {
      std::vector<id_t> eom;
      for (std::size_t c = 0; c < K; ++c)
        if (key[c] && is_cluster[c]) eom.push_back(root + static_cast<id_t>(c));
      std::vector<char> sel(K, 0);
      if (eom.size() == 1 && eom[0] == root) {
        if (o.allow_single_cluster) sel[0] = 1;
      } else {
        sel = epsilon_search(t, eom, o.epsilon, o.allow_single_cluster);
      }
      apply(sel);
    }
  } else {
    std::vector<id_t> leaves;
    if (have_tree)
      for (const id_t s : t.bfs(root))
        if (t.children[t.at(s)].empty()) leaves.push_back(s);
    std::sort(leaves.begin(), leaves.end());
    if (leaves.empty()) {
      std::fill(is_cluster.begin(), is_cluster.end(), 0);
      key[0] = is_cluster[0] = 1;
    }
    std::vector<char> sel(K, 0);
    if (o.epsilon != 0.0) {
      sel = epsilon_search(t, leaves, o.epsilon, o.allow_single_cluster);
    } else {
      for (const id_t l : leaves) sel[t.at(l)] = 1;
    }
    apply(sel);
  }
  for (std::size_t c = 0; c < K; ++c)
    if (!key[c]) is_cluster[c] = 0;
  return is_cluster;
}

/// hdbscan's do_labelling, get_probabilities, outlier_scores and
/// get_stability_scores for the selected clusters.
inline void label_points(const std::vector<condensed_row>& ct, const cluster_tree& t,
                         const std::vector<double>& stability, const std::vector<char>& is_cluster,
                         const selection_options& o, tree_result& r) {
  const id_t n = t.n, root = n;
  const auto K = static_cast<std::size_t>(t.count);
  std::vector<std::int32_t> label_of(K, -1);
  r.selected.clear();
  for (std::size_t c = 0; c < K; ++c)
    if (is_cluster[c]) {
      label_of[c] = static_cast<std::int32_t>(r.selected.size());
      r.selected.push_back(root + static_cast<id_t>(c));
    }
  // do_labelling
  tree_union_find uf(root + static_cast<id_t>(K));
  std::vector<double> point_lambda(static_cast<std::size_t>(n), 0.0);
  double root_max_lambda = 0.0;
  for (const auto& row : ct) {
    if (row.child < n) point_lambda[static_cast<std::size_t>(row.child)] = row.lambda;
    if (row.parent == root) root_max_lambda = std::max(root_max_lambda, row.lambda);
    if (!(row.child >= n && is_cluster[t.at(row.child)])) uf.unite(row.parent, row.child);
  }
  r.labels.assign(static_cast<std::size_t>(n), -1);
  for (id_t p = 0; p < n; ++p) {
    const id_t c = uf.find(p);
    auto& l = r.labels[static_cast<std::size_t>(p)];
    if (c < root) {
      l = -1;
    } else if (c == root) {
      if (r.selected.size() == 1 && o.allow_single_cluster && is_cluster[0]) {
        const double lam = point_lambda[static_cast<std::size_t>(p)];
        const bool in = o.epsilon != 0.0 ? lam >= 1.0 / o.epsilon : lam >= root_max_lambda;
        l = in ? label_of[0] : -1;
      }
    } else {
      l = label_of[t.at(c)];
    }
  }
  // get_probabilities
  r.probabilities.assign(static_cast<std::size_t>(n), 0.0);
  for (const auto& row : ct) {
    if (row.child >= n) continue;
    const std::int32_t l = r.labels[static_cast<std::size_t>(row.child)];
    if (l < 0) continue;
    const double max_lambda = t.death[t.at(r.selected[static_cast<std::size_t>(l)])];
    r.probabilities[static_cast<std::size_t>(row.child)] =
        (max_lambda == 0.0 || !std::isfinite(row.lambda)) ? 1.0 : std::min(row.lambda, max_lambda) / max_lambda;
  }
  // outlier_scores (GLOSH): deaths propagated up the tree
  std::vector<double> deaths = t.death;
  for (std::size_t i = ct.size(); i-- > 0;) {
    const auto& row = ct[i];
    if (row.child < n) continue;  // a point's death is 0: never raises its parent
    auto& dp = deaths[t.at(row.parent)];
    dp = std::max(dp, deaths[t.at(row.child)]);
  }
  r.outlier_scores.assign(static_cast<std::size_t>(n), 0.0);
  for (const auto& row : ct) {
    if (row.child >= n) continue;
    const double lambda_max = deaths[t.at(row.parent)];
    r.outlier_scores[static_cast<std::size_t>(row.child)] =
        (lambda_max == 0.0 || !std::isfinite(row.lambda)) ? 0.0 : (lambda_max - row.lambda) / lambda_max;
  }
  // get_stability_scores
  double max_lambda = 0.0;
  for (const auto& row : ct) max_lambda = std::max(max_lambda, row.lambda);
  std::vector<id_t> count(r.selected.size(), 0);
  for (const auto l : r.labels)
    if (l >= 0) ++count[static_cast<std::size_t>(l)];
  r.persistence.assign(r.selected.size(), 1.0);
  for (std::size_t l = 0; l < r.selected.size(); ++l)
    if (!(std::isinf(max_lambda) || max_lambda == 0.0 || count[l] == 0))
      r.persistence[l] = stability[t.at(r.selected[l])] / (static_cast<double>(count[l]) * max_lambda);
}

/// The whole host pipeline from MST edges to labels.
template <class T>
tree_result run_tree(id_t n, const std::vector<mst_edge<T>>& mst, id_t min_cluster_size, const selection_options& o) {
  tree_result r;
  r.linkage = single_linkage(n, oriented_sorted_edges(n, mst));
  r.condensed = condense(r.linkage, n, min_cluster_size);
  const cluster_tree t = make_cluster_tree(r.condensed, n);
  std::vector<double> stab = stabilities(r.condensed, t);
  const std::vector<char> is_cluster = select_clusters(t, stab, o);
  label_points(r.condensed, t, stab, is_cluster, o, r);
  return r;
}

/// hdbscan's labelling_at_cut (single_linkage_tree_.get_clusters): merges
/// below `cut` (strictly), components smaller than min_cluster_size are
/// noise, the rest numbered in the order of their union-find roots.
template <class T>
std::vector<std::int32_t> labelling_at_cut(const single_linkage_tree<T>& h, double cut, id_t min_cluster_size) {
  const id_t rows = static_cast<id_t>(h.left.size());
  const id_t n = rows + 1;
  tree_union_find uf(2 * rows + 1);
  for (id_t i = 0; i < rows; ++i)
    if (static_cast<double>(h.distance[static_cast<std::size_t>(i)]) < cut) {
      uf.unite(h.left[static_cast<std::size_t>(i)], n + i);
      uf.unite(h.right[static_cast<std::size_t>(i)], n + i);
    }
  std::vector<id_t> root(static_cast<std::size_t>(n)), size(static_cast<std::size_t>(2 * rows + 1), 0);
  for (id_t p = 0; p < n; ++p) {
    root[static_cast<std::size_t>(p)] = uf.find(p);
    ++size[static_cast<std::size_t>(root[static_cast<std::size_t>(p)])];
  }
  std::vector<std::int32_t> map(size.size(), -1);
  std::int32_t next = 0;
  for (std::size_t c = 0; c < size.size(); ++c)
    if (size[c] >= min_cluster_size && size[c] > 0) map[c] = next++;
  std::vector<std::int32_t> out(static_cast<std::size_t>(n));
  for (id_t p = 0; p < n; ++p) out[static_cast<std::size_t>(p)] = map[static_cast<std::size_t>(root[static_cast<std::size_t>(p)])];
  return out;
}

/// The hdbscan library's relative_validity_ (its fast DBCV approximation
/// from the MST edges and the labels).
template <class T>
double relative_validity(const std::vector<mst_edge<T>>& mst, const std::vector<std::int32_t>& labels, id_t n_clusters) {
  const auto C = static_cast<std::size_t>(n_clusters);
  std::vector<double> dsc(C, 0.0), dspc(C, std::numeric_limits<double>::infinity());
  std::vector<double> size(C, 0.0);
  double noise = 0.0;
  for (const auto l : labels) {
    if (l < 0) noise += 1.0;
    else size[static_cast<std::size_t>(l)] += 1.0;
  }
  double total = noise;
  for (const double s : size) total += s;
  double max_distance = 0.0, min_outlier_sep = std::numeric_limits<double>::infinity();
  for (const auto& e : mst) {
    const double w = static_cast<double>(e.weight);
    max_distance = std::max(max_distance, w);
    const std::int32_t a = labels[static_cast<std::size_t>(e.from)], b = labels[static_cast<std::size_t>(e.to)];
    if ((a < 0) != (b < 0)) {
      min_outlier_sep = std::min(min_outlier_sep, w);
    } else if (a >= 0 && a == b) {
      dsc[static_cast<std::size_t>(a)] = std::max(dsc[static_cast<std::size_t>(a)], w);
    } else if (a >= 0) {
      dspc[static_cast<std::size_t>(a)] = std::min(dspc[static_cast<std::size_t>(a)], w);
      dspc[static_cast<std::size_t>(b)] = std::min(dspc[static_cast<std::size_t>(b)], w);
    }
  }
  if (std::isinf(min_outlier_sep)) min_outlier_sep = max_distance;
  const double correction = 2.0 * (C > 1 ? max_distance : min_outlier_sep);
  double score = 0.0;
  for (std::size_t c = 0; c < C; ++c) {
    const double sep = std::isinf(dspc[c]) ? correction : dspc[c];
    const double v = (sep - dsc[c]) / std::max(sep, dsc[c]);
    score += size[c] * v / total;
  }
  return score;
}

}  // namespace clustr::hdbscan::detail
