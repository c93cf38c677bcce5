// clustr::stats tests, one body for every backend: scikit-learn / hdbscan
// golden values (tests/golden/stats_golden.hpp, made by
// scripts/golden/make_stats_golden.py), hand-computed cases, naive
// references with awkward tile sizes, symmetry and relabelling invariance,
// noise policies, determinism against the serial backend, and bad input.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "clustr/backend/serial.hpp"
#include "clustr/neighbors/knn.hpp"
#include "clustr/stats/stats.hpp"
#include "golden/stats_golden.hpp"

namespace clustr_test::stats {

using clustr::index_t;
namespace S = clustr::stats;
namespace M = clustr::metric;
using labels_t = std::vector<std::int64_t>;

/// The serial backend with a pairwise_distance member (forwarding to the
/// generic one): the scores then take their tiled device-backend path, so
/// that path is tested on the host too.
struct tiled_serial : clustr::serial {
  template <class Metric, class T>
  void pairwise_distance(const Metric& m, clustr::matrix_view<const T> X, clustr::matrix_view<const T> Y,
                         clustr::matrix_view<T> out, clustr::distance_form form) const {
    clustr::pairwise_distance(clustr::serial{}, m, X, Y, out, form);
  }
};

template <class Backend>
constexpr bool bitwise_like_serial() {
  return std::string_view(Backend::name) == "serial" || std::string_view(Backend::name) == "openmp";
}

inline double golden(const stats_golden::golden_case& c, const std::string& key) {
  for (const auto& [k, v] : c.expected)
    if (k == key) return v;
  FAIL("golden value " << key << " missing for " << c.name);
  return 0.0;
}

/// |got - want| <= rel * |want| + abs.
inline bool close(double got, double want, double rel, double abs = 1e-12) {
  if (std::isnan(want)) return std::isnan(got);
  return std::abs(got - want) <= rel * std::abs(want) + abs;
}

template <class T>
std::vector<T> cast(const std::vector<double>& v) {
  return std::vector<T>(v.begin(), v.end());
}

/// Labels with -1 replaced by a fresh label (noise as one cluster).
inline labels_t noise_as_label(const labels_t& l, std::int64_t fresh = 1000) {
  labels_t out(l);
  for (auto& v : out)
    if (v == -1) v = fresh;
  return out;
}

/// Naive silhouette on the rows with scored[i], in long double: O(n^2).
template <class Metric, class T>
std::vector<double> reference_silhouette(const Metric& m, const std::vector<T>& X, index_t n, index_t d,
                                         const labels_t& labels, const std::vector<char>& scored) {
  std::vector<long double> Xl(X.begin(), X.end());
  std::map<std::int64_t, long double> count;
  for (index_t i = 0; i < n; ++i)
    if (scored[static_cast<std::size_t>(i)]) count[labels[static_cast<std::size_t>(i)]] += 1;
  std::vector<double> out(static_cast<std::size_t>(n), std::numeric_limits<double>::quiet_NaN());
  for (index_t i = 0; i < n; ++i) {
    if (!scored[static_cast<std::size_t>(i)]) continue;
    std::map<std::int64_t, long double> sum;
    for (index_t j = 0; j < n; ++j)
      if (scored[static_cast<std::size_t>(j)] && j != i)
        sum[labels[static_cast<std::size_t>(j)]] += M::distance(m, Xl.data() + i * d, Xl.data() + j * d, d);
    const std::int64_t own = labels[static_cast<std::size_t>(i)];
    if (count[own] <= 1) {
      out[static_cast<std::size_t>(i)] = 0.0;
      continue;
    }
    const long double a = sum[own] / (count[own] - 1);
    long double b = std::numeric_limits<long double>::infinity();
    for (const auto& [c, cnt] : count)
      if (c != own) b = std::min(b, sum[c] / cnt);
    const long double den = std::max(a, b);
    out[static_cast<std::size_t>(i)] = den > 0 ? static_cast<double>((b - a) / den) : 0.0;
  }
  return out;
}

inline double mean_of_finite(const std::vector<double>& v) {
  long double s = 0;
  std::size_t n = 0;
  for (double x : v)
    if (!std::isnan(x)) {
      s += x;
      ++n;
    }
  return static_cast<double>(s / static_cast<long double>(n));
}

/// Naive trustworthiness: full rank tables, ties to the smaller index.
template <class Metric>
double reference_trustworthiness(const Metric& m, const std::vector<double>& X, index_t d, const std::vector<double>& E,
                                 index_t de, index_t n, index_t k) {
  auto neighbours = [&](const std::vector<double>& Y, index_t dim, index_t i, auto&& metric) {
    std::vector<std::pair<double, index_t>> all;
    for (index_t j = 0; j < n; ++j)
      if (j != i) all.emplace_back(M::distance(metric, Y.data() + i * dim, Y.data() + j * dim, dim), j);
    std::sort(all.begin(), all.end());
    return all;
  };
  long double t = 0;
  for (index_t i = 0; i < n; ++i) {
    const auto orig = neighbours(X, d, i, m);
    const auto emb = neighbours(E, de, i, M::euclidean{});
    std::vector<index_t> rank(static_cast<std::size_t>(n), 0);
    for (std::size_t r = 0; r < orig.size(); ++r) rank[static_cast<std::size_t>(orig[r].second)] = static_cast<index_t>(r + 1);
    for (index_t c = 0; c < k; ++c) t += std::max<index_t>(0, rank[static_cast<std::size_t>(emb[static_cast<std::size_t>(c)].second)] - k);
  }
  return static_cast<double>(1.0L - t * (2.0L / (static_cast<long double>(n * k) * (2.0L * n - 3.0L * k - 1.0L))));
}

/// Blobs with labels: `clusters` centres in [-6, 6]^d, unit noise.
inline std::vector<double> blobs(index_t n, index_t d, int clusters, std::uint64_t seed, labels_t& labels) {
  const clustr::rng::random_stream rs{seed, 7};
  std::vector<double> X(static_cast<std::size_t>(n * d));
  labels.assign(static_cast<std::size_t>(n), 0);
  for (index_t i = 0; i < n; ++i) {
    const auto c = static_cast<std::int64_t>(rs.below(static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(clusters)));
    labels[static_cast<std::size_t>(i)] = c;
    for (index_t j = 0; j < d; ++j)
      X[static_cast<std::size_t>(i * d + j)] =
          12.0 * rs.uniform<double>((std::uint64_t(1) << 40) + static_cast<std::uint64_t>(c * d + j)) - 6.0 +
          rs.normal<double>((std::uint64_t(1) << 41) + static_cast<std::uint64_t>(i * d + j));
  }
  return X;
}

inline labels_t random_labels(index_t n, int k, std::uint64_t seed) {
  const clustr::rng::random_stream rs{seed, 11};
  labels_t l(static_cast<std::size_t>(n));
  for (index_t i = 0; i < n; ++i) l[static_cast<std::size_t>(i)] = static_cast<std::int64_t>(rs.below(static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(k)));
  return l;
}

/// Every golden score of one case on one backend, data of type T, within rel.
template <class Backend, class T>
void check_golden_case(const Backend& be, const stats_golden::golden_case& c, double rel, double rel_rank) {
  const index_t n = c.n, d = c.d;
  const auto Xd = cast<T>(c.X);
  const auto E = cast<T>(c.embedding);
  const auto X = clustr_test::host_view(Xd, n, d);
  const auto Y = clustr_test::host_view(E, n, 2);
  const auto t = clustr_test::host_view(c.labels_true);
  const auto p = clustr_test::host_view(c.labels_pred);
  const auto ex = S::noise_policy::exclude, as = S::noise_policy::as_cluster;
  INFO("case " << c.name << ", backend " << Backend::name << ", " << (sizeof(T) == 8 ? "double" : "float"));

  CHECK(close(S::silhouette_score(be, X, p), golden(c, "silhouette/euclidean/exclude"), rel));
  CHECK(close(S::silhouette_score(be, X, p, {.noise = as}), golden(c, "silhouette/euclidean/as_cluster"), rel));
  CHECK(close(S::silhouette_score(be, X, p, S::silhouette_params<M::manhattan>{}), golden(c, "silhouette/manhattan/exclude"), rel));
  CHECK(close(S::silhouette_score(be, X, p, S::silhouette_params<M::manhattan>{.noise = as}),
              golden(c, "silhouette/manhattan/as_cluster"), rel));
  CHECK(close(S::silhouette_score(be, X, p, S::silhouette_params<M::cosine>{}), golden(c, "silhouette/cosine/exclude"), rel));
  CHECK(close(S::silhouette_score(be, X, p, S::silhouette_params<M::cosine>{.noise = as}),
              golden(c, "silhouette/cosine/as_cluster"), rel));
  const auto s_ex = S::silhouette_samples(be, X, p).to_std_vector();
  const auto s_as = S::silhouette_samples(be, X, p, {.noise = as, .batch_rows = 7, .tile_cols = 11}).to_std_vector();
  for (index_t i = 0; i < n; ++i) {
    REQUIRE(close(s_ex[static_cast<std::size_t>(i)], c.silhouette_samples_exclude[static_cast<std::size_t>(i)], rel, rel));
    REQUIRE(close(s_as[static_cast<std::size_t>(i)], c.silhouette_samples_as_cluster[static_cast<std::size_t>(i)], rel, rel));
  }

  CHECK(close(S::davies_bouldin_score(be, X, p), golden(c, "davies_bouldin/exclude"), rel));
  CHECK(close(S::davies_bouldin_score(be, X, p, as), golden(c, "davies_bouldin/as_cluster"), rel));
  CHECK(close(S::calinski_harabasz_score(be, X, p), golden(c, "calinski_harabasz/exclude"), rel));
  CHECK(close(S::calinski_harabasz_score(be, X, p, as), golden(c, "calinski_harabasz/as_cluster"), rel));

  CHECK(close(S::trustworthiness(be, X, Y), golden(c, "trustworthiness/euclidean/5"), rel_rank));
  CHECK(close(S::trustworthiness(be, X, Y, S::trustworthiness_params<M::manhattan>{.n_neighbors = 7}),
              golden(c, "trustworthiness/manhattan/7"), rel_rank));
  CHECK(close(S::trustworthiness(be, X, Y, S::trustworthiness_params<M::cosine>{.n_neighbors = 3}),
              golden(c, "trustworthiness/cosine/3"), rel_rank));

  const auto r = S::dbcv_per_cluster(be, X, p);
  CHECK(close(r.score, golden(c, "dbcv"), rel));
  for (std::size_t k = 0; k < r.validity.size(); ++k)
    CHECK(close(r.validity[k], golden(c, "dbcv/cluster/" + std::to_string(k)), rel));

  // Label-only scores do not depend on T; checked once, in double.
  if constexpr (sizeof(T) == 8) {
    for (auto [policy, name] : {std::pair{ex, "exclude"}, std::pair{as, "as_cluster"}}) {
      const std::string tail = std::string("/") + name;
      const S::partition_params pp{.noise = policy};
      CHECK(close(S::adjusted_rand_score(be, t, p, pp), golden(c, "ari" + tail), 1e-9));
      CHECK(close(S::mutual_info_score(be, t, p, pp), golden(c, "mi" + tail), 1e-9));
      for (auto [avg, avg_name] : {std::pair{S::average_method::min, "min"}, std::pair{S::average_method::geometric, "geometric"},
                                   std::pair{S::average_method::arithmetic, "arithmetic"}, std::pair{S::average_method::max, "max"}}) {
        const S::partition_params pa{.noise = policy, .average = avg};
        CHECK(close(S::adjusted_mutual_info_score(be, t, p, pa), golden(c, std::string("ami/") + avg_name + tail), 1e-9));
        CHECK(close(S::normalized_mutual_info_score(be, t, p, pa), golden(c, std::string("nmi/") + avg_name + tail), 1e-9));
      }
      const auto h = S::homogeneity_completeness_v_measure(be, t, p, pp);
      CHECK(close(h.homogeneity, golden(c, "homogeneity" + tail), 1e-9));
      CHECK(close(h.completeness, golden(c, "completeness" + tail), 1e-9));
      CHECK(close(h.v_measure, golden(c, "v_measure" + tail), 1e-9));
      CHECK(close(S::v_measure_score(be, t, p, {.noise = policy, .beta = 2.0}), golden(c, "v_measure/beta2" + tail), 1e-9));
    }
  }
}

}  // namespace clustr_test::stats

