// HDBSCAN prediction and soft clustering, one body for every backend:
// models rebuilt from the hdbscan library's condensed trees and labels
// (tests/golden/hdbscan_soft_golden.hpp) must reproduce its prediction data,
// all_points_membership_vectors, membership_vector, approximate_predict and
// approximate_predict_scores; top-k must equal the k largest dense entries;
// bad input must throw clustr::invalid_argument naming the argument.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "clustr/backend/serial.hpp"
#include "clustr/cluster/hdbscan.hpp"
#include "clustr/cluster/hdbscan_predict.hpp"
#include "golden/hdbscan_soft_golden.hpp"

namespace clustr_test::hdbscan_soft {

using clustr::index_t;
namespace gold = clustr_test::hdbscan_soft_golden;

template <class T>
std::vector<T> cast(const std::vector<double>& v) {
  return std::vector<T>(v.begin(), v.end());
}

/// Tolerance against hdbscan (computed in double). Double agrees to ~1e-16 on
/// the host (the same formulas in the same order); 1e-9 leaves room for
/// device math. Float is within ~1.5e-6 on the host; 1e-4 leaves room for the
/// expanded (norms + dot) float distances of device kNN.
template <class T>
double tol() {
  return std::is_same_v<T, double> ? 1e-9 : 1e-4;
}

template <class Backend, class T>
struct golden_fit {
  std::vector<T> X;
  clustr::hdbscan::model<T, clustr::memory_space_t<Backend>> m;
};

/// A model as fit() would leave it (condensed tree, labels, counts), then
/// build_prediction_data with the case's metric. give_selected: fill
/// prediction.selected_clusters first (fit's path) instead of deriving them.
template <class T, class Backend>
golden_fit<Backend, T> make_model(const Backend& be, const gold::golden_case& g, bool give_selected = false) {
  golden_fit<Backend, T> f;
  f.X = cast<T>(g.X);
  auto& m = f.m;
  m.condensed.parent = g.parent;
  m.condensed.child = g.child;
  m.condensed.lambda_val = cast<T>(g.lambda_val);
  m.condensed.child_size = g.child_size;
  m.labels = to_backend(be, g.labels);
  m.n_clusters = static_cast<index_t>(g.selected.size());
  m.n_samples = g.n;
  m.min_samples_used = g.min_samples;
  if (give_selected) m.prediction.selected_clusters = g.selected;
  const auto X = host_view(f.X, g.n, g.d);
  const clustr::vector_view<const T, clustr::memory_space_t<Backend>> no_core{};
  if (std::string(g.metric) == "manhattan")
    clustr::hdbscan::detail::build_prediction_data(be, clustr::metric::manhattan{}, m, X, no_core);
  else
    clustr::hdbscan::detail::build_prediction_data(be, clustr::metric::euclidean{}, m, X, no_core);
  return f;
}

template <class T>
double max_abs_diff(const std::vector<T>& a, const std::vector<double>& b) {
  REQUIRE(a.size() == b.size());
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double d = std::fabs(static_cast<double>(a[i]) - b[i]);
    if (!(d <= worst)) worst = d;  // NaN sticks
  }
  return worst;
}

/// The k largest entries of a row, descending, ties to the smaller index.
template <class T>
void naive_top_k(const T* row, index_t C, index_t k, std::vector<std::int32_t>& ids, std::vector<T>& vals) {
  std::vector<std::int32_t> order(static_cast<std::size_t>(C));
  for (index_t j = 0; j < C; ++j) order[static_cast<std::size_t>(j)] = static_cast<std::int32_t>(j);
  std::stable_sort(order.begin(), order.end(), [&](std::int32_t a, std::int32_t b) { return row[a] > row[b]; });
  ids.assign(static_cast<std::size_t>(k), -1);
  vals.assign(static_cast<std::size_t>(k), T(0));
  for (index_t p = 0; p < std::min(k, C); ++p) {
    ids[static_cast<std::size_t>(p)] = order[static_cast<std::size_t>(p)];
    vals[static_cast<std::size_t>(p)] = row[order[static_cast<std::size_t>(p)]];
  }
}

