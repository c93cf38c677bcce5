// kNN tests, one body for every backend: exact search, graphs, radius
// search and the k-distance knee against a naive host reference.

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "clustr/backend/serial.hpp"
#include "clustr/neighbors/knn.hpp"

namespace clustr_test::neighbors {

using clustr::index_t;

/// Naive reference: all distances in long double, sorted by (distance, index).
template <class Metric, class T>
void reference_knn(const Metric& m, const std::vector<T>& base, index_t nb, const std::vector<T>& q, index_t nq,
                   index_t d, index_t k, bool skip_self, std::vector<std::int64_t>& idx, std::vector<double>& dist) {
  idx.assign(static_cast<std::size_t>(nq * k), -1);
  dist.assign(static_cast<std::size_t>(nq * k), 0.0);
  std::vector<std::pair<double, std::int64_t>> all;
  for (index_t i = 0; i < nq; ++i) {
    all.clear();
    for (index_t j = 0; j < nb; ++j) {
      if (skip_self && i == j) continue;
      std::vector<long double> x(q.begin() + i * d, q.begin() + (i + 1) * d), y(base.begin() + j * d, base.begin() + (j + 1) * d);
      const long double r = clustr::metric::distance(m, x.data(), y.data(), d);
      all.emplace_back(static_cast<double>(r), j);
    }
    std::sort(all.begin(), all.end());
    for (index_t c = 0; c < k; ++c) {
      idx[static_cast<std::size_t>(i * k + c)] = all[static_cast<std::size_t>(c)].second;
      dist[static_cast<std::size_t>(i * k + c)] = all[static_cast<std::size_t>(c)].first;
    }
  }
}

/// Indices must equal the reference except between candidates whose reference
/// distances are within tol (a near-tie that rounding may order either way);
/// distances within tol everywhere.
inline void check_knn(const std::vector<std::int64_t>& got_idx, const std::vector<double>& got_dist,
                      const std::vector<std::int64_t>& ref_idx, const std::vector<double>& ref_dist, double tol,
                      index_t k) {
  REQUIRE(got_idx.size() == ref_idx.size());
  std::size_t near_ties = 0;
  for (std::size_t e = 0; e < ref_idx.size(); ++e) {
    const double scale = std::max(1.0, std::abs(ref_dist[e]));
    REQUIRE(std::abs(got_dist[e] - ref_dist[e]) <= tol * scale);
    if (got_idx[e] != ref_idx[e]) {
      // Allowed only if the reference has the got index at a tie-equivalent distance.
      const std::size_t row = e / static_cast<std::size_t>(k);
      bool found = false;
      for (index_t c = 0; c < k; ++c) {
        const std::size_t f = row * static_cast<std::size_t>(k) + static_cast<std::size_t>(c);
        if (ref_idx[f] == got_idx[e] && std::abs(ref_dist[f] - ref_dist[e]) <= 2 * tol * scale) found = true;
      }
      // At the last position the swapped-in candidate may be outside the reference list.
      if (!found) REQUIRE(e % static_cast<std::size_t>(k) == static_cast<std::size_t>(k - 1));
      ++near_ties;
    }
  }
  CHECK(near_ties <= ref_idx.size() / 100 + 2);
}

template <class Backend, class Metric, class T>
void search_matches_reference(const Backend& be, const Metric& m, index_t nb, index_t nq, index_t d, index_t k,
                              std::uint64_t seed, double tol) {
  const auto base = clustr_test::random_matrix<T>(nb, d, seed);
  const auto q = clustr_test::random_matrix<T>(nq, d, seed + 1);
  const auto res = clustr::knn::search(be, clustr::knn::params<Metric>{.k = k, .metric = m, .batch_size = 97},
                                       clustr_test::to_backend(be, base, nb, d), clustr_test::host_view(q, nq, d));
  REQUIRE(res.indices.rows() == nq);
  REQUIRE(res.indices.cols() == k);
  std::vector<std::int64_t> ref_idx;
  std::vector<double> ref_dist;
  reference_knn(m, base, nb, q, nq, d, k, false, ref_idx, ref_dist);
  const auto gd = res.distances.to_std_vector();
  check_knn(res.indices.to_std_vector(), std::vector<double>(gd.begin(), gd.end()), ref_idx, ref_dist, tol, k);
}

/// Coordinates from {0, 1, 2}: many exact duplicates and exact ties; every
/// distance is exact in float, so indices must match the tie rule exactly.
template <class Backend, class Metric>
void duplicates_follow_the_tie_rule(const Backend& be, const Metric& m, bool graph) {
  const index_t n = 500, d = 3, k = 12;
  std::vector<float> X(static_cast<std::size_t>(n * d));
  clustr::rng::random_stream r{5, 0};
  for (std::size_t i = 0; i < X.size(); ++i) X[i] = static_cast<float>(r.below(i, 3));
  std::vector<std::int64_t> ref_idx;
  std::vector<double> ref_dist;
  reference_knn(m, X, n, X, n, d, k, graph, ref_idx, ref_dist);
  std::vector<std::int64_t> got;
  std::vector<float> got_d;
  if (graph) {
    const auto g = clustr::knn::graph(be, clustr::knn::params<Metric>{.k = k, .metric = m}, clustr_test::host_view(X, n, d));
    CHECK(!g.includes_self);
    CHECK(g.k == k);
    got = g.indices.to_std_vector();
    got_d = g.distances.to_std_vector();
  } else {
    const auto s = clustr::knn::search(be, clustr::knn::params<Metric>{.k = k, .metric = m}, clustr_test::host_view(X, n, d),
                                       clustr_test::host_view(X, n, d));
    got = s.indices.to_std_vector();
    got_d = s.distances.to_std_vector();
  }
  REQUIRE(got == ref_idx);
  for (std::size_t e = 0; e < got_d.size(); ++e) REQUIRE(got_d[e] == Approx(ref_dist[e]).margin(1e-6));
}

}  // namespace clustr_test::neighbors

