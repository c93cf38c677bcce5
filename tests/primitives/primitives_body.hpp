// Primitive tests, one body for every backend (see tests/CMakeLists.txt).
// Each primitive is compared with a naive host reference on random inputs of
// awkward sizes. Data is made on the host, moved to the backend, and results
// come back with to_std_vector(), so the same assertions hold for host and
// device backends. Host backends must match exactly where the reference is
// exact (integers, integer-valued floats, ties); floating-point results are
// compared within a tolerance that allows GPU reassociation and GEMM paths.

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <sstream>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace clustr_test::primitives {

using clustr::index_t;
template <class Backend>
using space_of = clustr::memory_space_t<Backend>;

// ---------------------------------------------------------------------------
// Device lambdas live in named namespace-scope function templates (nvcc's
// extended-lambda rules); test cases call these.

template <class Backend, class T>
void square_into(const Backend& be, clustr::vector_view<const T, clustr::memory_space_t<Backend>> in,
                 clustr::vector_view<T, clustr::memory_space_t<Backend>> out) {
  const T* src = in.data();
  T* dst = out.data();
  clustr::for_each(
      be, in.size(), CLUSTR_LAMBDA(clustr::index_t i) { dst[i] = src[i] * src[i]; });
}

template <class Backend>
double sum_of_index_squares(const Backend& be, clustr::index_t n) {
  return clustr::transform_reduce(
      be, n, 0.0, clustr::plus{},
      CLUSTR_LAMBDA(clustr::index_t i) { return static_cast<double>(i) * static_cast<double>(i); });
}

/// sum_i double(v[i])^2 by transform_reduce.
template <class Backend, class T>
double sum_of_squares(const Backend& be, clustr::vector_view<const T, space_of<Backend>> v) {
  const T* p = v.data();
  return clustr::transform_reduce(
      be, v.size(), 0.0, clustr::plus{},
      CLUSTR_LAMBDA(index_t i) { return static_cast<double>(p[i]) * static_cast<double>(p[i]); });
}

template <class Backend, class T>
clustr::value_index<T, index_t> argmin_of(const Backend& be,
                                          clustr::vector_view<const T, space_of<Backend>> v) {
  const T* p = v.data();
  return clustr::argmin<T>(
      be, v.size(), CLUSTR_LAMBDA(index_t i) { return p[i]; });
}

template <class Backend, class T>
clustr::value_index<T, index_t> argmax_of(const Backend& be,
                                          clustr::vector_view<const T, space_of<Backend>> v) {
  const T* p = v.data();
  return clustr::argmax<T>(
      be, v.size(), CLUSTR_LAMBDA(index_t i) { return p[i]; });
}

template <class Backend, class T>
index_t count_above(const Backend& be, clustr::vector_view<const T, space_of<Backend>> v, T threshold) {
  const T* p = v.data();
  return clustr::count_if(
      be, v.size(), CLUSTR_LAMBDA(index_t i) { return p[i] > threshold; });
}

/// copy_if of the indices i with v[i] % m == 0.
template <class Backend, class I>
index_t copy_multiples(const Backend& be, clustr::vector_view<const std::int32_t, space_of<Backend>> v,
                       std::int32_t m, clustr::vector_view<I, space_of<Backend>> out) {
  const std::int32_t* p = v.data();
  return clustr::copy_if(
      be, v.size(), CLUSTR_LAMBDA(index_t i) { return p[i] % m == 0; }, out);
}

/// out[s] = op over values[offsets[s] .. offsets[s+1]).
template <class Backend, class I, class T, class Op>
void reduce_segments(const Backend& be, clustr::vector_view<const I, space_of<Backend>> offsets,
                     clustr::vector_view<const T, space_of<Backend>> values,
                     clustr::vector_view<T, space_of<Backend>> out, T init, Op op) {
  const T* p = values.data();
  clustr::segmented_reduce(
      be, offsets, out, init, op, CLUSTR_LAMBDA(index_t i) { return p[i]; });
}

/// Unites a[e] with b[e] for every edge e.
template <class Backend, class I>
void unite_edges(const Backend& be, clustr::vector_view<I, space_of<Backend>> parent,
                 clustr::vector_view<const I, space_of<Backend>> a,
                 clustr::vector_view<const I, space_of<Backend>> b) {
  const I* pa = a.data();
  const I* pb = b.data();
  clustr::union_find_unite_edges(
      be, parent, a.size(), CLUSTR_LAMBDA(index_t e) {
        return clustr::index_pair<I>{pa[e], pb[e]};
      });
}

// ---------------------------------------------------------------------------
// Host helpers.

template <class A>
auto cview(const A& a) {
  return a.view();  // the const overload: views of const T
}

/// Uniform integers in [lo, hi) as T.
template <class T>
std::vector<T> random_ints(index_t n, std::int64_t lo, std::int64_t hi, std::uint64_t seed) {
  clustr::rng::random_stream r{seed, 5};
  std::vector<T> v(static_cast<std::size_t>(n));
  for (index_t i = 0; i < n; ++i)
    v[static_cast<std::size_t>(i)] =
        static_cast<T>(lo + static_cast<std::int64_t>(
                                r.below(static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(hi - lo))));
  return v;
}

/// Runs f, which must throw clustr::invalid_argument whose argument() contains `name`.
template <class F>
void require_invalid(F&& f, const std::string& name) {
  bool thrown = false;
  try {
    f();
  } catch (const clustr::invalid_argument& e) {
    thrown = true;
    INFO("argument() = \"" << e.argument() << "\", what() = " << e.what());
    CHECK(e.argument().find(name) != std::string::npos);
    CHECK(std::string(e.what()).find(name) != std::string::npos);
  }
  INFO("expected clustr::invalid_argument naming " << name);
  REQUIRE(thrown);
}

/// Relative tolerance of floating-point comparisons (GPU paths reassociate
/// sums and may expand distances into a matrix multiply). Not constexpr:
/// nvcc's relaxed constexpr would make it a device function of long double.
template <class T>
long double tolerance() {
  return sizeof(T) == 4 ? 1e-4L : 1e-10L;
}

// Naive metric references in a wider type R (long double; double for the
// large float cases), written independently of the library.
// Vectors of long double are built with an explicit fill value: nvcc warns
// ("long double is treated as double in device code") when the value-
// initialising std::vector(n) constructor is instantiated.
using ld = long double;
template <class R>
R ref_reduced(clustr::metric::sqeuclidean, const R* x, const R* y, index_t d) {
  R s = 0;
  for (index_t j = 0; j < d; ++j) s += (x[j] - y[j]) * (x[j] - y[j]);
  return s;
}
template <class R>
R ref_reduced(clustr::metric::euclidean, const R* x, const R* y, index_t d) {
  return ref_reduced<R>(clustr::metric::sqeuclidean{}, x, y, d);  // compared squared
}
template <class R>
R ref_reduced(clustr::metric::cosine, const R* x, const R* y, index_t d) {
  R dot = 0, xx = 0, yy = 0;
  for (index_t j = 0; j < d; ++j) {
    dot += x[j] * y[j];
    xx += x[j] * x[j];
    yy += y[j] * y[j];
  }
  if (xx == 0 || yy == 0) return 1;  // a zero vector is at distance 1 from everything
  return 1 - dot / std::sqrt(xx * yy);
}
template <class R>
R ref_reduced(clustr::metric::inner_product, const R* x, const R* y, index_t d) {
  R dot = 0;
  for (index_t j = 0; j < d; ++j) dot += x[j] * y[j];
  return -dot;
}
template <class R>
R ref_reduced(clustr::metric::manhattan, const R* x, const R* y, index_t d) {
  R s = 0;
  for (index_t j = 0; j < d; ++j) s += std::fabs(x[j] - y[j]);
  return s;
}
template <class R>
R ref_reduced(clustr::metric::chebyshev, const R* x, const R* y, index_t d) {
  R s = 0;
  for (index_t j = 0; j < d; ++j) s = std::max<R>(s, std::fabs(x[j] - y[j]));
  return s;
}
template <class R>
R ref_reduced(clustr::metric::minkowski m, const R* x, const R* y, index_t d) {
  R s = 0;
  if (m.p == 3.0) {  // the case tested: exact cubes, and far faster than powl
    for (index_t j = 0; j < d; ++j) {
      const R a = std::fabs(x[j] - y[j]);
      s += a * a * a;
    }
    return s;
  }
  for (index_t j = 0; j < d; ++j) s += std::pow(std::fabs(x[j] - y[j]), static_cast<R>(m.p));
  return s;
}

/// The reduced form of a true distance (to compare distance_form::distance
/// outputs with the reduced reference).
template <class Metric>
ld ref_reduced_of_distance(const Metric&, ld dist) {
  return dist;
}
inline ld ref_reduced_of_distance(clustr::metric::euclidean, ld dist) { return dist * dist; }
inline ld ref_reduced_of_distance(clustr::metric::minkowski m, ld dist) {
  return std::pow(dist, static_cast<ld>(m.p));
}

/// Error scale of one pair: the size of the terms the backend may cancel
/// (norms for expanded metrics, the value itself for coordinate-wise ones).
template <class R>
R pair_scale(clustr::metric::sqeuclidean, R xx, R yy, R) {
  return xx + yy;
}
template <class R>
R pair_scale(clustr::metric::euclidean, R xx, R yy, R) {
  return xx + yy;
}
template <class R>
R pair_scale(clustr::metric::cosine, R, R, R) {
  return 1;
}
template <class R>
R pair_scale(clustr::metric::inner_product, R xx, R yy, R) {
  return std::sqrt(xx * yy);
}
template <class R, class Metric>
R pair_scale(const Metric&, R, R, R ref) {
  return std::fabs(ref);
}

template <class R = ld, class T>
std::vector<R> widen(const std::vector<T>& v) {
  return std::vector<R>(v.begin(), v.end());
}

template <class R>
std::vector<R> row_sq_norms(const std::vector<R>& v, index_t rows, index_t cols) {
  std::vector<R> out(static_cast<std::size_t>(rows), 0);
  for (index_t i = 0; i < rows; ++i)
    for (index_t j = 0; j < cols; ++j) out[i] += v[i * cols + j] * v[i * cols + j];
  return out;
}

inline auto all_metrics() {
  namespace m = clustr::metric;
  return std::make_tuple(m::sqeuclidean{}, m::euclidean{}, m::cosine{}, m::inner_product{}, m::manhattan{},
                         m::chebyshev{}, m::minkowski{3.0});
}

/// True for metrics whose value on small integer data is exact in float on
/// every path (so ties are exact ties).
template <class Metric>
constexpr bool exact_on_integers() {
  namespace m = clustr::metric;
  return std::is_same_v<Metric, m::sqeuclidean> || std::is_same_v<Metric, m::euclidean> ||
         std::is_same_v<Metric, m::inner_product> || std::is_same_v<Metric, m::manhattan> ||
         std::is_same_v<Metric, m::chebyshev>;
}

/// pairwise_distance of an nx x d (row stride d + pad) X and an ny x d Y in
/// both forms, against the long-double reference.
template <class Backend, class T, class Metric>
void check_pairwise(const Backend& be, const Metric& metric, index_t nx, index_t ny, index_t d, index_t pad,
                    std::uint64_t seed) {
  const index_t sx = d + pad;
  auto X = random_matrix<T>(nx, sx, seed);
  auto Y = random_matrix<T>(ny, d, seed + 1);
  if (nx > 3) {
    for (index_t j = 0; j < d; ++j) X[1 * sx + j] = T(0);                 // a zero row (cosine: distance 1)
    for (index_t j = 0; j < d; ++j) X[2 * sx + j] = Y[(ny - 1) * d + j];  // a zero distance
  }
  std::vector<ld> Xl(static_cast<std::size_t>(nx * d), 0), Yl = widen(Y);
  for (index_t i = 0; i < nx; ++i)
    for (index_t j = 0; j < d; ++j) Xl[i * d + j] = X[i * sx + j];
  const auto xx = row_sq_norms(Xl, nx, d), yy = row_sq_norms(Yl, ny, d);
  std::vector<ld> ref(static_cast<std::size_t>(nx * ny), 0), tol(ref.size(), 0);
  for (index_t i = 0; i < nx; ++i)
    for (index_t j = 0; j < ny; ++j) {
      const ld r = ref_reduced(metric, &Xl[i * d], &Yl[j * d], d);
      ref[i * ny + j] = r;
      tol[i * ny + j] = tolerance<T>() * (std::fabs(r) + pair_scale(metric, xx[i], yy[j], r));
    }

  auto bx_owner = to_backend(be, X, nx, sx);
  const clustr::matrix_view<const T, space_of<Backend>> bx(bx_owner.data(), nx, d, sx);
  const auto by = to_backend(be, Y, ny, d);
  auto out = clustr::make_matrix<T>(be, nx, ny);
  for (auto form : {clustr::distance_form::reduced, clustr::distance_form::distance}) {
    clustr::fill(be, out.view().flat(), std::numeric_limits<T>::quiet_NaN());
    clustr::pairwise_distance(be, metric, bx, cview(by), out.view(), form);
    const auto got = out.to_std_vector();
    index_t bad = 0, first = -1;
    for (index_t k = 0; k < nx * ny; ++k) {
      const ld g =
          form == clustr::distance_form::reduced ? ld(got[k]) : ref_reduced_of_distance(metric, got[k]);
      if (!(std::fabs(g - ref[k]) <= tol[k])) {
        if (bad++ == 0) first = k;
      }
    }
    std::ostringstream what;
    what << Metric::name << " " << (sizeof(T) == 4 ? "float" : "double") << " "
         << (form == clustr::distance_form::reduced ? "reduced" : "distance") << " X " << nx << "x" << d
         << " (stride " << sx << ") Y " << ny;
    if (bad)
      what << ": " << bad << " mismatches, the first at (" << first / ny << ", " << first % ny << "): got "
           << got[first] << ", reference reduced " << static_cast<double>(ref[first]);
    INFO(what.str());
    REQUIRE(bad == 0);
  }
}

/// fused_distance_argmin against the reference. The index must be the
/// reference's best wherever that is separated from the runner-up by more
/// than the tolerance (otherwise any near-best index), must never be a later
/// copy of an identical Y row, and, for `exact` (integer data on a metric
/// exact on integers), must be the smallest index among exact ties.
template <class Backend, class T, class I, class Metric>
void check_fused(const Backend& be, const Metric& metric, const std::vector<T>& X, const std::vector<T>& Y,
                 index_t nx, index_t ny, index_t d, bool exact) {
  const auto bx = to_backend(be, X, nx, d);
  const auto by = to_backend(be, Y, ny, d);
  auto oi = clustr::make_vector<I>(be, nx);
  auto od = clustr::make_vector<T>(be, nx);
  clustr::fill(be, oi.view(), I(-7));
  clustr::fused_distance_argmin(be, metric, cview(bx), cview(by), oi.view(), od.view());
  const auto gi = oi.to_std_vector();
  const auto gd = od.to_std_vector();

  // first_copy[j]: the smallest j' whose row equals row j bit for bit.
  std::vector<index_t> first_copy(static_cast<std::size_t>(ny));
  for (index_t j = 0; j < ny; ++j) {
    first_copy[j] = j;
    for (index_t k = 0; k < j; ++k)
      if (std::memcmp(&Y[k * d], &Y[j * d], sizeof(T) * static_cast<std::size_t>(d)) == 0) {
        first_copy[j] = k;
        break;
      }
  }
  // The reference type: double has 29 bits more than float, and is several
  // times faster than long double over these 33001 x 203 pairs.
  using R = std::conditional_t<sizeof(T) == 4, double, ld>;
  const R tol = static_cast<R>(tolerance<T>());
  const auto Xl = widen<R>(X), Yl = widen<R>(Y);
  const auto xx = row_sq_norms(Xl, nx, d), yy = row_sq_norms(Yl, ny, d);
  std::vector<R> r(static_cast<std::size_t>(ny), 0), s(static_cast<std::size_t>(ny), 0);
  index_t bad = 0;
  std::string first;
  for (index_t i = 0; i < nx; ++i) {
    R best = std::numeric_limits<R>::infinity(), worst_tol = 0;
    index_t best_j = -1;
    for (index_t j = 0; j < ny; ++j) {
      r[j] = ref_reduced(metric, &Xl[i * d], &Yl[j * d], d);
      s[j] = tol * (std::fabs(r[j]) + pair_scale(metric, xx[i], yy[j], r[j]));
      worst_tol = std::max(worst_tol, s[j]);
      if (r[j] < best) {
        best = r[j];
        best_j = j;
      }
    }
    const index_t g = static_cast<index_t>(gi[i]);
    const bool in_range = g >= 0 && g < ny;
    const bool ok = in_range &&
                    (exact ? g == best_j : (r[g] - best <= 2 * worst_tol && first_copy[g] == g)) &&
                    std::fabs(R(gd[i]) - r[g]) <= s[g];
    if (ok || bad++ > 0) continue;
    std::ostringstream why;  // the first failure only
    if (!in_range) {
      why << "index " << g << " out of range";
    } else if (exact && g != best_j) {
      why << "index " << g << ", expected the first exact tie " << best_j;
    } else if (!exact && r[g] - best > 2 * worst_tol) {
      why << "index " << g << " (reference " << static_cast<double>(r[g]) << ") is not near the best "
          << best_j << " (" << static_cast<double>(best) << ")";
    } else if (!exact && first_copy[g] != g) {
      why << "index " << g << " is a later copy of row " << first_copy[g] << ": ties go to the smaller index";
    } else {
      why << "distance " << gd[i] << ", reference " << static_cast<double>(r[g]);
    }
    first = "row " + std::to_string(i) + ": " + why.str();
  }
  INFO(Metric::name << " " << (sizeof(T) == 4 ? "float" : "double") << " X " << nx << "x" << d << " Y " << ny
                    << (exact ? " (exact ties)" : "") << ": " << first);
  REQUIRE(bad == 0);
}

/// The rows of Y are drawn from a small pool of integer rows, so many are
/// identical (exact ties), and X is small integers too.
template <class T>
void tied_data(index_t nx, index_t ny, index_t d, index_t pool, std::uint64_t seed, std::vector<T>& X,
               std::vector<T>& Y) {
  const auto P = random_ints<T>(pool * d, -2, 3, seed);
  const auto pick = random_ints<index_t>(ny, 0, pool, seed + 1);
  Y.assign(static_cast<std::size_t>(ny * d), T(0));
  for (index_t j = 0; j < ny; ++j)
    for (index_t c = 0; c < d; ++c) Y[j * d + c] = P[pick[j] * d + c];
  X = random_ints<T>(nx * d, -2, 3, seed + 2);
}

template <class Backend, class T, class Metric>
void check_fused_metric(const Backend& be, const Metric& metric) {
  constexpr bool exact = exact_on_integers<Metric>();
  const bool slow = std::is_same_v<Metric, clustr::metric::minkowski>;  // pow per coordinate
  // Many X rows against a few hundred Y rows, small d (device backends take
  // their tiled path), then d > 16 (the CUDA backend's GEMM path for
  // expanded metrics).
  {
    const index_t nx = slow ? 4097 : 33001, ny = 203, d = 5;
    const auto X = random_matrix<T>(nx, d, 101), Y = random_matrix<T>(ny, d, 102);
    check_fused<Backend, T, std::int32_t>(be, metric, X, Y, nx, ny, d, false);
    const index_t nx2 = slow ? 1000 : 4097, d2 = 19;
    const auto X2 = random_matrix<T>(nx2, d2, 108), Y2 = random_matrix<T>(ny, d2, 109);
    check_fused<Backend, T, index_t>(be, metric, X2, Y2, nx2, ny, d2, false);
  }
  // Exact ties: identical Y rows, integer data, on both paths.
  {
    std::vector<T> X, Y;
    tied_data<T>(4097, 41, 4, 6, 103, X, Y);
    check_fused<Backend, T, index_t>(be, metric, X, Y, 4097, 41, 4, exact);
    tied_data<T>(2001, 41, 20, 6, 110, X, Y);
    check_fused<Backend, T, std::int32_t>(be, metric, X, Y, 2001, 41, 20, exact);
  }
  // m = 1, and one X row.
  {
    const auto X = random_matrix<T>(1000, 7, 104), Y = random_matrix<T>(1, 7, 105);
    check_fused<Backend, T, std::int32_t>(be, metric, X, Y, 1000, 1, 7, false);
    const auto X1 = random_matrix<T>(1, 37, 106), Y1 = random_matrix<T>(259, 37, 107);
    check_fused<Backend, T, std::int32_t>(be, metric, X1, Y1, 1, 259, 37, false);
  }
}

/// select_k on rows x cols integer-valued data (many ties) against a sort of
/// (value, id) pairs.
template <class Backend, class T>
void check_select_k(const Backend& be, index_t rows, index_t cols, index_t k, bool with_ids,
                    std::uint64_t seed) {
  using I = std::int32_t;
  const auto in = random_ints<T>(rows * cols, 0, 20, seed);
  std::vector<I> ids(static_cast<std::size_t>(rows * cols));
  for (index_t i = 0; i < rows; ++i) {  // distinct ids per row, not in column order
    auto perm = random_ints<std::uint64_t>(cols, 0, std::int64_t(1) << 40, seed + 7 + i);
    std::vector<index_t> order(static_cast<std::size_t>(cols));
    std::iota(order.begin(), order.end(), index_t(0));
    std::sort(order.begin(), order.end(),
              [&](index_t a, index_t b) { return perm[a] < perm[b] || (perm[a] == perm[b] && a < b); });
    for (index_t j = 0; j < cols; ++j) ids[i * cols + j] = static_cast<I>(3 * order[j] + 5);
  }
  std::vector<T> ref_v(static_cast<std::size_t>(rows * k));
  std::vector<I> ref_i(ref_v.size());
  for (index_t i = 0; i < rows; ++i) {
    std::vector<std::pair<T, I>> row(static_cast<std::size_t>(cols));
    for (index_t j = 0; j < cols; ++j)
      row[j] = {in[i * cols + j], with_ids ? ids[i * cols + j] : static_cast<I>(j)};
    std::sort(row.begin(), row.end());
    for (index_t j = 0; j < k; ++j) {
      ref_v[i * k + j] = row[j].first;
      ref_i[i * k + j] = row[j].second;
    }
  }
  const auto bin = to_backend(be, in, rows, cols);
  const auto bids = to_backend(be, ids, rows, cols);
  auto ov = clustr::make_matrix<T>(be, rows, k);
  auto oi = clustr::make_matrix<I>(be, rows, k);
  if (with_ids)
    clustr::select_k(be, cview(bin), ov.view(), oi.view(), cview(bids));
  else
    clustr::select_k(be, cview(bin), ov.view(), oi.view());
  INFO("select_k " << rows << "x" << cols << " k=" << k << (with_ids ? " with in_ids" : ""));
  REQUIRE(ov.to_std_vector() == ref_v);
  REQUIRE(oi.to_std_vector() == ref_i);
}

/// Largest |got - exact| / (|x|^2 + |y|^2) of the squared Euclidean
/// distances of `be` on random rows (the expanded path's cancelled scale).
template <class Backend>
long double max_scaled_sqeuclidean_error(const Backend& be, index_t nx, index_t ny, index_t d, std::uint64_t seed) {
  const auto X = random_matrix<float>(nx, d, seed), Y = random_matrix<float>(ny, d, seed + 1);
  const auto Xl = widen(X), Yl = widen(Y);
  const auto xx = row_sq_norms(Xl, nx, d), yy = row_sq_norms(Yl, ny, d);
  const auto bx = to_backend(be, X, nx, d), by = to_backend(be, Y, ny, d);
  auto out = clustr::make_matrix<float>(be, nx, ny);
  clustr::pairwise_distance(be, clustr::metric::sqeuclidean{}, cview(bx), cview(by), out.view(),
                            clustr::distance_form::reduced);
  const auto got = out.to_std_vector();
  long double worst = 0;
  for (index_t i = 0; i < nx; ++i)
    for (index_t j = 0; j < ny; ++j) {
      const ld r = ref_reduced(clustr::metric::sqeuclidean{}, &Xl[i * d], &Yl[j * d], d);
      worst = std::max(worst, std::fabs(ld(got[i * ny + j]) - r) / (xx[i] + yy[j]));
    }
  return worst;
}

}  // namespace clustr_test::primitives