template <class T, class Backend, class TopK>
void check_top_k_against_dense(const TopK& top, const std::vector<T>& dense, index_t rows, index_t C, index_t k) {
  const auto ids = top.clusters.to_std_vector();
  const auto vals = top.probabilities.to_std_vector();
  const auto noise = top.noise_probability.to_std_vector();
  REQUIRE(static_cast<index_t>(ids.size()) == rows * k);
  std::vector<std::int32_t> want_ids;
  std::vector<T> want_vals;
  for (index_t i = 0; i < rows; ++i) {
    naive_top_k(dense.data() + i * C, C, k, want_ids, want_vals);
    T sum = 0;
    for (index_t j = 0; j < C; ++j) sum += dense[static_cast<std::size_t>(i * C + j)];
    for (index_t p = 0; p < k; ++p) {
      INFO("row " << i << " rank " << p);
      CHECK(ids[static_cast<std::size_t>(i * k + p)] == want_ids[static_cast<std::size_t>(p)]);
      CHECK(vals[static_cast<std::size_t>(i * k + p)] == want_vals[static_cast<std::size_t>(p)]);
    }
    // Rows sum to prob_in_some_cluster; noise is the rest.
    CHECK(std::fabs(static_cast<double>(noise[static_cast<std::size_t>(i)]) - (1.0 - static_cast<double>(sum))) <
          (std::is_same_v<T, double> ? 1e-12 : 1e-5));
  }
}

template <class T, class Backend>
void check_prediction_data(const Backend& be) {
  for (const auto& g : gold::cases()) {
    INFO("case " << g.name);
    const auto f = make_model<T>(be, g);
    const auto& pd = f.m.prediction;
    REQUIRE(pd.present);
    CHECK(pd.selected_clusters == g.selected);
    REQUIRE(f.m.exemplars.size() == g.exemplars.size());
    for (std::size_t j = 0; j < g.exemplars.size(); ++j) CHECK(f.m.exemplars[j] == g.exemplars[j]);
    CHECK(max_abs_diff(pd.core_distances.to_std_vector(), g.core_distances) < tol<T>());
    // fit's path: selected clusters given, same tables.
    const auto f2 = make_model<T>(be, g, true);
    CHECK(f2.m.prediction.cluster_map == pd.cluster_map);
    CHECK(f2.m.exemplars == f.m.exemplars);
  }
}

template <class T, class Backend>
void check_all_points(const Backend& be) {
  for (const auto& g : gold::cases()) {
    INFO("case " << g.name);
    const auto f = make_model<T>(be, g);
    const auto M = clustr::hdbscan::all_points_membership_vectors(be, f.m);
    const index_t C = static_cast<index_t>(g.selected.size());
    REQUIRE(M.rows() == g.n);
    REQUIRE(M.cols() == C);
    const auto dense = M.to_std_vector();
    CHECK(max_abs_diff(dense, g.all_points) < tol<T>());
    // Small batches give the same bits; host backends give the serial bits.
    const auto M7 = clustr::hdbscan::all_points_membership_vectors(be, f.m, 7).to_std_vector();
    CHECK(M7 == dense);
    if constexpr (clustr::is_host_backend_v<Backend>) {
      const clustr::serial ser{};
      const auto fs = make_model<T>(ser, g);
      CHECK(clustr::hdbscan::all_points_membership_vectors(ser, fs.m).to_std_vector() == dense);
    }
    for (index_t k : {index_t(1), index_t(2), C, C + 2}) {
      INFO("k " << k);
      check_top_k_against_dense<T, Backend>(clustr::hdbscan::all_points_membership_top_k(be, f.m, k, 5), dense, g.n, C,
                                            k);
    }
  }
}

