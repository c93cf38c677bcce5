// UMAP spectral initialisation tests, one body for every backend: the
// eigenvector subspace against a dense reference eigendecomposition of the
// normalised Laplacian (ring, grid, two cliques, kNN graph of blobs),
// determinism against the serial backend, disconnected graphs laid out as
// umap-learn's multi_component_layout, umap-learn's scaling and noise, the
// reported fallback to random, and bad input. Float and double.

#include <algorithm>
#include <cmath>
#include <string>
#include <tuple>
#include <vector>

#include "clustr/backend/serial.hpp"
#include "clustr/manifold/detail/spectral.hpp"

namespace clustr_test::umap_spectral {

using clustr::index_t;
namespace ud = clustr::umap::detail;

struct edge {
  index_t i, j;
  double w;
};

/// A host CSR (symmetric, columns sorted, duplicates merged by fuzzy union).
struct host_graph {
  index_t n = 0;
  std::vector<index_t> offsets, indices;
  std::vector<double> weights;
};

inline host_graph make_host_graph(index_t n, const std::vector<edge>& edges) {
  std::vector<std::vector<std::pair<index_t, double>>> rows(static_cast<std::size_t>(n));
  auto add = [&](index_t a, index_t b, double w) {
    auto& r = rows[static_cast<std::size_t>(a)];
    for (auto& e : r)
      if (e.first == b) {
        e.second = e.second + w - e.second * w;
        return;
      }
    r.emplace_back(b, w);
  };
  for (const edge& e : edges)
    if (e.i != e.j) {
      add(e.i, e.j, e.w);
      add(e.j, e.i, e.w);
    }
  host_graph g;
  g.n = n;
  g.offsets.push_back(0);
  for (auto& r : rows) {
    std::sort(r.begin(), r.end());
    for (auto& e : r) {
      g.indices.push_back(e.first);
      g.weights.push_back(e.second);
    }
    g.offsets.push_back(static_cast<index_t>(g.indices.size()));
  }
  return g;
}

template <class T, class Backend>
clustr::umap::fuzzy_graph<T, clustr::memory_space_t<Backend>> to_fuzzy(const Backend& be, const host_graph& h) {
  std::vector<T> w(h.weights.begin(), h.weights.end());
  clustr::umap::fuzzy_graph<T, clustr::memory_space_t<Backend>> g;
  g.n = h.n;
  g.offsets = clustr_test::to_backend(be, h.offsets);
  g.indices = clustr_test::to_backend(be, h.indices);
  g.weights = clustr_test::to_backend(be, w);
  return g;
}

inline std::vector<edge> ring(index_t n, index_t base = 0, double w = 1.0) {
  std::vector<edge> e;
  for (index_t i = 0; i < n; ++i) e.push_back({base + i, base + (i + 1) % n, w});
  return e;
}

inline std::vector<edge> grid(index_t rows, index_t cols, index_t base = 0) {
  std::vector<edge> e;
  for (index_t r = 0; r < rows; ++r)
    for (index_t c = 0; c < cols; ++c) {
      const index_t v = base + r * cols + c;
      if (c + 1 < cols) e.push_back({v, v + 1, 1.0});
      if (r + 1 < rows) e.push_back({v, v + cols, 1.0});
    }
  return e;
}

/// A path whose weights vary (simple eigenvalues: individual eigenvectors are defined).
inline std::vector<edge> path(index_t n, index_t base = 0) {
  std::vector<edge> e;
  for (index_t i = 0; i + 1 < n; ++i) e.push_back({base + i, base + i + 1, 0.3 + 0.7 * static_cast<double>((i * 7) % 5) / 4.0});
  return e;
}

inline std::vector<edge> two_cliques(index_t k, double bridge) {
  std::vector<edge> e;
  for (index_t a = 0; a < k; ++a)
    for (index_t b = a + 1; b < k; ++b) {
      e.push_back({a, b, 1.0});
      e.push_back({k + a, k + b, 1.0});
    }
  e.push_back({k - 1, k, bridge});
  return e;
}

/// A fuzzy kNN graph of three Gaussian blobs in 2-d (k = 8, Gaussian
/// memberships, fuzzy union), plus a weak chain that keeps it connected.
inline std::vector<edge> blob_knn(index_t n, std::uint64_t seed) {
  const clustr::rng::random_stream rs{seed, 7};
  std::vector<double> X(static_cast<std::size_t>(2 * n));
  const double centre[3][2] = {{0, 0}, {5, 1}, {2, 6}};
  for (index_t i = 0; i < n; ++i)
    for (index_t j = 0; j < 2; ++j)
      X[static_cast<std::size_t>(2 * i + j)] = centre[i % 3][j] + rs.normal<double>(static_cast<std::uint64_t>(2 * i + j));
  const index_t k = 8;
  std::vector<edge> e;
  for (index_t i = 0; i < n; ++i) {
    std::vector<std::pair<double, index_t>> d;
    for (index_t j = 0; j < n; ++j)
      if (j != i) {
        const double dx = X[static_cast<std::size_t>(2 * i)] - X[static_cast<std::size_t>(2 * j)];
        const double dy = X[static_cast<std::size_t>(2 * i + 1)] - X[static_cast<std::size_t>(2 * j + 1)];
        d.emplace_back(dx * dx + dy * dy, j);
      }
    std::partial_sort(d.begin(), d.begin() + k, d.end());
    for (index_t t = 0; t < k; ++t)
      e.push_back({i, d[static_cast<std::size_t>(t)].second, std::exp(-(d[static_cast<std::size_t>(t)].first - d[0].first))});
  }
  for (index_t i = 0; i + 1 < n; ++i) e.push_back({i, i + 1, 1e-3});
  return e;
}

/// Dense reference: eigenvalues (ascending) and eigenvectors (column i of
/// the row-major n x n matrix) of L = I - D^-1/2 W D^-1/2, checked for
/// residual and orthonormality so that the reference itself is trusted.
inline void reference_eigen(const host_graph& g, std::vector<double>& values, std::vector<double>& vectors) {
  const index_t n = g.n;
  std::vector<double> deg(static_cast<std::size_t>(n), 0.0), L(static_cast<std::size_t>(n * n), 0.0);
  for (index_t i = 0; i < n; ++i)
    for (index_t e = g.offsets[static_cast<std::size_t>(i)]; e < g.offsets[static_cast<std::size_t>(i + 1)]; ++e)
      deg[static_cast<std::size_t>(i)] += g.weights[static_cast<std::size_t>(e)];
  for (index_t i = 0; i < n; ++i) {
    L[static_cast<std::size_t>(i * n + i)] = 1.0;
    for (index_t e = g.offsets[static_cast<std::size_t>(i)]; e < g.offsets[static_cast<std::size_t>(i + 1)]; ++e) {
      const index_t j = g.indices[static_cast<std::size_t>(e)];
      L[static_cast<std::size_t>(i * n + j)] -= g.weights[static_cast<std::size_t>(e)] /
                                                std::sqrt(deg[static_cast<std::size_t>(i)] * deg[static_cast<std::size_t>(j)]);
    }
  }
  ud::dense_symmetric_eigen(L, n, values, vectors);
  for (index_t c = 0; c < n; ++c) {
    double r2 = 0, nn = 0;
    for (index_t i = 0; i < n; ++i) {
      double lv = 0;
      for (index_t j = 0; j < n; ++j) lv += L[static_cast<std::size_t>(i * n + j)] * vectors[static_cast<std::size_t>(j * n + c)];
      const double r = lv - values[static_cast<std::size_t>(c)] * vectors[static_cast<std::size_t>(i * n + c)];
      r2 += r * r;
      nn += vectors[static_cast<std::size_t>(i * n + c)] * vectors[static_cast<std::size_t>(i * n + c)];
    }
    REQUIRE(std::sqrt(r2) < 1e-10);
    REQUIRE(std::abs(nn - 1.0) < 1e-10);
  }
}

/// The smallest cosine between the column span of E (n x dim, host) and the
/// reference eigenvectors 1..dim: 1 when the subspaces agree.
template <class T>
double subspace_cosine(const std::vector<T>& E, index_t n, index_t dim, const std::vector<double>& ref) {
  // Orthonormalise E's columns (modified Gram-Schmidt in double).
  std::vector<std::vector<double>> q(static_cast<std::size_t>(dim), std::vector<double>(static_cast<std::size_t>(n)));
  for (index_t j = 0; j < dim; ++j) {
    auto& v = q[static_cast<std::size_t>(j)];
    for (index_t i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = static_cast<double>(E[static_cast<std::size_t>(i * dim + j)]);
    for (index_t k = 0; k < j; ++k) {
      double d = 0;
      for (index_t i = 0; i < n; ++i) d += v[static_cast<std::size_t>(i)] * q[static_cast<std::size_t>(k)][static_cast<std::size_t>(i)];
      for (index_t i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] -= d * q[static_cast<std::size_t>(k)][static_cast<std::size_t>(i)];
    }
    double nn = 0;
    for (double x : v) nn += x * x;
    nn = std::sqrt(nn);
    if (nn == 0) return 0;
    for (double& x : v) x /= nn;
  }
  // Every reference vector's projection onto span(E) must have norm ~1.
  double worst = 1;
  for (index_t c = 1; c <= dim; ++c) {
    double p2 = 0;
    for (index_t j = 0; j < dim; ++j) {
      double d = 0;
      for (index_t i = 0; i < n; ++i) d += q[static_cast<std::size_t>(j)][static_cast<std::size_t>(i)] * ref[static_cast<std::size_t>(i * n + c)];
      p2 += d * d;
    }
    worst = std::min(worst, std::sqrt(p2));
  }
  return worst;
}

/// Exact eigenvectors, no scaling or noise, the Lanczos solver even on small graphs.
inline ud::spectral_options exact_options() {
  ud::spectral_options o;
  o.tol = 1e-9;
  o.dense_max = 0;
  o.basis_size = 16;
  o.scale = false;
  return o;
}

template <class T, class Backend>
std::vector<T> layout(const Backend& be, const host_graph& h, index_t dim, const ud::spectral_options& opt,
                      bool expect_ok = true, std::string* message = nullptr) {
  auto g = to_fuzzy<T>(be, h);
  auto r = ud::spectral_layout(be, g, dim, 42, opt);
  if (expect_ok) {
    INFO(r.message);
    REQUIRE(r.ok);
  }
  if (message) *message = r.message;
  REQUIRE(r.embedding.rows() == h.n);
  REQUIRE(r.embedding.cols() == dim);
  return r.embedding.to_std_vector();
}

template <class T, class Backend>
void check_against_reference(const Backend& be, const host_graph& h, index_t dim, bool simple_eigenvalues) {
  std::vector<double> values, ref;
  reference_eigen(h, values, ref);
  // The wanted subspace must be well defined (a gap after eigenvalue dim).
  REQUIRE(values[static_cast<std::size_t>(dim + 1)] - values[static_cast<std::size_t>(dim)] > 1e-3);
  const double tol = std::is_same_v<T, float> ? 1e-5 : 1e-8;
  for (index_t dense_max : {index_t(0), index_t(1000)}) {  // Lanczos, then the dense host path
    auto opt = exact_options();
    opt.dense_max = dense_max;
    const auto E = layout<T>(be, h, dim, opt);
    INFO("dense_max " << dense_max);
    CHECK(subspace_cosine(E, h.n, dim, ref) > 1 - tol);
    if (simple_eigenvalues) {
      // Column j is eigenvector j + 1 with the sign convention (the first
      // entry with |x| >= 0.99 max|x| positive).
      for (index_t j = 0; j < dim; ++j) {
        auto r = [&](index_t i) { return ref[static_cast<std::size_t>(i * h.n + j + 1)]; };
        double amax = 0;
        for (index_t i = 0; i < h.n; ++i) amax = std::max(amax, std::abs(r(i)));
        index_t big = 0;
        while (std::abs(r(big)) < 0.99 * amax) ++big;
        const double sgn = ref[static_cast<std::size_t>(big * h.n + j + 1)] < 0 ? -1.0 : 1.0;
        double err = 0;
        for (index_t i = 0; i < h.n; ++i)
          err = std::max(err, std::abs(static_cast<double>(E[static_cast<std::size_t>(i * dim + j)]) -
                                       sgn * ref[static_cast<std::size_t>(i * h.n + j + 1)]));
        CHECK(err < (std::is_same_v<T, float> ? 1e-4 : 1e-6));
      }
    }
  }
}

/// Graphs whose Krylov space becomes invariant at once (complete graph: every
/// vector orthogonal to sqrt(deg) is an eigenvector) or whose wanted
/// eigenvalue is highly repeated (star): the solver replaces the dependent
/// directions and still returns orthonormal eigenvectors of L.
template <class T, class Backend>
void degenerate_check(const Backend& be) {
  std::vector<edge> complete, star;
  for (index_t a = 0; a < 80; ++a)
    for (index_t b = a + 1; b < 80; ++b) complete.push_back({a, b, 1.0});
  for (index_t a = 1; a < 80; ++a) star.push_back({0, a, 0.5});
  for (const auto& edges : {complete, star}) {
    const auto h = make_host_graph(80, edges);
    std::vector<double> values, ref;
    reference_eigen(h, values, ref);
    const auto E = layout<T>(be, h, 3, exact_options());
    std::vector<double> deg(80, 0.0), L(80 * 80, 0.0);
    for (index_t i = 0; i < 80; ++i)
      for (index_t e = h.offsets[static_cast<std::size_t>(i)]; e < h.offsets[static_cast<std::size_t>(i + 1)]; ++e)
        deg[static_cast<std::size_t>(i)] += h.weights[static_cast<std::size_t>(e)];
    for (index_t j = 0; j < 3; ++j) {
      // Rayleigh quotient and residual of column j for L; orthogonal to sqrt(deg).
      double nn = 0, dot0 = 0, xLx = 0;
      std::vector<double> Lx(80, 0.0);
      for (index_t i = 0; i < 80; ++i) {
        const double xi = double(E[static_cast<std::size_t>(i * 3 + j)]);
        nn += xi * xi;
        dot0 += xi * std::sqrt(deg[static_cast<std::size_t>(i)]);
        Lx[static_cast<std::size_t>(i)] += xi;
        for (index_t e = h.offsets[static_cast<std::size_t>(i)]; e < h.offsets[static_cast<std::size_t>(i + 1)]; ++e) {
          const index_t k = h.indices[static_cast<std::size_t>(e)];
          Lx[static_cast<std::size_t>(i)] -= h.weights[static_cast<std::size_t>(e)] /
                                             std::sqrt(deg[static_cast<std::size_t>(i)] * deg[static_cast<std::size_t>(k)]) *
                                             double(E[static_cast<std::size_t>(k * 3 + j)]);
        }
      }
      for (index_t i = 0; i < 80; ++i) xLx += double(E[static_cast<std::size_t>(i * 3 + j)]) * Lx[static_cast<std::size_t>(i)];
      double r2 = 0;
      for (index_t i = 0; i < 80; ++i) {
        const double r = Lx[static_cast<std::size_t>(i)] - xLx * double(E[static_cast<std::size_t>(i * 3 + j)]);
        r2 += r * r;
      }
      CHECK(std::abs(nn - 1) < 1e-5);
      CHECK(std::abs(dot0) < 1e-5);
      CHECK(std::sqrt(r2) < 1e-5);
      CHECK(std::abs(xLx - values[static_cast<std::size_t>(j + 1)]) < 1e-5);  // the wanted eigenvalue
    }
  }
}

template <class T, class Backend>
void reference_suite(const Backend& be) {
  check_against_reference<T>(be, make_host_graph(60, ring(60)), 2, false);      // double eigenvalue
  check_against_reference<T>(be, make_host_graph(48, grid(8, 6)), 2, true);
  check_against_reference<T>(be, make_host_graph(49, grid(7, 7)), 2, false);    // square: double eigenvalue
  check_against_reference<T>(be, make_host_graph(40, two_cliques(20, 0.05)), 1, true);
  check_against_reference<T>(be, make_host_graph(40, path(40)), 3, true);
  check_against_reference<T>(be, make_host_graph(150, blob_knn(150, 5)), 2, true);
  check_against_reference<T>(be, make_host_graph(150, blob_knn(150, 6)), 5, false);
  degenerate_check<T>(be);
}

TEMPLATE_LIST_TEST_CASE("spectral init matches a dense eigendecomposition", "[umap_spectral]", clustr_test::test_backends) {
  const auto be = clustr_test::make<TestType>();
  SECTION("double") { reference_suite<double>(be); }
  SECTION("float") { reference_suite<float>(be); }
}

template <class T, class Backend>
void determinism_check(const Backend& be) {
  const auto h = make_host_graph(150, blob_knn(150, 9));
  ud::spectral_options opt;  // defaults: scaling and noise included
  opt.dense_max = 0;
  const auto mine = layout<T>(be, h, 3, opt);
  const auto ref = layout<T>(clustr::serial{}, h, 3, opt);
  if constexpr (clustr::is_host_backend_v<Backend>) {
    CHECK(mine == ref);  // bit for bit at any thread count
  } else {
    double err = 0;
    for (std::size_t i = 0; i < mine.size(); ++i) err = std::max(err, std::abs(double(mine[i]) - double(ref[i])));
    CHECK(err < 1e-3);  // coordinates are ~10: a few float ulps of the solver's output
  }
}

TEMPLATE_LIST_TEST_CASE("spectral init is deterministic across backends", "[umap_spectral]", clustr_test::test_backends) {
  const auto be = clustr_test::make<TestType>();
  determinism_check<double>(be);
  determinism_check<float>(be);
}

/// The rows of component `rows` (host, n x dim) minus `centre`.
template <class T>
void component_box(const std::vector<T>& E, index_t dim, index_t first, index_t count, const std::vector<double>& centre,
                   double half_width, double slack) {
  for (index_t i = first; i < first + count; ++i)
    for (index_t j = 0; j < dim; ++j) {
      const double x = static_cast<double>(E[static_cast<std::size_t>(i * dim + j)]);
      REQUIRE(std::isfinite(x));
      CHECK(std::abs(x - centre[static_cast<std::size_t>(j)]) <= half_width + slack);
    }
}

template <class T, class Backend>
void disconnected_check(const Backend& be) {
  // Components: path(30) [0, 30), grid 5x6 [30, 60), an edge [60, 62), a
  // single vertex 62: 4 components <= 2 * dim, so umap-learn's meta layout
  // puts them at +e0, +e1, -e0, -e1.
  std::vector<edge> e = path(30, 0);
  for (const auto& x : grid(5, 6, 30)) e.push_back(x);
  e.push_back({60, 61, 1.0});
  const auto h = make_host_graph(63, e);
  auto opt = exact_options();
  opt.tol = 1e-8;
  std::string msg;
  auto g = to_fuzzy<T>(be, h);
  auto r = ud::spectral_layout(be, g, 2, 42, opt);
  INFO(r.message);
  REQUIRE(r.ok);
  CHECK(r.graph_components == 4);
  const auto E = r.embedding.to_std_vector();
  const double half = std::sqrt(2.0) / 2.0;  // half the distance from e0 to e1
  component_box(E, 2, 0, 30, {1, 0}, half, 1e-6);
  component_box(E, 2, 30, 30, {0, 1}, half, 1e-6);
  component_box(E, 2, 60, 2, {-1, 0}, half, 1e-6);
  component_box(E, 2, 62, 1, {0, -1}, half, 1e-6);
  // Each spectrally laid-out component spans the box in some coordinate
  // (umap-learn scales it so that max |x - centre| = half).
  for (auto [first, count, cx, cy] : {std::tuple<index_t, index_t, double, double>{0, 30, 1, 0}, {30, 30, 0, 1}}) {
    double mx = 0;
    for (index_t i = first; i < first + count; ++i) {
      mx = std::max(mx, std::abs(double(E[static_cast<std::size_t>(2 * i)]) - cx));
      mx = std::max(mx, std::abs(double(E[static_cast<std::size_t>(2 * i + 1)]) - cy));
    }
    CHECK(std::abs(mx - half) < 1e-5);
  }
  // The path component is the path's own spectral layout, scaled and moved.
  const auto alone = layout<T>(be, make_host_graph(30, path(30)), 2, opt);
  double amax = 0;
  for (T x : alone) amax = std::max(amax, std::abs(double(x)));
  double err = 0;
  for (index_t i = 0; i < 30; ++i)
    for (index_t j = 0; j < 2; ++j)
      err = std::max(err, std::abs(double(E[static_cast<std::size_t>(2 * i + j)]) - (j == 0 ? 1.0 : 0.0) -
                                   double(alone[static_cast<std::size_t>(2 * i + j)]) * half / amax));
  CHECK(err < (std::is_same_v<T, float> ? 1e-5 : 1e-8));

  // More components than 2 * dim: meta positions uniform in [0, 10) (umap-learn without data).
  std::vector<edge> many;
  for (index_t c = 0; c < 6; ++c)
    for (const auto& x : ring(12, 12 * c, 1.0 + 0.1 * static_cast<double>(c))) many.push_back(x);
  const auto hm = make_host_graph(72, many);
  auto gm = to_fuzzy<T>(be, hm);
  auto rm = ud::spectral_layout(be, gm, 2, 7, ud::spectral_options{});
  INFO(rm.message);
  CHECK(rm.ok);
  CHECK(rm.graph_components == 6);
  const auto M = rm.embedding.to_std_vector();
  double mx = 0;
  for (T x : M) {
    REQUIRE(std::isfinite(double(x)));
    mx = std::max(mx, std::abs(double(x)));
  }
  CHECK(std::abs(mx - 10.0) < 1e-3);
  // Each ring is laid out around its meta position (its centroid: the ring's
  // eigenvectors have mean 0) within half the distance to the nearest other
  // component, per coordinate (umap-learn's data_range).
  std::vector<double> cen(12, 0.0);
  for (index_t i = 0; i < 72; ++i)
    for (index_t j = 0; j < 2; ++j) cen[static_cast<std::size_t>(2 * (i / 12) + j)] += double(M[static_cast<std::size_t>(2 * i + j)]) / 12.0;
  for (index_t c = 0; c < 6; ++c) {
    double nearest = 1e300;
    for (index_t o = 0; o < 6; ++o)
      if (o != c)
        nearest = std::min(nearest, std::hypot(cen[static_cast<std::size_t>(2 * c)] - cen[static_cast<std::size_t>(2 * o)],
                                               cen[static_cast<std::size_t>(2 * c + 1)] - cen[static_cast<std::size_t>(2 * o + 1)]));
    CHECK(nearest > 0.1);
    component_box(M, 2, 12 * c, 12, {cen[static_cast<std::size_t>(2 * c)], cen[static_cast<std::size_t>(2 * c + 1)]},
                  nearest / 2, 1e-3);
  }
}

/// Seven points and sklearn's SpectralEmbedding(n_components=2,
/// affinity="precomputed") of exp(-d^2) between them, divided by its maximum
/// (umap-learn's component_layout). Generated with sklearn 1.x:
///   P = np.array(POINTS); A = np.exp(-pairwise_distances(P) ** 2)
///   E = SpectralEmbedding(2, affinity="precomputed").fit_transform(A); E /= E.max()
inline const double meta_points[7][2] = {{0, 0}, {0.5, 0.1}, {1.2, 0.3}, {1.0, 1.1}, {0.2, 1.4}, {-0.5, 0.8}, {2.0, 0.0}};
inline const double meta_golden[7][2] = {{-0.32929254, -0.59516225}, {-0.02362594, -0.45426574}, {0.53998995, -0.01369169},
                                         {0.12029816, 0.5855219},    {-0.43023027, 0.71455985},  {-0.65939839, 0.073534},
                                         {1.0, 0.02842139}};

inline std::vector<double> meta_distances() {
  std::vector<double> D(49);
  for (int i = 0; i < 7; ++i)
    for (int j = 0; j < 7; ++j)
      D[static_cast<std::size_t>(i * 7 + j)] = std::hypot(meta_points[i][0] - meta_points[j][0], meta_points[i][1] - meta_points[j][1]);
  return D;
}

template <class T, class Backend>
void centroid_meta_check(const Backend& be) {
  // Seven rings; the meta-layout comes from their "data centroids" above.
  std::vector<edge> e;
  for (index_t c = 0; c < 7; ++c)
    for (const auto& x : ring(10, 10 * c)) e.push_back(x);
  const auto h = make_host_graph(70, e);
  auto g = to_fuzzy<T>(be, h);
  ud::spectral_options opt;
  index_t calls = 0;
  opt.component_distances = [&](const std::vector<index_t>& labels, index_t count) {
    ++calls;
    CHECK(count == 7);
    REQUIRE(labels.size() == 70);
    for (index_t i = 0; i < 70; ++i) CHECK(labels[static_cast<std::size_t>(i)] == i / 10);
    return meta_distances();
  };
  auto r = ud::spectral_layout(be, g, 2, 3, opt);
  CHECK(calls == 1);
  REQUIRE(r.ok);
  const auto E = r.embedding.to_std_vector();
  // Ring eigenvectors have mean 0: each ring's centroid is its meta position
  // times the final scale 10 / max|x|, the same for every ring.
  double cen[7][2] = {};
  for (index_t c = 0; c < 7; ++c)
    for (index_t j = 0; j < 2; ++j)
      for (index_t i = 0; i < 10; ++i) cen[c][j] += double(E[static_cast<std::size_t>((10 * c + i) * 2 + j)]) / 10.0;
  const double scale = cen[6][0];  // golden 1.0
  for (index_t c = 0; c < 7; ++c)
    for (index_t j = 0; j < 2; ++j) CHECK(std::abs(cen[c][j] - scale * meta_golden[c][j]) < 1e-3 * scale);
  CHECK(scale > 1.0);
}

TEST_CASE("spectral meta-layout matches sklearn's SpectralEmbedding", "[umap_spectral]") {
  const auto D = meta_distances();
  const auto m = ud::component_meta_layout(7, 2, &D, 1, 2);
  for (int c = 0; c < 7; ++c)
    for (int j = 0; j < 2; ++j) CHECK(std::abs(m[static_cast<std::size_t>(c * 2 + j)] - meta_golden[c][j]) < 1e-6);
  // Few components: +e0, +e1, -e0 (umap-learn's fixed positions).
  const auto f = ud::component_meta_layout(3, 2, nullptr, 1, 2);
  CHECK(f == std::vector<double>{1, 0, 0, 1, -1, 0});
}

TEMPLATE_LIST_TEST_CASE("spectral init lays out disconnected graphs as umap-learn", "[umap_spectral]", clustr_test::test_backends) {
  const auto be = clustr_test::make<TestType>();
  SECTION("double") {
    disconnected_check<double>(be);
    centroid_meta_check<double>(be);
  }
  SECTION("float") {
    disconnected_check<float>(be);
    centroid_meta_check<float>(be);
  }
}

template <class T, class Backend>
void scaling_and_fallback_check(const Backend& be) {
  const auto h = make_host_graph(150, blob_knn(150, 11));
  // Scaling: 10 / max|x| and N(0, 1e-4) noise, as umap-learn's noisy_scale_coords.
  auto raw_opt = exact_options();
  const auto raw = layout<T>(be, h, 2, raw_opt);
  auto scaled_opt = raw_opt;
  scaled_opt.scale = true;
  const auto scaled = layout<T>(be, h, 2, scaled_opt);
  double amax = 0;
  for (T x : raw) amax = std::max(amax, std::abs(double(x)));
  double worst = 0, sum2 = 0;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const double d = double(scaled[i]) - double(raw[i]) * 10.0 / amax;
    worst = std::max(worst, std::abs(d));
    sum2 += d * d;
  }
  CHECK(worst < 1e-3);  // noise of scale 1e-4 (and float rounding)
  const double sd = std::sqrt(sum2 / double(raw.size()));
  CHECK(sd > 0.5e-4);
  CHECK(sd < 2e-4);

  // Forced failure: one block step at a tolerance it cannot reach.
  auto fail_opt = ud::spectral_options{};
  fail_opt.dense_max = 0;
  fail_opt.tol = 1e-14;
  fail_opt.max_iterations = 1;
  std::string msg;
  const auto fb = layout<T>(be, h, 2, fail_opt, false, &msg);
  CHECK(msg.find("did not converge") != std::string::npos);
  CHECK(msg.find("random") != std::string::npos);
  auto g = to_fuzzy<T>(be, h);
  auto r = ud::spectral_layout(be, g, 2, 42, fail_opt);
  CHECK_FALSE(r.ok);
  double fmax = 0;
  for (T x : fb) {
    REQUIRE(std::isfinite(double(x)));
    fmax = std::max(fmax, std::abs(double(x)));
  }
  CHECK(std::abs(fmax - 10.0) < 1e-3);
  // Uniform spread, not a collapsed spectral layout: mean |x| ~ 5.
  double mean_abs = 0;
  for (T x : fb) mean_abs += std::abs(double(x)) / double(fb.size());
  CHECK(mean_abs > 4.0);
  CHECK(mean_abs < 6.0);

  // Too few vertices for the eigenvectors: also a reported fallback.
  auto tiny = to_fuzzy<T>(be, make_host_graph(3, ring(3)));
  auto rt = ud::spectral_layout(be, tiny, 2, 1);
  CHECK_FALSE(rt.ok);
  CHECK_FALSE(rt.message.empty());
}

TEMPLATE_LIST_TEST_CASE("spectral init scales as umap-learn and reports its fallback", "[umap_spectral]", clustr_test::test_backends) {
  const auto be = clustr_test::make<TestType>();
  SECTION("double") { scaling_and_fallback_check<double>(be); }
  SECTION("float") { scaling_and_fallback_check<float>(be); }
}

template <class Backend>
void bad_input_check(const Backend& be) {
  const auto h = make_host_graph(20, ring(20));
  clustr_test::expect_invalid([&] { auto g = to_fuzzy<double>(be, h); ud::spectral_layout(be, g, 0, 1); }, "n_components");
  clustr_test::expect_invalid([&] {
    auto bad = h;
    bad.offsets.pop_back();
    auto g = to_fuzzy<double>(be, bad);
    ud::spectral_layout(be, g, 2, 1);
  }, "graph.offsets.size()");
  clustr_test::expect_invalid([&] {
    auto bad = h;
    bad.weights[3] = -1.0;
    auto g = to_fuzzy<double>(be, bad);
    ud::spectral_layout(be, g, 2, 1);
  }, "graph");
  clustr_test::expect_invalid([&] {
    auto bad = h;
    bad.weights[5] = std::nan("");
    auto g = to_fuzzy<double>(be, bad);
    ud::spectral_layout(be, g, 2, 1);
  }, "graph");
  clustr_test::expect_invalid([&] {
    auto bad = h;
    bad.indices[2] = 20;
    auto g = to_fuzzy<double>(be, bad);
    ud::spectral_layout(be, g, 2, 1);
  }, "graph");
}

TEMPLATE_LIST_TEST_CASE("spectral init rejects bad input", "[umap_spectral]", clustr_test::test_backends) {
  const auto be = clustr_test::make<TestType>();
  bad_input_check(be);
}

}  // namespace clustr_test::umap_spectral