// ---------------------------------------------------------------------------

TEMPLATE_LIST_TEST_CASE("for_each writes every element exactly once", "[primitives]",
                        clustr_test::test_backends) {
  const auto be = clustr_test::make<TestType>();
  for (clustr::index_t n : clustr_test::awkward_sizes()) {
    const auto host = clustr_test::random_matrix<float>(n, 1, 7 + n);
    auto in = clustr_test::to_backend(be, host);
    auto out = clustr::make_vector<float>(be, n);
    clustr::fill(be, out.view(), std::nanf(""));  // poison: an unwritten element stays NaN
    clustr_test::primitives::square_into<TestType, float>(be, in.view(), out.view());
    const auto got = out.to_std_vector();
    for (clustr::index_t i = 0; i < n; ++i) REQUIRE(got[i] == host[i] * host[i]);
  }
}

TEMPLATE_LIST_TEST_CASE("transform_reduce matches a sequential sum", "[primitives]",
                        clustr_test::test_backends) {
  const auto be = clustr_test::make<TestType>();
  for (clustr::index_t n : clustr_test::awkward_sizes()) {
    // Integer-valued doubles below 2^53: exact whatever the association.
    double expected = 0;
    for (clustr::index_t i = 0; i < n; ++i) expected += static_cast<double>(i) * static_cast<double>(i);
    REQUIRE(clustr_test::primitives::sum_of_index_squares(be, n) == expected);
  }
}