template <class T, class Backend>
void check_new_points(const Backend& be) {
  for (const auto& g : gold::cases()) {
    INFO("case " << g.name);
    const auto f = make_model<T>(be, g);
    const auto Y = cast<T>(g.Y);
    const auto Yv = host_view(Y, g.m, g.d);
    const index_t C = static_cast<index_t>(g.selected.size());
    const auto mv = clustr::hdbscan::membership_vector(be, f.m, Yv).to_std_vector();
    CHECK(max_abs_diff(mv, g.membership) < tol<T>());
    const auto mv3 = clustr::hdbscan::membership_vector(be, f.m, Yv, 3).to_std_vector();
    CHECK(mv3 == mv);
    for (index_t k : {index_t(1), index_t(2), C + 1})
      check_top_k_against_dense<T, Backend>(clustr::hdbscan::membership_vector_top_k(be, f.m, Yv, k), mv, g.m, C, k);

    const auto ap = clustr::hdbscan::approximate_predict(be, f.m, Yv);
    CHECK(ap.labels.to_std_vector() == g.predict_labels);
    CHECK(max_abs_diff(ap.probabilities.to_std_vector(), g.predict_probabilities) < tol<T>());
    const auto conn = ap.connecting_points.to_std_vector();
    for (std::size_t i = 0; i < conn.size(); ++i) CHECK((conn[i] >= 0 && conn[i] < g.n));

    const auto sc = clustr::hdbscan::approximate_predict_scores(be, f.m, Yv).to_std_vector();
    CHECK(max_abs_diff(sc, g.predict_scores) < tol<T>());
  }
}

/// hdbscan's all_points_membership_vectors written naively after
/// _prediction_utils.pyx (merge_height by climbing the larger cluster id, dict
/// lookups by scanning), in double, with any distance: the oracle for metrics
/// hdbscan's golden files do not cover.
template <class Dist>
std::vector<double> naive_all_points(const gold::golden_case& g, Dist dist) {
  const index_t n = g.n, C = static_cast<index_t>(g.selected.size());
  const std::size_t rows = g.parent.size();
  auto parent_of = [&](std::int64_t c) {
    for (std::size_t r = 0; r < rows; ++r)
      if (g.child[r] == c) return g.parent[r];
    return std::int64_t(-1);
  };
  auto lambda_of = [&](std::int64_t c) {
    for (std::size_t r = 0; r < rows; ++r)
      if (g.child[r] == c) return g.lambda_val[r];
    return 0.0;
  };
  auto leaf_max = [&](std::int64_t c) {
    double m = 0;
    for (std::size_t r = 0; r < rows; ++r)
      if (g.parent[r] == c) m = std::max(m, g.lambda_val[r]);
    return m;
  };
  auto merge_height = [&](std::int64_t pc, double pl, std::int64_t cl) {
    bool tl = false, tr = false;
    std::int64_t left = pc, right = cl, last = -1;
    while (left != right) {
      if (left > right) {
        tl = true;
        last = left;
        left = parent_of(left);
      } else {
        tr = true;
        last = right;
        right = parent_of(right);
      }
    }
    return tl && tr ? lambda_of(last) : pl;
  };
  std::vector<double> out(static_cast<std::size_t>(n * C));
  for (index_t x = 0; x < n; ++x) {
    const std::int64_t u = parent_of(x);
    const double lam = lambda_of(x), ml = leaf_max(u) + 1e-8;
    std::vector<double> dv(static_cast<std::size_t>(C)), ov(static_cast<std::size_t>(C)), h(static_cast<std::size_t>(C));
    double dsum = 0, omax = -1, osum = 0, hmax = -1, rsum = 0;
    index_t arg = 0;
    for (index_t c = 0; c < C; ++c) {
      double best = std::numeric_limits<double>::max();
      for (auto e : g.exemplars[static_cast<std::size_t>(c)]) best = std::min(best, dist(&g.X[static_cast<std::size_t>(x * g.d)], &g.X[static_cast<std::size_t>(e * g.d)], g.d));
      dv[c] = best != 0 ? 1 / best : std::numeric_limits<double>::max() / static_cast<double>(C);
      dsum += dv[c];
      h[c] = merge_height(u, lam, g.selected[c] + n);
      ov[c] = std::exp(-(ml / h[c]));
      omax = std::max(omax, ov[c]);
      if (h[c] > hmax) {
        hmax = h[c];
        arg = c;
      }
    }
    for (index_t c = 0; c < C; ++c) osum += (ov[c] = std::exp(ov[c] - omax));
    for (index_t c = 0; c < C; ++c) rsum += (dv[c] = dv[c] / dsum * (ov[c] / osum));
    const double prob = hmax / std::max(leaf_max(g.selected[arg] + n), lam);
    for (index_t c = 0; c < C; ++c) out[static_cast<std::size_t>(x * C + c)] = dv[c] / rsum * prob;
  }
  return out;
}

