// HDBSCAN core distances and mutual-reachability MST, one body for every
// backend: against naive references (sorted distances, Prim's algorithm on
// the complete mutual-reachability graph, Kruskal on a kNN graph).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "clustr/backend/serial.hpp"
#include "clustr/cluster/detail/hdbscan_mst.hpp"
#include "clustr/neighbors/knn.hpp"
#include "reference/prim_mst.hpp"

namespace clustr_test::hdbscan_mst {

using clustr::index_t;
using edge_list_d = std::vector<clustr::hdbscan::mst_edge<double>>;

/// Blobs: `centers` Gaussian clusters (sd 1) with centres uniform in [-10, 10).
template <class T>
std::vector<T> blobs(index_t n, index_t d, index_t centers, std::uint64_t seed) {
  clustr::rng::random_stream r{seed, 7};
  std::vector<T> c(static_cast<std::size_t>(centers * d));
  for (std::size_t i = 0; i < c.size(); ++i) c[i] = r.uniform<T>(i, T(-10), T(10));
  std::vector<T> x(static_cast<std::size_t>(n * d));
  clustr::rng::random_stream g{seed, 8};
  for (index_t i = 0; i < n; ++i) {
    const index_t k = i % centers;
    for (index_t j = 0; j < d; ++j) {
      const auto e = static_cast<std::uint64_t>(i * d + j);
      // Box-Muller from two uniforms.
      const double u1 = g.uniform<double>(2 * e, 1e-12, 1.0), u2 = g.uniform<double>(2 * e + 1, 0.0, 1.0);
      const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
      x[static_cast<std::size_t>(i * d + j)] = c[static_cast<std::size_t>(k * d + j)] + static_cast<T>(z);
    }
  }
  return x;
}

/// Duplicate-heavy data: coordinates drawn from {0, 1, 2}: many exact
/// duplicates, zero core distances and massive weight ties.
template <class T>
std::vector<T> duplicates(index_t n, index_t d, std::uint64_t seed) {
  clustr::rng::random_stream r{seed, 9};
  std::vector<T> x(static_cast<std::size_t>(n * d));
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::floor(r.uniform<T>(i, T(0), T(3)));
  return x;
}

template <class T>
std::vector<T> make_data(int kind, index_t n, index_t d, std::uint64_t seed) {
  if (kind == 0) return clustr_test::random_matrix<T>(n, d, seed);
  if (kind == 1) return blobs<T>(n, d, 5, seed);
  return duplicates<T>(n, d, seed);
}

template <class T>
edge_list_d to_double(const std::vector<clustr::hdbscan::mst_edge<T>>& e) {
  edge_list_d out;
  for (const auto& x : e) out.push_back({x.from, x.to, static_cast<double>(x.weight)});
  return out;
}

/// Host backends must return exactly the reference's edge list. Device
/// backends may contract multiply-adds (other rounding), so there weights
/// agree to a tolerance and only near-tied edges may differ.
template <class Backend, class T>
void check_same_mst(const std::vector<clustr::hdbscan::mst_edge<T>>& got,
                    const std::vector<clustr::hdbscan::mst_edge<T>>& ref) {
  REQUIRE(got.size() == ref.size());
  if constexpr (clustr::is_host_backend_v<Backend>) {
    for (std::size_t i = 0; i < ref.size(); ++i) {
      INFO("edge " << i << ": got (" << got[i].from << ", " << got[i].to << ", " << got[i].weight << ") ref ("
                   << ref[i].from << ", " << ref[i].to << ", " << ref[i].weight << ")");
      REQUIRE(got[i].from == ref[i].from);
      REQUIRE(got[i].to == ref[i].to);
      REQUIRE(got[i].weight == ref[i].weight);
    }
  } else {
    const double tol = std::is_same_v<T, float> ? 1e-5 : 1e-12;
    std::size_t differ = 0;
    for (std::size_t i = 0; i < ref.size(); ++i) {
      const double scale = std::max(1.0, std::abs(static_cast<double>(ref[i].weight)));
      REQUIRE(std::abs(static_cast<double>(got[i].weight) - static_cast<double>(ref[i].weight)) <= tol * scale);
      if (got[i].from != ref[i].from || got[i].to != ref[i].to) ++differ;
    }
    // Near ties (an edge weight a rounding away from a core distance) may
    // resolve differently; the weights above already agree.
    CHECK(differ <= ref.size() / 10 + 2);
  }
  // Whatever the backend: a spanning tree (n - 1 edges, no cycle).
  std::vector<std::int64_t> parent(got.size() + 1);
  std::iota(parent.begin(), parent.end(), 0);
  auto find = [&](std::int64_t v) {
    while (parent[static_cast<std::size_t>(v)] != v)
      v = parent[static_cast<std::size_t>(v)] = parent[static_cast<std::size_t>(parent[static_cast<std::size_t>(v)])];
    return v;
  };
  for (const auto& e : got) {
    REQUIRE(e.from < e.to);
    REQUIRE(e.to <= static_cast<std::int64_t>(got.size()));
    const auto ra = find(e.from), rb = find(e.to);
    REQUIRE(ra != rb);
    parent[static_cast<std::size_t>(std::max(ra, rb))] = std::min(ra, rb);
  }
  const double scale = std::max(1.0, clustr_test::reference::total_weight(ref));
  CHECK(std::abs(clustr_test::reference::total_weight(got) - clustr_test::reference::total_weight(ref)) <=
        1e-5 * scale);
}

/// Core distances (backend) against the sorted-distance reference, then the
/// exact MST against Prim's with the backend's core distances.
template <class T, class Backend, class Metric>
void mst_matches_prim(const Backend& be, const Metric& metric, int kind, index_t n, index_t d, index_t m, T alpha,
                      std::uint64_t seed) {
  INFO("kind " << kind << " n " << n << " d " << d << " m " << m << " alpha " << alpha << " metric " << Metric::name);
  const auto x = make_data<T>(kind, n, d, seed);
  const auto X = clustr_test::to_backend(be, x, n, d);
  const auto core = clustr::hdbscan::detail::core_distances(be, metric, X, m, 97);
  const auto core_h = core.to_std_vector();
  const auto core_ref = clustr_test::reference::core_distances(metric, x, n, d, m);
  // Device backends may take a matrix-multiply path (|x|^2 + |y|^2 - 2 x.y)
  // in the kNN stage: float cancellation error there.
  const double tol = std::is_same_v<T, float> ? (clustr::is_host_backend_v<Backend> ? 2e-6 : 1e-4)
                                              : (clustr::is_host_backend_v<Backend> ? 1e-13 : 1e-9);
  for (index_t i = 0; i < n; ++i) {
    const auto is = static_cast<std::size_t>(i);
    INFO("core " << i);
    REQUIRE(std::abs(static_cast<double>(core_h[is]) - static_cast<double>(core_ref[is])) <=
            tol * std::max(1.0, std::abs(static_cast<double>(core_ref[is]))));
  }
  const auto mst = clustr::hdbscan::detail::mutual_reachability_mst(be, metric, X, core.view(), alpha, 97);
  const auto ref = clustr_test::reference::prim_mst(metric, x, n, d, core_h, alpha);
  check_same_mst<Backend>(mst, ref);
  // The combined entry point (one kd-tree for both) gives the same results.
  const auto both = clustr::hdbscan::detail::core_distances_and_mst(be, metric, X, m, alpha, 97);
  REQUIRE(both.core.to_std_vector() == core_h);
  REQUIRE(both.mst.size() == mst.size());
  for (std::size_t i = 0; i < mst.size(); ++i) {
    REQUIRE(both.mst[i].from == mst[i].from);
    REQUIRE(both.mst[i].to == mst[i].to);
    REQUIRE(both.mst[i].weight == mst[i].weight);
  }
  // Host input is accepted by every backend and gives the same tree.
  const auto mst_host_input =
      clustr::hdbscan::detail::mutual_reachability_mst(be, metric, clustr_test::host_view(x, n, d), core.view(), alpha, 5);
  REQUIRE(to_double(mst_host_input).size() == mst.size());
  for (std::size_t i = 0; i < mst.size(); ++i) {
    REQUIRE(mst_host_input[i].from == mst[i].from);
    REQUIRE(mst_host_input[i].to == mst[i].to);
    REQUIRE(mst_host_input[i].weight == mst[i].weight);
  }
}

/// Kruskal on the symmetrised kNN graph edges with the library's weights.
template <class T>
std::vector<clustr::hdbscan::mst_edge<T>> kruskal_on_graph(const std::vector<std::int64_t>& gi,
                                                           const std::vector<T>& gd, index_t n, index_t k,
                                                           const std::vector<T>& core, T alpha) {
  std::vector<clustr::hdbscan::mst_edge<T>> all;
  for (index_t a = 0; a < n; ++a)
    for (index_t j = 0; j < k; ++j) {
      const auto b = gi[static_cast<std::size_t>(a * k + j)];
      if (b < 0 || b == a) continue;
      T w = gd[static_cast<std::size_t>(a * k + j)] / alpha;
      w = std::max(w, core[static_cast<std::size_t>(a)]);
      w = std::max(w, core[static_cast<std::size_t>(b)]);
      all.push_back({std::min<std::int64_t>(a, b), std::max<std::int64_t>(a, b), w > T(0) ? w : T(0)});
    }
  std::sort(all.begin(), all.end(), [](const auto& p, const auto& q) {
    if (p.weight != q.weight) return p.weight < q.weight;
    if (p.from != q.from) return p.from < q.from;
    return p.to < q.to;
  });
  std::vector<std::int64_t> parent(static_cast<std::size_t>(n));
  std::iota(parent.begin(), parent.end(), 0);
  auto find = [&](std::int64_t v) {
    while (parent[static_cast<std::size_t>(v)] != v) v = parent[static_cast<std::size_t>(v)] = parent[static_cast<std::size_t>(parent[static_cast<std::size_t>(v)])];
    return v;
  };
  std::vector<clustr::hdbscan::mst_edge<T>> out;
  for (const auto& e : all) {
    const auto ra = find(e.from), rb = find(e.to);
    if (ra == rb) continue;
    parent[static_cast<std::size_t>(std::max(ra, rb))] = std::min(ra, rb);
    out.push_back(e);
  }
  return out;
}

template <class T, class Backend>
void knn_graph_forest(const Backend& be, index_t n, index_t d, index_t k, bool include_self, T alpha,
                      std::uint64_t seed) {
  INFO("n " << n << " k " << k << " include_self " << include_self);
  const auto x = blobs<T>(n, d, 6, seed);
  const auto X = clustr_test::to_backend(be, x, n, d);
  const auto g = clustr::knn::graph(be, clustr::knn::params<>{.k = k, .include_self = include_self}, X);
  const index_t m = include_self ? k - 1 : k;
  const auto core = clustr::hdbscan::detail::core_distances(be, g, m);
  const auto gi = g.indices.to_std_vector();
  const auto gd = g.distances.to_std_vector();
  const auto core_h = core.to_std_vector();
  for (index_t i = 0; i < n; ++i)
    REQUIRE(core_h[static_cast<std::size_t>(i)] == gd[static_cast<std::size_t>(i * k + (include_self ? m : m - 1))]);
  const auto forest = clustr::hdbscan::detail::knn_graph_mst(be, g, core.view(), alpha);
  const auto ref = kruskal_on_graph(gi, gd, n, k, core_h, alpha);
  REQUIRE(forest.size() == ref.size());
  for (std::size_t i = 0; i < ref.size(); ++i) {
    REQUIRE(forest[i].from == ref[i].from);
    REQUIRE(forest[i].to == ref[i].to);
    REQUIRE(forest[i].weight == ref[i].weight);
    // Every edge is a graph edge (either direction).
    bool found = false;
    for (index_t j = 0; j < k && !found; ++j)
      found = gi[static_cast<std::size_t>(forest[i].from * k + j)] == forest[i].to ||
              gi[static_cast<std::size_t>(forest[i].to * k + j)] == forest[i].from;
    REQUIRE(found);
  }
}

}  // namespace clustr_test::hdbscan_mst