TEMPLATE_LIST_TEST_CASE("knn::search equals a naive reference for every metric", "[knn]", clustr_test::test_backends) {
  using namespace clustr_test::neighbors;
  namespace M = clustr::metric;
  const auto be = clustr_test::make<TestType>();
  search_matches_reference<TestType, M::euclidean, float>(be, {}, 1000, 333, 7, 10, 1, 1e-4);
  search_matches_reference<TestType, M::euclidean, double>(be, {}, 517, 129, 33, 1, 2, 1e-10);
  search_matches_reference<TestType, M::sqeuclidean, float>(be, {}, 300, 65, 5, 300, 3, 1e-4);  // k == n
  search_matches_reference<TestType, M::cosine, float>(be, {}, 700, 100, 16, 15, 4, 1e-4);
  search_matches_reference<TestType, M::inner_product, double>(be, {}, 400, 50, 8, 5, 5, 1e-10);
  search_matches_reference<TestType, M::manhattan, double>(be, {}, 400, 77, 9, 8, 6, 1e-10);
  search_matches_reference<TestType, M::chebyshev, float>(be, {}, 400, 77, 9, 8, 7, 1e-5);
  search_matches_reference<TestType, M::minkowski, double>(be, M::minkowski{3.0}, 300, 40, 4, 6, 8, 1e-10);
}

TEMPLATE_LIST_TEST_CASE("knn search and graph follow the tie rule on duplicate-heavy data", "[knn]",
                        clustr_test::test_backends) {
  using namespace clustr_test::neighbors;
  const auto be = clustr_test::make<TestType>();
  duplicates_follow_the_tie_rule(be, clustr::metric::euclidean{}, false);
  duplicates_follow_the_tie_rule(be, clustr::metric::euclidean{}, true);
  duplicates_follow_the_tie_rule(be, clustr::metric::manhattan{}, true);
}

