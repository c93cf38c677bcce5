// DBSCAN tests, one body for every backend: the naive O(n^2) reference on
// random, clustered and duplicate-heavy data (every algorithm, several
// metrics, float and double, both min_samples meanings, awkward sizes),
// invariants, radius-graph input, eps_auto on a planted eps, predict,
// bounded memory, scikit-learn golden labels, and bad input.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "clustr/cluster/dbscan.hpp"
#include "clustr/neighbors/radius.hpp"
#include "golden/dbscan_golden.hpp"
#include "reference/dbscan_reference.hpp"

namespace clustr_test::dbscan {

using clustr::index_t;
namespace D = clustr::dbscan;
namespace M = clustr::metric;

/// Blobs: `centres` centres uniform in [0, 10]^d, Gaussian noise of `std`,
/// plus a uniform background of `background` points.
template <class T>
std::vector<T> blobs(index_t n, index_t d, int centres, double std, index_t background, std::uint64_t seed) {
  const clustr::rng::random_stream rs{seed, 7};
  std::vector<T> X(static_cast<std::size_t>(n * d));
  for (index_t i = 0; i < n; ++i) {
    const bool bg = i >= n - background;
    const auto c = rs.below(static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(centres));
    for (index_t j = 0; j < d; ++j) {
      const auto e = static_cast<std::uint64_t>(i * d + j);
      const double centre = 10.0 * rs.uniform<double>((std::uint64_t(1) << 40) + c * 64 + static_cast<std::uint64_t>(j));
      X[static_cast<std::size_t>(i * d + j)] = static_cast<T>(
          bg ? 10.0 * rs.uniform<double>((std::uint64_t(1) << 41) + e) : centre + std * rs.normal<double>(e));
    }
  }
  return X;
}

/// Coordinates from a small lattice {0, 0.5, ..., 2}: many exact duplicates
/// and exact distance ties.
template <class T>
std::vector<T> duplicates(index_t n, index_t d, std::uint64_t seed) {
  const clustr::rng::random_stream rs{seed, 8};
  std::vector<T> X(static_cast<std::size_t>(n * d));
  for (std::size_t e = 0; e < X.size(); ++e) X[e] = static_cast<T>(0.5 * static_cast<double>(rs.below(e, 5)));
  return X;
}

template <class Metric>
D::params<Metric> make_params(const Metric& m, double eps, index_t min_samples, D::algorithm a, bool self = true) {
  D::params<Metric> p;
  p.eps = eps;
  p.min_samples = min_samples;
  p.min_samples_includes_self = self;
  p.metric = m;
  p.algo = a;
  p.batch_size = 53;  // several tiles even on small data
  p.max_workspace_bytes = 53 * 97 * 8;
  return p;
}

/// fit on the backend equals the naive reference: labels, core mask, core
/// indices, n_clusters; predict on the training points equals the labels.
template <class Backend, class Metric, class T>
void matches_reference(const Backend& be, const Metric& m, const std::vector<T>& X, index_t n, index_t d, double eps,
                       index_t min_samples, bool self, D::algorithm a) {
  INFO("metric " << Metric::name << ", n " << n << ", d " << d << ", eps " << eps << ", min_samples " << min_samples
                 << ", includes_self " << self << ", algo " << static_cast<int>(a) << ", T " << sizeof(T));
  const auto ref = clustr_test::reference::naive_dbscan(m, X, n, d, eps, min_samples, self);
  const auto model = D::fit(be, make_params(m, eps, min_samples, a, self), clustr_test::to_backend(be, X, n, d));
  REQUIRE(model.labels.size() == n);
  CHECK(model.labels.to_std_vector() == ref.labels);
  CHECK(model.is_core.to_std_vector() == ref.is_core);
  CHECK(model.n_clusters == ref.n_clusters);
  std::vector<index_t> core_idx;
  for (index_t i = 0; i < n; ++i)
    if (ref.is_core[static_cast<std::size_t>(i)]) core_idx.push_back(i);
  CHECK(model.core_sample_indices.to_std_vector() == core_idx);
  CHECK(model.eps == static_cast<T>(eps));
  // predict on the training points: the nearest-core rule gives fit's labels.
  const auto pred = D::predict(be, model, clustr_test::host_view(X, n, d));
  CHECK(pred.to_std_vector() == ref.labels);
}

/// The DBSCAN invariants on the host: core points within eps of each other
/// share a label; a border point has a core neighbour with its label; noise
/// has no core point within eps; labels are 0..C-1 numbered by first core.
template <class Metric, class T>
void check_invariants(const Metric& m, const std::vector<T>& X, index_t n, index_t d, double eps,
                      const std::vector<std::int32_t>& labels, const std::vector<std::uint8_t>& core,
                      index_t n_clusters) {
  const T eps_r = m.to_reduced(static_cast<T>(eps));
  auto within = [&](index_t i, index_t j) {
    return M::reduced_distance(m, X.data() + i * d, X.data() + j * d, d) <= eps_r;
  };
  std::int32_t next = 0;
  for (index_t i = 0; i < n; ++i) {
    const auto li = labels[static_cast<std::size_t>(i)];
    if (core[static_cast<std::size_t>(i)]) {
      REQUIRE(li >= 0);
      REQUIRE(li <= next);  // first appearance among core points in index order
      if (li == next) ++next;
    }
    bool has_core_neighbour = false, has_same = false;
    for (index_t j = 0; j < n; ++j) {
      if (!core[static_cast<std::size_t>(j)] || !within(i, j)) continue;
      has_core_neighbour = true;
      if (labels[static_cast<std::size_t>(j)] == li) has_same = true;
      if (core[static_cast<std::size_t>(i)]) REQUIRE(labels[static_cast<std::size_t>(j)] == li);
    }
    if (li < 0) REQUIRE(!has_core_neighbour);
    else REQUIRE(has_same);
  }
  CHECK(next == n_clusters);
}

template <class Backend, class Metric, class T>
void invariants_hold(const Backend& be, const Metric& m, index_t n, index_t d, double eps, index_t min_samples,
                     D::algorithm a) {
  const auto X = blobs<T>(n, d, 5, 0.4, n / 10, 17);
  const auto model = D::fit(be, make_params(m, eps, min_samples, a), clustr_test::host_view(X, n, d));
  REQUIRE(model.n_clusters >= 2);
  check_invariants(m, X, n, d, eps, model.labels.to_std_vector(), model.is_core.to_std_vector(), model.n_clusters);
}

/// Radius-graph input (with X for predict) equals X input.
template <class Backend, class Metric, class T>
void graph_matches_points(const Backend& be, const Metric& m, index_t n, index_t d, double eps, index_t min_samples) {
  const auto X = blobs<T>(n, d, 4, 0.5, n / 8, 23);
  const auto Xb = clustr_test::to_backend(be, X, n, d);
  clustr::knn::radius_params<Metric> rp;
  rp.metric = m;
  const auto g = clustr::knn::radius(be, rp, Xb, Xb, static_cast<T>(1.5 * eps));
  const auto p = make_params(m, eps, min_samples, D::algorithm::graph);
  const auto from_graph = D::fit(be, p, g, Xb);
  const auto from_points = D::fit(be, make_params(m, eps, min_samples, D::algorithm::automatic), Xb);
  CHECK(from_graph.algo == D::algorithm::graph);
  CHECK(from_graph.labels.to_std_vector() == from_points.labels.to_std_vector());
  CHECK(from_graph.is_core.to_std_vector() == from_points.is_core.to_std_vector());
  CHECK(from_graph.n_clusters == from_points.n_clusters);
  CHECK(D::predict(be, from_graph, Xb).to_std_vector() == from_points.labels.to_std_vector());
  // Without X: the same clustering, but no core points for predict.
  const auto bare = D::fit(be, p, g);
  CHECK(bare.labels.to_std_vector() == from_points.labels.to_std_vector());
  CHECK(!bare.has_core_points);
  clustr_test::expect_invalid([&] { (void)D::predict(be, bare, Xb); }, "model");
}

/// Planted eps: three square lattice patches of spacing h = 0.25 (12 x 12
/// points each, far apart) and 12 isolated outliers. With min_samples = 5
/// (self included) every interior lattice point's 4th neighbour is at h, so
/// the k-distance curve is flat at h (edges h*sqrt(2), corners 2h) and jumps
/// at the outliers: the knee must be in [h, 2h], and DBSCAN with it must find
/// the three patches and call the outliers noise.
template <class Backend, class T>
void eps_auto_finds_planted(const Backend& be, bool self) {
  const double h = 0.25;
  std::vector<T> X;
  std::vector<std::int32_t> truth;
  for (int patch = 0; patch < 3; ++patch)
    for (int a = 0; a < 12; ++a)
      for (int b = 0; b < 12; ++b) {
        X.push_back(static_cast<T>(patch * 20.0 + a * h));
        X.push_back(static_cast<T>(b * h));
        truth.push_back(patch);
      }
  for (int o = 0; o < 12; ++o) {
    X.push_back(static_cast<T>(5.0 + 7.3 * o));
    X.push_back(static_cast<T>(40.0 + 6.1 * (o % 5)));
    truth.push_back(-1);
  }
  const index_t n = static_cast<index_t>(truth.size());
  D::params<M::euclidean> p;
  p.eps_auto = true;
  p.eps = -1;  // ignored
  p.min_samples = self ? 5 : 4;
  p.min_samples_includes_self = self;
  const auto model = D::fit(be, p, clustr_test::host_view(X, n, 2));
  INFO("eps chosen " << model.eps);
  CHECK(model.eps >= static_cast<T>(h * 0.999));
  CHECK(model.eps <= static_cast<T>(2 * h * 1.001));
  CHECK(model.labels.to_std_vector() == truth);
  CHECK(model.n_clusters == 3);
}

/// predict on new points equals a host computation of "nearest core point
/// within eps", and points far away are noise.
template <class Backend, class Metric, class T>
void predict_new_points(const Backend& be, const Metric& m, index_t d, double eps, D::algorithm a) {
  const index_t n = 700, nq = 301;
  const auto X = blobs<T>(n, d, 4, 0.5, 50, 41);
  auto Y = blobs<T>(nq, d, 4, 0.7, 60, 41);
  for (index_t j = 0; j < d; ++j) Y[static_cast<std::size_t>(j)] = static_cast<T>(1000);  // far away
  const auto model = D::fit(be, make_params(m, eps, 5, a), clustr_test::host_view(X, n, d));
  const auto lab = model.labels.to_std_vector();
  const auto core = model.is_core.to_std_vector();
  const auto pred = D::predict(be, model, clustr_test::to_backend(be, Y, nq, d)).to_std_vector();
  const T eps_r = m.to_reduced(static_cast<T>(eps));
  CHECK(pred[0] == -1);
  index_t assigned = 0;
  for (index_t q = 0; q < nq; ++q) {
    T best = eps_r;
    index_t best_i = -1;
    for (index_t i = 0; i < n; ++i) {
      if (!core[static_cast<std::size_t>(i)]) continue;
      const T r = M::reduced_distance(m, Y.data() + q * d, X.data() + i * d, d);
      if (r <= best && (best_i < 0 || r < best)) {
        best = r;
        best_i = i;
      }
    }
    const std::int32_t want = best_i < 0 ? -1 : lab[static_cast<std::size_t>(best_i)];
    REQUIRE(pred[static_cast<std::size_t>(q)] == want);
    assigned += want >= 0;
  }
  CHECK(assigned > nq / 2);
}

/// Every pair of the n points is within eps (n^2 = 9e6 links). Storing the
/// neighbourhoods would take n^2 indices (72 MB); the bound is 64 KiB, and
/// knn::radius under the same bound (max_batch_neighbors = 64 KiB / 8) must
/// refuse, while DBSCAN finishes within it.
template <class Backend, class T>
void bounded_memory_on_all_pairs(const Backend& be) {
  const index_t n = 3000, d = 2;
  const auto X = clustr_test::random_matrix<T>(n, d, 5, T(0), T(0.01));
  const auto Xb = clustr_test::to_backend(be, X, n, d);
  const std::size_t bound = 64 << 10;
  for (const auto a : {D::algorithm::brute, D::algorithm::grid}) {
    D::params<M::euclidean> p;
    p.eps = 1.0;
    p.min_samples = 10;
    p.algo = a;
    p.batch_size = 64;
    p.max_workspace_bytes = bound;
    const auto model = D::fit(be, p, Xb);
    CHECK(model.n_clusters == 1);
    CHECK(model.core_sample_indices.size() == n);
    CHECK(model.workspace_bytes <= bound);
    const auto lab = model.labels.to_std_vector();
    CHECK(std::all_of(lab.begin(), lab.end(), [](std::int32_t l) { return l == 0; }));
  }
  clustr::knn::radius_params<M::euclidean> rp;
  rp.batch_size = 64;
  rp.max_batch_neighbors = static_cast<std::int64_t>(bound / 8);
  clustr_test::expect_invalid([&] { (void)clustr::knn::radius(be, rp, Xb, Xb, T(1)); }, "params.batch_size");
}

template <class Backend>
void golden_case(const Backend& be, const clustr_test::dbscan_golden::golden_case& c) {
  INFO(c.name);
  const std::string metric = c.metric;
  const auto run = [&](auto m) {
    D::params<decltype(m)> p;
    p.eps = c.eps;
    p.min_samples = c.min_samples;
    p.metric = m;
    return D::fit(be, p, clustr_test::host_view(c.X, c.n, c.d));
  };
  std::vector<std::int32_t> lab;
  std::vector<std::uint8_t> core;
  std::vector<index_t> core_idx;
  // The clusters each point has a core point of within eps.
  std::vector<std::set<std::int64_t>> touching(static_cast<std::size_t>(c.n));
  const auto collect = [&](const auto& model, auto m) {
    lab = model.labels.to_std_vector();
    core = model.is_core.to_std_vector();
    core_idx = model.core_sample_indices.to_std_vector();
    const double eps_r = m.to_reduced(c.eps);
    for (index_t i = 0; i < c.n; ++i)
      for (const auto j : c.core)
        if (M::reduced_distance(m, c.X.data() + i * c.d, c.X.data() + j * c.d, c.d) <= eps_r)
          touching[static_cast<std::size_t>(i)].insert(c.labels[static_cast<std::size_t>(j)]);
  };
  if (metric == "euclidean") collect(run(M::euclidean{}), M::euclidean{});
  else if (metric == "manhattan") collect(run(M::manhattan{}), M::manhattan{});
  else collect(run(M::cosine{}), M::cosine{});
  CHECK(std::vector<std::int64_t>(core_idx.begin(), core_idx.end()) == c.core);
  index_t ambiguous = 0;
  for (index_t i = 0; i < c.n; ++i) {
    const auto want = c.labels[static_cast<std::size_t>(i)];
    if (!core[static_cast<std::size_t>(i)] && touching[static_cast<std::size_t>(i)].size() > 1) {
      ++ambiguous;  // scikit-learn: first cluster to reach it; clustr: nearest core
      REQUIRE(touching[static_cast<std::size_t>(i)].count(lab[static_cast<std::size_t>(i)]) == 1);
      continue;
    }
    REQUIRE(lab[static_cast<std::size_t>(i)] == want);
  }
  CHECK(ambiguous <= c.n / 20);
}

template <class Backend>
void rejects_bad_input(const Backend& be) {
  const index_t n = 50, d = 2;
  const auto X = clustr_test::random_matrix<double>(n, d, 3);
  const auto Xv = clustr_test::host_view(X, n, d);
  using P = D::params<M::euclidean>;
  const auto with = [](auto change) {
    P p;
    change(p);
    return p;
  };
  using clustr_test::expect_invalid;
  expect_invalid([&] { (void)D::fit(be, with([](P& p) { p.eps = 0; }), Xv); }, "params.eps");
  expect_invalid([&] { (void)D::fit(be, with([](P& p) { p.eps = -1; }), Xv); }, "params.eps");
  expect_invalid([&] { (void)D::fit(be, with([](P& p) { p.eps = std::nan(""); }), Xv); }, "params.eps");
  expect_invalid([&] { (void)D::fit(be, with([](P& p) { p.min_samples = 0; }), Xv); }, "params.min_samples");
  expect_invalid([&] { (void)D::fit(be, with([](P& p) { p.batch_size = 0; }), Xv); }, "params.batch_size");
  expect_invalid([&] { (void)D::fit(be, with([](P& p) { p.grid_max_dim = 99; }), Xv); }, "params.grid_max_dim");
  expect_invalid([&] { (void)D::fit(be, with([](P& p) { p.algo = D::algorithm::graph; }), Xv); }, "params.algo");
  expect_invalid([&] { (void)D::fit(be, with([](P& p) { p.algo = D::algorithm::grid; p.grid_max_dim = 1; }), Xv); },
                 "params.algo");
  expect_invalid(
      [&] {
        (void)D::fit(be, with([](P& p) {
                       p.algo = D::algorithm::brute;
                       p.max_workspace_bytes = 8;
                     }),
                     Xv);
      },
      "params.max_workspace_bytes");
  expect_invalid([&] { (void)D::fit(be, with([](P& p) { p.eps_auto = true; p.min_samples = 51; }), Xv); },
                 "params.min_samples");
  expect_invalid([&] { (void)D::fit(be, D::params<M::cosine>{.algo = D::algorithm::grid}, Xv); }, "params.algo");
  expect_invalid([&] { (void)D::fit(be, D::params<M::minkowski>{.metric = M::minkowski{0.5}}, Xv); }, "metric.p");
  auto bad = X;
  bad[13] = std::nan("");
  expect_invalid([&] { (void)D::fit(be, P{}, clustr_test::host_view(bad, n, d)); }, "X");
  bad[13] = INFINITY;
  expect_invalid([&] { (void)D::fit(be, P{}, clustr_test::host_view(bad, n, d)); }, "X");
  const std::vector<double> none;
  expect_invalid([&] { (void)D::fit(be, P{}, clustr_test::host_view(none, 0, d)); }, "X.rows()");
  const auto model = D::fit(be, P{}, Xv);
  const auto Y = clustr_test::random_matrix<double>(4, 3, 4);
  expect_invalid([&] { (void)D::predict(be, model, clustr_test::host_view(Y, 4, 3)); }, "Y.cols()");
  auto badY = X;
  badY[0] = std::nan("");
  expect_invalid([&] { (void)D::predict(be, model, clustr_test::host_view(badY, n, d)); }, "Y");
}

}  // namespace clustr_test::dbscan

