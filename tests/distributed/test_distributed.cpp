// Distributed k-means and kNN over MPI on the host backends, run by ctest
// under mpirun -np 1, 2 and 3. Every rank builds the same global data set,
// keeps its own block of rows (uneven blocks, and an empty rank when there
// are 3), and compares the distributed result with the single-process one on
// the concatenated data: identical labels / neighbour indices, centroids and
// inertia within the rounding of the cross-rank sums. Bad and disagreeing
// input must throw clustr::invalid_argument on every rank, without a hang.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "clustr/backend/serial.hpp"
#if defined(_OPENMP)
#include "clustr/backend/openmp.hpp"
#endif
#include "clustr/cluster/kmeans.hpp"
#include "clustr/distributed/distributed.hpp"
#include "clustr/neighbors/knn.hpp"
#include "support/catch.hpp"
#include "support/data.hpp"

namespace {

using clustr::index_t;
namespace dist = clustr::distributed;

#if defined(_OPENMP)
struct openmp_2 : clustr::openmp {
  openmp_2() : clustr::openmp{2} {}
};
#define DIST_BACKENDS clustr::serial, openmp_2
#else
#define DIST_BACKENDS clustr::serial
#endif

/// Rows [first, first + count) of the global data on this rank. Blocks are
/// uneven (rank r gets a share proportional to r + 1); with `empty_rank`,
/// rank 1 (when there are 3 or more ranks) gets no rows at all.
struct block {
  index_t first = 0, count = 0;
};
inline block my_block(const dist::communicator& c, index_t n, bool empty_rank = true) {
  const int p = c.size(), me = c.rank();
  std::vector<index_t> share(static_cast<std::size_t>(p));
  for (int r = 0; r < p; ++r) share[static_cast<std::size_t>(r)] = (empty_rank && p >= 3 && r == 1) ? 0 : r + 1;
  index_t total = 0;
  for (const auto s : share) total += s;
  index_t first = 0, acc = 0;
  for (int r = 0; r < me; ++r) acc += share[static_cast<std::size_t>(r)];
  first = n * acc / total;
  const index_t last = n * (acc + share[static_cast<std::size_t>(me)]) / total;
  return {first, last - first};
}

template <class T>
std::vector<T> slice(const std::vector<T>& v, block b, index_t d) {
  return std::vector<T>(v.begin() + b.first * d, v.begin() + (b.first + b.count) * d);
}

template <class T>
std::vector<T> blobs(index_t n, index_t d, int centres, std::uint64_t seed, std::vector<int>& truth) {
  return clustr_test::blobs<T>(n, d, centres, seed, truth, 0.7);
}

using clustr_test::same_partition;

/// Largest |a - b| / (1 + |b|).
template <class T>
double max_rel_diff(const std::vector<T>& a, const std::vector<T>& b) {
  double m = a.size() == b.size() ? 0.0 : 1e300;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i)
    m = std::max(m, std::abs(static_cast<double>(a[i]) - static_cast<double>(b[i])) / (1.0 + std::abs(static_cast<double>(b[i]))));
  return m;
}

template <class T>
constexpr double centroid_tol() {
  return std::is_same_v<T, float> ? 1e-5 : 1e-12;
}