TEMPLATE_LIST_TEST_CASE("knn::graph excludes or includes self as asked", "[knn]", clustr_test::test_backends) {
  using namespace clustr_test::neighbors;
  const auto be = clustr_test::make<TestType>();
  const index_t n = 1001, d = 6, k = 9;
  const auto X = clustr_test::random_matrix<double>(n, d, 31);
  std::vector<std::int64_t> ref_idx;
  std::vector<double> ref_dist;
  reference_knn(clustr::metric::euclidean{}, X, n, X, n, d, k, true, ref_idx, ref_dist);

  const auto g = clustr::knn::graph(be, {.k = k}, clustr_test::host_view(X, n, d));
  CHECK(g.metric == clustr::metric::kind::euclidean);
  CHECK(g.exact);
  const auto gd = g.distances.to_std_vector();
  check_knn(g.indices.to_std_vector(), gd, ref_idx, ref_dist, 1e-10, k);

  const auto gs = clustr::knn::graph(be, {.k = k + 1, .include_self = true}, clustr_test::host_view(X, n, d));
  CHECK(gs.includes_self);
  const auto si = gs.indices.to_std_vector();
  const auto sd = gs.distances.to_std_vector();
  const auto gi = g.indices.to_std_vector();
  for (index_t i = 0; i < n; ++i) {
    REQUIRE(si[static_cast<std::size_t>(i * (k + 1))] == i);
    REQUIRE(sd[static_cast<std::size_t>(i * (k + 1))] == 0.0);
    for (index_t c = 0; c < k; ++c) {
      REQUIRE(si[static_cast<std::size_t>(i * (k + 1) + c + 1)] == gi[static_cast<std::size_t>(i * k + c)]);
      // True (not squared) distances in every column.
      REQUIRE(sd[static_cast<std::size_t>(i * (k + 1) + c + 1)] == Approx(gd[static_cast<std::size_t>(i * k + c)]).epsilon(1e-12));
    }
  }
}

TEMPLATE_LIST_TEST_CASE("knn rejects bad input naming the argument", "[knn]", clustr_test::test_backends) {
  const auto be = clustr_test::make<TestType>();
  auto X = clustr_test::random_matrix<float>(20, 3, 1);
  const auto Xv = clustr_test::host_view(X, 20, 3);
  clustr_test::expect_invalid([&] { clustr::knn::search(be, {.k = 0}, Xv, Xv); }, "params.k");
  clustr_test::expect_invalid([&] { clustr::knn::search(be, {.k = 21}, Xv, Xv); }, "params.k");
  clustr_test::expect_invalid([&] { clustr::knn::graph(be, {.k = 20}, Xv); }, "params.k");  // self excluded: at most n - 1
  clustr_test::expect_invalid([&] { clustr::knn::search(be, {.k = 2}, Xv, clustr::matrix_view<const float>(X.data(), 15, 4)); }, "queries.cols()");
  clustr_test::expect_invalid([&] { clustr::knn::search(be, {.k = 2}, clustr::matrix_view<const float>(X.data(), 0, 3), Xv); }, "base.rows()");
  clustr_test::expect_invalid([&] { clustr::knn::search(be, {.k = 2, .batch_size = 0}, Xv, Xv); }, "params.batch_size");
  clustr_test::expect_invalid([&] { clustr::knn::search(be, clustr::knn::params<clustr::metric::minkowski>{.k = 2, .metric = {0.5}}, Xv, Xv); }, "metric.p");
  X[31] = std::nanf("");
  clustr_test::expect_invalid([&] { clustr::knn::search(be, {.k = 2}, Xv, Xv); }, "base");
  clustr_test::expect_invalid([&] { clustr::knn::radius(be, clustr::knn::radius_params<>{}, Xv, Xv, -1.0f); }, "r");
}

