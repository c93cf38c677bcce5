// HDBSCAN tests, one body for every backend: the hdbscan library's (and
// scikit-learn's) results on golden data sets, the tree stages against a
// naive Prim MST, determinism against the serial backend, the kNN-graph
// entry points, dbscan_clustering and bad input.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <utility>
#include <string>
#include <vector>

#include "clustr/backend/serial.hpp"
#include "clustr/cluster/hdbscan.hpp"
#include "golden/hdbscan_golden.hpp"

namespace clustr_test::hdbscan_tests {

using clustr::index_t;
namespace hg = clustr_test::hdbscan_golden;

/// Naive Prim on the complete mutual-reachability graph (host, O(n^2)),
/// with hdbscan's core distance (m-th other point) in double.
inline std::vector<clustr::hdbscan::mst_edge<double>> naive_mst(const std::vector<double>& X, index_t n, index_t d,
                                                                index_t m, double alpha) {
  auto dist = [&](index_t a, index_t b) {
    double s = 0;
    for (index_t j = 0; j < d; ++j) {
      const double t = X[static_cast<std::size_t>(a * d + j)] - X[static_cast<std::size_t>(b * d + j)];
      s += t * t;
    }
    return std::sqrt(s);
  };
  std::vector<double> core(static_cast<std::size_t>(n), 0.0), row;
  for (index_t a = 0; a < n && m > 0; ++a) {
    row.clear();
    for (index_t b = 0; b < n; ++b)
      if (b != a) row.push_back(dist(a, b));
    std::nth_element(row.begin(), row.begin() + (m - 1), row.end());
    core[static_cast<std::size_t>(a)] = row[static_cast<std::size_t>(m - 1)];
  }
  std::vector<char> in(static_cast<std::size_t>(n), 0);
  std::vector<double> best(static_cast<std::size_t>(n), std::numeric_limits<double>::infinity());
  std::vector<index_t> src(static_cast<std::size_t>(n), 0);
  std::vector<clustr::hdbscan::mst_edge<double>> out;
  index_t cur = 0;
  for (index_t it = 1; it < n; ++it) {
    in[static_cast<std::size_t>(cur)] = 1;
    index_t next = -1;
    for (index_t j = 0; j < n; ++j) {
      if (in[static_cast<std::size_t>(j)]) continue;
      const double w = std::max({dist(cur, j) / alpha, core[static_cast<std::size_t>(cur)], core[static_cast<std::size_t>(j)]});
      if (w < best[static_cast<std::size_t>(j)]) {
        best[static_cast<std::size_t>(j)] = w;
        src[static_cast<std::size_t>(j)] = cur;
      }
      if (next < 0 || best[static_cast<std::size_t>(j)] < best[static_cast<std::size_t>(next)]) next = j;
    }
    out.push_back({src[static_cast<std::size_t>(next)], next, best[static_cast<std::size_t>(next)]});
    cur = next;
  }
  return out;
}

/// Adjusted Rand index of two labelings (noise -1 is one more label), host.
inline double ari(const std::vector<std::int32_t>& a, const std::vector<std::int32_t>& b) {
  std::map<std::pair<int, int>, double> nij;
  std::map<int, double> ai, bj;
  for (std::size_t i = 0; i < a.size(); ++i) {
    nij[{a[i], b[i]}] += 1;
    ai[a[i]] += 1;
    bj[b[i]] += 1;
  }
  auto c2 = [](double x) { return x * (x - 1) / 2; };
  double sij = 0, sa = 0, sb = 0;
  for (const auto& [k, v] : nij) sij += c2(v);
  for (const auto& [k, v] : ai) sa += c2(v);
  for (const auto& [k, v] : bj) sb += c2(v);
  const double expected = sa * sb / c2(static_cast<double>(a.size()));
  const double top = (sa + sb) / 2;
  return top == expected ? 1.0 : (sij - expected) / (top - expected);
}

template <class T>
std::vector<T> converted(const std::vector<double>& v) {
  return std::vector<T>(v.begin(), v.end());
}

// Measured: double agrees to ~1e-15, float to ~1e-5 (cosine in float the worst).
inline double tolerance(bool is_float) { return is_float ? 3e-5 : 1e-12; }

/// Runs one golden case with the metric it names.
template <class T, class Backend, class Metric>
clustr::hdbscan::model<T, clustr::memory_space_t<Backend>> fit_case(const Backend& be, const hg::golden_case& c,
                                                                    const std::vector<T>& X, index_t n, index_t d,
                                                                    Metric metric) {
  clustr::hdbscan::params<Metric> p;
  p.metric = metric;
  p.min_cluster_size = c.min_cluster_size;
  p.min_samples = c.min_samples;
  p.min_samples_includes_self = c.includes_self;
  p.cluster_selection_method = c.leaf ? clustr::hdbscan::selection_method::leaf : clustr::hdbscan::selection_method::eom;
  p.cluster_selection_epsilon = c.epsilon;
  p.alpha = c.alpha;
  p.max_cluster_size = c.max_cluster_size;
  p.allow_single_cluster = c.allow_single_cluster;
  p.batch_size = 97;  // several batches
  return clustr::hdbscan::fit(be, p, clustr::matrix_view<const T>(X.data(), n, d));
}

template <class T, class Backend>
void check_golden_case(const Backend& be, std::size_t ci) {
  const auto& c = hg::cases()[ci];
  const auto& ds = hg::data_sets()[static_cast<std::size_t>(c.data)];
  const std::vector<T> X = converted<T>(ds.X);
  const bool f = std::is_same_v<T, float>;
  const std::string metric = c.metric;
  INFO("case " << ci << " on " << ds.name << " metric " << metric << (f ? " float" : " double"));
  const auto m = metric == "manhattan" ? fit_case<T>(be, c, X, ds.n, ds.d, clustr::metric::manhattan{})
                 : metric == "cosine"  ? fit_case<T>(be, c, X, ds.n, ds.d, clustr::metric::cosine{})
                                       : fit_case<T>(be, c, X, ds.n, ds.d, clustr::metric::euclidean{});
  const auto labels = m.labels.to_std_vector();
  const auto prob = m.probabilities.to_std_vector();
  index_t wrong = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) wrong += labels[i] != c.labels[i];
  CHECK(wrong == 0);
  // A plain fit of the library picks its own MST and order among tied
  // mutual-reachability weights: the same clustering up to those ties.
  CHECK(ari(labels, c.plain_labels) >= 0.85);
  REQUIRE(m.n_clusters == (c.labels.empty() ? 0 : *std::max_element(c.labels.begin(), c.labels.end()) + 1));
  if (wrong != 0) return;
  double worst = 0;
  for (std::size_t i = 0; i < prob.size(); ++i) worst = std::max(worst, std::abs(double(prob[i]) - c.probabilities[i]));
  CHECK(worst <= tolerance(f));
  if (!c.outlier_scores.empty()) {
    const auto glosh = m.outlier_scores.to_std_vector();
    worst = 0;
    for (std::size_t i = 0; i < glosh.size(); ++i) worst = std::max(worst, std::abs(double(glosh[i]) - c.outlier_scores[i]));
    CHECK(worst <= tolerance(f));
    REQUIRE(m.cluster_persistence.size() == c.persistence.size());
    for (std::size_t k = 0; k < c.persistence.size(); ++k)
      CHECK(std::abs(double(m.cluster_persistence[k]) - c.persistence[k]) <= tolerance(f));
    CHECK(std::abs(m.relative_validity - c.relative_validity) <= tolerance(f));
  }
  if (!c.ct_parent.empty()) {
    REQUIRE(m.condensed.size() == static_cast<index_t>(c.ct_parent.size()));
    index_t differ = 0;
    double lam = 0;
    for (std::size_t r = 0; r < c.ct_parent.size(); ++r) {
      differ += m.condensed.parent[r] != c.ct_parent[r] || m.condensed.child[r] != c.ct_child[r] ||
                m.condensed.child_size[r] != c.ct_size[r];
      lam = std::max(lam, std::abs(double(m.condensed.lambda_val[r]) - c.ct_lambda[r]) / c.ct_lambda[r]);
    }
    CHECK(differ == 0);
    CHECK(lam <= tolerance(f));
  }
  if (c.dbscan_cut > 0) {
    const auto db = clustr::hdbscan::dbscan_clustering(be, m, c.dbscan_cut, 5).to_std_vector();
    CHECK(db == c.dbscan_labels);
  }
}