/// Distributed fit vs clustr::kmeans::fit on the gathered rows.
template <class Backend, class T>
void compare_kmeans(const Backend& be, const dist::communicator& comm, const dist::kmeans::params& p, index_t n, index_t d,
                    int centres, bool warm, bool weighted, bool empty_rank = true) {
  std::vector<int> truth;
  const auto X = blobs<T>(n, d, centres, 11, truth);
  const auto b = my_block(comm, n, empty_rank);
  const auto Xl = slice(X, b, d);
  std::vector<T> w, wl;
  if (weighted) {
    w.resize(static_cast<std::size_t>(n));
    for (index_t i = 0; i < n; ++i) w[static_cast<std::size_t>(i)] = static_cast<T>(0.5 + (i % 7) * 0.25);
    wl = slice(w, b, 1);
  }
  std::vector<T> C0;
  if (warm) C0 = slice(X, {n / 3, p.kmeans.n_clusters}, d);  // k consecutive rows as initial centroids
  const clustr::matrix_view<const T> Xall(X.data(), n, d), Xloc(Xl.data(), b.count, d);
  const clustr::vector_view<const T> Wall(w.data(), static_cast<index_t>(w.size())), Wloc(wl.data(), static_cast<index_t>(wl.size()));
  const clustr::matrix_view<const T> Cv(C0.data(), warm ? p.kmeans.n_clusters : 0, d);
  const auto ref = clustr::kmeans::fit(be, p.kmeans, Xall, Wall, Cv);
  const auto got = dist::kmeans::fit(be, comm, p, Xloc, Wloc, Cv);
  const auto ref_labels = ref.labels.to_std_vector();
  const auto got_labels = got.labels.to_std_vector();
  REQUIRE(static_cast<index_t>(got_labels.size()) == b.count);
  const std::vector<std::int32_t> ref_mine(ref_labels.begin() + b.first, ref_labels.begin() + b.first + b.count);
  CHECK(got_labels == ref_mine);
  CHECK(max_rel_diff(got.centroids.to_std_vector(), ref.centroids.to_std_vector()) <= centroid_tol<T>());
  CHECK(std::abs(got.inertia - ref.inertia) <= 1e-6 * ref.inertia);
  CHECK(got.n_iter == ref.n_iter);
  CHECK(got.converged == ref.converged);
  CHECK(got.n_empty_reseeded == ref.n_empty_reseeded);
  // Every rank holds the same centroids, bit for bit.
  const auto c = got.centroids.to_std_vector();
  const auto h = dist::detail::hash_bytes(c.data(), c.size() * sizeof(T));
  CHECK(comm.allreduce(h, dist::reduce_op::min) == comm.allreduce(h, dist::reduce_op::max));
}

template <class T>
std::vector<T> integer_grid(index_t n, index_t d, std::uint64_t seed) {
  // Small integers: many exact distance ties, so the tie rule is exercised.
  const clustr::rng::random_stream rs{seed, 5};
  std::vector<T> v(static_cast<std::size_t>(n * d));
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<T>(rs.below(i, 4));
  return v;
}

template <class Backend, class T, class Metric>
void compare_search(const Backend& be, const dist::communicator& comm, Metric metric, index_t k, index_t batch) {
  const index_t nb = 157, nq = 61, d = 3;
  const auto B = integer_grid<T>(nb, d, 1);
  const auto Q = integer_grid<T>(nq, d, 2);
  const auto bb = my_block(comm, nb), qb = my_block(comm, nq, false);
  const auto Bl = slice(B, bb, d), Ql = slice(Q, qb, d);
  clustr::knn::params<Metric> p{.k = k, .metric = metric};
  p.batch_size = batch;
  const auto ref = clustr::knn::search(be, p, clustr::matrix_view<const T>(B.data(), nb, d), clustr::matrix_view<const T>(Q.data(), nq, d));
  const auto got = dist::knn::search(be, comm, p, clustr::matrix_view<const T>(Bl.data(), bb.count, d),
                                     clustr::matrix_view<const T>(Ql.data(), qb.count, d));
  const auto ri = ref.indices.to_std_vector(), gi = got.indices.to_std_vector();
  const auto rd = ref.distances.to_std_vector(), gd = got.distances.to_std_vector();
  CHECK(gi == std::vector<std::int64_t>(ri.begin() + qb.first * k, ri.begin() + (qb.first + qb.count) * k));
  CHECK(gd == std::vector<T>(rd.begin() + qb.first * k, rd.begin() + (qb.first + qb.count) * k));
}