TEMPLATE_LIST_TEST_CASE("knn::radius returns exactly the neighbours within r", "[knn]", clustr_test::test_backends) {
  using clustr::index_t;
  const auto be = clustr_test::make<TestType>();
  const index_t nb = 800, nq = 203, d = 3;
  const auto base = clustr_test::random_matrix<double>(nb, d, 41);
  const auto q = clustr_test::random_matrix<double>(nq, d, 42);
  const double r = 0.4;
  for (bool sorted : {false, true}) {
    const auto res = clustr::knn::radius(be, clustr::knn::radius_params<>{.batch_size = 50, .sort_results = sorted},
                                         clustr_test::host_view(base, nb, d), clustr_test::host_view(q, nq, d), r);
    const auto off = res.offsets.to_std_vector();
    const auto idx = res.indices.to_std_vector();
    const auto dist = res.distances.to_std_vector();
    REQUIRE(off.size() == static_cast<std::size_t>(nq + 1));
    REQUIRE(off.front() == 0);
    REQUIRE(off.back() == static_cast<std::int64_t>(idx.size()));
    std::size_t total = 0;
    for (index_t i = 0; i < nq; ++i) {
      std::vector<std::pair<double, std::int64_t>> want;
      for (index_t j = 0; j < nb; ++j) {
        const double dij = clustr::metric::distance(clustr::metric::euclidean{}, q.data() + i * d, base.data() + j * d, d);
        if (dij <= r) want.emplace_back(sorted ? dij : 0.0, j);
      }
      std::sort(want.begin(), want.end());
      REQUIRE(off[static_cast<std::size_t>(i + 1)] - off[static_cast<std::size_t>(i)] == static_cast<std::int64_t>(want.size()));
      for (std::size_t e = 0; e < want.size(); ++e) {
        const std::size_t at = static_cast<std::size_t>(off[static_cast<std::size_t>(i)]) + e;
        REQUIRE(idx[at] == want[e].second);
        const double dj = clustr::metric::distance(clustr::metric::euclidean{}, q.data() + i * d, base.data() + idx[at] * d, d);
        REQUIRE(dist[at] == Approx(dj).epsilon(1e-12));
      }
      total += want.size();
    }
    CHECK(total > static_cast<std::size_t>(nq));  // the test is not vacuous
  }
  // A batch that would exceed the neighbour bound is refused, naming batch_size.
  try {
    clustr::knn::radius(be, clustr::knn::radius_params<>{.batch_size = 100, .max_batch_neighbors = 1000},
                        clustr_test::host_view(base, nb, d), clustr_test::host_view(q, nq, d), 10.0);
    FAIL("no exception");
  } catch (const clustr::invalid_argument& e) {
    CHECK(e.argument() == "params.batch_size");
  }
}

TEMPLATE_LIST_TEST_CASE("k_distance finds the obvious eps of a grid with far outliers", "[knn]",
                        clustr_test::test_backends) {
  using clustr::index_t;
  const auto be = clustr_test::make<TestType>();
  // A 40 x 40 grid with spacing 0.1 and 40 outliers far away from it and from
  // each other. The 4th-neighbour distance is 0.1 inside the grid, 0.141 on its
  // edges and 0.2 at its corners: the knee is the top of that plateau, before
  // the outliers' curve rises.
  std::vector<float> X;
  for (int a = 0; a < 40; ++a)
    for (int b = 0; b < 40; ++b) {
      X.push_back(0.1f * static_cast<float>(a));
      X.push_back(0.1f * static_cast<float>(b));
    }
  for (int o = 0; o < 40; ++o) {
    X.push_back(100.0f + 7.0f * static_cast<float>(o));
    X.push_back(-50.0f - 3.0f * static_cast<float>(o % 7));
  }
  const index_t n = static_cast<index_t>(X.size() / 2);
  const auto curve = clustr::knn::k_distance(be, clustr::knn::params<>{}, clustr_test::host_view(X, n, 2), 4);
  REQUIRE(curve.distances.size() == static_cast<std::size_t>(n));
  REQUIRE(std::is_sorted(curve.distances.begin(), curve.distances.end()));
  CHECK(curve.eps >= 0.099f);
  CHECK(curve.eps <= 0.2001f);
  CHECK(curve.knee_index < n - 40);
}

namespace clustr_test::neighbors {

/// Mean fraction of the exact k neighbours that the approximate graph found.
inline double recall(const std::vector<std::int64_t>& exact, const std::vector<std::int64_t>& approx, index_t k) {
  std::size_t hit = 0;
  for (std::size_t row = 0; row < exact.size() / static_cast<std::size_t>(k); ++row) {
    const auto b = exact.begin() + static_cast<std::ptrdiff_t>(row * static_cast<std::size_t>(k));
    for (index_t c = 0; c < k; ++c)
      hit += std::find(b, b + k, approx[row * static_cast<std::size_t>(k) + static_cast<std::size_t>(c)]) != b + k;
  }
  return static_cast<double>(hit) / static_cast<double>(exact.size());
}

}  // namespace clustr_test::neighbors