/// Model invariants that hold for every fit.
template <class T, class Space>
void check_invariants(const clustr::hdbscan::model<T, Space>& m, index_t n) {
  const auto labels = m.labels.to_std_vector();
  const auto prob = m.probabilities.to_std_vector();
  const auto glosh = m.outlier_scores.to_std_vector();
  REQUIRE(static_cast<index_t>(labels.size()) == n);
  std::vector<index_t> count(static_cast<std::size_t>(m.n_clusters), 0);
  for (index_t i = 0; i < n; ++i) {
    const auto l = labels[static_cast<std::size_t>(i)];
    REQUIRE(l >= -1);
    REQUIRE(l < m.n_clusters);
    if (l < 0) REQUIRE(prob[static_cast<std::size_t>(i)] == T(0));
    else ++count[static_cast<std::size_t>(l)];
    REQUIRE(prob[static_cast<std::size_t>(i)] >= T(0));
    REQUIRE(prob[static_cast<std::size_t>(i)] <= T(1));
    REQUIRE(glosh[static_cast<std::size_t>(i)] >= T(0));
    REQUIRE(glosh[static_cast<std::size_t>(i)] <= T(1));
  }
  for (const auto c : count) REQUIRE(c > 0);
  REQUIRE(static_cast<index_t>(m.cluster_persistence.size()) == m.n_clusters);
  REQUIRE(static_cast<index_t>(m.minimum_spanning_tree.size()) <= n - 1);  // a kNN-graph MST may be a forest
  REQUIRE(static_cast<index_t>(m.single_linkage.left.size()) == n - 1);
  for (std::size_t r = 1; r < m.single_linkage.distance.size(); ++r)
    REQUIRE(m.single_linkage.distance[r - 1] <= m.single_linkage.distance[r]);
  if (n > 1) REQUIRE(m.single_linkage.size.back() == n);
  // Every point appears exactly once as a child in the condensed tree.
  std::vector<int> seen(static_cast<std::size_t>(n), 0);
  for (index_t r = 0; r < m.condensed.size(); ++r)
    if (m.condensed.child[static_cast<std::size_t>(r)] < n) ++seen[static_cast<std::size_t>(m.condensed.child[static_cast<std::size_t>(r)])];
  if (n > 1)
    for (const int s : seen) REQUIRE(s == 1);
}