TEMPLATE_LIST_TEST_CASE("scans match std::inclusive_scan / exclusive_scan", "[primitives]",
                        clustr_test::test_backends) {
  const auto be = clustr_test::make<TestType>();
  for (clustr::index_t n : clustr_test::awkward_sizes()) {
    std::vector<std::int64_t> host(static_cast<std::size_t>(n));
    clustr::rng::random_stream r{11, static_cast<std::uint64_t>(n)};
    for (clustr::index_t i = 0; i < n; ++i) host[i] = static_cast<std::int64_t>(r.below(i, 100));
    std::vector<std::int64_t> inc(host.size()), exc(host.size());
    std::inclusive_scan(host.begin(), host.end(), inc.begin());
    std::exclusive_scan(host.begin(), host.end(), exc.begin(), std::int64_t(5));

    auto in = clustr_test::to_backend(be, host);
    auto out = clustr::make_vector<std::int64_t>(be, n);
    clustr::inclusive_scan(be, in.view(), out.view());
    REQUIRE(out.to_std_vector() == inc);
    const auto total = clustr::exclusive_scan(be, in.view(), out.view(), std::int64_t(5));
    REQUIRE(out.to_std_vector() == exc);
    REQUIRE(total == inc.back() + 5);
    // In place.
    clustr::exclusive_scan(be, in.view(), in.view(), std::int64_t(5));
    REQUIRE(in.to_std_vector() == exc);
  }
}