TEMPLATE_LIST_TEST_CASE("NN-descent reaches recall >= 0.95 on 20k points at default settings", "[knn][nn_descent]",
                        clustr_test::test_backends) {
  using namespace clustr_test::neighbors;
  const auto be = clustr_test::make<TestType>();
  // 20,000 points around 20 centres in 8 dimensions (blobs with unit noise).
  const index_t n = 20000, d = 8, k = 15;
  const clustr::rng::random_stream rs{77, 0};
  std::vector<float> X(static_cast<std::size_t>(n * d));
  for (index_t i = 0; i < n; ++i)
    for (index_t j = 0; j < d; ++j)
      X[static_cast<std::size_t>(i * d + j)] =
          5.0f * rs.uniform<float>((std::uint64_t(1) << 40) + static_cast<std::uint64_t>((i % 20) * d + j)) +
          rs.normal<float>(static_cast<std::uint64_t>(i * d + j));
  const auto exact = clustr::knn::graph(be, {.k = k}, clustr_test::host_view(X, n, d));
  const auto approx = clustr::knn::graph(be, {.k = k, .algo = clustr::knn::algorithm::nn_descent}, clustr_test::host_view(X, n, d));
  CHECK(!approx.exact);
  CHECK(approx.k == k);
  const auto ai = approx.indices.to_std_vector();
  const auto ad = approx.distances.to_std_vector();
  // Rows are valid: sorted, no self, no duplicates, distances true.
  for (index_t i = 0; i < n; i += 97) {
    for (index_t c = 0; c < k; ++c) {
      const auto j = ai[static_cast<std::size_t>(i * k + c)];
      REQUIRE(j != i);
      REQUIRE(j >= 0);
      REQUIRE(ad[static_cast<std::size_t>(i * k + c)] ==
              Approx(clustr::metric::distance(clustr::metric::euclidean{}, X.data() + i * d, X.data() + j * d, d)).epsilon(1e-4));
      if (c > 0) REQUIRE(ad[static_cast<std::size_t>(i * k + c - 1)] <= ad[static_cast<std::size_t>(i * k + c)]);
      for (index_t c2 = 0; c2 < c; ++c2) REQUIRE(ai[static_cast<std::size_t>(i * k + c2)] != j);
    }
  }
  const double r = recall(exact.indices.to_std_vector(), ai, k);
  INFO("NN-descent recall " << r);
  CHECK(r >= 0.95);
  // Deterministic: host backends at any thread count give the serial graph
  // bit for bit (proposals are applied as a set, in fixed batches).
  if constexpr (clustr::is_host_backend_v<TestType>) {
    const auto ref = clustr::knn::graph(clustr::serial{}, {.k = k, .algo = clustr::knn::algorithm::nn_descent},
                                        clustr_test::host_view(X, n, d));
    CHECK(ref.indices.to_std_vector() == ai);
    CHECK(ref.distances.to_std_vector() == ad);
  }
  // The recall/speed knob: fewer candidates per neighbour gives a usable but
  // no better graph.
  const auto fast = clustr::knn::graph(
      be, {.k = k, .algo = clustr::knn::algorithm::nn_descent, .nn_descent = {.max_candidates = 4}}, clustr_test::host_view(X, n, d));
  const double r_fast = recall(exact.indices.to_std_vector(), fast.indices.to_std_vector(), k);
  INFO("NN-descent recall with max_candidates = 4: " << r_fast);
  CHECK(r_fast >= 0.85);
  CHECK(r_fast <= r + 0.01);
}

TEMPLATE_LIST_TEST_CASE("knn results in int32 indices equal the int64 ones", "[knn]", clustr_test::test_backends) {
  const auto be = clustr_test::make<TestType>();
  const clustr::index_t n = 777, d = 5, k = 7;
  const auto X = clustr_test::random_matrix<float>(n, d, 91);
  const auto g64 = clustr::knn::graph(be, {.k = k}, clustr_test::host_view(X, n, d));
  const auto g32 = clustr::knn::graph<std::int32_t>(be, {.k = k}, clustr_test::host_view(X, n, d));
  const auto s32 = clustr::knn::search<std::int32_t>(be, {.k = k}, clustr_test::host_view(X, n, d), clustr_test::host_view(X, n, d));
  const auto a = g64.indices.to_std_vector();
  const auto b = g32.indices.to_std_vector();
  REQUIRE(a.size() == b.size());
  for (std::size_t e = 0; e < a.size(); ++e) REQUIRE(a[e] == static_cast<std::int64_t>(b[e]));
  CHECK(g32.distances.to_std_vector() == g64.distances.to_std_vector());
  const auto s = s32.indices.to_std_vector();
  for (clustr::index_t i = 0; i < n; ++i) REQUIRE(s[static_cast<std::size_t>(i * k)] == i);  // self first in search
}