TEMPLATE_LIST_TEST_CASE("stats equal scikit-learn and hdbscan on golden data (double, 1e-9)", "[stats]",
                        clustr_test::test_backends) {
  const auto be = clustr_test::make<TestType>();
  for (const auto& c : clustr_test::stats_golden::cases()) clustr_test::stats::check_golden_case<TestType, double>(be, c, 1e-9, 1e-12);
}

TEMPLATE_LIST_TEST_CASE("stats on float data agree with the golden values within float precision", "[stats]",
                        clustr_test::test_backends) {
  const auto be = clustr_test::make<TestType>();
  // A near-tie in float may move one rank by one: 2 / (n k (2n - 3k - 1)) <= 2e-4 here.
  for (const auto& c : clustr_test::stats_golden::cases()) clustr_test::stats::check_golden_case<TestType, float>(be, c, 2e-5, 5e-4);
}

TEMPLATE_LIST_TEST_CASE("stats match hand-computed values and scikit-learn's edge cases", "[stats]",
                        clustr_test::test_backends) {
  using namespace clustr_test::stats;
  const auto be = clustr_test::make<TestType>();
  // 1-D: A = {0, 2}, B = {5, 7}, C = {20}. Silhouettes 2/3, 1/2, 1/2, 2/3 and
  // 0 for the single-point cluster.
  const std::vector<double> x{0, 2, 5, 7, 20};
  const labels_t l{4, 4, 9, 9, 1};
  const auto X = clustr_test::host_view(x, 5, 1);
  const auto s = S::silhouette_samples(be, X, clustr_test::host_view(l)).to_std_vector();
  const std::vector<double> want{2.0 / 3, 0.5, 0.5, 2.0 / 3, 0.0};
  for (std::size_t i = 0; i < want.size(); ++i) CHECK(s[i] == Approx(want[i]).epsilon(1e-15).margin(1e-15));
  CHECK(S::silhouette_score(be, X, clustr_test::host_view(l)) == Approx(7.0 / 15).epsilon(1e-15));
  // Without C: CH = [B/(k-1)] / [W/(n-k)] = 25 / (4 / 2) = 12.5; DB = (1 + 1) / 5.
  const auto X4 = clustr_test::host_view(x, 4, 1);
  const labels_t l4{0, 0, 1, 1};
  CHECK(S::silhouette_score(be, X4, clustr_test::host_view(l4)) == Approx(7.0 / 12).epsilon(1e-15));
  CHECK(S::calinski_harabasz_score(be, X4, clustr_test::host_view(l4)) == Approx(12.5).epsilon(1e-15));
  CHECK(S::davies_bouldin_score(be, X4, clustr_test::host_view(l4)) == Approx(0.4).epsilon(1e-15));
  // Clusters that are single points repeated: W = 0 gives CH 1 and DB 0.
  const std::vector<double> dup{1, 1, 1, 3, 3, 3};
  const labels_t ld{0, 0, 0, 1, 1, 1};
  CHECK(S::calinski_harabasz_score(be, clustr_test::host_view(dup, 6, 1), clustr_test::host_view(ld)) == 1.0);
  CHECK(S::davies_bouldin_score(be, clustr_test::host_view(dup, 6, 1), clustr_test::host_view(ld)) == 0.0);

  // ARI of [0,0,1,2] vs [0,0,1,1]: pair counts tp 2, fp 2, fn 0, tn 8 ->
  // 2 (2*8 - 0) / (2*8 + 4*10) = 4/7 (scikit-learn's documented 0.57).
  const labels_t a{0, 0, 1, 2}, b{0, 0, 1, 1};
  CHECK(S::adjusted_rand_score(be, clustr_test::host_view(a), clustr_test::host_view(b)) == Approx(4.0 / 7).epsilon(1e-15));
  // H(a) = 1.5 ln 2, H(b) = ln 2, MI = ln 2: homogeneity MI / H(a) = 2/3,
  // completeness MI / H(b) = 1, V = 2 h c / (h + c) = 0.8.
  const auto h = S::homogeneity_completeness_v_measure(be, clustr_test::host_view(a), clustr_test::host_view(b));
  CHECK(h.homogeneity == Approx(2.0 / 3).epsilon(1e-14));
  CHECK(h.completeness == Approx(1.0).epsilon(1e-14));
  CHECK(h.v_measure == Approx(0.8).epsilon(1e-14));
  CHECK(S::mutual_info_score(be, clustr_test::host_view(a), clustr_test::host_view(b)) == Approx(std::log(2.0)).epsilon(1e-15));
  CHECK(S::normalized_mutual_info_score(be, clustr_test::host_view(a), clustr_test::host_view(b)) ==
        Approx(std::log(2.0) / (1.25 * std::log(2.0))).epsilon(1e-14));

  // scikit-learn's limit cases: one cluster on both sides (or no points) is a
  // perfect match; one cluster against several scores 0.
  const labels_t one{5, 5, 5, 5}, two{1, 1, 2, 2}, none{};
  const auto o = clustr_test::host_view(one), w = clustr_test::host_view(two), e = clustr_test::host_view(none);
  CHECK(S::adjusted_rand_score(be, o, o) == 1.0);
  CHECK(S::adjusted_mutual_info_score(be, o, o) == 1.0);
  CHECK(S::normalized_mutual_info_score(be, o, o) == 1.0);
  CHECK(S::adjusted_rand_score(be, e, e) == 1.0);
  CHECK(S::adjusted_mutual_info_score(be, e, e) == 1.0);
  CHECK(S::homogeneity_completeness_v_measure(be, e, e).v_measure == 1.0);
  CHECK(S::adjusted_rand_score(be, o, w) == 0.0);
  CHECK(S::adjusted_mutual_info_score(be, o, w) == 0.0);
  CHECK(S::normalized_mutual_info_score(be, o, w) == 0.0);
  // All noise under exclude: no points left, the empty case.
  const labels_t noise{-1, -1, -1};
  CHECK(S::adjusted_rand_score(be, clustr_test::host_view(noise), clustr_test::host_view(noise)) == 1.0);

  // Trustworthiness of an embedding that is the data itself is 1.
  const auto Xr = clustr_test::random_matrix<double>(50, 3, 5);
  CHECK(S::trustworthiness(be, clustr_test::host_view(Xr, 50, 3), clustr_test::host_view(Xr, 50, 3)) == 1.0);
}