template <class Backend, class T>
void compare_graph(const Backend& be, const dist::communicator& comm, index_t k, bool self, index_t batch) {
  const index_t n = 203, d = 4;
  const auto X = integer_grid<T>(n, d, 3);
  const auto b = my_block(comm, n);
  const auto Xl = slice(X, b, d);
  clustr::knn::params<> p{.k = k, .include_self = self, .batch_size = batch};
  const auto ref = clustr::knn::graph(be, p, clustr::matrix_view<const T>(X.data(), n, d));
  const auto got = dist::knn::graph(be, comm, p, clustr::matrix_view<const T>(Xl.data(), b.count, d));
  const auto ri = ref.indices.to_std_vector(), gi = got.indices.to_std_vector();
  const auto rd = ref.distances.to_std_vector(), gd = got.distances.to_std_vector();
  CHECK(gi == std::vector<std::int64_t>(ri.begin() + b.first * k, ri.begin() + (b.first + b.count) * k));
  CHECK(gd == std::vector<T>(rd.begin() + b.first * k, rd.begin() + (b.first + b.count) * k));
  CHECK(got.includes_self == self);
  CHECK(got.k == k);
  const int root = comm.size() - 1;
  const auto all = dist::knn::gather_graph(be, comm, got, root);
  if (comm.rank() == root) {
    CHECK(all.indices.to_std_vector() == ri);
    CHECK(all.distances.to_std_vector() == rd);
  } else {
    CHECK(all.n() == 0);
  }
}

/// Runs call() and requires clustr::invalid_argument naming `argument`.
template <class Call>
void expect_invalid(Call&& call, const std::string& argument) {
  try {
    call();
    FAIL("no exception; expected clustr::invalid_argument naming " << argument);
  } catch (const clustr::invalid_argument& e) {
    CHECK(e.argument() == argument);
  }
}

}  // namespace

TEMPLATE_TEST_CASE("distributed communicator collectives", "[distributed]", float, double) {
  const dist::communicator comm;
  const int p = comm.size(), me = comm.rank();
  using T = TestType;
  CHECK(comm.allreduce(static_cast<T>(me + 1), dist::reduce_op::sum) == static_cast<T>(p * (p + 1) / 2));
  CHECK(comm.allreduce(static_cast<T>(me), dist::reduce_op::max) == static_cast<T>(p - 1));
  CHECK(comm.allreduce(static_cast<T>(me), dist::reduce_op::min) == T(0));
  // Rank-ordered sum: 0.1 + 0.2 + ... in rank order, the same bits everywhere.
  T expect = T(0.1);
  for (int r = 1; r < p; ++r) expect += static_cast<T>(0.1 * (r + 1));
  CHECK(comm.allreduce_sum_ordered(static_cast<T>(0.1 * (me + 1))) == expect);
  // allgatherv with uneven (and empty) pieces.
  const std::vector<T> mine(static_cast<std::size_t>(me % 2 == 0 ? me + 1 : 0), static_cast<T>(me));
  const auto counts = comm.allgather(static_cast<index_t>(mine.size()));
  index_t total = 0;
  for (auto c : counts) total += c;
  std::vector<T> all(static_cast<std::size_t>(total));
  comm.allgatherv(mine.data(), static_cast<index_t>(mine.size()), all.data(), counts);
  std::vector<T> want;
  for (int r = 0; r < p; ++r)
    for (int j = 0; j < (r % 2 == 0 ? r + 1 : 0); ++j) want.push_back(static_cast<T>(r));
  CHECK(all == want);
  // alltoallv: rank s sends (s * 10 + r) repeated r + 1 times to rank r.
  std::vector<T> send;
  std::vector<index_t> sc(static_cast<std::size_t>(p)), rc(static_cast<std::size_t>(p));
  for (int r = 0; r < p; ++r) {
    sc[static_cast<std::size_t>(r)] = r + 1;
    rc[static_cast<std::size_t>(r)] = me + 1;
    for (int j = 0; j <= r; ++j) send.push_back(static_cast<T>(me * 10 + r));
  }
  std::vector<T> recv(static_cast<std::size_t>(p * (me + 1)));
  comm.alltoallv(send.data(), sc, recv.data(), rc);
  for (int s = 0; s < p; ++s)
    for (int j = 0; j <= me; ++j) CHECK(recv[static_cast<std::size_t>(s * (me + 1) + j)] == static_cast<T>(s * 10 + me));
  // bcast of a string and of values.
  CHECK(comm.bcast(std::string(me == p - 1 ? "from the last rank" : "x"), p - 1) == "from the last rank");
  std::vector<T> v(3, static_cast<T>(me));
  comm.bcast(v.data(), 3, 0);
  CHECK(v == std::vector<T>(3, T(0)));
  // gather to the last rank; even blocks cover 0..n-1 once.
  const auto blk = dist::even_block(comm, 10);
  std::vector<T> rows;
  for (index_t i = 0; i < blk.count; ++i) rows.push_back(static_cast<T>(blk.first + i));
  const auto gathered = comm.gather(rows.data(), blk.count, p - 1);
  if (me == p - 1) {
    REQUIRE(gathered.size() == 10u);
    for (int i = 0; i < 10; ++i) CHECK(gathered[static_cast<std::size_t>(i)] == static_cast<T>(i));
  } else {
    CHECK(gathered.empty());
  }
  comm.barrier();
}