TEMPLATE_LIST_TEST_CASE("dbscan equals the naive reference on random data", "[dbscan]", clustr_test::test_backends) {
  using namespace clustr_test::dbscan;
  const auto be = clustr_test::make<TestType>();
  for (const auto a : {D::algorithm::grid, D::algorithm::brute, D::algorithm::automatic}) {
    for (const index_t n : {index_t(1), index_t(7), index_t(333), index_t(1000)}) {
      const auto X = clustr_test::random_matrix<double>(n, 2, 11 + static_cast<std::uint64_t>(n));
      matches_reference(be, M::euclidean{}, X, n, 2, 0.08, 5, true, a);
      matches_reference(be, M::euclidean{}, X, n, 2, 0.08, 4, false, a);
    }
    const auto Xf = clustr_test::random_matrix<float>(700, 3, 12);
    matches_reference(be, M::euclidean{}, Xf, 700, 3, 0.22, 6, true, a);
    matches_reference(be, M::manhattan{}, Xf, 700, 3, 0.3, 5, true, a);
    matches_reference(be, M::chebyshev{}, Xf, 700, 3, 0.15, 5, false, a);
    matches_reference(be, M::sqeuclidean{}, Xf, 700, 3, 0.05, 5, true, a);
    matches_reference(be, M::minkowski{3.0}, Xf, 700, 3, 0.2, 5, true, a);
    const auto X1 = clustr_test::random_matrix<double>(300, 1, 13);
    matches_reference(be, M::euclidean{}, X1, 300, 1, 0.01, 3, true, a);
  }
}

