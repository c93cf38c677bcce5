// k-means tests, one body for every backend: blob recovery, an exact naive
// Lloyd step, warm starts, weights, empty clusters, determinism against the
// serial backend, init quality and bad input.

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "clustr/backend/serial.hpp"
#include "clustr/cluster/kmeans.hpp"
#include "clustr/cluster/kmeans_sweep.hpp"
#include "support/data.hpp"

namespace clustr_test::kmeans {

using clustr::index_t;

using clustr_test::blobs;
using clustr_test::same_partition;

/// One naive Lloyd step from C on the host, in double, rows summed in order.
template <class T>
std::vector<T> naive_lloyd_step(const std::vector<T>& X, index_t n, index_t d, const std::vector<T>& C, index_t k,
                                std::vector<std::int32_t>& labels) {
  labels.assign(static_cast<std::size_t>(n), 0);
  for (index_t i = 0; i < n; ++i) {
    T best = std::numeric_limits<T>::max();
    for (index_t c = 0; c < k; ++c) {
      const T r = clustr::metric::reduced_distance(clustr::metric::sqeuclidean{}, X.data() + i * d, C.data() + c * d, d);
      if (r < best) {
        best = r;
        labels[static_cast<std::size_t>(i)] = static_cast<std::int32_t>(c);
      }
    }
  }
  std::vector<T> out(C);
  for (index_t c = 0; c < k; ++c)
    for (index_t j = 0; j < d; ++j) {
      double s = 0, cnt = 0;
      for (index_t i = 0; i < n; ++i)
        if (labels[static_cast<std::size_t>(i)] == c) {
          s += static_cast<double>(X[static_cast<std::size_t>(i * d + j)]);
          cnt += 1;
        }
      if (cnt > 0) out[static_cast<std::size_t>(c * d + j)] = static_cast<T>(s / cnt);
    }
  return out;
}

template <class Backend>
constexpr bool bitwise_like_serial() {
  // string_view, not strcmp: nvcc does not evaluate strcmp in constant expressions.
  return std::string_view(Backend::name) == "serial" || std::string_view(Backend::name) == "openmp";
}

}  // namespace clustr_test::kmeans

TEMPLATE_LIST_TEST_CASE("kmeans recovers well-separated blobs (ARI = 1)", "[kmeans]", clustr_test::test_backends) {
  using namespace clustr_test::kmeans;
  const auto be = clustr_test::make<TestType>();
  std::vector<int> truth;
  const index_t n = 3001, d = 5;
  const auto X = blobs<float>(n, d, 4, 1, truth);
  for (auto init : {clustr::kmeans::init_method::kmeans_plus_plus, clustr::kmeans::init_method::random}) {
    // Random init can start two centroids in one blob: give it more restarts.
    const index_t restarts = init == clustr::kmeans::init_method::random ? 10 : 3;
    const auto m = clustr::kmeans::fit(be, {.n_clusters = 4, .init = init, .n_init = restarts, .seed = 11},
                                       clustr_test::host_view(X, n, d));
    CHECK(m.converged);
    CHECK(m.centroids.rows() == 4);
    REQUIRE(same_partition(truth, m.labels.to_std_vector()));
    // predict on the training data gives the training labels; score is -inertia.
    CHECK(clustr::kmeans::predict(be, m, clustr_test::host_view(X, n, d)).to_std_vector() == m.labels.to_std_vector());
    CHECK(clustr::kmeans::score(be, m, clustr_test::host_view(X, n, d)) == Approx(-m.inertia).epsilon(1e-5));
  }
}

