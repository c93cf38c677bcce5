#pragma once
// The steps of k-means, each over primitives only: tolerance from the data
// variance, k-means++ and random initialisation, the deterministic centroid
// update (row groups added in a fixed tree for small k * d, sorted chunks
// above; both with an order fixed by the shape), and empty-cluster
// re-seeding.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "clustr/core/rng.hpp"
#include "clustr/core/view.hpp"
#include "clustr/metric/euclidean.hpp"
#include "clustr/primitives/primitives.hpp"

namespace clustr::kmeans::detail {

/// Device backends with k * (d + 2) at most this many doubles use the
/// row-group form of the update (no sort); wider ones the sorted form.
inline constexpr index_t group_update_max_width = 256;
/// Fewest rows per group (update_by_row_groups, absolute_tolerance on
/// device backends), and groups per level of the tree that adds them.
inline constexpr index_t group_update_rows = 8;
inline constexpr index_t group_update_fan = 64;
/// Most groups of the row-group sums on a device (update_by_row_groups'
/// slices then take at most 2^16 * 257 doubles, 135 MiB).
inline constexpr index_t device_max_groups = index_t(1) << 16;

/// `groups` slices of `width` doubles, one after another, added in a tree of
/// fixed shape (group_update_fan slices per level) down to the one slice
/// returned: the same sums in the same order at every run.
template <class Backend, class S>
vector<double, S> add_slices(const Backend& be, vector<double, S> part, index_t groups, index_t width) {
  constexpr index_t F = group_update_fan;
  while (groups > 1) {
    const index_t next_groups = (groups + F - 1) / F;
    auto next = make_vector<double>(be, next_groups * width);
    double* q = next.data();
    const double* cur = part.data();
    const index_t from = groups;
    for_each_2d(be, next_groups, width, CLUSTR_LAMBDA(index_t g, index_t e) {
      double s = 0;
      const index_t end = (g + 1) * F < from ? (g + 1) * F : from;
      for (index_t h = g * F; h < end; ++h) s += cur[h * width + e];
      q[g * width + e] = s;
    });
    part = std::move(next);
    groups = next_groups;
  }
  return part;
}

/// Weight of row i: w[i], or 1 without weights.
template <class T>
CLUSTR_HD inline double weight_at(const T* w, index_t i) {
  return w ? static_cast<double>(w[i]) : 1.0;
}

/// scikit-learn's absolute tolerance: tol * mean over features of var(X[:, j]),
/// two passes (mean, then squared deviations) in double. Host backends sum
/// each column in row order; device backends sum groups of rows in parallel
/// and add the groups in a fixed tree (one thread per column would read the
/// whole column alone).
template <class Backend, class T, class S>
double absolute_tolerance(const Backend& be, matrix_view<const T, S> X, double tol) {
  if (tol == 0.0) return 0.0;
  const index_t n = X.rows(), d = X.cols();
  auto var = make_vector<double>(be, d);
  double* v = var.data();
  if constexpr (is_host_backend_v<Backend>) {
    for_each(be, d, CLUSTR_LAMBDA(index_t j) {
      double mean = 0;
      for (index_t i = 0; i < n; ++i) mean += static_cast<double>(X(i, j));
      mean /= static_cast<double>(n);
      double s = 0;
      for (index_t i = 0; i < n; ++i) {
        const double c = static_cast<double>(X(i, j)) - mean;
        s += c * c;
      }
      v[j] = s / static_cast<double>(n);
    });
  } else {
    // Groups of at least group_update_rows rows, at most
    // min(2^16, 2^24 / d) of them (the partial sums stay under 128 MiB).
    index_t max_groups = (index_t(1) << 24) / d;
    max_groups = max_groups < device_max_groups ? max_groups : device_max_groups;
    max_groups = max_groups > 0 ? max_groups : 1;
    const index_t spread = (n + max_groups - 1) / max_groups;
    const index_t R = spread > group_update_rows ? spread : group_update_rows;
    const index_t groups = (n + R - 1) / R;
    // Pass 1: column sums -> means (in var); pass 2: squared deviations.
    for (int pass = 0; pass < 2; ++pass) {
      auto part = make_vector<double>(be, groups * d);
      double* p = part.data();
      const double* mean = v;
      const bool second = pass == 1;
      for_each_2d(be, groups, d, CLUSTR_LAMBDA(index_t g, index_t j) {
        double s = 0;
        const index_t end = (g + 1) * R < n ? (g + 1) * R : n;
        for (index_t i = g * R; i < end; ++i) {
          const double x = static_cast<double>(X(i, j));
          s += second ? (x - mean[j]) * (x - mean[j]) : x;
        }
        p[g * d + j] = s;
      });
      part = add_slices(be, std::move(part), groups, d);
      const double* total = part.data();
      for_each(be, d, CLUSTR_LAMBDA(index_t j) { v[j] = total[j] / static_cast<double>(n); });
    }
  }
  return reduce(be, vector_view<const double, S>(var.view()), 0.0) / static_cast<double>(d) * tol;
}

/// sum_i w_i * v_i in double.
template <class Backend, class T, class S>
double weighted_sum(const Backend& be, const T* w, vector_view<const T, S> v) {
  const T* p = v.data();
  return transform_reduce(be, v.size(), 0.0, plus{}, CLUSTR_LAMBDA(index_t i) {
    return weight_at(w, i) * static_cast<double>(p[i]);
  });
}

/// sum_e (c1[e] - c0[e])^2 in double: how far the centroids moved in one
/// Lloyd step (compared with the absolute tolerance).
template <class Backend, class T>
double squared_shift(const Backend& be, const T* c0, const T* c1, index_t size) {
  return transform_reduce(be, size, 0.0, plus{}, CLUSTR_LAMBDA(index_t e) {
    const double dlt = static_cast<double>(c1[e]) - static_cast<double>(c0[e]);
    return dlt * dlt;
  });
}

/// out[i] = min(current[i], |x_i - x_c|^2) (current may be null: no min).
template <class Backend, class T, class S>
void distance_to_row(const Backend& be, matrix_view<const T, S> X, index_t c, const T* current, T* out) {
  const T* xc = X.row(c);
  const index_t d = X.cols();
  for_each(be, X.rows(), CLUSTR_LAMBDA(index_t i) {
    const T r = metric::reduced_distance(metric::sqeuclidean{}, X.row(i), xc, d);
    out[i] = current && current[i] < r ? current[i] : r;
  });
}

/// The first i with cumulative[i] > target (the weighted draw), clipped to n-1.
inline index_t draw_from_cumulative(const std::vector<double>& cumulative, double target) {
  const auto it = std::upper_bound(cumulative.begin(), cumulative.end(), target);
  const index_t i = static_cast<index_t>(it - cumulative.begin());
  return std::min<index_t>(i, static_cast<index_t>(cumulative.size()) - 1);
}

/// Cumulative sums of w_i * v_i on the host (v null: of the weights alone).
template <class Backend, class T>
std::vector<double> cumulative_weighted(const Backend& be, const T* w, const T* v, index_t n) {
  auto cum = make_vector<double>(be, n);
  double* c = cum.data();
  for_each(be, n, CLUSTR_LAMBDA(index_t i) { c[i] = weight_at(w, i) * (v ? static_cast<double>(v[i]) : 1.0); });
  inclusive_scan(be, cum.view(), cum.view());
  return cum.to_std_vector();
}

template <class Backend, class T, class S>
void copy_row(const Backend& be, matrix_view<const T, S> X, index_t from, matrix_view<T, S> C, index_t to) {
  copy(be, vector_view<T, S>(C.row(to), C.cols()), vector_view<const T, S>(X.row(from), X.cols()));
}

/// Greedy k-means++ (Arthur & Vassilvitskii 2007, with scikit-learn's
/// 2 + floor(ln k) candidates per step, keeping the one that lowers the
/// potential most). Draws come from `rs`, so every backend picks the same rows
/// up to floating-point ties.
template <class Backend, class T, class S>
void init_plus_plus(const Backend& be, matrix_view<const T, S> X, const T* w, index_t k, rng::random_stream rs,
                    matrix_view<T, S> C) {
  const index_t n = X.rows();
  std::uint64_t draw = 0;
  auto closest = make_vector<T>(be, n);
  auto candidate = make_vector<T>(be, n);
  auto best = make_vector<T>(be, n);
  // First centre: a row drawn by weight.
  std::vector<double> cum = cumulative_weighted(be, w, static_cast<const T*>(nullptr), n);
  index_t first = draw_from_cumulative(cum, rs.uniform<double>(draw++) * cum.back());
  copy_row(be, X, first, C, 0);
  distance_to_row(be, X, first, static_cast<const T*>(nullptr), closest.data());
  const int trials = 2 + static_cast<int>(std::log(static_cast<double>(k)));
  for (index_t c = 1; c < k; ++c) {
    cum = cumulative_weighted(be, w, static_cast<const T*>(closest.data()), n);
    const double total = cum.back();
    double best_pot = std::numeric_limits<double>::infinity();
    index_t best_row = -1;
    for (int t = 0; t < trials; ++t) {
      const index_t row = draw_from_cumulative(cum, rs.uniform<double>(draw++) * total);
      distance_to_row(be, X, row, closest.data(), candidate.data());
      const double pot = weighted_sum(be, w, vector_view<const T, S>(candidate.view()));
      if (pot < best_pot) {
        best_pot = pot;
        best_row = row;
        std::swap(best, candidate);
      }
    }
    copy_row(be, X, best_row, C, c);
    std::swap(closest, best);
  }
}

/// k distinct rows drawn by weight without replacement (exponential keys of
/// Efraimidis & Spirakis: the k smallest -log(u_i) / w_i).
template <class Backend, class T, class S>
void init_random(const Backend& be, matrix_view<const T, S> X, const T* w, index_t k, rng::random_stream rs,
                 matrix_view<T, S> C) {
  const index_t n = X.rows();
  auto keys = make_vector<double>(be, n);
  double* kp = keys.data();
  for_each(be, n, CLUSTR_LAMBDA(index_t i) {
    const double u = 1.0 - rs.uniform<double>(static_cast<std::uint64_t>(i));  // (0, 1]
    const double wi = weight_at(w, i);
    kp[i] = wi > 0 ? -std::log(u) / wi : std::numeric_limits<double>::infinity();
  });
  auto top_v = make_matrix<double>(be, 1, k);
  auto top_i = make_matrix<index_t>(be, 1, k);
  select_k(be, matrix_view<const double, S>(keys.data(), 1, n), top_v.view(), top_i.view());
  const auto rows = top_i.to_std_vector();
  for (index_t c = 0; c < k; ++c) copy_row(be, X, rows[static_cast<std::size_t>(c)], C, c);
}

/// Rows per partial sum of the centroid update.
inline constexpr index_t update_chunk_rows = 256;

/// C_new(c, j) = sums(c, j) / sums(c, d) for clusters of positive weight,
/// else C_old(c, j); sums has rows of `width` doubles (sums, weight, ...).
template <class Backend, class T, class S>
void divide_sums(const Backend& be, const double* sums, index_t width, matrix_view<const T, S> C_old,
                 matrix_view<T, S> C_new) {
  const index_t d = C_old.cols();
  for_each_2d(be, C_old.rows(), d, CLUSTR_LAMBDA(index_t c, index_t j) {
    const double sw = sums[c * width + d];
    C_new(c, j) = sw > 0 ? static_cast<T>(sums[c * width + j] / sw) : C_old(c, j);
  });
}

/// Host backends use update_by_row_groups up to this slice width (doubles:
/// 512 KiB, a core's cache); wider ones the sorted form.
inline constexpr index_t host_group_max_width = 65536;

/// Rows per group of update_by_row_groups for n rows. Device backends: at
/// least group_update_rows, enough that a group's rows outweigh its slice of
/// `width` doubles, and at most device_max_groups groups (many short groups
/// keep the GPU busy; the slices take at most min(8 n, 2^16 width) doubles).
/// Host backends: at least 1024 and at least `width` (at most n + width).
template <class Backend>
index_t group_rows_for(index_t width, index_t n) {
  index_t r = is_host_backend_v<Backend> ? (width > 1024 ? width : 1024) : width / 8;
  if (!is_host_backend_v<Backend>) {
    const index_t spread = (n + device_max_groups - 1) / device_max_groups;
    r = r > spread ? r : spread;
  }
  return r > group_update_rows ? r : group_update_rows;
}

/// The update for small k * (d + 2): each group of
/// consecutive rows sums its rows into its own slice (per cluster: feature
/// sums, weight, count; then the number of rows whose label differs from
/// old[i]), and the slices are added in a tree of fixed shape
/// (group_update_fan per level). No sort, rows read in order (on the host,
/// one pass over X that stays in cache order; on a device, a few launches
/// and one copy to the host), and the order depends only on the shape and
/// the backend kind: the same result at every run and thread count.
/// Returns the number of changed labels (n when old is null).
template <class Backend, class T, class S>
index_t update_by_row_groups(const Backend& be, matrix_view<const T, S> X, const T* w, const std::int32_t* lab,
                             const std::int32_t* old, matrix_view<const T, S> C_old, matrix_view<T, S> C_new,
                             std::vector<index_t>& counts) {
  const index_t n = X.rows(), d = X.cols(), k = C_old.rows(), pw = d + 2, width = k * pw + 1;
  const index_t R = group_rows_for<Backend>(width, n);
  const index_t groups = (n + R - 1) / R;
  auto part = make_vector<double>(be, groups * width);
  double* p = part.data();
  for_each(be, groups, CLUSTR_LAMBDA(index_t g) {
    double* slice = p + g * width;
    for (index_t e = 0; e < width; ++e) slice[e] = 0;
    const index_t end = (g + 1) * R < n ? (g + 1) * R : n;
    index_t changed = 0;
    for (index_t i = g * R; i < end; ++i) {
      const double wi = weight_at(w, i);
      const std::int32_t c = lab[i];
      changed += old && old[i] != c ? 1 : 0;
      double* sc = slice + static_cast<index_t>(c) * pw;
      for (index_t j = 0; j < d; ++j) sc[j] += wi * static_cast<double>(X(i, j));
      sc[d] += wi;
      sc[d + 1] += 1;
    }
    slice[width - 1] = static_cast<double>(changed);
  });
  part = add_slices(be, std::move(part), groups, width);
  divide_sums(be, part.data(), pw, C_old, C_new);
  const auto sums = part.to_std_vector();
  counts.resize(static_cast<std::size_t>(k));
  for (index_t c = 0; c < k; ++c)
    counts[static_cast<std::size_t>(c)] = static_cast<index_t>(sums[static_cast<std::size_t>(c * pw + d + 1)]);
  return old ? static_cast<index_t>(sums[static_cast<std::size_t>(width - 1)]) : n;
}

/// New centroids: the weighted mean of each cluster's rows, and the number
/// of labels that differ from old_labels (n when it is null). When none
/// differ, C_new may be left as it was: the centroids are already the means.
/// Up to a slice width of k * (d + 2) doubles (host_group_max_width on the
/// host, group_update_max_width on a device) update_by_row_groups does it.
/// Wider: the rows are grouped by a stable sort by label (a counting sort on the
/// host); each cluster's rows, in row order, are
/// cut into chunks of update_chunk_rows, every (chunk, feature) sum runs in
/// parallel, and each cluster then adds its chunks in order. The grouping
/// depends only on the labels, so the result is the same at any thread count
/// (and on every backend up to the compiler's floating-point contraction),
/// and a GPU gets about n/256 * d tasks even when k is small. Empty clusters
/// keep their old centroid; per-cluster counts are returned (host).
template <class Backend, class T, class S>
index_t update_centroids(const Backend& be, matrix_view<const T, S> X, const T* w,
                         vector_view<const std::int32_t, S> labels, const std::int32_t* old_labels,
                         matrix_view<const T, S> C_old, matrix_view<T, S> C_new, std::vector<index_t>& counts) {
  const index_t n = X.rows(), d = X.cols(), k = C_old.rows();
  const index_t max_width = is_host_backend_v<Backend> ? host_group_max_width : group_update_max_width;
  if (k * (d + 2) <= max_width) return update_by_row_groups(be, X, w, labels.data(), old_labels, C_old, C_new, counts);
  index_t changed = n;
  if (old_labels) {
    const std::int32_t* a = labels.data();
    changed = count_if(be, n, CLUSTR_LAMBDA(index_t i) { return a[i] != old_labels[i]; });
    if (changed == 0) return 0;
  }
  auto perm = make_vector<index_t>(be, n);
  auto offsets = make_vector<index_t>(be, k + 1);
  index_t* off = offsets.data();
  if constexpr (is_host_backend_v<Backend>) {
    // A counting sort: stable, O(n + k), and the offsets come with it.
    const std::int32_t* lab = labels.data();
    std::vector<index_t> next(static_cast<std::size_t>(k) + 1, 0);
    for (index_t i = 0; i < n; ++i) ++next[static_cast<std::size_t>(lab[i]) + 1];
    for (index_t c = 0; c < k; ++c) next[static_cast<std::size_t>(c) + 1] += next[static_cast<std::size_t>(c)];
    std::copy(next.begin(), next.end(), off);
    index_t* pm = perm.data();
    for (index_t i = 0; i < n; ++i) pm[next[static_cast<std::size_t>(lab[i])]++] = i;
  } else {
    auto keys = clone(be, labels);
    iota(be, perm.view(), index_t(0));
    sort_by_key(be, keys.view(), perm.view());
    const std::int32_t* key = keys.data();
    for_each(be, k + 1, CLUSTR_LAMBDA(index_t c) {
      off[c] = lower_bound_by(n, c, [key](index_t p) { return static_cast<index_t>(key[p]); });
    });
  }
  // chunk_off[c]: the first chunk of cluster c. An inclusive scan of
  // [0, chunks of cluster 0, ..., chunks of cluster k-1], which leaves the
  // total in chunk_off[k] on the device (no round trip to the host: the
  // partial sums are sized for the most chunks there can be).
  constexpr index_t B = update_chunk_rows;
  auto chunk_off = make_vector<index_t>(be, k + 1);
  index_t* co = chunk_off.data();
  for_each(be, k + 1, CLUSTR_LAMBDA(index_t c) { co[c] = c > 0 ? (off[c] - off[c - 1] + B - 1) / B : 0; });
  inclusive_scan(be, chunk_off.view(), chunk_off.view());
  const index_t max_chunks = n / B + k;
  // partial(q, j): chunk q's weighted sum of feature j; column d: its weight.
  const index_t pw = d + 1;
  auto partial = make_vector<double>(be, max_chunks * pw);
  double* part = partial.data();
  const index_t* pm = perm.data();
  if constexpr (is_host_backend_v<Backend>) {
    // One task per chunk reading whole rows (cache-friendly); the same sums
    // in the same order as the per-(chunk, feature) form below.
    for_each(be, co[k], [=](index_t q) {
      const index_t c = lower_bound_by(k + 1, q + 1, [co](index_t t) { return co[t]; }) - 1;
      const index_t begin = off[c] + (q - co[c]) * B;
      const index_t end = begin + B < off[c + 1] ? begin + B : off[c + 1];
      double* pq = part + q * pw;
      for (index_t j = 0; j < pw; ++j) pq[j] = 0;
      for (index_t e = begin; e < end; ++e) {
        const index_t i = pm[e];
        const double wi = weight_at(w, i);
        const T* x = X.row(i);
        for (index_t j = 0; j < d; ++j) pq[j] += wi * static_cast<double>(x[j]);
        pq[d] += wi;
      }
    });
  } else {
    for_each_2d(be, max_chunks, pw, CLUSTR_LAMBDA(index_t q, index_t j) {
      if (q >= co[k]) return;
      // The owner: the last cluster whose first chunk is <= q (empty clusters own none).
      const index_t c = lower_bound_by(k + 1, q + 1, [co](index_t t) { return co[t]; }) - 1;
      const index_t begin = off[c] + (q - co[c]) * B;
      const index_t end = begin + B < off[c + 1] ? begin + B : off[c + 1];
      auto term = [&](index_t e) {
        const index_t i = pm[e];
        return j < d ? weight_at(w, i) * static_cast<double>(X(i, j)) : weight_at(w, i);
      };
      // Four loads in flight per step (the rows are scattered), added in order.
      double s = 0;
      index_t e = begin;
      for (; e + 4 <= end; e += 4) {
        const double t0 = term(e), t1 = term(e + 1), t2 = term(e + 2), t3 = term(e + 3);
        s += t0;
        s += t1;
        s += t2;
        s += t3;
      }
      for (; e < end; ++e) s += term(e);
      part[q * pw + j] = s;
    });
  }
  for_each_2d(be, k, d, CLUSTR_LAMBDA(index_t c, index_t j) {
    double s = 0, sw = 0;
    for (index_t q = co[c]; q < co[c + 1]; ++q) {
      s += part[q * pw + j];
      sw += part[q * pw + d];
    }
    C_new(c, j) = sw > 0 ? static_cast<T>(s / sw) : C_old(c, j);
  });
  const auto off_host = offsets.to_std_vector();
  counts.resize(static_cast<std::size_t>(k));
  for (index_t c = 0; c < k; ++c) counts[static_cast<std::size_t>(c)] = off_host[static_cast<std::size_t>(c + 1)] - off_host[static_cast<std::size_t>(c)];
  return changed;
}

/// Scales every row of A to unit Euclidean length in place (spherical
/// k-means); rows of zero length stay zero. Returns how many rows were zero.
template <class Backend, class T, class S>
index_t normalize_rows(const Backend& be, matrix_view<T, S> A) {
  const index_t d = A.cols();
  for_each(be, A.rows(), CLUSTR_LAMBDA(index_t i) {
    double s = 0;
    for (index_t j = 0; j < d; ++j) s += static_cast<double>(A(i, j)) * static_cast<double>(A(i, j));
    if (s > 0) {
      const double inv = 1.0 / std::sqrt(s);
      for (index_t j = 0; j < d; ++j) A(i, j) = static_cast<T>(static_cast<double>(A(i, j)) * inv);
    }
  });
  return count_if(be, A.rows(), CLUSTR_LAMBDA(index_t i) {
    for (index_t j = 0; j < d; ++j)
      if (A(i, j) != T(0)) return false;
    return true;
  });
}

/// Moves each empty cluster's centroid onto a distinct row farthest from its
/// own centroid (scikit-learn's relocation of empty clusters); returns how
/// many were moved.
template <class Backend, class T, class S>
index_t reseed_empty(const Backend& be, matrix_view<const T, S> X, vector_view<const T, S> min_dist,
                     const std::vector<index_t>& counts, matrix_view<T, S> C) {
  std::vector<index_t> empty;
  for (std::size_t c = 0; c < counts.size(); ++c)
    if (counts[c] == 0) empty.push_back(static_cast<index_t>(c));
  if (empty.empty()) return 0;
  const auto dist = min_dist.size() > 0 ? clone(be, min_dist).to_std_vector() : std::vector<T>{};
  std::vector<index_t> order(dist.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<index_t>(i);
  // The farthest rows first, ties to the smaller index (a total order, so
  // only the first empty.size() need sorting).
  const auto far = std::min(empty.size(), order.size());
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(far), order.end(), [&](index_t a, index_t b) {
    const auto da = dist[static_cast<std::size_t>(a)], db = dist[static_cast<std::size_t>(b)];
    return da > db || (da == db && a < b);
  });
  for (std::size_t e = 0; e < empty.size() && e < order.size(); ++e) copy_row(be, X, order[e], C, empty[e]);
  return static_cast<index_t>(empty.size());
}

}  // namespace clustr::kmeans::detail