// ---------------------------------------------------------------------------

TEMPLATE_LIST_TEST_CASE("fill and iota", "[primitives]", clustr_test::test_backends) {
  const auto be = clustr_test::make<TestType>();
  for (clustr::index_t n : clustr_test::awkward_sizes()) {
    auto f = clustr::make_vector<float>(be, n);
    clustr::fill(be, f.view(), 3.25f);
    REQUIRE(f.to_std_vector() == std::vector<float>(static_cast<std::size_t>(n), 3.25f));

    auto a = clustr::make_vector<std::int64_t>(be, n);
    clustr::iota(be, a.view(), std::int64_t(-5));
    std::vector<std::int64_t> ea(static_cast<std::size_t>(n));
    std::iota(ea.begin(), ea.end(), std::int64_t(-5));
    REQUIRE(a.to_std_vector() == ea);

    auto b = clustr::make_vector<std::int32_t>(be, n);
    clustr::iota(be, b.view());
    std::vector<std::int32_t> eb(static_cast<std::size_t>(n));
    std::iota(eb.begin(), eb.end(), 0);
    REQUIRE(b.to_std_vector() == eb);

    clustr::iota(be, f.view(), -2.0f);
    std::vector<float> ef(static_cast<std::size_t>(n));
    for (clustr::index_t i = 0; i < n; ++i) ef[i] = -2.0f + static_cast<float>(i);
    REQUIRE(f.to_std_vector() == ef);
  }
}

TEMPLATE_LIST_TEST_CASE("copy between host and backend: vectors and strided matrices", "[primitives]",
                        clustr_test::test_backends) {
  using namespace clustr_test::primitives;
  using S = space_of<TestType>;
  const auto be = clustr_test::make<TestType>();
  for (clustr::index_t n : clustr_test::awkward_sizes()) {
    // Vectors: host -> backend -> backend -> host.
    const auto host = clustr_test::random_matrix<double>(n, 1, 21 + n);
    const auto a = clustr_test::to_backend(be, host);
    auto b = clustr::make_vector<double>(be, n);
    clustr::copy(be, b.view(), cview(a));
    std::vector<double> back(static_cast<std::size_t>(n), -1.0);
    clustr::copy(be, clustr::make_vector_view(back.data(), n), cview(b));
    REQUIRE(back == host);
    REQUIRE(b.to_std_vector() == host);
  }
  for (auto [rows, cols, pad] : {std::tuple<clustr::index_t, clustr::index_t, clustr::index_t>{1, 1, 1},
                                 {7, 3, 2},
                                 {1000, 13, 5},
                                 {4097, 5, 3}}) {
    const clustr::index_t stride = cols + pad;
    const auto padded = clustr_test::random_matrix<float>(rows, stride, 31 + rows);
    std::vector<float> packed(static_cast<std::size_t>(rows * cols));
    for (clustr::index_t i = 0; i < rows; ++i)
      for (clustr::index_t j = 0; j < cols; ++j) packed[i * cols + j] = padded[i * stride + j];
    const auto host_strided = clustr::make_matrix_view(padded.data(), rows, cols, stride);

    // Strided host -> packed backend.
    const auto c = clustr::clone(be, host_strided);
    REQUIRE(c.to_std_vector() == packed);

    // Packed backend -> strided host: the padding is left alone.
    std::vector<float> dst(static_cast<std::size_t>(rows * stride), -9.0f);
    clustr::copy(be, clustr::make_matrix_view(dst.data(), rows, cols, stride), cview(c));
    for (clustr::index_t i = 0; i < rows; ++i)
      for (clustr::index_t j = 0; j < stride; ++j)
        REQUIRE(dst[i * stride + j] == (j < cols ? packed[i * cols + j] : -9.0f));

    // Packed host -> strided backend -> packed host.
    auto owner = clustr::make_matrix<float>(be, rows, stride);
    clustr::fill(be, owner.view().flat(), -3.0f);
    const clustr::matrix_view<float, S> bs(owner.data(), rows, cols, stride);
    clustr::copy(be, bs, clustr_test::host_view(packed, rows, cols));
    std::vector<float> round(static_cast<std::size_t>(rows * cols), 0.0f);
    clustr::copy(be, clustr::make_matrix_view(round.data(), rows, cols),
                 clustr::matrix_view<const float, S>(bs));
    REQUIRE(round == packed);
    const auto whole = owner.to_std_vector();
    for (clustr::index_t i = 0; i < rows; ++i)
      for (clustr::index_t j = cols; j < stride; ++j) REQUIRE(whole[i * stride + j] == -3.0f);
  }
  // Shape mismatches.
  auto v5 = clustr::make_vector<float>(be, 5);
  auto v6 = clustr::make_vector<float>(be, 6);
  require_invalid([&] { clustr::copy(be, v5.view(), cview(v6)); }, "dst.size()");
  auto m23 = clustr::make_matrix<float>(be, 2, 3);
  auto m32 = clustr::make_matrix<float>(be, 3, 2);
  require_invalid([&] { clustr::copy(be, m23.view(), cview(m32)); }, "dst shape");
}