/// The runtime metric dispatch: a model built with Chebyshev or cosine
/// distances uses them for the exemplar distances.
template <class T, class Backend>
void check_other_metrics(const Backend& be) {
  const auto& g = gold::cases().front();
  const auto X = cast<T>(g.X);
  auto run = [&](auto metric) {
    golden_fit<Backend, T> f;
    f.m.condensed.parent = g.parent;
    f.m.condensed.child = g.child;
    f.m.condensed.lambda_val = cast<T>(g.lambda_val);
    f.m.condensed.child_size = g.child_size;
    f.m.labels = to_backend(be, g.labels);
    f.m.n_clusters = static_cast<index_t>(g.selected.size());
    f.m.n_samples = g.n;
    f.m.min_samples_used = g.min_samples;
    clustr::hdbscan::detail::build_prediction_data(be, metric, f.m, host_view(X, g.n, g.d),
                                                   clustr::vector_view<const T, clustr::memory_space_t<Backend>>{});
    return clustr::hdbscan::all_points_membership_vectors(be, f.m).to_std_vector();
  };
  const auto cheb = run(clustr::metric::chebyshev{});
  CHECK(max_abs_diff(cheb, naive_all_points(g, [](const double* a, const double* b, index_t d) {
          double m = 0;
          for (index_t j = 0; j < d; ++j) m = std::max(m, std::fabs(a[j] - b[j]));
          return m;
        })) < tol<T>());
  const auto cosd = run(clustr::metric::cosine{});
  CHECK(max_abs_diff(cosd, naive_all_points(g, [](const double* a, const double* b, index_t d) {
          double ab = 0, aa = 0, bb = 0;
          for (index_t j = 0; j < d; ++j) {
            ab += a[j] * b[j];
            aa += a[j] * a[j];
            bb += b[j] * b[j];
          }
          return 1 - ab / std::sqrt(aa * bb);
        })) < (std::is_same_v<T, double> ? tol<T>() : 1e-2));  // float 1 - cos cancels for close rows
  // And the oracle itself reproduces hdbscan's Euclidean golden.
  CHECK(max_abs_diff(naive_all_points(g, [](const double* a, const double* b, index_t d) {
          double s = 0;
          for (index_t j = 0; j < d; ++j) s += (a[j] - b[j]) * (a[j] - b[j]);
          return std::sqrt(s);
        }), g.all_points) < 1e-12);
}

/// Clusters with many exemplars (>= 32: the host backends' blocked
/// fused_distance_argmin path) from a real fit, against the naive oracle.
template <class T, class Backend>
void check_many_exemplars(const Backend& be) {
  const index_t n = 900, d = 2;
  const clustr::rng::random_stream rs{77, 1};
  std::vector<double> Xd(static_cast<std::size_t>(n * d));
  for (index_t i = 0; i < n; ++i)
    for (index_t j = 0; j < d; ++j)
      Xd[static_cast<std::size_t>(i * d + j)] =
          std::round(1e6 * (6.0 * static_cast<double>((i % 3) == j + 1) + 0.8 * rs.normal<double>(static_cast<std::uint64_t>(i * d + j)))) / 1e6;
  const auto X = cast<T>(Xd);
  clustr::hdbscan::params<> p;
  p.min_cluster_size = 40;
  p.prediction_data = true;
  const auto m = clustr::hdbscan::fit(be, p, host_view(X, n, d));
  REQUIRE(m.n_clusters >= 2);
  std::size_t most = 0;
  for (const auto& e : m.exemplars) most = std::max(most, e.size());
  REQUIRE(most >= 32);
  gold::golden_case g{};
  g.n = n;
  g.d = d;
  g.X.assign(X.begin(), X.end());
  g.parent = m.condensed.parent;
  g.child = m.condensed.child;
  g.lambda_val.assign(m.condensed.lambda_val.begin(), m.condensed.lambda_val.end());
  g.child_size = m.condensed.child_size;
  g.selected = m.prediction.selected_clusters;
  g.exemplars = m.exemplars;
  const auto dense = clustr::hdbscan::all_points_membership_vectors(be, m).to_std_vector();
  CHECK(max_abs_diff(dense, naive_all_points(g, [](const double* a, const double* b, index_t dd) {
          double s = 0;
          for (index_t j = 0; j < dd; ++j) s += (a[j] - b[j]) * (a[j] - b[j]);
          return std::sqrt(s);
        })) < tol<T>());
  check_top_k_against_dense<T, Backend>(clustr::hdbscan::all_points_membership_top_k(be, m, 2, 100), dense, n,
                                        m.n_clusters, 2);
}