TEMPLATE_LIST_TEST_CASE("hdbscan MST equals Prim's on random, blob and duplicate data (float, double)",
                        "[hdbscan_mst]", clustr_test::test_backends) {
  using namespace clustr_test::hdbscan_mst;
  const auto be = clustr_test::make<TestType>();
  const clustr::metric::euclidean l2;
  for (int kind = 0; kind < 3; ++kind) {
    mst_matches_prim<float>(be, l2, kind, 700, 3, 5, 1.0f, 1 + kind);
    mst_matches_prim<double>(be, l2, kind, 501, 2, 1, 1.0, 11 + kind);
  }
  // Awkward sizes, both core-distance conventions (m = min_samples and - 1).
  for (index_t n : {2, 3, 7, 33, 257}) {
    mst_matches_prim<double>(be, l2, 1, n, 4, 1, 1.0, 40 + static_cast<std::uint64_t>(n));
    if (n > 4) mst_matches_prim<float>(be, l2, 0, n, 5, n / 2, 1.0f, 50 + static_cast<std::uint64_t>(n));
  }
}

TEMPLATE_LIST_TEST_CASE("hdbscan MST: manhattan, cosine, high dimension, alpha != 1", "[hdbscan_mst]",
                        clustr_test::test_backends) {
  using namespace clustr_test::hdbscan_mst;
  const auto be = clustr_test::make<TestType>();
  mst_matches_prim<float>(be, clustr::metric::manhattan{}, 1, 600, 3, 4, 1.0f, 3);
  mst_matches_prim<double>(be, clustr::metric::manhattan{}, 2, 400, 4, 6, 0.5, 4);
  mst_matches_prim<float>(be, clustr::metric::cosine{}, 0, 500, 6, 5, 1.0f, 5);       // brute force
  mst_matches_prim<double>(be, clustr::metric::cosine{}, 1, 300, 3, 2, 1.3, 6);       // brute force
  mst_matches_prim<float>(be, clustr::metric::euclidean{}, 1, 400, 20, 5, 1.0f, 7);   // above the kd-tree's dims
  mst_matches_prim<double>(be, clustr::metric::euclidean{}, 0, 600, 3, 8, 0.7, 8);
  mst_matches_prim<double>(be, clustr::metric::euclidean{}, 1, 600, 5, 3, 2.0, 9);
  mst_matches_prim<float>(be, clustr::metric::chebyshev{}, 1, 300, 3, 4, 1.0f, 10);
  mst_matches_prim<double>(be, clustr::metric::minkowski{3.0}, 0, 300, 3, 4, 1.0, 11);
  mst_matches_prim<double>(be, clustr::metric::euclidean{}, 1, 400, 3, 150, 1.0, 12);  // m above the tree's heap
}