TEMPLATE_LIST_TEST_CASE("ARI and AMI are symmetric and 1 on relabelled identical partitions", "[stats]",
                        clustr_test::test_backends) {
  using namespace clustr_test::stats;
  const auto be = clustr_test::make<TestType>();
  const index_t n = 5003;
  const auto a = random_labels(n, 7, 1);
  auto b = random_labels(n, 9, 2);
  for (index_t i = 0; i < n; i += 3) b[static_cast<std::size_t>(i)] = a[static_cast<std::size_t>(i)];  // some agreement
  const auto av = clustr_test::host_view(a), bv = clustr_test::host_view(b);
  const double ari = S::adjusted_rand_score(be, av, bv);
  CHECK(ari > 0.05);
  CHECK(ari < 0.9);
  CHECK(S::adjusted_rand_score(be, bv, av) == ari);  // exact integer pair counts
  const double ami = S::adjusted_mutual_info_score(be, av, bv);
  CHECK(S::adjusted_mutual_info_score(be, bv, av) == Approx(ami).epsilon(1e-12));
  CHECK(S::normalized_mutual_info_score(be, bv, av) == Approx(S::normalized_mutual_info_score(be, av, bv)).epsilon(1e-12));
  // Any relabelling (here to huge, negative and int32 values) changes nothing.
  labels_t big(b);
  std::vector<std::int32_t> small(b.size());
  for (std::size_t i = 0; i < b.size(); ++i) {
    big[i] = (b[i] - 4) * 1000000007LL;
    small[i] = static_cast<std::int32_t>(100 - 3 * b[i]);
  }
  CHECK(S::adjusted_rand_score(be, av, clustr_test::host_view(big)) == ari);
  CHECK(S::adjusted_rand_score(be, av, clustr_test::host_view(small)) == ari);
  CHECK(S::adjusted_mutual_info_score(be, av, clustr_test::host_view(small)) == Approx(ami).epsilon(1e-12));
  // A relabelled copy of a partition: every score is 1.
  std::vector<std::int32_t> perm(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) perm[i] = static_cast<std::int32_t>((a[i] * 5 + 3) % 7 - 2);
  const auto pv = clustr_test::host_view(perm);
  CHECK(S::adjusted_rand_score(be, av, pv) == 1.0);
  CHECK(S::adjusted_mutual_info_score(be, av, pv) == Approx(1.0).epsilon(1e-12));
  CHECK(S::normalized_mutual_info_score(be, av, pv) == Approx(1.0).epsilon(1e-12));
  CHECK(S::v_measure_score(be, av, pv) == Approx(1.0).epsilon(1e-12));
  // Labels already in backend memory give the same answers.
  const auto ab = clustr_test::to_backend(be, a);
  CHECK(S::adjusted_rand_score(be, ab, bv) == ari);
}