TEMPLATE_LIST_TEST_CASE("reduce and transform_reduce, float and double", "[primitives]",
                        clustr_test::test_backends) {
  using namespace clustr_test::primitives;
  const auto be = clustr_test::make<TestType>();
  for (clustr::index_t n : clustr_test::awkward_sizes()) {
    INFO("n = " << n);
    const auto f = clustr_test::random_matrix<float>(n, 1, 41 + n);
    const auto d = clustr_test::random_matrix<double>(n, 1, 42 + n);
    ld sf = 0, af = 0, sd = 0, ad = 0, sq = 0;
    for (auto x : f) sf += x, af += std::fabs(x), sq += ld(x) * ld(x);
    for (auto x : d) sd += x, ad += std::fabs(x);
    const auto bf = clustr_test::to_backend(be, f);
    const auto bd = clustr_test::to_backend(be, d);
    REQUIRE(std::fabs(clustr::reduce(be, cview(bf)) - sf) <= tolerance<float>() * af);
    REQUIRE(std::fabs(clustr::reduce(be, cview(bd), 0.5) - 0.5 - sd) <= tolerance<double>() * (ad + 1));
    REQUIRE(std::fabs(sum_of_squares(be, cview(bf)) - sq) <= tolerance<double>() * sq);
    // min / max: exact.
    REQUIRE(clustr::reduce(be, cview(bf), std::numeric_limits<float>::max(), clustr::minimum{}) ==
            *std::min_element(f.begin(), f.end()));
    REQUIRE(clustr::reduce(be, cview(bd), std::numeric_limits<double>::lowest(), clustr::maximum{}) ==
            *std::max_element(d.begin(), d.end()));
    // Integer-valued data: exact whatever the association (sums < 2^24).
    const auto fi = random_ints<float>(n, 0, 100, 43 + n);
    const auto di = random_ints<double>(n, -1000, 1000, 44 + n);
    const auto bfi = clustr_test::to_backend(be, fi);
    const auto bdi = clustr_test::to_backend(be, di);
    REQUIRE(clustr::reduce(be, cview(bfi)) == std::accumulate(fi.begin(), fi.end(), 0.0f));
    REQUIRE(clustr::reduce(be, cview(bdi), 7.0) == std::accumulate(di.begin(), di.end(), 7.0));
  }
  // Empty input returns init.
  auto e = clustr::make_vector<double>(be, 0);
  REQUIRE(clustr::reduce(be, cview(e), 2.5) == 2.5);
}

TEMPLATE_LIST_TEST_CASE("argmin / argmax: smallest index wins ties; count_if", "[primitives]",
                        clustr_test::test_backends) {
  using namespace clustr_test::primitives;
  const auto be = clustr_test::make<TestType>();
  for (clustr::index_t n : clustr_test::awkward_sizes()) {
    INFO("n = " << n);
    auto v = random_ints<float>(n, 0, 50, 51 + n);  // many ties already
    // Plant the extremes at a few places, the last one always.
    const auto where = random_ints<clustr::index_t>(3, 0, n, 52 + n);
    for (auto w : where) v[w] = -5.0f;
    v[n - 1] = -5.0f;
    const auto where_max = random_ints<clustr::index_t>(3, 0, n, 53 + n);
    for (auto w : where_max) v[w] = 99.0f;
    if (n > 2) v[n - 2] = 99.0f;
    const auto emin = std::min_element(v.begin(), v.end()) - v.begin();  // the first minimum
    const auto emax = std::max_element(v.begin(), v.end()) - v.begin();  // the first maximum
    const auto bv = clustr_test::to_backend(be, v);
    const auto mn = argmin_of(be, cview(bv));
    const auto mx = argmax_of(be, cview(bv));
    REQUIRE(mn.index == emin);
    REQUIRE(mn.value == v[emin]);
    REQUIRE(mx.index == emax);
    REQUIRE(mx.value == v[emax]);

    const auto dv = clustr_test::random_matrix<double>(n, 1, 54 + n);
    const auto bdv = clustr_test::to_backend(be, dv);
    REQUIRE(argmin_of(be, cview(bdv)).index == std::min_element(dv.begin(), dv.end()) - dv.begin());
    REQUIRE(argmax_of(be, cview(bdv)).index == std::max_element(dv.begin(), dv.end()) - dv.begin());

    for (float t : {-10.0f, 0.0f, 24.5f, 98.0f, 99.0f}) {
      const auto expected = std::count_if(v.begin(), v.end(), [t](float x) { return x > t; });
      REQUIRE(count_above(be, cview(bv), t) == expected);
    }
  }
  auto e = clustr::make_vector<float>(be, 0);
  REQUIRE(argmin_of(be, cview(e)).index == -1);
  REQUIRE(argmax_of(be, cview(e)).index == -1);
  REQUIRE(count_above(be, cview(e), 0.0f) == 0);
}

TEMPLATE_LIST_TEST_CASE("scans of int and double, in place; bad sizes", "[primitives]",
                        clustr_test::test_backends) {
  using namespace clustr_test::primitives;
  const auto be = clustr_test::make<TestType>();
  for (clustr::index_t n : clustr_test::awkward_sizes()) {
    INFO("n = " << n);
    // int32, inclusive in place.
    const auto h = random_ints<std::int32_t>(n, -50, 50, 61 + n);
    std::vector<std::int32_t> inc(h.size());
    std::inclusive_scan(h.begin(), h.end(), inc.begin());
    auto b = clustr_test::to_backend(be, h);
    clustr::inclusive_scan(be, b.view(), b.view());
    REQUIRE(b.to_std_vector() == inc);

    // double: within tolerance of a long-double sequential scan.
    const auto d = clustr_test::random_matrix<double>(n, 1, 62 + n);
    std::vector<ld> ri(d.size(), 0), re(d.size(), 0), mag(d.size(), 0);
    ld acc = 0.25, a = 0;
    for (std::size_t i = 0; i < d.size(); ++i) {
      re[i] = acc;
      acc += d[i];
      a += std::fabs(d[i]);
      ri[i] = acc - 0.25L;
      mag[i] = a + 1;
    }
    auto bd = clustr_test::to_backend(be, d);
    auto out = clustr::make_vector<double>(be, n);
    clustr::inclusive_scan(be, cview(bd), out.view());
    auto got = out.to_std_vector();
    index_t bad = 0;
    for (std::size_t i = 0; i < d.size(); ++i)
      bad += !(std::fabs(got[i] - ri[i]) <= tolerance<double>() * mag[i]);
    REQUIRE(bad == 0);
    const double total = clustr::exclusive_scan(be, bd.view(), bd.view(), 0.25);  // in place
    got = bd.to_std_vector();
    for (std::size_t i = 0; i < d.size(); ++i)
      bad += !(std::fabs(got[i] - re[i]) <= tolerance<double>() * mag[i]);
    REQUIRE(bad == 0);
    REQUIRE(std::fabs(total - acc) <= tolerance<double>() * (a + 1));
  }
  auto v5 = clustr::make_vector<double>(be, 5);
  auto v6 = clustr::make_vector<double>(be, 6);
  require_invalid([&] { clustr::inclusive_scan(be, cview(v5), v6.view()); }, "out.size()");
  require_invalid([&] { clustr::exclusive_scan(be, cview(v5), v6.view()); }, "out.size()");
}