TEMPLATE_LIST_TEST_CASE("one kmeans iteration equals a naive Lloyd step; warm starts continue", "[kmeans]",
                        clustr_test::test_backends) {
  using namespace clustr_test::kmeans;
  const auto be = clustr_test::make<TestType>();
  const index_t n = 4097, d = 7, k = 9;
  const auto X = clustr_test::random_matrix<double>(n, d, 21);
  std::vector<double> C0(X.begin(), X.begin() + k * d);  // the first k rows
  std::vector<std::int32_t> labels;
  const auto C1 = naive_lloyd_step(X, n, d, C0, k, labels);
  const auto m = clustr::kmeans::fit(be, {.n_clusters = k, .init = clustr::kmeans::init_method::array, .max_iter = 1},
                                     clustr_test::host_view(X, n, d), {}, clustr_test::host_view(C0, k, d));
  CHECK(m.n_iter == 1);
  const auto got = m.centroids.to_std_vector();
  for (std::size_t e = 0; e < got.size(); ++e) REQUIRE(got[e] == Approx(C1[e]).epsilon(1e-12));
  // Two more steps from C1 equal a three-step run from C0 (a warm start continues).
  const auto m2 = clustr::kmeans::fit(be, {.n_clusters = k, .max_iter = 2, .tol = 0}, clustr_test::host_view(X, n, d), {},
                                      clustr::matrix_view<const double>(got.data(), k, d));
  const auto m3 = clustr::kmeans::fit(be, {.n_clusters = k, .max_iter = 3, .tol = 0}, clustr_test::host_view(X, n, d), {},
                                      clustr_test::host_view(C0, k, d));
  const auto c2 = m2.centroids.to_std_vector(), c3 = m3.centroids.to_std_vector();
  for (std::size_t e = 0; e < c2.size(); ++e) REQUIRE(c2[e] == Approx(c3[e]).epsilon(1e-12));
  CHECK(m2.labels.to_std_vector() == m3.labels.to_std_vector());
}

TEMPLATE_LIST_TEST_CASE("kmeans gives the serial backend's answer", "[kmeans]", clustr_test::test_backends) {
  using namespace clustr_test::kmeans;
  const auto be = clustr_test::make<TestType>();
  const index_t n = 33001, d = 4;
  const auto X = clustr_test::random_matrix<float>(n, d, 5);
  const clustr::kmeans::params p{.n_clusters = 12, .n_init = 2, .max_iter = 20, .seed = 99};
  const auto ref = clustr::kmeans::fit(clustr::serial{}, p, clustr_test::host_view(X, n, d));
  const auto got = clustr::kmeans::fit(be, p, clustr_test::host_view(X, n, d));
  const auto rc = ref.centroids.to_std_vector(), gc = got.centroids.to_std_vector();
  if constexpr (bitwise_like_serial<TestType>()) {
    // Same seed: identical labels and centroids at any thread count.
    CHECK(got.labels.to_std_vector() == ref.labels.to_std_vector());
    CHECK(gc == rc);
    CHECK(got.inertia == ref.inertia);
    CHECK(got.n_iter == ref.n_iter);
  } else {
    for (std::size_t e = 0; e < rc.size(); ++e) CHECK(gc[e] == Approx(rc[e]).margin(1e-4).epsilon(1e-4));
    CHECK(got.inertia == Approx(ref.inertia).epsilon(1e-4));
  }
}