namespace clustr_test::stats {

template <class Backend, class Metric>
void silhouette_matches_reference(const Backend& be, const Metric& m, index_t n, index_t d, int k, index_t batch,
                                  index_t tile) {
  labels_t labels;
  const auto X = blobs(n, d, k, static_cast<std::uint64_t>(n + d), labels);
  for (index_t i = 0; i < n; i += 17) labels[static_cast<std::size_t>(i)] = -1;  // noise
  const std::vector<char> scored_ex = [&] {
    std::vector<char> s(labels.size());
    for (std::size_t i = 0; i < s.size(); ++i) s[i] = labels[i] != -1;
    return s;
  }();
  const auto ref = reference_silhouette(m, X, n, d, labels, scored_ex);
  const S::silhouette_params<Metric> p{.metric = m, .batch_rows = batch, .tile_cols = tile};
  const auto got = S::silhouette_samples(be, clustr_test::host_view(X, n, d), clustr_test::host_view(labels), p).to_std_vector();
  for (index_t i = 0; i < n; ++i) REQUIRE(close(got[static_cast<std::size_t>(i)], ref[static_cast<std::size_t>(i)], 1e-10, 1e-12));
  CHECK(close(S::silhouette_score(be, clustr_test::host_view(X, n, d), clustr_test::host_view(labels), p), mean_of_finite(ref), 1e-10));
  // The batched, tiled path of device backends, on the host.
  const auto tiled = S::silhouette_samples(tiled_serial{}, clustr_test::host_view(X, n, d), clustr_test::host_view(labels), p).to_std_vector();
  for (index_t i = 0; i < n; ++i) REQUIRE(close(tiled[static_cast<std::size_t>(i)], ref[static_cast<std::size_t>(i)], 1e-10, 1e-12));
  // Host backends give the serial backend's bits for the same tiling; other
  // tilings only re-associate the sums.
  const auto ser = S::silhouette_samples(clustr::serial{}, clustr_test::host_view(X, n, d), clustr_test::host_view(labels), p).to_std_vector();
  const auto untiled = S::silhouette_samples(be, clustr_test::host_view(X, n, d), clustr_test::host_view(labels),
                                             S::silhouette_params<Metric>{.metric = m}).to_std_vector();
  for (index_t i = 0; i < n; ++i) {
    const auto e = static_cast<std::size_t>(i);
    if constexpr (bitwise_like_serial<Backend>()) REQUIRE((got[e] == ser[e] || (std::isnan(got[e]) && std::isnan(ser[e]))));
    REQUIRE(close(got[e], ser[e], 1e-12, 1e-14));
    REQUIRE(close(got[e], untiled[e], 1e-12, 1e-14));
  }
}

}  // namespace clustr_test::stats