/// Blobs with uniform background noise (host, row-major).
template <class T>
std::vector<T> noisy_blobs(index_t n, index_t d, int centres, std::uint64_t seed) {
  const clustr::rng::random_stream rs{seed, 5};
  std::vector<T> X(static_cast<std::size_t>(n * d));
  for (index_t i = 0; i < n; ++i) {
    const bool bg = rs.uniform<double>(static_cast<std::uint64_t>(i)) < 0.1;
    const auto c = rs.below(static_cast<std::uint64_t>(i) + (1u << 20), static_cast<std::uint64_t>(centres));
    for (index_t j = 0; j < d; ++j) {
      const auto e = static_cast<std::uint64_t>(i * d + j);
      const double centre = 20.0 * rs.uniform<double>((1ull << 40) + c * 64 + static_cast<std::uint64_t>(j)) - 10.0;
      X[static_cast<std::size_t>(i * d + j)] = static_cast<T>(
          bg ? 24.0 * rs.uniform<double>((1ull << 41) + e) - 12.0 : centre + rs.normal<double>((1ull << 42) + e));
    }
  }
  return X;
}

template <class Backend>
clustr::knn::knn_graph<double, std::int64_t, clustr::memory_space_t<Backend>> full_graph(const Backend& be,
                                                                                        const std::vector<double>& X,
                                                                                        index_t n, index_t d, index_t k,
                                                                                        bool self) {
  clustr::knn::params<> kp;
  kp.k = k;
  kp.include_self = self;
  return clustr::knn::graph(be, kp, clustr::matrix_view<const double>(X.data(), n, d));
}

}  // namespace clustr_test::hdbscan_tests