TEMPLATE_LIST_TEST_CASE("kmeans weights act as repeated rows; empty clusters are re-seeded", "[kmeans]",
                        clustr_test::test_backends) {
  using namespace clustr_test::kmeans;
  const auto be = clustr_test::make<TestType>();
  const index_t n = 600, d = 3, k = 5;
  const auto X = clustr_test::random_matrix<double>(n, d, 8);
  // Weight 3 on every 4th row == that row three times.
  std::vector<double> w(static_cast<std::size_t>(n), 1.0), Xr;
  for (index_t i = 0; i < n; ++i) {
    const int reps = i % 4 == 0 ? 3 : 1;
    if (reps == 3) w[static_cast<std::size_t>(i)] = 3.0;
    for (int r = 0; r < reps; ++r) Xr.insert(Xr.end(), X.begin() + i * d, X.begin() + (i + 1) * d);
  }
  const std::vector<double> C0(X.begin(), X.begin() + k * d);
  const clustr::kmeans::params p{.n_clusters = k, .max_iter = 50, .tol = 0};
  // Non-const views and owning arrays are accepted for weights and centroids.
  const auto w_backend = clustr_test::to_backend(be, w);
  const auto mw = clustr::kmeans::fit(be, p, clustr_test::host_view(X, n, d), w_backend,
                                      clustr::matrix_view<double>(const_cast<double*>(C0.data()), k, d));
  const auto mr = clustr::kmeans::fit(be, p, clustr_test::host_view(Xr, static_cast<index_t>(Xr.size()) / d, d), {},
                                      clustr_test::host_view(C0, k, d));
  const auto cw = mw.centroids.to_std_vector(), cr = mr.centroids.to_std_vector();
  for (std::size_t e = 0; e < cw.size(); ++e) REQUIRE(cw[e] == Approx(cr[e]).epsilon(1e-9));
  CHECK(mw.inertia == Approx(mr.inertia).epsilon(1e-9));

  // A starting centroid far from all data gets no points and is moved onto one.
  std::vector<double> far(C0);
  far[0] = far[1] = far[2] = 1e6;
  const auto me = clustr::kmeans::fit(be, {.n_clusters = k, .max_iter = 30}, clustr_test::host_view(X, n, d), {},
                                      clustr_test::host_view(far, k, d));
  CHECK(me.n_empty_reseeded >= 1);
  const auto ce = me.centroids.to_std_vector();
  for (double v : ce) REQUIRE(std::abs(v) <= 1.0);
  std::vector<int> used(static_cast<std::size_t>(k), 0);
  for (auto l : me.labels.to_std_vector()) used[static_cast<std::size_t>(l)] = 1;
  CHECK(std::count(used.begin(), used.end(), 1) == k);
}

TEMPLATE_LIST_TEST_CASE("k-means++ is within a few percent of the best of 10 random restarts", "[kmeans]",
                        clustr_test::test_backends) {
  using namespace clustr_test::kmeans;
  const auto be = clustr_test::make<TestType>();
  std::vector<int> truth;
  const index_t n = 2000, d = 2;
  const auto X = blobs<double>(n, d, 8, 17, truth);
  const auto best_random = clustr::kmeans::fit(
      be, {.n_clusters = 8, .init = clustr::kmeans::init_method::random, .n_init = 10, .seed = 3}, clustr_test::host_view(X, n, d));
  const auto pp = clustr::kmeans::fit(be, {.n_clusters = 8, .n_init = 1, .seed = 3}, clustr_test::host_view(X, n, d));
  CHECK(pp.inertia <= best_random.inertia * 1.05);
}

TEMPLATE_LIST_TEST_CASE("kmeans rejects bad input naming the argument", "[kmeans]", clustr_test::test_backends) {
  const auto be = clustr_test::make<TestType>();
  auto X = clustr_test::random_matrix<float>(10, 2, 1);
  const auto Xv = clustr_test::host_view(X, 10, 2);
  clustr_test::expect_invalid([&] { clustr::kmeans::fit(be, {.n_clusters = 0}, Xv); }, "params.n_clusters");
  clustr_test::expect_invalid([&] { clustr::kmeans::fit(be, {.n_clusters = 11}, Xv); }, "params.n_clusters");
  clustr_test::expect_invalid([&] { clustr::kmeans::fit(be, {.n_clusters = 2, .n_init = 0}, Xv); }, "params.n_init");
  clustr_test::expect_invalid([&] { clustr::kmeans::fit(be, {.n_clusters = 2, .tol = -1}, Xv); }, "params.tol");
  clustr_test::expect_invalid([&] { clustr::kmeans::fit(be, {.n_clusters = 2, .init = clustr::kmeans::init_method::array}, Xv); }, "initial_centroids");
  const std::vector<float> bad_c(6, 0.0f), w_short(9, 1.0f);
  std::vector<float> w_neg(10, 1.0f);
  w_neg[4] = -1.0f;
  clustr_test::expect_invalid([&] { clustr::kmeans::fit(be, {.n_clusters = 2}, Xv, {}, clustr_test::host_view(bad_c, 2, 3)); }, "initial_centroids shape");
  clustr_test::expect_invalid([&] { clustr::kmeans::fit(be, {.n_clusters = 2}, Xv, clustr_test::host_view(w_short)); }, "sample_weight.size()");
  clustr_test::expect_invalid([&] { clustr::kmeans::fit(be, {.n_clusters = 2}, Xv, clustr_test::host_view(w_neg)); }, "sample_weight");
  X[3] = std::nanf("");
  clustr_test::expect_invalid([&] { clustr::kmeans::fit(be, {.n_clusters = 2}, Xv); }, "X");
}