TEMPLATE_LIST_TEST_CASE("silhouette equals a naive reference at any tiling and metric", "[stats]",
                        clustr_test::test_backends) {
  using namespace clustr_test::stats;
  const auto be = clustr_test::make<TestType>();
  silhouette_matches_reference(be, M::euclidean{}, 1001, 6, 5, 37, 53);
  silhouette_matches_reference(be, M::euclidean{}, 700, 3, 4, 2048, 2048);
  silhouette_matches_reference(be, M::manhattan{}, 500, 4, 6, 64, 100);
  silhouette_matches_reference(be, M::cosine{}, 400, 5, 3, 9, 400);
  silhouette_matches_reference(be, M::minkowski{3.0}, 300, 2, 7, 299, 3);
}

TEMPLATE_LIST_TEST_CASE("silhouette sample_size scores a seeded random subset on its own", "[stats]",
                        clustr_test::test_backends) {
  using namespace clustr_test::stats;
  const auto be = clustr_test::make<TestType>();
  const index_t n = 600, d = 4;
  labels_t labels;
  const auto X = blobs(n, d, 4, 3, labels);
  for (index_t i = 5; i < n; i += 23) labels[static_cast<std::size_t>(i)] = -1;
  const auto Xv = clustr_test::host_view(X, n, d);
  const auto lv = clustr_test::host_view(labels);
  const auto s1 = S::silhouette_samples(be, Xv, lv, {.sample_size = 150, .seed = 9}).to_std_vector();
  std::vector<char> scored(s1.size());
  std::size_t count = 0;
  for (std::size_t i = 0; i < s1.size(); ++i) {
    scored[i] = !std::isnan(s1[i]);
    count += scored[i] ? 1 : 0;
    if (labels[i] == -1) REQUIRE(!scored[i]);  // noise is never drawn
  }
  CHECK(count == 150);
  const auto ref = reference_silhouette(M::euclidean{}, X, n, d, labels, scored);
  for (std::size_t i = 0; i < s1.size(); ++i) REQUIRE(close(s1[i], ref[i], 1e-10, 1e-12));
  const double score = S::silhouette_score(be, Xv, lv, {.sample_size = 150, .seed = 9});
  CHECK(close(score, mean_of_finite(ref), 1e-10));
  // The same seed draws the same rows on every backend; another seed others.
  const auto s_serial = S::silhouette_samples(clustr::serial{}, Xv, lv, {.sample_size = 150, .seed = 9}).to_std_vector();
  for (std::size_t i = 0; i < s1.size(); ++i) REQUIRE(std::isnan(s1[i]) == std::isnan(s_serial[i]));
  const auto s2 = S::silhouette_samples(be, Xv, lv, {.sample_size = 150, .seed = 10}).to_std_vector();
  std::size_t differ = 0;
  for (std::size_t i = 0; i < s1.size(); ++i) differ += std::isnan(s1[i]) != std::isnan(s2[i]);
  CHECK(differ > 0);
  // sample_size at or above the number of scored points scores them all.
  CHECK(S::silhouette_score(be, Xv, lv, {.sample_size = n}) == Approx(S::silhouette_score(be, Xv, lv)).epsilon(1e-15));
}