/// A tree whose root never splits: no clusters. Dense outputs are n x 0,
/// top-k is -1 / 0 with noise 1, new points are noise with score 1 (hdbscan).
template <class T, class Backend>
void check_no_clusters(const Backend& be) {
  const index_t n = 12, d = 2;
  const auto X = random_matrix<T>(n, d, 5);
  clustr::hdbscan::model<T, clustr::memory_space_t<Backend>> m;
  for (index_t i = 0; i < n; ++i) {
    m.condensed.parent.push_back(n);
    m.condensed.child.push_back(i);
    m.condensed.lambda_val.push_back(T(1) + T(0.1) * static_cast<T>(i));
    m.condensed.child_size.push_back(1);
  }
  m.labels = to_backend(be, std::vector<std::int32_t>(static_cast<std::size_t>(n), -1));
  m.n_clusters = 0;
  m.n_samples = n;
  m.min_samples_used = 3;
  clustr::hdbscan::detail::build_prediction_data(be, clustr::metric::euclidean{}, m, host_view(X, n, d),
                                                 clustr::vector_view<const T, clustr::memory_space_t<Backend>>{});
  const auto M = clustr::hdbscan::all_points_membership_vectors(be, m);
  CHECK(M.rows() == n);
  CHECK(M.cols() == 0);
  const auto top = clustr::hdbscan::all_points_membership_top_k(be, m, 2);
  for (auto c : top.clusters.to_std_vector()) CHECK(c == -1);
  for (auto p : top.probabilities.to_std_vector()) CHECK(p == T(0));
  for (auto p : top.noise_probability.to_std_vector()) CHECK(p == T(1));
  const auto Y = random_matrix<T>(4, d, 6);
  const auto ap = clustr::hdbscan::approximate_predict(be, m, host_view(Y, 4, d));
  for (auto l : ap.labels.to_std_vector()) CHECK(l == -1);
  for (auto s : clustr::hdbscan::approximate_predict_scores(be, m, host_view(Y, 4, d)).to_std_vector()) CHECK(s == T(1));
  CHECK(clustr::hdbscan::membership_vector(be, m, host_view(Y, 4, d)).cols() == 0);
}

template <class T, class Backend>
void check_bad_input(const Backend& be) {
  const auto& g = gold::cases().front();
  const auto f = make_model<T>(be, g);
  const auto Y = cast<T>(g.Y);
  const auto Yv = host_view(Y, g.m, g.d);
  expect_invalid([&] { (void)clustr::hdbscan::all_points_membership_top_k(be, f.m, 0); }, "k");
  expect_invalid([&] { (void)clustr::hdbscan::membership_vector_top_k(be, f.m, Yv, -1); }, "k");
  expect_invalid([&] { (void)clustr::hdbscan::all_points_membership_vectors(be, f.m, -1); }, "batch_size");
  const auto Y1 = cast<T>(std::vector<double>(static_cast<std::size_t>(g.m * (g.d + 1)), 0.5));
  expect_invalid([&] { (void)clustr::hdbscan::membership_vector(be, f.m, host_view(Y1, g.m, g.d + 1)); }, "Y.cols()");
  expect_invalid([&] { (void)clustr::hdbscan::approximate_predict(be, f.m, host_view(Y1, g.m, g.d + 1)); }, "Y.cols()");
  auto Ynan = Y;
  Ynan[3] = std::numeric_limits<T>::quiet_NaN();
  expect_invalid([&] { (void)clustr::hdbscan::approximate_predict_scores(be, f.m, host_view(Ynan, g.m, g.d)); }, "Y");
  expect_invalid([&] { (void)clustr::hdbscan::membership_vector_top_k(be, f.m, host_view(Ynan, g.m, g.d), 2); }, "Y");
  clustr::hdbscan::model<T, clustr::memory_space_t<Backend>> empty;
  expect_invalid([&] { (void)clustr::hdbscan::all_points_membership_vectors(be, empty); }, "model.prediction");
  expect_invalid([&] { (void)clustr::hdbscan::approximate_predict(be, empty, Yv); }, "model.prediction");
  expect_invalid([&] { (void)clustr::hdbscan::membership_vector(be, empty, Yv); }, "model.prediction");
}