TEMPLATE_TEST_CASE("distributed k-means Lloyd from given centroids equals the single-process fit", "[distributed]",
                   DIST_BACKENDS) {
  const auto be = TestType{};
  const dist::communicator comm;
  dist::kmeans::params p;
  p.kmeans.n_clusters = 5;
  p.kmeans.init = clustr::kmeans::init_method::array;
  compare_kmeans<TestType, float>(be, comm, p, 900, 4, 5, true, false);
  compare_kmeans<TestType, double>(be, comm, p, 900, 4, 5, true, false);
  // With weights; tol = 0 (until labels are stable); max_iter cuts it short.
  p.kmeans.tol = 0;
  compare_kmeans<TestType, double>(be, comm, p, 700, 3, 5, true, true);
  p.kmeans.max_iter = 2;
  compare_kmeans<TestType, float>(be, comm, p, 700, 3, 5, true, true, false);
}

TEMPLATE_TEST_CASE("distributed k-means init equals the single-process init when every row is sampled",
                   "[distributed]", DIST_BACKENDS) {
  const auto be = TestType{};
  const dist::communicator comm;
  dist::kmeans::params p;  // default sample (>= 10000 rows) holds all 800 rows
  p.kmeans.n_clusters = 6;
  p.kmeans.n_init = 3;
  p.kmeans.seed = 42;
  compare_kmeans<TestType, float>(be, comm, p, 800, 5, 6, false, false);
  compare_kmeans<TestType, double>(be, comm, p, 800, 5, 6, false, true);
  p.kmeans.init = clustr::kmeans::init_method::random;
  compare_kmeans<TestType, double>(be, comm, p, 800, 5, 6, false, false);
  compare_kmeans<TestType, float>(be, comm, p, 800, 5, 6, false, true);
  p.kmeans.init = clustr::kmeans::init_method::kmeans_parallel;
  p.kmeans.n_init = 1;
  compare_kmeans<TestType, double>(be, comm, p, 800, 5, 6, false, false);
  compare_kmeans<TestType, float>(be, comm, p, 800, 5, 6, false, true);
}