TEMPLATE_LIST_TEST_CASE("noise policies: exclude drops -1 points, as_cluster makes them a cluster", "[stats]",
                        clustr_test::test_backends) {
  using namespace clustr_test::stats;
  const auto be = clustr_test::make<TestType>();
  const index_t n = 400, d = 3;
  labels_t labels;
  const auto X = blobs(n, d, 3, 21, labels);
  auto truth = random_labels(n, 3, 5);
  for (index_t i = 0; i < n; i += 11) labels[static_cast<std::size_t>(i)] = -1;
  for (index_t i = 4; i < n; i += 29) truth[static_cast<std::size_t>(i)] = -1;
  std::vector<double> Xk;
  labels_t lk, tk, lboth, tboth;
  for (index_t i = 0; i < n; ++i) {
    const auto e = static_cast<std::size_t>(i);
    if (labels[e] != -1) {
      Xk.insert(Xk.end(), X.begin() + i * d, X.begin() + (i + 1) * d);
      lk.push_back(labels[e]);
    }
    if (labels[e] != -1 && truth[e] != -1) {
      lboth.push_back(labels[e]);
      tboth.push_back(truth[e]);
    }
  }
  const index_t nk = static_cast<index_t>(lk.size());
  const auto Xv = clustr_test::host_view(X, n, d);
  const auto Xkv = clustr_test::host_view(Xk, nk, d);
  const auto lv = clustr_test::host_view(labels), lkv = clustr_test::host_view(lk);
  const auto relabelled = noise_as_label(labels);
  const auto rv = clustr_test::host_view(relabelled);
  const auto as = S::noise_policy::as_cluster;
  CHECK(S::silhouette_score(be, Xv, lv) == Approx(S::silhouette_score(be, Xkv, lkv)).epsilon(1e-12));
  CHECK(S::silhouette_score(be, Xv, lv, {.noise = as}) == Approx(S::silhouette_score(be, Xv, rv)).epsilon(1e-12));
  CHECK(S::davies_bouldin_score(be, Xv, lv) == Approx(S::davies_bouldin_score(be, Xkv, lkv)).epsilon(1e-12));
  CHECK(S::davies_bouldin_score(be, Xv, lv, as) == Approx(S::davies_bouldin_score(be, Xv, rv)).epsilon(1e-12));
  CHECK(S::calinski_harabasz_score(be, Xv, lv) == Approx(S::calinski_harabasz_score(be, Xkv, lkv)).epsilon(1e-12));
  CHECK(S::calinski_harabasz_score(be, Xv, lv, as) == Approx(S::calinski_harabasz_score(be, Xv, rv)).epsilon(1e-12));
  // Two labellings: a point is left out when either calls it noise.
  const auto tv = clustr_test::host_view(truth);
  CHECK(S::adjusted_rand_score(be, tv, lv) == S::adjusted_rand_score(be, clustr_test::host_view(tboth), clustr_test::host_view(lboth)));
  CHECK(S::adjusted_mutual_info_score(be, tv, lv) ==
        Approx(S::adjusted_mutual_info_score(be, clustr_test::host_view(tboth), clustr_test::host_view(lboth))).epsilon(1e-12));
  const auto trel = noise_as_label(truth, 777);
  CHECK(S::adjusted_rand_score(be, tv, lv, {.noise = as}) == S::adjusted_rand_score(be, clustr_test::host_view(trel), rv));
  // DBCV: noise counts in n, so n extra noise points far away scale the score
  // by n_before / n_after; as_cluster equals a relabelled run.
  const auto base = S::dbcv(be, Xkv, lkv);
  CHECK(S::dbcv(be, Xv, lv) == Approx(base * static_cast<double>(nk) / static_cast<double>(n)).epsilon(1e-12));
  CHECK(S::dbcv(be, Xv, lv, {.noise = as}) == Approx(S::dbcv(be, Xv, rv)).epsilon(1e-12));
}