namespace clustr_test::kmeans {

/// Points around `centres` random directions at radii in [1, 20]: clusters by
/// angle that Euclidean k-means splits by length.
template <class T>
std::vector<T> directions(index_t n, index_t d, int centres, std::uint64_t seed, std::vector<int>& truth) {
  const clustr::rng::random_stream rs{seed, 5};
  std::vector<T> X(static_cast<std::size_t>(n * d));
  truth.assign(static_cast<std::size_t>(n), 0);
  for (index_t i = 0; i < n; ++i) {
    const int c = static_cast<int>(rs.below(static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(centres)));
    truth[static_cast<std::size_t>(i)] = c;
    const double radius = 1.0 + 19.0 * rs.uniform<double>(static_cast<std::uint64_t>(1) << 41 | static_cast<std::uint64_t>(i));
    for (index_t j = 0; j < d; ++j) {
      const double dir = rs.normal<double>(static_cast<std::uint64_t>(1 << 30) + static_cast<std::uint64_t>(c * d + j));
      const double noise = 0.05 * rs.normal<double>(static_cast<std::uint64_t>(1) << 40 | static_cast<std::uint64_t>(i * d + j));
      X[static_cast<std::size_t>(i * d + j)] = static_cast<T>(radius * (dir + noise));
    }
  }
  return X;
}

/// One spherical Lloyd step from C on the host: unit rows, assignment by the
/// largest cosine, unit means.
inline std::vector<double> naive_spherical_step(std::vector<double> X, index_t n, index_t d, const std::vector<double>& C,
                                                index_t k) {
  auto unit = [d](double* r) {
    double s = 0;
    for (index_t j = 0; j < d; ++j) s += r[j] * r[j];
    for (index_t j = 0; j < d; ++j) r[j] /= std::sqrt(s);
  };
  for (index_t i = 0; i < n; ++i) unit(X.data() + i * d);
  std::vector<double> Cu(C), out(C.size(), 0.0);
  for (index_t c = 0; c < k; ++c) unit(Cu.data() + c * d);
  for (index_t i = 0; i < n; ++i) {
    index_t best = 0;
    double best_cos = -2;
    for (index_t c = 0; c < k; ++c) {
      double dot = 0;
      for (index_t j = 0; j < d; ++j) dot += X[static_cast<std::size_t>(i * d + j)] * Cu[static_cast<std::size_t>(c * d + j)];
      if (dot > best_cos) best_cos = dot, best = c;
    }
    for (index_t j = 0; j < d; ++j) out[static_cast<std::size_t>(best * d + j)] += X[static_cast<std::size_t>(i * d + j)];
  }
  for (index_t c = 0; c < k; ++c) unit(out.data() + c * d);
  return out;
}

}  // namespace clustr_test::kmeans