TEMPLATE_TEST_CASE("distributed k-means re-seeds empty clusters as the single-process fit", "[distributed]",
                   DIST_BACKENDS) {
  const auto be = TestType{};
  const dist::communicator comm;
  const index_t n = 500, d = 2, k = 4;
  std::vector<int> truth;
  const auto X = blobs<double>(n, d, 3, 5, truth);
  // Two centroids far away from every row: both clusters start empty.
  std::vector<double> C0{X[0], X[1], X[2], X[3], 1e3, 1e3, -1e3, 1e3};
  const auto b = my_block(comm, n);
  const auto Xl = slice(X, b, d);
  clustr::kmeans::params kp{.n_clusters = k};
  const clustr::matrix_view<const double> Cv(C0.data(), k, d);
  const auto ref = clustr::kmeans::fit(be, kp, clustr::matrix_view<const double>(X.data(), n, d), clustr::vector_view<const double>{}, Cv);
  const auto got = dist::kmeans::fit(be, comm, kp, clustr::matrix_view<const double>(Xl.data(), b.count, d),
                                     clustr::vector_view<const double>{}, Cv);
  CHECK(ref.n_empty_reseeded >= 2);
  CHECK(got.n_empty_reseeded == ref.n_empty_reseeded);
  const auto rl = ref.labels.to_std_vector();
  CHECK(got.labels.to_std_vector() == std::vector<std::int32_t>(rl.begin() + b.first, rl.begin() + b.first + b.count));
  CHECK(max_rel_diff(got.centroids.to_std_vector(), ref.centroids.to_std_vector()) <= 1e-12);
}

TEMPLATE_TEST_CASE("distributed k-means++ on a sample: the same result at any number of ranks", "[distributed]",
                   DIST_BACKENDS) {
  const auto be = TestType{};
  const dist::communicator comm;
  const dist::communicator self(MPI_COMM_SELF);
  const index_t n = 1500, d = 3;
  std::vector<int> truth;
  const auto X = blobs<float>(n, d, 5, 21, truth);
  const auto b = my_block(comm, n);
  const auto Xl = slice(X, b, d);
  dist::kmeans::params p{.kmeans = {.n_clusters = 5, .n_init = 2, .seed = 9}, .init_sample_size = 300};
  // Reference: the same distributed fit on one rank holding every row.
  const auto one = dist::kmeans::fit(be, self, p, clustr::matrix_view<const float>(X.data(), n, d));
  const auto got = dist::kmeans::fit(be, comm, p, clustr::matrix_view<const float>(Xl.data(), b.count, d));
  const auto ol = one.labels.to_std_vector();
  CHECK(got.labels.to_std_vector() == std::vector<std::int32_t>(ol.begin() + b.first, ol.begin() + b.first + b.count));
  CHECK(max_rel_diff(got.centroids.to_std_vector(), one.centroids.to_std_vector()) <= 1e-5);
  // And it is a good clustering: the blobs are recovered.
  CHECK(same_partition(truth, ol));
}

TEMPLATE_TEST_CASE("distributed exact kNN search equals the single-process search", "[distributed]", DIST_BACKENDS) {
  const auto be = TestType{};
  const dist::communicator comm;
  compare_search<TestType, float>(be, comm, clustr::metric::euclidean{}, 7, 16384);
  compare_search<TestType, double>(be, comm, clustr::metric::euclidean{}, 5, 9);
  compare_search<TestType, float>(be, comm, clustr::metric::manhattan{}, 12, 4);
  compare_search<TestType, double>(be, comm, clustr::metric::cosine{}, 3, 5);
  compare_search<TestType, float>(be, comm, clustr::metric::euclidean{}, 157, 20);  // k = every base row
}

TEMPLATE_TEST_CASE("distributed kNN graph equals the single-process graph", "[distributed]", DIST_BACKENDS) {
  const auto be = TestType{};
  const dist::communicator comm;
  compare_graph<TestType, float>(be, comm, 6, false, 16384);
  compare_graph<TestType, double>(be, comm, 6, false, 13);
  compare_graph<TestType, float>(be, comm, 8, true, 7);
  compare_graph<TestType, double>(be, comm, 1, true, 7);
  compare_graph<TestType, float>(be, comm, 202, false, 50);  // k = n - 1
}