TEMPLATE_LIST_TEST_CASE("dbscan equals the naive reference on blobs and duplicates", "[dbscan]",
                        clustr_test::test_backends) {
  using namespace clustr_test::dbscan;
  const auto be = clustr_test::make<TestType>();
  const auto B2 = blobs<double>(1500, 2, 6, 0.3, 150, 1);
  const auto B3 = blobs<float>(1200, 3, 5, 0.4, 100, 2);
  const auto Dd = duplicates<double>(800, 2, 3);
  const auto Df = duplicates<float>(600, 3, 4);
  for (const auto a : {D::algorithm::grid, D::algorithm::brute}) {
    matches_reference(be, M::euclidean{}, B2, 1500, 2, 0.15, 8, true, a);
    matches_reference(be, M::euclidean{}, B3, 1200, 3, 0.35, 10, false, a);
    matches_reference(be, M::manhattan{}, B2, 1500, 2, 0.2, 6, true, a);
    matches_reference(be, M::euclidean{}, Dd, 800, 2, 0.5, 40, true, a);    // eps = lattice step: exact ties
    matches_reference(be, M::euclidean{}, Dd, 800, 2, 0.25, 50, false, a);  // only duplicates are neighbours
    matches_reference(be, M::chebyshev{}, Df, 600, 3, 0.5, 30, true, a);
    matches_reference(be, M::sqeuclidean{}, Df, 600, 3, 0.25, 20, true, a);
  }
  // Metrics only brute force serves, and higher dimension.
  const auto H = blobs<float>(600, 12, 4, 0.8, 60, 5);
  matches_reference(be, M::cosine{}, H, 600, 12, 0.01, 5, true, D::algorithm::automatic);
  matches_reference(be, M::euclidean{}, H, 600, 12, 2.5, 5, true, D::algorithm::automatic);
  matches_reference(be, M::manhattan{}, H, 600, 12, 7.0, 8, false, D::algorithm::brute);
  const auto Hd = blobs<double>(500, 40, 3, 1.0, 30, 6);
  matches_reference(be, M::cosine{}, Hd, 500, 40, 0.03, 5, true, D::algorithm::automatic);
  // The grid in 4 and 5 dimensions (no dense cells there).
  const auto G4 = blobs<double>(800, 4, 4, 0.5, 50, 7);
  D::params<M::euclidean> p4 = make_params(M::euclidean{}, 0.9, 6, D::algorithm::grid);
  p4.grid_max_dim = 5;
  const auto ref4 = clustr_test::reference::naive_dbscan(M::euclidean{}, G4, 800, 4, 0.9, 6);
  CHECK(D::fit(be, p4, clustr_test::host_view(G4, 800, 4)).labels.to_std_vector() == ref4.labels);
}