TEMPLATE_LIST_TEST_CASE("hdbscan MST is the same at any thread count and on larger data", "[hdbscan_mst]",
                        clustr_test::test_backends) {
  using namespace clustr_test::hdbscan_mst;
  const auto be = clustr_test::make<TestType>();
  const index_t n = 20000, d = 5, m = 10;
  const auto x = blobs<float>(n, d, 20, 77);
  const clustr::metric::euclidean l2;
  const auto core_ref = clustr::hdbscan::detail::core_distances(clustr::serial{}, l2, clustr_test::host_view(x, n, d), m, 4096);
  const auto ref = clustr::hdbscan::detail::mutual_reachability_mst(clustr::serial{}, l2, clustr_test::host_view(x, n, d),
                                                                    core_ref.view(), 1.0f, 4096);
  const auto X = clustr_test::to_backend(be, x, n, d);
  const auto core = clustr::hdbscan::detail::core_distances(be, l2, X, m, 4096);
  const auto mst = clustr::hdbscan::detail::mutual_reachability_mst(be, l2, X, core.view(), 1.0f, 4096);
  REQUIRE(mst.size() == static_cast<std::size_t>(n - 1));
  check_same_mst<TestType>(mst, ref);
}

TEMPLATE_LIST_TEST_CASE("hdbscan kNN-graph MST is the minimum spanning forest of the graph's edges",
                        "[hdbscan_mst]", clustr_test::test_backends) {
  using namespace clustr_test::hdbscan_mst;
  const auto be = clustr_test::make<TestType>();
  knn_graph_forest<float>(be, 900, 3, 5, false, 1.0f, 1);  // 6 separated blobs: a forest
  knn_graph_forest<double>(be, 500, 2, 15, true, 0.8, 2);
  knn_graph_forest<double>(be, 7, 2, 6, false, 1.0, 3);   // complete graph: a spanning tree
}