TEMPLATE_LIST_TEST_CASE("hdbscan matches the hdbscan library and scikit-learn on golden data", "[hdbscan]",
                        clustr_test::test_backends) {
  namespace t = clustr_test::hdbscan_tests;
  const auto be = clustr_test::make<TestType>();
  for (std::size_t ci = 0; ci < clustr_test::hdbscan_golden::cases().size(); ++ci) {
    t::check_golden_case<double>(be, ci);
    t::check_golden_case<float>(be, ci);
  }
}

TEMPLATE_LIST_TEST_CASE("hdbscan tree stages equal a naive Prim MST's", "[hdbscan]", clustr_test::test_backends) {
  namespace t = clustr_test::hdbscan_tests;
  using clustr::index_t;
  const auto be = clustr_test::make<TestType>();
  const index_t n = 400, d = 3;
  const auto X = t::noisy_blobs<double>(n, d, 5, 21);
  for (const bool leaf : {false, true}) {
    clustr::hdbscan::params<> p;
    p.min_cluster_size = 12;
    p.min_samples = 6;
    p.alpha = 1.25;
    p.cluster_selection_method = leaf ? clustr::hdbscan::selection_method::leaf : clustr::hdbscan::selection_method::eom;
    const auto m = clustr::hdbscan::fit(be, p, clustr_test::host_view(X, n, d));
    t::check_invariants(m, n);
    CHECK(m.n_clusters >= 3);
    // The same tree stages on a naive Prim MST.
    const auto mst = t::naive_mst(X, n, d, 6, 1.25);
    clustr::hdbscan::detail::selection_options o;
    o.method = p.cluster_selection_method;
    const auto r = clustr::hdbscan::detail::run_tree(n, mst, 12, o);
    CHECK(m.labels.to_std_vector() == r.labels);
    const auto prob = m.probabilities.to_std_vector();
    double worst = 0;
    for (std::size_t i = 0; i < prob.size(); ++i) worst = std::max(worst, std::abs(prob[i] - r.probabilities[i]));
    CHECK(worst <= 1e-12);
    // MST weights agree edge for edge after sorting.
    std::vector<double> a, b;
    for (const auto& e : m.minimum_spanning_tree) a.push_back(e.weight);
    for (const auto& e : mst) b.push_back(e.weight);
    std::sort(b.begin(), b.end());
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) REQUIRE(std::abs(a[i] - b[i]) <= 1e-12 * (1 + b[i]));
  }
}

TEST_CASE("hdbscan tree stages join a forest at infinite distance", "[hdbscan]") {
  namespace t = clustr_test::hdbscan_tests;
  using clustr::index_t;
  // Two far-apart groups; dropping the MST's heaviest edge leaves a forest.
  const index_t n = 120, d = 2;
  auto X = t::noisy_blobs<double>(n, d, 1, 8);
  for (index_t i = 60; i < n; ++i) X[static_cast<std::size_t>(i * d)] += 1000.0;
  auto mst = t::naive_mst(X, n, d, 5, 1.0);
  const auto heaviest = std::max_element(mst.begin(), mst.end(), [](const auto& a, const auto& b) { return a.weight < b.weight; });
  const auto full = clustr::hdbscan::detail::run_tree(n, mst, 10, {});
  mst.erase(heaviest);
  const auto forest = clustr::hdbscan::detail::run_tree(n, mst, 10, {});
  REQUIRE(forest.linkage.size() == static_cast<std::size_t>(n - 1));
  CHECK(std::isinf(forest.linkage.back().distance));
  CHECK(forest.condensed.front().lambda == 0.0);  // the root splits at lambda 0
  CHECK(forest.selected.size() >= 2);
  CHECK(full.selected.size() >= 2);
  // No cluster spans both groups.
  for (index_t i = 0; i < 60; ++i)
    for (index_t j = 60; j < n; ++j)
      if (forest.labels[static_cast<std::size_t>(i)] >= 0)
        REQUIRE(forest.labels[static_cast<std::size_t>(i)] != forest.labels[static_cast<std::size_t>(j)]);
}