TEST_CASE("distributed: bad or disagreeing input throws on every rank", "[distributed]") {
  const clustr::serial be;
  const dist::communicator comm;
  const int p = comm.size(), me = comm.rank();
  const index_t n = 40;
  std::vector<int> truth;
  const auto X = blobs<double>(n * 3, 3, 2, 1, truth);  // room for d = 3 rows
  const auto b = my_block(comm, n, false);
  std::vector<double> Xl(X.begin() + b.first * 3, X.begin() + (b.first + b.count) * 3);
  const clustr::kmeans::params kp{.n_clusters = 2};
  const clustr::knn::params<> np{.k = 3};
  // d differs on the last rank.
  const index_t d = p > 1 && me == p - 1 ? 3 : 2;
  const clustr::matrix_view<const double> Xd(Xl.data(), b.count, d);
  if (p > 1) {
    expect_invalid([&] { dist::kmeans::fit(be, comm, kp, Xd); }, "X.cols()");
    expect_invalid([&] { dist::knn::graph(be, comm, np, Xd); }, "X.cols()");
    expect_invalid([&] { dist::knn::search(be, comm, np, Xd, Xd); }, "X.cols()");
    // Parameters differ on rank 0.
    clustr::kmeans::params kq = kp;
    if (me == 0) kq.n_clusters = 3;
    const clustr::matrix_view<const double> X2(Xl.data(), b.count, 2);
    expect_invalid([&] { dist::kmeans::fit(be, comm, kq, X2); }, "params.kmeans.n_clusters");
    kq = kp;
    if (me == 0) kq.tol = 1e-3;
    expect_invalid([&] { dist::kmeans::fit(be, comm, kq, X2); }, "params.kmeans.tol");
    clustr::knn::params<> nq = np;
    if (me == p - 1) nq.k = 4;
    expect_invalid([&] { dist::knn::graph(be, comm, nq, X2); }, "params.k");
    // Different initial centroids.
    std::vector<double> C0(Xl.begin(), Xl.begin() + 4);
    if (me == 1) C0[0] += 1.0;
    expect_invalid([&] { dist::kmeans::fit(be, comm, kp, X2, clustr::vector_view<const double>{}, clustr::matrix_view<const double>(C0.data(), 2, 2)); },
                   "initial_centroids (values)");
  }
  // A NaN on the last rank only: every rank throws, naming X.
  std::vector<double> Xn = Xl;
  if (me == p - 1) Xn[1] = std::nan("");
  const clustr::matrix_view<const double> XN(Xn.data(), b.count, 2);
  expect_invalid([&] { dist::kmeans::fit(be, comm, kp, XN); }, "X");
  expect_invalid([&] { dist::knn::graph(be, comm, np, XN); }, "X");
  // Globally bad: k > total rows; no rows anywhere.
  const clustr::matrix_view<const double> X2(Xl.data(), b.count, 2);
  clustr::kmeans::params big = kp;
  big.n_clusters = n + 1;
  expect_invalid([&] { dist::kmeans::fit(be, comm, big, X2); }, "params.n_clusters");
  clustr::knn::params<> nk{.k = n};
  expect_invalid([&] { dist::knn::graph(be, comm, nk, X2); }, "params.k");
  expect_invalid([&] { dist::kmeans::fit(be, comm, kp, clustr::matrix_view<const double>(Xl.data(), 0, 2)); }, "X.rows()");
  // Weights on some ranks only.
  if (p > 1) {
    std::vector<double> w(static_cast<std::size_t>(b.count), 1.0);
    const clustr::vector_view<const double> wv(w.data(), me == 0 ? 0 : b.count);
    expect_invalid([&] { dist::kmeans::fit(be, comm, kp, X2, wv); }, "sample_weight");
  }
  // The communicator is still in step afterwards: a good fit works.
  const auto ok = dist::kmeans::fit(be, comm, kp, X2);
  CHECK(ok.centroids.rows() == 2);
}