TEMPLATE_LIST_TEST_CASE("hdbscan MST entry points reject bad arguments", "[hdbscan_mst]",
                        clustr_test::test_backends) {
  using namespace clustr_test::hdbscan_mst;
  namespace hd = clustr::hdbscan::detail;
  const auto be = clustr_test::make<TestType>();
  const index_t n = 50, d = 3;
  auto x = clustr_test::random_matrix<double>(n, d, 1);
  const auto X = clustr_test::to_backend(be, x, n, d);
  const clustr::metric::euclidean l2;
  clustr_test::expect_invalid([&] { (void)hd::core_distances(be, l2, X, 0, 16); }, "m");
  clustr_test::expect_invalid([&] { (void)hd::core_distances(be, l2, X, n, 16); }, "m");
  clustr_test::expect_invalid([&] { (void)hd::core_distances(be, l2, X, 3, 0); }, "batch_size");
  const auto core = hd::core_distances(be, l2, X, 3, 16);
  clustr_test::expect_invalid([&] { (void)hd::mutual_reachability_mst(be, l2, X, core.view(), 0.0, 16); }, "alpha");
  clustr_test::expect_invalid([&] { (void)hd::mutual_reachability_mst(be, l2, X, core.view(), -1.0, 16); }, "alpha");
  clustr_test::expect_invalid(
      [&] { (void)hd::mutual_reachability_mst(be, l2, X, core.view(), std::numeric_limits<double>::quiet_NaN(), 16); },
      "alpha");
  clustr_test::expect_invalid([&] { (void)hd::mutual_reachability_mst(be, l2, X, core.view(), 1.0, 0); }, "batch_size");
  clustr_test::expect_invalid([&] { (void)hd::core_distances_and_mst(be, l2, X, 0, 1.0, 16); }, "m");
  clustr_test::expect_invalid([&] { (void)hd::core_distances_and_mst(be, l2, X, n, 1.0, 16); }, "m");
  clustr_test::expect_invalid([&] { (void)hd::core_distances_and_mst(be, l2, X, 3, 0.0, 16); }, "alpha");
  const auto short_core = clustr_test::to_backend(be, std::vector<double>(n - 1, 1.0));
  clustr_test::expect_invalid([&] { (void)hd::mutual_reachability_mst(be, l2, X, short_core.view(), 1.0, 16); },
                              "core.size()");
  x[7] = std::numeric_limits<double>::quiet_NaN();
  const auto Xnan = clustr_test::to_backend(be, x, n, d);
  clustr_test::expect_invalid([&] { (void)hd::core_distances(be, l2, Xnan, 3, 16); }, "X");
  clustr_test::expect_invalid([&] { (void)hd::mutual_reachability_mst(be, l2, Xnan, core.view(), 1.0, 16); }, "X");
  clustr_test::expect_invalid([&] { (void)hd::core_distances_and_mst(be, l2, Xnan, 3, 1.0, 16); }, "X");
  clustr_test::expect_invalid([&] { (void)hd::core_distances(be, clustr::metric::inner_product{}, X, 3, 16); }, "metric");
  clustr_test::expect_invalid(
      [&] { (void)hd::mutual_reachability_mst(be, clustr::metric::inner_product{}, X, core.view(), 1.0, 16); }, "metric");
  const auto g = clustr::knn::graph(be, clustr::knn::params<>{.k = 4}, X);
  clustr_test::expect_invalid([&] { (void)hd::core_distances(be, g, 5); }, "m");
  clustr_test::expect_invalid([&] { (void)hd::core_distances(be, g, 0); }, "m");
  clustr_test::expect_invalid([&] { (void)hd::knn_graph_mst(be, g, core.view(), 0.0); }, "alpha");
}
