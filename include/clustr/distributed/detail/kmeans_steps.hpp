#pragma once
// The steps of distributed k-means. Each rank holds its own rows (a block of
// the concatenated data, ranks in order); centroids are replicated. Every
// cross-rank sum is added in rank order (allreduce_sum_ordered), so all ranks
// hold bit-identical centroids and take the same decisions, and the result
// differs from the single-process fit on the concatenated rows only by the
// rounding of those sums. Random draws are Philox keyed by the *global* row
// index, so they do not depend on the number of ranks.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "clustr/cluster/detail/kmeans_steps.hpp"
#include "clustr/core/rng.hpp"
#include "clustr/distributed/detail/collectives.hpp"
#include "clustr/metric/euclidean.hpp"
#include "clustr/primitives/primitives.hpp"

namespace clustr::distributed::kmeans_detail {

using clustr::kmeans::detail::weight_at;
using namespace clustr::distributed::detail;

/// Where this rank's rows sit in the concatenated data.
struct layout {
  std::vector<index_t> offsets;  ///< size + 1 entries: rank r holds global rows [offsets[r], offsets[r+1])
  int rank = 0;
  index_t first() const { return offsets[static_cast<std::size_t>(rank)]; }
  index_t n_local() const { return offsets[static_cast<std::size_t>(rank) + 1] - first(); }
  index_t n_global() const { return offsets.back(); }
  int size() const { return static_cast<int>(offsets.size()) - 1; }
};

/// scikit-learn's absolute tolerance over all ranks' rows: two passes
/// (global mean, then centred sum of squares per feature).
template <class Backend, class Comm, class T, class S>
double absolute_tolerance(const Backend& be, const Comm& comm, matrix_view<const T, S> X, const layout& lay, double tol) {
  if (tol == 0.0) return 0.0;
  const index_t n = X.rows(), d = X.cols();
  const double n_all = static_cast<double>(lay.n_global());
  auto acc = make_vector<double>(be, d);
  double* a = acc.data();
  for_each(be, d, CLUSTR_LAMBDA(index_t j) {
    double s = 0;
    for (index_t i = 0; i < n; ++i) s += static_cast<double>(X(i, j));
    a[j] = s;
  });
  allreduce_sum_ordered(be, comm, a, d);
  auto var = make_vector<double>(be, d);
  double* v = var.data();
  for_each(be, d, CLUSTR_LAMBDA(index_t j) {
    const double mean = a[j] / n_all;
    double s = 0;
    for (index_t i = 0; i < n; ++i) {
      const double c = static_cast<double>(X(i, j)) - mean;
      s += c * c;
    }
    v[j] = s;
  });
  allreduce_sum_ordered(be, comm, v, d);
  const auto vh = to_host_vector(be, static_cast<const double*>(v), d);
  double total = 0;
  for (const double x : vh) total += x / n_all;
  return total / static_cast<double>(d) * tol;
}

/// sum_i w_i v_i over every rank's rows (rank-ordered).
template <class Backend, class Comm, class T, class S>
double global_weighted_sum(const Backend& be, const Comm& comm, const T* w, vector_view<const T, S> v) {
  return host_comm(comm).allreduce_sum_ordered(clustr::kmeans::detail::weighted_sum(be, w, v));
}

/// The m smallest (key, global row) pairs of all ranks, ascending by (key,
/// row); keys: one double per local row in backend memory.
struct keyed_row {
  double key;
  index_t row;
};
template <class Backend, class Comm>
std::vector<keyed_row> global_smallest(const Backend& be, const Comm& comm, const double* keys, const layout& lay,
                                       index_t m) {
  using S = memory_space_t<Backend>;
  const auto& hc = host_comm(comm);
  const index_t ml = std::min(m, lay.n_local());
  std::vector<double> vals;
  std::vector<index_t> ids;
  if (ml > 0) {
    auto tv = make_matrix<double>(be, 1, ml);
    auto ti = make_matrix<index_t>(be, 1, ml);
    select_k(be, matrix_view<const double, S>(keys, 1, lay.n_local()), tv.view(), ti.view());
    vals = tv.to_std_vector();
    ids = ti.to_std_vector();
    for (auto& i : ids) i += lay.first();
  }
  const auto counts = hc.allgather(ml);
  index_t total = 0;
  for (const index_t c : counts) total += c;
  std::vector<double> av(static_cast<std::size_t>(total));
  std::vector<index_t> ai(static_cast<std::size_t>(total));
  hc.allgatherv(vals.data(), ml, av.data(), counts);
  hc.allgatherv(ids.data(), ml, ai.data(), counts);
  std::vector<keyed_row> all(static_cast<std::size_t>(total));
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = {av[i], ai[i]};
  std::sort(all.begin(), all.end(), [](const keyed_row& a, const keyed_row& b) {
    return a.key < b.key || (a.key == b.key && a.row < b.row);
  });
  all.resize(static_cast<std::size_t>(std::min(m, total)));
  return all;
}

/// out (rows.size() x d, backend memory) = the global rows `rows` (ascending)
/// of the concatenated data, fetched from their owners. Collective.
template <class Backend, class Comm, class T, class S>
void gather_global_rows(const Backend& be, const Comm& comm, matrix_view<const T, S> X, const layout& lay,
                        const std::vector<index_t>& rows, T* out) {
  const index_t d = X.cols();
  std::vector<index_t> counts(static_cast<std::size_t>(lay.size()), 0);
  std::vector<index_t> mine;
  for (const index_t g : rows) {
    const auto it = std::upper_bound(lay.offsets.begin(), lay.offsets.end(), g);
    const auto r = static_cast<std::size_t>(it - lay.offsets.begin() - 1);
    counts[r] += d;
    if (static_cast<int>(r) == lay.rank) mine.push_back(g - lay.first());
  }
  const index_t nm = static_cast<index_t>(mine.size());
  auto idx = make_vector<index_t>(be, nm);
  from_host(be, mine.data(), nm, idx.data());
  auto buf = make_vector<T>(be, nm * d);
  gather_local_rows(be, X, static_cast<const index_t*>(idx.data()), nm, buf.data());
  allgatherv(be, comm, static_cast<const T*>(buf.data()), nm * d, out, counts);
}

/// The same for per-row values (sample weights): out[r] = w[rows[r]].
template <class Backend, class Comm, class T>
void gather_global_values(const Backend& be, const Comm& comm, const T* w, const layout& lay,
                          const std::vector<index_t>& rows, T* out) {
  using S = memory_space_t<Backend>;
  gather_global_rows(be, comm, matrix_view<const T, S>(w, lay.n_local(), 1), lay, rows, out);
}

/// out[i] = min(current[i], |x_i - point|^2) (current may be null), with the
/// single-process k-means++ distance formula.
template <class Backend, class T, class S>
void distance_to_point(const Backend& be, matrix_view<const T, S> X, const T* point, const T* current, T* out) {
  const index_t d = X.cols();
  for_each(be, X.rows(), CLUSTR_LAMBDA(index_t i) {
    const T r = metric::reduced_distance(metric::sqeuclidean{}, X.row(i), point, d);
    out[i] = current && current[i] < r ? current[i] : r;
  });
}

/// k-means++ on a gathered sample (weights too when `weighted`): global rows with Philox draw u(g) <
/// sample / n_global (all rows when sample >= n_global, in global order, so
/// the init is then the single-process one), gathered to every rank in
/// global order; every rank runs the same greedy k-means++ on it.
template <class Backend, class Comm, class T, class S>
void init_plus_plus_sampled(const Backend& be, const Comm& comm, matrix_view<const T, S> X, const T* w,
                            bool weighted, const layout& lay, index_t k, index_t sample, rng::random_stream rs,
                            matrix_view<T, S> C) {
  const index_t n = lay.n_local(), d = X.cols();
  std::vector<index_t> rows;
  if (sample >= lay.n_global()) {
    rows.resize(static_cast<std::size_t>(lay.n_global()));
    for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<index_t>(i);
  } else {
    const rng::random_stream pick{rs.seed, rs.stream ^ 0x73616d706c65ull};  // "sample"
    const double frac = static_cast<double>(sample) / static_cast<double>(lay.n_global());
    const index_t first = lay.first();
    auto sel = make_vector<index_t>(be, n);
    const index_t m = copy_if(be, n, CLUSTR_LAMBDA(index_t i) {
      return pick.uniform<double>(static_cast<std::uint64_t>(first + i)) < frac;
    }, sel.view());
    std::vector<index_t> local = to_host_vector(be, static_cast<const index_t*>(sel.data()), m);
    for (auto& i : local) i += first;
    const auto counts = host_comm(comm).allgather(m);
    index_t total = 0;
    for (const index_t c : counts) total += c;
    rows.resize(static_cast<std::size_t>(total));
    host_comm(comm).allgatherv(local.data(), m, rows.data(), counts);
    if (total < k) {  // a tiny sample: fall back to every row
      rows.resize(static_cast<std::size_t>(lay.n_global()));
      for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<index_t>(i);
    }
  }
  const index_t m = static_cast<index_t>(rows.size());
  auto Xs = make_matrix<T>(be, m, d);
  gather_global_rows(be, comm, X, lay, rows, Xs.data());
  vector<T, S> ws;
  if (weighted) {  // global: a rank without rows has w == nullptr
    ws = make_vector<T>(be, m);
    gather_global_values(be, comm, w, lay, rows, ws.data());
  }
  clustr::kmeans::detail::init_plus_plus(be, matrix_view<const T, S>(Xs.view()), weighted ? static_cast<const T*>(ws.data()) : nullptr,
                                         k, rs, C);
}

/// k distinct rows by weight (the single-process exponential keys, indexed by
/// global row): the same rows as clustr::kmeans with init = random.
template <class Backend, class Comm, class T, class S>
void init_random(const Backend& be, const Comm& comm, matrix_view<const T, S> X, const T* w, const layout& lay, index_t k,
                 rng::random_stream rs, matrix_view<T, S> C) {
  const index_t n = lay.n_local(), d = X.cols(), first = lay.first();
  auto keys = make_vector<double>(be, n);
  double* kp = keys.data();
  for_each(be, n, CLUSTR_LAMBDA(index_t i) {
    const double u = 1.0 - rs.uniform<double>(static_cast<std::uint64_t>(first + i));
    const double wi = weight_at(w, i);
    kp[i] = wi > 0 ? -std::log(u) / wi : std::numeric_limits<double>::infinity();
  });
  const auto top = global_smallest(be, comm, static_cast<const double*>(kp), lay, k);
  std::vector<index_t> rows;
  for (const auto& t : top) rows.push_back(t.row);
  std::vector<index_t> sorted = rows;
  std::sort(sorted.begin(), sorted.end());
  auto buf = make_matrix<T>(be, k, d);
  gather_global_rows(be, comm, X, lay, sorted, buf.data());
  // Row c of C is the c-th smallest key.
  std::vector<index_t> pos(static_cast<std::size_t>(k));
  for (index_t c = 0; c < k; ++c)
    pos[static_cast<std::size_t>(c)] = std::lower_bound(sorted.begin(), sorted.end(), rows[static_cast<std::size_t>(c)]) - sorted.begin();
  auto pd = make_vector<index_t>(be, k);
  from_host(be, pos.data(), k, pd.data());
  const index_t* pp = pd.data();
  const T* b = buf.data();
  for_each_2d(be, k, d, CLUSTR_LAMBDA(index_t c, index_t j) { C(c, j) = b[pp[c] * d + j]; });
}

/// Global first candidate of k-means||: a row drawn by weight with draw 0,
/// located through the ranks' weight totals (exact for unit weights).
template <class Backend, class Comm, class T>
index_t draw_first_row(const Backend& be, const Comm& comm, const T* w, const layout& lay, rng::random_stream rs) {
  const auto& hc = host_comm(comm);
  std::vector<double> cum;
  if (lay.n_local() > 0) cum = clustr::kmeans::detail::cumulative_weighted(be, w, static_cast<const T*>(nullptr), lay.n_local());
  const auto totals = hc.allgather(cum.empty() ? 0.0 : cum.back());
  double all = 0;
  for (const double t : totals) all += t;
  const double target = rs.uniform<double>(0) * all;
  // The first rank whose cumulative total passes the target; past the end
  // (rounding), the last rank with weight, whose draw then clips to its last
  // row (the single-process draw clips to row n - 1).
  double prefix = 0, owner_prefix = 0;
  int owner = -1;
  for (int r = 0; r < lay.size(); ++r) {
    if (totals[static_cast<std::size_t>(r)] > 0) {
      owner = r;
      owner_prefix = prefix;
      if (prefix + totals[static_cast<std::size_t>(r)] > target) break;
    }
    prefix += totals[static_cast<std::size_t>(r)];
  }
  prefix = owner_prefix;
  index_t row = 0;
  if (owner == lay.rank) row = lay.first() + clustr::kmeans::detail::draw_from_cumulative(cum, target - prefix);
  return hc.bcast(row, owner);
}

/// k-means|| (mirrors clustr::kmeans::detail::init_parallel with global row
/// indices: the same candidates up to the rounding of the potential's sum).
/// Returns false when the rounds found fewer than k candidates (the caller
/// falls back to k-means++).
template <class Backend, class Comm, class T, class S>
bool init_parallel(const Backend& be, const Comm& comm, matrix_view<const T, S> X, const T* w, const layout& lay,
                   index_t k, double oversampling, index_t rounds, rng::random_stream rs, matrix_view<T, S> C) {
  const index_t n = lay.n_local(), d = X.cols(), first = lay.first();
  const auto& hc = host_comm(comm);
  const index_t first_row = draw_first_row(be, comm, w, lay, rs);
  auto cand = make_matrix<T>(be, 1, d);
  gather_global_rows(be, comm, X, lay, std::vector<index_t>{first_row}, cand.data());
  auto closest = make_vector<T>(be, n);
  distance_to_point(be, X, static_cast<const T*>(cand.data()), static_cast<const T*>(nullptr), closest.data());
  auto picked = make_vector<index_t>(be, n);
  auto lab = make_vector<std::int32_t>(be, n);
  auto dist = make_vector<T>(be, n);
  const double ell = oversampling * static_cast<double>(k);
  for (index_t r = 0; r < rounds; ++r) {
    const double psi = global_weighted_sum(be, comm, w, vector_view<const T, S>(closest.view()));
    if (!(psi > 0)) break;
    const T* cl = closest.data();
    const std::uint64_t base = 1 + static_cast<std::uint64_t>(r) * static_cast<std::uint64_t>(lay.n_global());
    const double scale = ell / psi;
    const index_t m = copy_if(be, n, CLUSTR_LAMBDA(index_t i) {
      return rs.uniform<double>(base + static_cast<std::uint64_t>(first + i)) < scale * weight_at(w, i) * static_cast<double>(cl[i]);
    }, picked.view());
    std::vector<index_t> local = to_host_vector(be, static_cast<const index_t*>(picked.data()), m);
    for (auto& i : local) i += first;
    const auto counts = hc.allgather(m);
    index_t total = 0;
    for (const index_t c : counts) total += c;
    if (total == 0) continue;
    std::vector<index_t> rows(static_cast<std::size_t>(total));
    hc.allgatherv(local.data(), m, rows.data(), counts);
    const index_t m0 = cand.rows();
    auto grown = make_matrix<T>(be, m0 + total, d);
    copy(be, vector_view<T, S>(grown.data(), m0 * d), vector_view<const T, S>(cand.data(), m0 * d));
    gather_global_rows(be, comm, X, lay, rows, grown.data() + m0 * d);
    cand = std::move(grown);
    if (n > 0) {
      fused_distance_argmin(be, metric::sqeuclidean{}, X, matrix_view<const T, S>(cand.data() + m0 * d, total, d), lab.view(),
                            dist.view());
      T* cw = closest.data();
      const T* dn = dist.data();
      for_each(be, n, CLUSTR_LAMBDA(index_t i) { cw[i] = dn[i] < cw[i] ? dn[i] : cw[i]; });
    }
  }
  const index_t m = cand.rows();
  if (m < k) return false;
  // Candidate weights: total weight of the rows closest to each (row order
  // per rank, then rank order).
  std::vector<double> wsum(static_cast<std::size_t>(m), 0.0);
  if (n > 0) {
    fused_distance_argmin(be, metric::sqeuclidean{}, X, matrix_view<const T, S>(cand.view()), lab.view(), dist.view());
    const auto labels = lab.to_std_vector();
    const auto wh = w ? to_host_vector(be, w, n) : std::vector<T>{};
    for (index_t i = 0; i < n; ++i)
      wsum[static_cast<std::size_t>(labels[static_cast<std::size_t>(i)])] += w ? static_cast<double>(wh[static_cast<std::size_t>(i)]) : 1.0;
  }
  hc.allreduce_sum_ordered(wsum.data(), m);
  std::vector<T> cw_host(wsum.begin(), wsum.end());
  auto cand_w = make_vector<T>(be, m);
  from_host(be, cw_host.data(), m, cand_w.data());
  const rng::random_stream rs2{rs.seed, rs.stream ^ 0x6b6d7c7cull};  // as the single-process k-means||
  clustr::kmeans::detail::init_plus_plus(be, matrix_view<const T, S>(cand.view()), static_cast<const T*>(cand_w.data()), k,
                                         rs2, C);
  return true;
}

/// Per-cluster sums of the local rows into out (backend memory, k*d + 2k
/// doubles): [0, k*d) weighted coordinate sums, then k weight sums, then k
/// row counts. Each cluster's rows are added in row order (a stable sort by
/// label), as the single-process update does.
template <class Backend, class T, class S>
void cluster_sums(const Backend& be, matrix_view<const T, S> X, const T* w, vector_view<const std::int32_t, S> labels,
                  index_t k, double* out) {
  const index_t n = X.rows(), d = X.cols();
  auto keys = clone(be, labels);
  auto perm = make_vector<index_t>(be, n);
  iota(be, perm.view(), index_t(0));
  if (n > 1) sort_by_key(be, keys.view(), perm.view());
  auto offsets = make_vector<index_t>(be, k + 1);
  index_t* off = offsets.data();
  const std::int32_t* key = keys.data();
  for_each(be, k + 1, CLUSTR_LAMBDA(index_t c) {
    off[c] = lower_bound_by(n, c, [key](index_t p) { return static_cast<index_t>(key[p]); });
  });
  const index_t* pm = perm.data();
  for_each_2d(be, k, d + 2, CLUSTR_LAMBDA(index_t c, index_t j) {
    if (j == d + 1) {
      out[k * d + k + c] = static_cast<double>(off[c + 1] - off[c]);
      return;
    }
    double s = 0, sw = 0;
    for (index_t e = off[c]; e < off[c + 1]; ++e) {
      const index_t i = pm[e];
      const double wi = weight_at(w, i);
      if (j < d) s += wi * static_cast<double>(X(i, j));
      sw += wi;
    }
    out[j < d ? c * d + j : k * d + c] = j < d ? s : sw;
  });
}

/// C_new = sums / weights, or C_old for clusters of zero weight.
template <class Backend, class T, class S>
void centroids_from_sums(const Backend& be, const double* sums, matrix_view<const T, S> C_old, matrix_view<T, S> C_new) {
  const index_t k = C_old.rows(), d = C_old.cols();
  for_each_2d(be, k, d, CLUSTR_LAMBDA(index_t c, index_t j) {
    const double sw = sums[k * d + c];
    C_new(c, j) = sw > 0 ? static_cast<T>(sums[c * d + j] / sw) : C_old(c, j);
  });
}

/// Moves each empty cluster's centroid onto a distinct row farthest from its
/// centroid over all ranks (ties to the smaller global row), as the
/// single-process relocation. Returns how many were moved.
template <class Backend, class Comm, class T, class S>
index_t reseed_empty(const Backend& be, const Comm& comm, matrix_view<const T, S> X, const layout& lay,
                     vector_view<const T, S> min_dist, const std::vector<double>& counts, matrix_view<T, S> C) {
  std::vector<index_t> empty;
  for (std::size_t c = 0; c < counts.size(); ++c)
    if (counts[c] == 0) empty.push_back(static_cast<index_t>(c));
  if (empty.empty()) return 0;
  const index_t n = lay.n_local(), d = X.cols();
  auto keys = make_vector<double>(be, n);
  double* kp = keys.data();
  const T* md = min_dist.data();
  for_each(be, n, CLUSTR_LAMBDA(index_t i) { kp[i] = -static_cast<double>(md[i]); });
  const auto far = global_smallest(be, comm, static_cast<const double*>(kp), lay, static_cast<index_t>(empty.size()));
  std::vector<index_t> sorted;
  for (const auto& f : far) sorted.push_back(f.row);
  std::sort(sorted.begin(), sorted.end());
  auto buf = make_matrix<T>(be, static_cast<index_t>(sorted.size()), d);
  gather_global_rows(be, comm, X, lay, sorted, buf.data());
  for (std::size_t e = 0; e < far.size(); ++e) {
    const index_t p = std::lower_bound(sorted.begin(), sorted.end(), far[e].row) - sorted.begin();
    copy(be, vector_view<T, S>(C.row(empty[e]), d), vector_view<const T, S>(buf.data() + p * d, d));
  }
  return static_cast<index_t>(empty.size());
}

}  // namespace clustr::distributed::kmeans_detail