TEMPLATE_LIST_TEST_CASE("dbscan invariants hold", "[dbscan]", clustr_test::test_backends) {
  using namespace clustr_test::dbscan;
  const auto be = clustr_test::make<TestType>();
  invariants_hold<TestType, M::euclidean, double>(be, {}, 2000, 2, 0.2, 10, D::algorithm::grid);
  invariants_hold<TestType, M::euclidean, float>(be, {}, 1500, 3, 0.4, 8, D::algorithm::brute);
  invariants_hold<TestType, M::manhattan, double>(be, {}, 1500, 3, 0.5, 8, D::algorithm::grid);
}

TEMPLATE_LIST_TEST_CASE("dbscan on a radius graph equals dbscan on the points", "[dbscan]", clustr_test::test_backends) {
  using namespace clustr_test::dbscan;
  const auto be = clustr_test::make<TestType>();
  graph_matches_points<TestType, M::euclidean, double>(be, {}, 1200, 2, 0.25, 7);
  graph_matches_points<TestType, M::manhattan, float>(be, {}, 900, 3, 0.6, 5);
}

TEMPLATE_LIST_TEST_CASE("dbscan eps_auto finds a planted eps", "[dbscan]", clustr_test::test_backends) {
  using namespace clustr_test::dbscan;
  const auto be = clustr_test::make<TestType>();
  eps_auto_finds_planted<TestType, double>(be, true);
  eps_auto_finds_planted<TestType, float>(be, false);
}