/// Columns of a rows x C matrix put in the golden's cluster order:
/// out(i, to[j]) = in(i, j).
template <class T>
std::vector<T> to_golden_order(const std::vector<T>& in, index_t rows, const std::vector<std::int32_t>& to) {
  const index_t C = static_cast<index_t>(to.size());
  std::vector<T> out(in.size());
  for (index_t i = 0; i < rows; ++i)
    for (index_t j = 0; j < C; ++j) out[static_cast<std::size_t>(i * C + to[static_cast<std::size_t>(j)])] = in[static_cast<std::size_t>(i * C + j)];
  return out;
}

/// fit(prediction_data = true) -> soft clustering, against hdbscan end to end.
/// Cluster numbering is free (hdbscan's own MST algorithms number sibling
/// clusters differently), so labels must be the same partition and every
/// cluster-indexed output is compared through that label map. The golden
/// data are tie-free (the script checks that hdbscan's MST algorithms agree).
template <class T, class Metric, class Backend>
void check_fit_case(const Backend& be, const gold::golden_case& g) {
  clustr::hdbscan::params<Metric> p;
  p.min_cluster_size = g.min_cluster_size;
  p.min_samples = g.min_samples;
  p.cluster_selection_method = std::string(g.method) == "leaf" ? clustr::hdbscan::selection_method::leaf
                                                               : clustr::hdbscan::selection_method::eom;
  p.prediction_data = true;
  const auto X = cast<T>(g.X);
  const auto m = clustr::hdbscan::fit(be, p, host_view(X, g.n, g.d));
  const index_t C = static_cast<index_t>(g.selected.size());
  REQUIRE(m.n_clusters == C);
  REQUIRE(m.prediction.present);
  // The label map (clustr -> hdbscan); the same partition and noise.
  const auto labels = m.labels.to_std_vector();
  std::vector<std::int32_t> to(static_cast<std::size_t>(C), -1);
  bool same = true;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if ((labels[i] < 0) != (g.labels[i] < 0)) same = false;
    if (labels[i] < 0 || g.labels[i] < 0) continue;
    auto& t = to[static_cast<std::size_t>(labels[i])];
    if (t >= 0 && t != g.labels[i]) same = false;
    t = g.labels[i];
  }
  std::vector<std::int32_t> seen = to;
  std::sort(seen.begin(), seen.end());
  for (index_t j = 0; j < C; ++j) same = same && seen[static_cast<std::size_t>(j)] == j;
  REQUIRE(same);
  for (index_t j = 0; j < C; ++j) {
    auto a = m.exemplars[static_cast<std::size_t>(j)];
    auto b = g.exemplars[static_cast<std::size_t>(to[static_cast<std::size_t>(j)])];
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    CHECK(a == b);
  }
  CHECK(max_abs_diff(m.prediction.core_distances.to_std_vector(), g.core_distances) < tol<T>());
  const auto dense = clustr::hdbscan::all_points_membership_vectors(be, m).to_std_vector();
  CHECK(max_abs_diff(to_golden_order(dense, g.n, to), g.all_points) < tol<T>());
  const auto Y = cast<T>(g.Y);
  const auto Yv = host_view(Y, g.m, g.d);
  // membership_vector: hdbscan's prob_in_some_cluster takes the first of tied
  // merge heights in cluster-number order, so for a new point tied between
  // clusters the row's scale depends on the numbering; the row's shape does not.
  const auto mv = to_golden_order(clustr::hdbscan::membership_vector(be, m, Yv).to_std_vector(), g.m, to);
  index_t scale_differs = 0;
  for (index_t i = 0; i < g.m; ++i) {
    double s1 = 0, s2 = 0;
    for (index_t j = 0; j < C; ++j) {
      s1 += static_cast<double>(mv[static_cast<std::size_t>(i * C + j)]);
      s2 += g.membership[static_cast<std::size_t>(i * C + j)];
    }
    if (std::fabs(s1 - s2) > tol<T>()) ++scale_differs;
    for (index_t j = 0; j < C; ++j)
      CHECK(std::fabs(static_cast<double>(mv[static_cast<std::size_t>(i * C + j)]) / s1 -
                      g.membership[static_cast<std::size_t>(i * C + j)] / s2) < tol<T>());
  }
  CHECK(scale_differs <= g.m / 10);
  const auto ap = clustr::hdbscan::approximate_predict(be, m, Yv);
  auto pl = ap.labels.to_std_vector();
  for (auto& l : pl) l = l < 0 ? l : to[static_cast<std::size_t>(l)];
  CHECK(pl == g.predict_labels);
  CHECK(max_abs_diff(ap.probabilities.to_std_vector(), g.predict_probabilities) < tol<T>());
  CHECK(max_abs_diff(clustr::hdbscan::approximate_predict_scores(be, m, Yv).to_std_vector(), g.predict_scores) <
        tol<T>());
  // The users' pipeline tail: top-2 per point equals the dense matrix's.
  check_top_k_against_dense<T, Backend>(clustr::hdbscan::all_points_membership_top_k(be, m, 2), dense, g.n, C, 2);
}