TEMPLATE_LIST_TEST_CASE("hdbscan is deterministic across backends and entry points", "[hdbscan]",
                        clustr_test::test_backends) {
  namespace t = clustr_test::hdbscan_tests;
  using clustr::index_t;
  const auto be = clustr_test::make<TestType>();
  const index_t n = 600, d = 4;
  const auto X = t::noisy_blobs<double>(n, d, 6, 5);
  clustr::hdbscan::params<> p;
  p.min_cluster_size = 15;
  const auto ref = clustr::hdbscan::fit(clustr::serial{}, p, clustr_test::host_view(X, n, d));
  const auto Xb = clustr_test::to_backend(be, X, n, d);
  const auto m = clustr::hdbscan::fit(be, p, Xb);
  t::check_invariants(m, n);
  const auto labels = ref.labels.to_std_vector();
  CHECK(m.labels.to_std_vector() == labels);
  const auto p0 = ref.probabilities.to_std_vector(), p1 = m.probabilities.to_std_vector();
  const auto g0 = ref.outlier_scores.to_std_vector(), g1 = m.outlier_scores.to_std_vector();
  for (std::size_t i = 0; i < p0.size(); ++i) {
    REQUIRE(std::abs(p0[i] - p1[i]) <= 1e-12);
    REQUIRE(std::abs(g0[i] - g1[i]) <= 1e-12);
  }
  // A kNN graph with every other point gives the exact MST: same result.
  const auto g = t::full_graph(be, X, n, d, n - 1, false);
  p.mst = clustr::hdbscan::mst_algorithm::knn_graph;
  CHECK(clustr::hdbscan::fit(be, p, g).labels.to_std_vector() == labels);
  // Core distances from a (small, self-including) graph, exact MST from X.
  p.mst = clustr::hdbscan::mst_algorithm::exact;
  const auto g16 = t::full_graph(be, X, n, d, 16, true);
  CHECK(clustr::hdbscan::fit(be, p, Xb, g16).labels.to_std_vector() == labels);
  // The approximate kNN-graph MST built inside fit: a forest is fine.
  p.mst = clustr::hdbscan::mst_algorithm::knn_graph;
  const auto approx = clustr::hdbscan::fit(be, p, Xb);
  t::check_invariants(approx, n);
  CHECK(approx.n_clusters >= 1);
  // dbscan_clustering: no cut gives singletons (all noise), an infinite cut one cluster.
  const auto none = clustr::hdbscan::dbscan_clustering(m, 0.0, 2);
  CHECK(std::all_of(none.begin(), none.end(), [](std::int32_t l) { return l == -1; }));
  const auto all = clustr::hdbscan::dbscan_clustering(m, std::numeric_limits<double>::infinity(), 2);
  CHECK(std::all_of(all.begin(), all.end(), [](std::int32_t l) { return l == 0; }));
  // prediction_data keeps the training data and core distances.
  p.mst = clustr::hdbscan::mst_algorithm::exact;
  p.prediction_data = true;
  const auto withpred = clustr::hdbscan::fit(be, p, Xb);
  CHECK(withpred.labels.to_std_vector() == labels);
  CHECK(withpred.prediction.data.rows() == n);
  CHECK(withpred.prediction.core_distances.size() == n);
}