TEMPLATE_LIST_TEST_CASE("trustworthiness equals a naive reference, with or without an X graph", "[stats]",
                        clustr_test::test_backends) {
  using namespace clustr_test::stats;
  const auto be = clustr_test::make<TestType>();
  const index_t n = 301, d = 7;
  labels_t unused;
  const auto X = blobs(n, d, 6, 4, unused);
  std::vector<double> E(static_cast<std::size_t>(n * 2));
  const clustr::rng::random_stream rs{8, 1};
  for (index_t i = 0; i < n; ++i)
    for (index_t j = 0; j < 2; ++j)
      E[static_cast<std::size_t>(i * 2 + j)] = X[static_cast<std::size_t>(i * d + j)] + 0.7 * rs.normal<double>(static_cast<std::uint64_t>(i * 2 + j));
  const auto Xv = clustr_test::host_view(X, n, d), Ev = clustr_test::host_view(E, n, 2);
  const double want = reference_trustworthiness(M::euclidean{}, X, d, E, 2, n, 5);
  CHECK(want < 0.99);  // not trivially 1
  const double got = S::trustworthiness(be, Xv, Ev, {.batch_rows = 19, .tile_cols = 23});
  CHECK(close(got, want, 1e-12));
  CHECK(close(S::trustworthiness(be, Xv, Ev), want, 1e-12));
  CHECK(close(S::trustworthiness(tiled_serial{}, Xv, Ev, {.batch_rows = 19, .tile_cols = 23}), want, 1e-12));
  const double want_l1 = reference_trustworthiness(M::manhattan{}, X, d, E, 2, n, 9);
  CHECK(close(S::trustworthiness(be, Xv, Ev, S::trustworthiness_params<M::manhattan>{.n_neighbors = 9, .tile_cols = 50}), want_l1, 1e-12));
  // A kNN graph of X (any k, with or without self) gives the same value.
  for (index_t k : {3, 5, 12}) {
    const auto g = clustr::knn::graph(be, {.k = k}, Xv);
    CHECK(S::trustworthiness(be, Xv, Ev, g, {.batch_rows = 31}) == got);
    const auto gs = clustr::knn::graph(be, {.k = k, .include_self = true}, Xv);
    CHECK(S::trustworthiness(be, Xv, Ev, gs) == got);
  }
  const auto g1 = clustr::knn::graph(be, clustr::knn::params<M::manhattan>{.k = 10}, Xv);
  CHECK(S::trustworthiness(be, Xv, Ev, g1, S::trustworthiness_params<M::manhattan>{.n_neighbors = 9}) ==
        S::trustworthiness(be, Xv, Ev, S::trustworthiness_params<M::manhattan>{.n_neighbors = 9}));
}

TEMPLATE_LIST_TEST_CASE("dbcv is deterministic and invariant to label values", "[stats]", clustr_test::test_backends) {
  using namespace clustr_test::stats;
  const auto be = clustr_test::make<TestType>();
  const index_t n = 500, d = 3;
  labels_t labels;
  const auto X = blobs(n, d, 4, 12, labels);
  const auto Xv = clustr_test::host_view(X, n, d);
  const auto r = S::dbcv_per_cluster(be, Xv, clustr_test::host_view(labels));
  REQUIRE(r.validity.size() == 4);
  double weighted = 0;
  for (std::size_t c = 0; c < 4; ++c) {
    CHECK(r.validity[c] >= -1.0);
    CHECK(r.validity[c] <= 1.0);
    CHECK(r.density_sparseness[c] > 0.0);
    weighted += static_cast<double>(r.sizes[c]) / static_cast<double>(n) * r.validity[c];
  }
  CHECK(r.score == Approx(weighted).epsilon(1e-15));
  // Relabelling (order preserved: the same clusters in the same order).
  std::vector<std::int32_t> shifted(labels.size());
  for (std::size_t i = 0; i < labels.size(); ++i) shifted[i] = static_cast<std::int32_t>(labels[i] * 3 + 10);
  CHECK(S::dbcv(be, Xv, clustr_test::host_view(shifted)) == Approx(r.score).epsilon(1e-15));
  const auto ser = S::dbcv_per_cluster(clustr::serial{}, Xv, clustr_test::host_view(labels));
  if constexpr (bitwise_like_serial<TestType>()) {
    CHECK(r.score == ser.score);
    CHECK(r.validity == ser.validity);
  } else {
    CHECK(r.score == Approx(ser.score).epsilon(1e-9));
  }
}