TEMPLATE_LIST_TEST_CASE("sort_by_key is stable; sort matches std::sort", "[primitives]",
                        clustr_test::test_backends) {
  using namespace clustr_test::primitives;
  const auto be = clustr_test::make<TestType>();
  for (clustr::index_t n : clustr_test::awkward_sizes()) {
    INFO("n = " << n);
    // int keys with many duplicates (and negatives); values are positions.
    const auto ik = random_ints<std::int32_t>(n, -5, 5, 71 + n);
    std::vector<std::int64_t> pos(static_cast<std::size_t>(n));
    std::iota(pos.begin(), pos.end(), std::int64_t(0));
    std::vector<std::int64_t> perm = pos;
    std::stable_sort(perm.begin(), perm.end(), [&](std::int64_t a, std::int64_t b) { return ik[a] < ik[b]; });
    std::vector<std::int32_t> ek(ik.size());
    for (std::size_t i = 0; i < ik.size(); ++i) ek[i] = ik[perm[i]];
    auto bk = clustr_test::to_backend(be, ik);
    auto bv = clustr_test::to_backend(be, pos);
    clustr::sort_by_key(be, bk.view(), bv.view());
    REQUIRE(bk.to_std_vector() == ek);
    REQUIRE(bv.to_std_vector() == perm);

    // float keys from a small set (duplicates), double values.
    const float set[] = {-2.5f, -1.0f, 0.0f, 0.25f, 3.0f, 1e30f, -1e-30f};
    const auto pick = random_ints<std::int32_t>(n, 0, 7, 72 + n);
    std::vector<float> fk(pick.size());
    std::vector<double> fv(pick.size());
    for (std::size_t i = 0; i < pick.size(); ++i) {
      fk[i] = set[pick[i]];
      fv[i] = 0.5 * static_cast<double>(i);
    }
    std::vector<std::size_t> fp(fk.size());
    std::iota(fp.begin(), fp.end(), std::size_t(0));
    std::stable_sort(fp.begin(), fp.end(), [&](std::size_t a, std::size_t b) { return fk[a] < fk[b]; });
    std::vector<float> efk(fk.size());
    std::vector<double> efv(fk.size());
    for (std::size_t i = 0; i < fp.size(); ++i) {
      efk[i] = fk[fp[i]];
      efv[i] = fv[fp[i]];
    }
    auto bfk = clustr_test::to_backend(be, fk);
    auto bfv = clustr_test::to_backend(be, fv);
    clustr::sort_by_key(be, bfk.view(), bfv.view());
    REQUIRE(bfk.to_std_vector() == efk);
    REQUIRE(bfv.to_std_vector() == efv);

    // sort: random floats and ints.
    auto rf = clustr_test::random_matrix<float>(n, 1, 73 + n, -100.0f, 100.0f);
    auto brf = clustr_test::to_backend(be, rf);
    clustr::sort(be, brf.view());
    std::sort(rf.begin(), rf.end());
    REQUIRE(brf.to_std_vector() == rf);
    auto ri = random_ints<std::int64_t>(n, -1000000, 1000000, 74 + n);
    auto bri = clustr_test::to_backend(be, ri);
    clustr::sort(be, bri.view());
    std::sort(ri.begin(), ri.end());
    REQUIRE(bri.to_std_vector() == ri);
  }
  auto k5 = clustr::make_vector<std::int32_t>(be, 5);
  auto v6 = clustr::make_vector<std::int32_t>(be, 6);
  require_invalid([&] { clustr::sort_by_key(be, k5.view(), v6.view()); }, "values.size()");
}

TEMPLATE_LIST_TEST_CASE("copy_if keeps order; too small an output throws before writing", "[primitives]",
                        clustr_test::test_backends) {
  using namespace clustr_test::primitives;
  const auto be = clustr_test::make<TestType>();
  for (clustr::index_t n : clustr_test::awkward_sizes()) {
    INFO("n = " << n);
    const auto v = random_ints<std::int32_t>(n, 0, 1000, 81 + n);
    const auto bv = clustr_test::to_backend(be, v);
    for (std::int32_t m : {1, 3, 7, 2000}) {
      std::vector<std::int32_t> expected;
      for (clustr::index_t i = 0; i < n; ++i)
        if (v[i] % m == 0) expected.push_back(static_cast<std::int32_t>(i));
      const auto count = static_cast<clustr::index_t>(expected.size());
      auto out = clustr::make_vector<std::int32_t>(be, n);
      clustr::fill(be, out.view(), std::int32_t(-1));
      REQUIRE(copy_multiples(be, cview(bv), m, out.view()) == count);
      auto got = out.to_std_vector();
      REQUIRE(std::vector<std::int32_t>(got.begin(), got.begin() + count) == expected);
      REQUIRE(std::all_of(got.begin() + count, got.end(), [](std::int32_t x) { return x == -1; }));

      // int64 output of exactly the right size.
      auto out64 = clustr::make_vector<std::int64_t>(be, count);
      REQUIRE(copy_multiples(be, cview(bv), m, out64.view()) == count);
      REQUIRE(out64.to_std_vector() == std::vector<std::int64_t>(expected.begin(), expected.end()));

      if (count > 0) {
        auto small = clustr::make_vector<std::int32_t>(be, count - 1);
        clustr::fill(be, small.view(), std::int32_t(-2));
        require_invalid([&] { copy_multiples(be, cview(bv), m, small.view()); }, "out.size()");
        got = small.to_std_vector();
        REQUIRE(std::all_of(got.begin(), got.end(), [](std::int32_t x) { return x == -2; }));
      }
    }
  }
}

TEMPLATE_LIST_TEST_CASE("segmented_reduce with empty segments", "[primitives]", clustr_test::test_backends) {
  using namespace clustr_test::primitives;
  const auto be = clustr_test::make<TestType>();
  for (clustr::index_t n : clustr_test::awkward_sizes()) {
    INFO("segments = " << n);
    // Lengths 0..5, the first and last segments empty.
    auto len = random_ints<std::int32_t>(n, 0, 6, 91 + n);
    len[0] = 0;
    len[n - 1] = 0;
    std::vector<std::int32_t> off(static_cast<std::size_t>(n + 1), 0);
    for (clustr::index_t s = 0; s < n; ++s) off[s + 1] = off[s] + len[s];
    const auto vals = random_ints<double>(std::max<clustr::index_t>(off[n], 1), -100, 100, 92 + n);
    std::vector<double> esum(static_cast<std::size_t>(n)), emin(esum.size());
    for (clustr::index_t s = 0; s < n; ++s) {
      esum[s] = 0.5;
      emin[s] = 1e300;
      for (auto i = off[s]; i < off[s + 1]; ++i) {
        esum[s] += vals[i];
        emin[s] = std::min(emin[s], vals[i]);
      }
    }
    const auto boff = clustr_test::to_backend(be, off);
    const auto bvals = clustr_test::to_backend(be, vals);
    auto out = clustr::make_vector<double>(be, n);
    reduce_segments(be, cview(boff), cview(bvals), out.view(), 0.5, clustr::plus{});
    REQUIRE(out.to_std_vector() == esum);
    reduce_segments(be, cview(boff), cview(bvals), out.view(), 1e300, clustr::minimum{});
    REQUIRE(out.to_std_vector() == emin);
  }
  auto off = clustr::make_vector<std::int32_t>(be, 4);
  auto vals = clustr::make_vector<double>(be, 4);
  auto out = clustr::make_vector<double>(be, 4);
  require_invalid([&] { reduce_segments(be, cview(off), cview(vals), out.view(), 0.0, clustr::plus{}); },
                  "offsets.size()");
}