TEMPLATE_LIST_TEST_CASE("k-means|| init recovers blobs, matches the serial backend, is as good as k-means++", "[kmeans]",
                        clustr_test::test_backends) {
  using namespace clustr_test::kmeans;
  const auto be = clustr_test::make<TestType>();
  std::vector<int> truth;
  const index_t n = 4001, d = 3;
  const auto X = blobs<double>(n, d, 10, 24, truth);
  const clustr::kmeans::params p{.n_clusters = 10, .init = clustr::kmeans::init_method::kmeans_parallel, .n_init = 2, .seed = 4};
  const auto m = clustr::kmeans::fit(be, p, clustr_test::host_view(X, n, d));
  CHECK(same_partition(truth, m.labels.to_std_vector()));
  const auto pp = clustr::kmeans::fit(be, {.n_clusters = 10, .n_init = 2, .seed = 4}, clustr_test::host_view(X, n, d));
  CHECK(m.inertia <= pp.inertia * 1.05);
  const auto best_random = clustr::kmeans::fit(
      be, {.n_clusters = 10, .init = clustr::kmeans::init_method::random, .n_init = 10, .seed = 4}, clustr_test::host_view(X, n, d));
  CHECK(m.inertia <= best_random.inertia * 1.05);
  const auto ref = clustr::kmeans::fit(clustr::serial{}, p, clustr_test::host_view(X, n, d));
  if constexpr (bitwise_like_serial<TestType>()) {
    CHECK(m.centroids.to_std_vector() == ref.centroids.to_std_vector());
    CHECK(m.labels.to_std_vector() == ref.labels.to_std_vector());
  } else {
    CHECK(m.inertia == Approx(ref.inertia).epsilon(1e-6));
  }
  // Fewer distinct rows than k: falls back to k-means++ and still fits.
  std::vector<double> few(static_cast<std::size_t>(30 * d), 0.0);
  for (index_t i = 0; i < 30; ++i) few[static_cast<std::size_t>(i * d)] = static_cast<double>(i % 4);
  const auto mf = clustr::kmeans::fit(be, {.n_clusters = 4, .init = clustr::kmeans::init_method::kmeans_parallel},
                                      clustr_test::host_view(few, 30, d));
  CHECK(mf.inertia == Approx(0.0).margin(1e-12));
}

TEMPLATE_LIST_TEST_CASE("spherical k-means: a naive step, clusters by angle, cosine transform and score", "[kmeans]",
                        clustr_test::test_backends) {
  using namespace clustr_test::kmeans;
  const auto be = clustr_test::make<TestType>();
  const index_t n = 1501, d = 6, k = 5;
  const auto X = clustr_test::random_matrix<double>(n, d, 31);
  const std::vector<double> C0(X.begin(), X.begin() + k * d);
  const auto step = naive_spherical_step(X, n, d, C0, k);
  const auto m1 = clustr::kmeans::fit(be, {.n_clusters = k, .max_iter = 1, .spherical = true},
                                      clustr_test::host_view(X, n, d), {}, clustr_test::host_view(C0, k, d));
  const auto c1 = m1.centroids.to_std_vector();
  for (std::size_t e = 0; e < c1.size(); ++e) REQUIRE(c1[e] == Approx(step[e]).margin(1e-12));

  std::vector<int> truth;
  const auto D = directions<float>(2000, 8, 4, 3, truth);
  const auto ms = clustr::kmeans::fit(be, {.n_clusters = 4, .n_init = 3, .seed = 2, .spherical = true},
                                      clustr_test::host_view(D, 2000, 8));
  CHECK(ms.spherical);
  CHECK(same_partition(truth, ms.labels.to_std_vector()));
  // Centroids are unit vectors; transform is the cosine distance; score is -inertia.
  const auto cs = ms.centroids.to_std_vector();
  for (index_t c = 0; c < 4; ++c) {
    double s = 0;
    for (index_t j = 0; j < 8; ++j) s += double(cs[static_cast<std::size_t>(c * 8 + j)]) * cs[static_cast<std::size_t>(c * 8 + j)];
    CHECK(s == Approx(1.0).epsilon(1e-5));
  }
  const auto T = clustr::kmeans::transform(be, ms, clustr_test::host_view(D, 2000, 8)).to_std_vector();
  const auto lab = ms.labels.to_std_vector();
  double inertia = 0;
  for (index_t i = 0; i < 2000; ++i) inertia += T[static_cast<std::size_t>(i * 4 + lab[static_cast<std::size_t>(i)])];
  CHECK(inertia == Approx(ms.inertia).epsilon(1e-3));
  CHECK(clustr::kmeans::score(be, ms, clustr_test::host_view(D, 2000, 8)) == Approx(-ms.inertia).epsilon(1e-4));
  CHECK(clustr::kmeans::predict(be, ms, clustr_test::host_view(D, 2000, 8)).to_std_vector() == lab);
  // A zero row has no direction.
  auto Z = D;
  for (index_t j = 0; j < 8; ++j) Z[static_cast<std::size_t>(7 * 8 + j)] = 0.0f;
  clustr_test::expect_invalid([&] { clustr::kmeans::fit(be, {.n_clusters = 2, .spherical = true}, clustr_test::host_view(Z, 2000, 8)); }, "X");
}