TEMPLATE_LIST_TEST_CASE("stats reject bad input naming the argument", "[stats]", clustr_test::test_backends) {
  using namespace clustr_test::stats;
  const auto be = clustr_test::make<TestType>();
  auto X = clustr_test::random_matrix<double>(20, 2, 1);
  const auto Xv = clustr_test::host_view(X, 20, 2);
  labels_t l(20), l_short(19), l_one(20, 3), l_all(20);
  for (index_t i = 0; i < 20; ++i) {
    l[static_cast<std::size_t>(i)] = i % 3;
    l_all[static_cast<std::size_t>(i)] = i;
  }
  l_one[0] = -1;  // one cluster once noise is excluded
  const auto lv = clustr_test::host_view(l), ls = clustr_test::host_view(l_short), lo = clustr_test::host_view(l_one);
  const auto la = clustr_test::host_view(l_all);
  clustr_test::expect_invalid([&] { S::silhouette_score(be, Xv, ls); }, "labels.size()");
  clustr_test::expect_invalid([&] { S::silhouette_score(be, Xv, lo); }, "labels");
  clustr_test::expect_invalid([&] { S::silhouette_score(be, Xv, la); }, "labels");  // n clusters of one point
  clustr_test::expect_invalid([&] { S::silhouette_score(be, Xv, lv, {.sample_size = -1}); }, "params.sample_size");
  clustr_test::expect_invalid([&] { S::silhouette_score(be, Xv, lv, {.batch_rows = -1}); }, "params.batch_rows");
  clustr_test::expect_invalid([&] { S::silhouette_score(be, Xv, lv, S::silhouette_params<M::minkowski>{.metric = {0.5}}); }, "metric.p");
  clustr_test::expect_invalid([&] { S::davies_bouldin_score(be, Xv, ls); }, "labels.size()");
  clustr_test::expect_invalid([&] { S::davies_bouldin_score(be, Xv, lo); }, "labels");
  clustr_test::expect_invalid([&] { S::calinski_harabasz_score(be, Xv, lo); }, "labels");
  clustr_test::expect_invalid([&] { S::adjusted_rand_score(be, lv, ls); }, "labels_pred.size()");
  clustr_test::expect_invalid([&] { S::adjusted_mutual_info_score(be, ls, lv); }, "labels_pred.size()");
  clustr_test::expect_invalid([&] { S::homogeneity_completeness_v_measure(be, lv, lv, {.beta = -1.0}); }, "params.beta");
  clustr_test::expect_invalid([&] { S::trustworthiness(be, Xv, Xv, {.n_neighbors = 10}); }, "params.n_neighbors");
  clustr_test::expect_invalid([&] { S::trustworthiness(be, Xv, Xv, {.n_neighbors = 0}); }, "params.n_neighbors");
  clustr_test::expect_invalid([&] { S::trustworthiness(be, Xv, clustr::matrix_view<const double>(X.data(), 19, 2)); }, "embedding.rows()");
  const auto approx = clustr::knn::graph(be, {.k = 3, .algo = clustr::knn::algorithm::nn_descent}, Xv);
  clustr_test::expect_invalid([&] { S::trustworthiness(be, Xv, Xv, approx); }, "X_graph.exact");
  const auto l1 = clustr::knn::graph(be, clustr::knn::params<M::manhattan>{.k = 3}, Xv);
  clustr_test::expect_invalid([&] { S::trustworthiness(be, Xv, Xv, l1); }, "X_graph.metric");
  clustr_test::expect_invalid([&] { S::dbcv(be, Xv, lo); }, "labels");
  labels_t l_single(l);
  l_single[0] = 42;  // a cluster of one point
  clustr_test::expect_invalid([&] { S::dbcv(be, Xv, clustr_test::host_view(l_single)); }, "labels");
  auto Y = X;
  Y[7] = std::nan("");
  const auto Yv = clustr_test::host_view(Y, 20, 2);
  clustr_test::expect_invalid([&] { S::silhouette_score(be, Yv, lv); }, "X");
  clustr_test::expect_invalid([&] { S::davies_bouldin_score(be, Yv, lv); }, "X");
  clustr_test::expect_invalid([&] { S::calinski_harabasz_score(be, Yv, lv); }, "X");
  clustr_test::expect_invalid([&] { S::dbcv(be, Yv, lv); }, "X");
  clustr_test::expect_invalid([&] { S::trustworthiness(be, Yv, Xv); }, "X");
  clustr_test::expect_invalid([&] { S::trustworthiness(be, Xv, Yv); }, "embedding");
}