TEMPLATE_LIST_TEST_CASE("select_k: every k, ties to the smaller id, given ids", "[primitives]",
                        clustr_test::test_backends) {
  using namespace clustr_test::primitives;
  const auto be = clustr_test::make<TestType>();
  using shape = std::tuple<clustr::index_t, clustr::index_t>;
  // 10000 float columns (5000 double) is where a whole row's keys just fit a
  // GPU block's 48 KiB of shared memory; 33001 takes a two-level path there.
  for (auto [rows, cols] :
       {shape{1, 1}, shape{7, 13}, shape{101, 1000}, shape{3, 4097}, shape{3, 10000}, shape{2, 33001}}) {
    const auto rk = random_ints<clustr::index_t>(1, 1, cols + 1, 111 + cols)[0];
    for (clustr::index_t k : {clustr::index_t(1), cols, rk, std::min<clustr::index_t>(cols, 100)}) {
      for (bool with_ids : {false, true}) {
        if (cols > 20000 && k > 100) continue;  // keep the serial run short
        check_select_k<TestType, float>(be, rows, cols, k, with_ids, 112 + cols + k);
      }
    }
  }
  check_select_k<TestType, double>(be, 33, 517, 10, true, 113);
  for (clustr::index_t k : {1, 10, 5000}) check_select_k<TestType, double>(be, 3, 5000, k, false, 114 + k);

  // Bad k and shapes.
  auto in = clustr::make_matrix<float>(be, 4, 6);
  clustr::fill(be, in.view().flat(), 1.0f);
  auto v0 = clustr::make_matrix<float>(be, 4, 0);
  auto i0 = clustr::make_matrix<std::int32_t>(be, 4, 0);
  require_invalid([&] { clustr::select_k(be, cview(in), v0.view(), i0.view()); }, "select_k: k");
  auto v7 = clustr::make_matrix<float>(be, 4, 7);
  auto i7 = clustr::make_matrix<std::int32_t>(be, 4, 7);
  require_invalid([&] { clustr::select_k(be, cview(in), v7.view(), i7.view()); }, "select_k: k");
  auto v3 = clustr::make_matrix<float>(be, 3, 2);
  auto i42 = clustr::make_matrix<std::int32_t>(be, 4, 2);
  require_invalid([&] { clustr::select_k(be, cview(in), v3.view(), i42.view()); }, "out_values.rows()");
  auto v42 = clustr::make_matrix<float>(be, 4, 2);
  auto i43 = clustr::make_matrix<std::int32_t>(be, 4, 3);
  require_invalid([&] { clustr::select_k(be, cview(in), v42.view(), i43.view()); }, "out_ids");
  auto ids = clustr::make_matrix<std::int32_t>(be, 4, 5);
  require_invalid([&] { clustr::select_k(be, cview(in), v42.view(), i42.view(), cview(ids)); }, "in_ids");
}

TEMPLATE_LIST_TEST_CASE("union_find: labels are the smallest member of each set", "[primitives]",
                        clustr_test::test_backends) {
  using namespace clustr_test::primitives;
  const auto be = clustr_test::make<TestType>();
  for (clustr::index_t n : clustr_test::awkward_sizes()) {
    INFO("n = " << n);
    const clustr::index_t m = n / 2 + 3;  // enough edges for big sets, few enough for many sets
    auto a = random_ints<std::int64_t>(m, 0, n, 121 + n);
    auto b = random_ints<std::int64_t>(m, 0, n, 122 + n);
    a[0] = -1;  // edges with a negative end are skipped
    // Sequential reference: union by smaller root.
    std::vector<std::int64_t> p(static_cast<std::size_t>(n));
    std::iota(p.begin(), p.end(), std::int64_t(0));
    auto find = [&p](std::int64_t x) {
      while (p[x] != x) x = p[x] = p[p[x]];  // path halving
      return x;
    };
    for (clustr::index_t e = 0; e < m; ++e) {
      if (a[e] < 0 || b[e] < 0) continue;
      auto ra = find(a[e]), rb = find(b[e]);
      if (ra != rb) p[std::max(ra, rb)] = std::min(ra, rb);
    }
    std::vector<std::int64_t> expected(p.size());
    for (clustr::index_t i = 0; i < n; ++i) expected[i] = find(i);

    auto ba = clustr_test::to_backend(be, a);
    auto bb = clustr_test::to_backend(be, b);
    auto parent = clustr::make_vector<std::int64_t>(be, n);
    clustr::union_find_init(be, parent.view());
    unite_edges(be, parent.view(), cview(ba), cview(bb));
    clustr::union_find_flatten(be, parent.view());
    REQUIRE(parent.to_std_vector() == expected);

    // int32 labels.
    const std::vector<std::int32_t> a32(a.begin(), a.end()), b32(b.begin(), b.end());
    auto ba32 = clustr_test::to_backend(be, a32);
    auto bb32 = clustr_test::to_backend(be, b32);
    auto parent32 = clustr::make_vector<std::int32_t>(be, n);
    clustr::union_find_init(be, parent32.view());
    unite_edges(be, parent32.view(), cview(ba32), cview(bb32));
    clustr::union_find_flatten(be, parent32.view());
    REQUIRE(parent32.to_std_vector() == std::vector<std::int32_t>(expected.begin(), expected.end()));
  }
}

TEMPLATE_LIST_TEST_CASE("row_norms of expanded metrics", "[primitives]", clustr_test::test_backends) {
  using namespace clustr_test::primitives;
  using S = space_of<TestType>;
  const auto be = clustr_test::make<TestType>();
  for (clustr::index_t n : clustr_test::awkward_sizes()) {
    INFO("n = " << n);
    const clustr::index_t d = 13, stride = 16;
    const auto h = clustr_test::random_matrix<float>(n, stride, 131 + n);
    const auto bx = clustr_test::to_backend(be, h, n, stride);
    const clustr::matrix_view<const float, S> X(bx.data(), n, d, stride);  // strided rows
    std::vector<ld> sq(static_cast<std::size_t>(n), 0);
    for (clustr::index_t i = 0; i < n; ++i)
      for (clustr::index_t j = 0; j < d; ++j) sq[i] += ld(h[i * stride + j]) * h[i * stride + j];
    auto out = clustr::make_vector<float>(be, n);
    index_t bad = 0;
    clustr::row_norms(be, clustr::metric::sqeuclidean{}, X, out.view());
    auto got = out.to_std_vector();
    for (clustr::index_t i = 0; i < n; ++i) bad += !(std::fabs(got[i] - sq[i]) <= 1e-6L * sq[i]);
    clustr::row_norms(be, clustr::metric::euclidean{}, X, out.view());
    got = out.to_std_vector();
    for (clustr::index_t i = 0; i < n; ++i) bad += !(std::fabs(got[i] - sq[i]) <= 1e-6L * sq[i]);
    clustr::row_norms(be, clustr::metric::cosine{}, X, out.view());
    got = out.to_std_vector();
    for (clustr::index_t i = 0; i < n; ++i)
      bad += !(std::fabs(got[i] - std::sqrt(sq[i])) <= 1e-6L * std::sqrt(sq[i]));
    REQUIRE(bad == 0);

    const auto hd = clustr_test::random_matrix<double>(n, d, 132 + n);
    const auto bd = clustr_test::to_backend(be, hd, n, d);
    auto outd = clustr::make_vector<double>(be, n);
    clustr::row_norms(be, clustr::metric::cosine{}, cview(bd), outd.view());
    const auto gd = outd.to_std_vector();
    for (clustr::index_t i = 0; i < n; ++i) {
      ld s = 0;
      for (clustr::index_t j = 0; j < d; ++j) s += ld(hd[i * d + j]) * hd[i * d + j];
      bad += !(std::fabs(gd[i] - std::sqrt(s)) <= 1e-14L * std::sqrt(s));
    }
    REQUIRE(bad == 0);
  }
  auto X = clustr::make_matrix<float>(be, 5, 3);
  auto out = clustr::make_vector<float>(be, 4);
  require_invalid([&] { clustr::row_norms(be, clustr::metric::sqeuclidean{}, cview(X), out.view()); },
                  "out.size()");
}