TEMPLATE_LIST_TEST_CASE("kmeans sweep: one row per k equal to separate fits and scores", "[kmeans]",
                        clustr_test::test_backends) {
  using namespace clustr_test::kmeans;
  const auto be = clustr_test::make<TestType>();
  std::vector<int> truth;
  const index_t n = 900, d = 4;
  const auto X = blobs<double>(n, d, 4, 41, truth);
  const clustr::kmeans::params p{.n_init = 2, .seed = 9};
  const std::vector<index_t> ks{1, 3, 4, 6, 7};
  const auto rows = clustr::kmeans::sweep(be, p, clustr_test::host_view(X, n, d), ks, {.silhouette_sample_size = 0});
  REQUIRE(rows.size() == ks.size());
  CHECK(std::isnan(rows[0].silhouette));
  for (std::size_t r = 0; r < ks.size(); ++r) {
    CHECK(rows[r].k == ks[r]);
    auto pk = p;
    pk.n_clusters = ks[r];
    const auto m = clustr::kmeans::fit(be, pk, clustr_test::host_view(X, n, d));
    CHECK(rows[r].inertia == Approx(m.inertia).epsilon(1e-12));
    CHECK(rows[r].n_iter == m.n_iter);
    if (ks[r] > 1) {
      const auto labels = m.labels.to_std_vector();
      CHECK(rows[r].silhouette == Approx(clustr::stats::silhouette_score(be, clustr_test::host_view(X, n, d), clustr_test::host_view(labels))).epsilon(1e-9));
      CHECK(rows[r].davies_bouldin == Approx(clustr::stats::davies_bouldin_score(be, clustr_test::host_view(X, n, d), clustr_test::host_view(labels))).epsilon(1e-9));
      CHECK(rows[r].calinski_harabasz == Approx(clustr::stats::calinski_harabasz_score(be, clustr_test::host_view(X, n, d), clustr_test::host_view(labels))).epsilon(1e-9));
    }
  }
  // Inertia falls with k, with the elbow at the true k = 4: the drop 3 -> 4 is
  // far larger than any later one.
  for (std::size_t r = 1; r < rows.size(); ++r) CHECK(rows[r].inertia < rows[r - 1].inertia);
  CHECK(rows[1].inertia - rows[2].inertia > 10 * (rows[2].inertia - rows[3].inertia));
  // The true k = 4 has the best silhouette and Calinski-Harabasz here.
  CHECK(rows[2].silhouette > rows[1].silhouette);
  CHECK(rows[2].silhouette > rows[3].silhouette);
  CHECK(rows[2].calinski_harabasz > rows[3].calinski_harabasz);
  clustr_test::expect_invalid([&] { clustr::kmeans::sweep(be, p, clustr_test::host_view(X, n, d), {2, 0}); }, "ks[1]");
  clustr_test::expect_invalid([&] { clustr::kmeans::sweep(be, p, clustr_test::host_view(X, n, d), {}); }, "ks");
}