template <class T, class Backend>
void check_fit_end_to_end(const Backend& be) {
  for (const auto& g : gold::cases()) {
    INFO("case " << g.name);
    if (std::string(g.metric) == "manhattan")
      check_fit_case<T, clustr::metric::manhattan>(be, g);
    else
      check_fit_case<T, clustr::metric::euclidean>(be, g);
  }
}

TEMPLATE_LIST_TEST_CASE("hdbscan_soft: prediction data equals hdbscan's (selected clusters, exemplars, core distances)",
                        "[hdbscan_soft]", clustr_test::test_backends) {
  const auto be = clustr_test::make<TestType>();
  check_prediction_data<double>(be);
  check_prediction_data<float>(be);
}

TEMPLATE_LIST_TEST_CASE("hdbscan_soft: all_points_membership_vectors equals hdbscan's; top-k = k largest entries",
                        "[hdbscan_soft]", clustr_test::test_backends) {
  const auto be = clustr_test::make<TestType>();
  check_all_points<double>(be);
  check_all_points<float>(be);
}

TEMPLATE_LIST_TEST_CASE("hdbscan_soft: membership_vector, approximate_predict, approximate_predict_scores equal hdbscan's",
                        "[hdbscan_soft]", clustr_test::test_backends) {
  const auto be = clustr_test::make<TestType>();
  check_new_points<double>(be);
  check_new_points<float>(be);
}

TEMPLATE_LIST_TEST_CASE("hdbscan_soft: other metrics against a naive hdbscan oracle; a tree without clusters",
                        "[hdbscan_soft]", clustr_test::test_backends) {
  const auto be = clustr_test::make<TestType>();
  check_other_metrics<double>(be);
  check_other_metrics<float>(be);
  check_no_clusters<double>(be);
  check_no_clusters<float>(be);
  check_many_exemplars<double>(be);
  check_many_exemplars<float>(be);
}

TEMPLATE_LIST_TEST_CASE("hdbscan_soft: bad input throws invalid_argument naming the argument", "[hdbscan_soft]",
                        clustr_test::test_backends) {
  const auto be = clustr_test::make<TestType>();
  check_bad_input<double>(be);
  check_bad_input<float>(be);
}

TEMPLATE_LIST_TEST_CASE("hdbscan_soft: fit(prediction_data) then soft clustering equals hdbscan end to end",
                        "[hdbscan_soft]", clustr_test::test_backends) {
  const auto be = clustr_test::make<TestType>();
  check_fit_end_to_end<double>(be);
  check_fit_end_to_end<float>(be);
}

}  // namespace clustr_test::hdbscan_soft