TEMPLATE_LIST_TEST_CASE("pairwise_distance: every metric, both forms, float and double", "[primitives]",
                        clustr_test::test_backends) {
  using namespace clustr_test::primitives;
  const auto be = clustr_test::make<TestType>();
  using shape =
      std::tuple<clustr::index_t, clustr::index_t, clustr::index_t, clustr::index_t>;  // nx ny d pad
  std::apply(
      [&](auto... metric) {
        auto one = [&](auto m) {
          for (auto [nx, ny, d, pad] : {shape{1, 1, 1, 0}, shape{7, 5, 3, 0}, shape{517, 131, 13, 0},
                                        shape{150, 129, 67, 3}, shape{4097, 3, 33, 0}}) {
            check_pairwise<TestType, float>(be, m, nx, ny, d, pad, 141 + nx);
            check_pairwise<TestType, double>(be, m, nx, ny, d, pad, 142 + nx);
          }
        };
        (one(metric), ...);
      },
      all_metrics());

  auto X = clustr::make_matrix<float>(be, 4, 3);
  auto Y = clustr::make_matrix<float>(be, 5, 2);
  auto Y3 = clustr::make_matrix<float>(be, 5, 3);
  auto out = clustr::make_matrix<float>(be, 4, 5);
  auto bad = clustr::make_matrix<float>(be, 5, 4);
  require_invalid(
      [&] { clustr::pairwise_distance(be, clustr::metric::euclidean{}, cview(X), cview(Y), out.view()); },
      "Y.cols()");
  require_invalid(
      [&] { clustr::pairwise_distance(be, clustr::metric::cosine{}, cview(X), cview(Y3), bad.view()); },
      "out shape");
}

TEMPLATE_LIST_TEST_CASE("GEMM math of a device backend: fp32 and tf32x3 carry fp32's error, tf32 its own",
                        "[primitives]", clustr_test::test_backends) {
  using namespace clustr_test::primitives;
  if constexpr (requires(TestType b) { b.gemm = TestType::gemm_math::tf32; }) {
    using math = typename TestType::gemm_math;
    for (math mm : {math::fp32, math::tf32x3, math::tf32}) {
      auto be = clustr_test::make<TestType>();
      be.gemm = mm;
      INFO("gemm math " << static_cast<int>(mm));
      // d > 16 takes the GEMM path; 67 and the stride pad make unaligned
      // rows. (tf32 is only held to its own bound below.)
      for (auto [nx, ny, d, pad] : {std::tuple<index_t, index_t, index_t, index_t>{150, 129, 67, 3}, {4097, 3, 33, 0}}) {
        if (mm == math::tf32) break;
        check_pairwise<TestType, float>(be, clustr::metric::sqeuclidean{}, nx, ny, d, pad, 151 + nx);
        check_pairwise<TestType, float>(be, clustr::metric::cosine{}, nx, ny, d, pad, 152 + nx);
        check_pairwise<TestType, double>(be, clustr::metric::sqeuclidean{}, nx, ny, d, pad, 153 + nx);
      }
      if (mm != math::tf32) check_fused_metric<TestType, float>(be, clustr::metric::sqeuclidean{});
      // fp32's rounding is about 1e-7 of the scale here; tf32x3 must stay at
      // that level (it drops only terms below 2^-22 per product); tf32 rounds
      // each product to about 2^-11.
      const long double err = max_scaled_sqeuclidean_error(be, 300, 70, 128, 161);
      INFO("largest error / (|x|^2 + |y|^2) = " << static_cast<double>(err));
      if (mm == math::tf32)
        CHECK(err < 2e-3L);
      else
        CHECK(err < 2e-6L);
    }
  } else {
    SUCCEED("host backend: no GEMM math to choose");
  }
}

TEMPLATE_LIST_TEST_CASE("fused_distance_argmin: every metric, ties, m = 1", "[primitives]",
                        clustr_test::test_backends) {
  using namespace clustr_test::primitives;
  const auto be = clustr_test::make<TestType>();
  std::apply(
      [&](auto... metric) {
        auto one = [&](auto m) {
          check_fused_metric<TestType, float>(be, m);
          check_fused_metric<TestType, double>(be, m);
        };
        (one(metric), ...);
      },
      all_metrics());

  auto X = clustr::make_matrix<float>(be, 4, 3);
  auto Y = clustr::make_matrix<float>(be, 5, 3);
  auto Y2 = clustr::make_matrix<float>(be, 5, 2);
  auto Y0 = clustr::make_matrix<float>(be, 0, 3);
  auto i4 = clustr::make_vector<std::int32_t>(be, 4);
  auto i3 = clustr::make_vector<std::int32_t>(be, 3);
  auto d4 = clustr::make_vector<float>(be, 4);
  auto d5 = clustr::make_vector<float>(be, 5);
  const clustr::metric::sqeuclidean m{};
  require_invalid([&] { clustr::fused_distance_argmin(be, m, cview(X), cview(Y2), i4.view(), d4.view()); },
                  "Y.cols()");
  require_invalid([&] { clustr::fused_distance_argmin(be, m, cview(X), cview(Y0), i4.view(), d4.view()); },
                  "Y.rows()");
  require_invalid([&] { clustr::fused_distance_argmin(be, m, cview(X), cview(Y), i3.view(), d4.view()); },
                  "out_index.size()");
  require_invalid([&] { clustr::fused_distance_argmin(be, m, cview(X), cview(Y), i4.view(), d5.view()); },
                  "out_distance.size()");
}

TEMPLATE_LIST_TEST_CASE("check_finite finds NaN and infinity where they are", "[primitives]",
                        clustr_test::test_backends) {
  using namespace clustr_test::primitives;
  const auto be = clustr_test::make<TestType>();
  const float bads[] = {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                        -std::numeric_limits<float>::infinity()};
  for (clustr::index_t n : clustr_test::awkward_sizes()) {
    INFO("rows = " << n);
    const clustr::index_t d = 3;
    auto h = clustr_test::random_matrix<float>(n, d, 151 + n);
    {
      const auto clean = clustr_test::to_backend(be, h, n, d);
      REQUIRE_NOTHROW(clustr::check_finite(be, cview(clean), "X"));
    }
    const auto where = random_ints<clustr::index_t>(3, 0, n * d, 152 + n);
    for (int b = 0; b < 3; ++b) {
      auto bad = h;
      bad[where[b]] = bads[b];
      bad[n * d - 1] = bads[(b + 1) % 3];  // a later one: the first is reported
      const auto first = std::min<clustr::index_t>(where[b], n * d - 1);
      const auto bx = clustr_test::to_backend(be, bad, n, d);
      bool thrown = false;
      try {
        clustr::check_finite(be, cview(bx), "X");
      } catch (const clustr::invalid_argument& e) {
        thrown = true;
        REQUIRE(e.argument() == "X");
        const std::string pos =
            "[row " + std::to_string(first / d) + ", column " + std::to_string(first % d) + "]";
        INFO(e.what());
        REQUIRE(std::string(e.what()).find(pos) != std::string::npos);
      }
      REQUIRE(thrown);
    }
  }
  // Double, as a vector.
  std::vector<double> v(1000, 1.0);
  v[617] = std::numeric_limits<double>::quiet_NaN();
  const auto bv = clustr_test::to_backend(be, v);
  require_invalid([&] { clustr::check_finite(be, cview(bv), "weights"); }, "weights");
  const auto empty = clustr::make_matrix<float>(be, 0, 3);
  require_invalid([&] { clustr::check_finite(be, cview(empty), "X"); }, "X.rows()");
}