TEMPLATE_LIST_TEST_CASE("dbscan predict labels new points by their nearest core point", "[dbscan]",
                        clustr_test::test_backends) {
  using namespace clustr_test::dbscan;
  const auto be = clustr_test::make<TestType>();
  predict_new_points<TestType, M::euclidean, double>(be, {}, 2, 0.4, D::algorithm::grid);
  predict_new_points<TestType, M::euclidean, float>(be, {}, 3, 0.6, D::algorithm::brute);
  predict_new_points<TestType, M::cosine, float>(be, {}, 6, 0.01, D::algorithm::automatic);
}

TEMPLATE_LIST_TEST_CASE("dbscan memory stays bounded when every pair is within eps", "[dbscan]",
                        clustr_test::test_backends) {
  using namespace clustr_test::dbscan;
  const auto be = clustr_test::make<TestType>();
  bounded_memory_on_all_pairs<TestType, float>(be);
}

TEMPLATE_LIST_TEST_CASE("dbscan matches scikit-learn's golden labels", "[dbscan]", clustr_test::test_backends) {
  using namespace clustr_test::dbscan;
  const auto be = clustr_test::make<TestType>();
  for (const auto& c : clustr_test::dbscan_golden::cases()) golden_case(be, c);
}

TEMPLATE_LIST_TEST_CASE("dbscan rejects bad input", "[dbscan]", clustr_test::test_backends) {
  using namespace clustr_test::dbscan;
  const auto be = clustr_test::make<TestType>();
  rejects_bad_input(be);
}