TEMPLATE_LIST_TEST_CASE("hdbscan edge cases: all noise, tiny inputs, min_samples meanings", "[hdbscan]",
                        clustr_test::test_backends) {
  namespace t = clustr_test::hdbscan_tests;
  using clustr::index_t;
  const auto be = clustr_test::make<TestType>();
  // Fewer points than min_cluster_size: all noise, a result.
  {
    const auto X = clustr_test::random_matrix<float>(7, 2, 3);
    clustr::hdbscan::params<> p;
    p.min_cluster_size = 10;
    p.min_samples = 3;
    const auto m = clustr::hdbscan::fit(be, p, clustr_test::host_view(X, 7, 2));
    t::check_invariants(m, 7);
    CHECK(m.n_clusters == 0);
    const auto l = m.labels.to_std_vector();
    CHECK(std::all_of(l.begin(), l.end(), [](std::int32_t v) { return v == -1; }));
    CHECK(m.relative_validity == 0.0);
  }
  // n == min_samples works with scikit-learn's meaning (self counted), min_samples = 1 too.
  {
    const auto X = clustr_test::random_matrix<double>(6, 2, 4);
    clustr::hdbscan::params<> p;
    p.min_cluster_size = 2;
    p.min_samples = 6;
    p.min_samples_includes_self = true;
    t::check_invariants(clustr::hdbscan::fit(be, p, clustr_test::host_view(X, 6, 2)), 6);
    p.min_samples = 1;
    const auto m = clustr::hdbscan::fit(be, p, clustr_test::host_view(X, 6, 2));
    CHECK(m.min_samples_used == 0);
    t::check_invariants(m, 6);
  }
  // Two points.
  {
    const std::vector<double> X{0.0, 0.0, 1.0, 0.5};
    clustr::hdbscan::params<> p;
    p.min_cluster_size = 2;
    p.min_samples = 1;
    t::check_invariants(clustr::hdbscan::fit(be, p, clustr_test::host_view(X, 2, 2)), 2);
  }
}

TEMPLATE_LIST_TEST_CASE("hdbscan rejects bad input", "[hdbscan]", clustr_test::test_backends) {
  namespace t = clustr_test::hdbscan_tests;
  using clustr::index_t;
  const auto be = clustr_test::make<TestType>();
  auto X = clustr_test::random_matrix<double>(20, 3, 9);
  const auto Xv = clustr_test::host_view(X, 20, 3);
  auto with = [&](auto change) {
    clustr::hdbscan::params<> p;
    change(p);
    return [&be, p, Xv] { (void)clustr::hdbscan::fit(be, p, Xv); };
  };
  using P = clustr::hdbscan::params<>;
  clustr_test::expect_invalid(with([](P& p) { p.min_cluster_size = 1; }), "params.min_cluster_size");
  clustr_test::expect_invalid(with([](P& p) { p.min_samples = -1; }), "params.min_samples");
  clustr_test::expect_invalid(with([](P& p) { p.min_samples = 20; }), "params.min_samples");
  clustr_test::expect_invalid(with([](P& p) { p.min_cluster_size = 25; }), "params.min_samples");
  clustr_test::expect_invalid(with([](P& p) { p.alpha = 0.0; }), "params.alpha");
  clustr_test::expect_invalid(with([](P& p) { p.cluster_selection_epsilon = -1.0; }), "params.cluster_selection_epsilon");
  clustr_test::expect_invalid(with([](P& p) { p.max_cluster_size = -1; }), "params.max_cluster_size");
  clustr_test::expect_invalid(with([](P& p) { p.batch_size = 0; }), "params.batch_size");
  {
    P p;
    p.min_samples = 20;
    p.min_samples_includes_self = true;  // 20 points are enough when self counts
    CHECK_NOTHROW(clustr::hdbscan::fit(be, p, Xv));
  }
  X[17] = std::numeric_limits<double>::quiet_NaN();
  clustr_test::expect_invalid(with([](P&) {}), "X");
  const std::vector<double> empty;
  clustr_test::expect_invalid([&] { (void)clustr::hdbscan::fit(be, P{}, clustr_test::host_view(empty, 0, 3)); }, "X.rows()");
  const auto Y = clustr_test::random_matrix<double>(30, 2, 1);
  const auto g = t::full_graph(be, Y, 30, 2, 8, false);
  P p;
  p.prediction_data = true;
  clustr_test::expect_invalid([&] { (void)clustr::hdbscan::fit(be, p, g); }, "params.prediction_data");
  p.prediction_data = false;
  p.min_samples = 9;  // the graph has 8 neighbours
  CHECK_THROWS_AS(clustr::hdbscan::fit(be, p, g), clustr::invalid_argument);
  const auto m = clustr::hdbscan::fit(clustr::serial{}, P{}, clustr_test::host_view(Y, 30, 2));
  clustr_test::expect_invalid([&] { (void)clustr::hdbscan::dbscan_clustering(m, std::nan(""), 5); }, "cut_distance");
  clustr_test::expect_invalid([&] { (void)clustr::hdbscan::dbscan_clustering(m, 1.0, 0); }, "min_cluster_size");
}
