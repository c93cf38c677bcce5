#pragma once
// k-means|| initialisation (Bahmani, Moseley, Vattani, Kumar, Vassilvitskii,
// "Scalable K-Means++", VLDB 2012), as cuML's init="k-means||": instead of k
// sequential passes over the data (k-means++), a few rounds each pick about
// oversampling_factor * k rows at once with probability proportional to
// their squared distance to the candidates so far; the candidates, weighted
// by the (sample) weight of the rows closest to them, are then reduced to k
// centroids by weighted k-means++. Every draw is Philox keyed by (run, round,
// row), so every backend and thread count picks the same candidates.

#include <cstdint>
#include <vector>

#include "clustr/cluster/detail/kmeans_steps.hpp"
#include "clustr/core/rng.hpp"
#include "clustr/primitives/primitives.hpp"

namespace clustr::kmeans::detail {

/// Appends X's rows `rows` (host indices) to the candidate matrix: returns a
/// new (old + rows) x d matrix on the backend.
template <class Backend, class T, class S>
matrix<T, S> append_candidates(const Backend& be, matrix_view<const T, S> X, const matrix<T, S>& old,
                               const std::vector<index_t>& rows) {
  const index_t m0 = old.rows(), add = static_cast<index_t>(rows.size()), d = X.cols();
  auto out = make_matrix<T>(be, m0 + add, d);
  if (m0 > 0) copy(be, vector_view<T, S>(out.data(), m0 * d), vector_view<const T, S>(old.data(), m0 * d));
  auto idx = make_vector<index_t>(be, add);
  copy(be, idx.view(), vector_view<const index_t, host_space>(rows.data(), add));
  gather_rows(be, X, vector_view<const index_t, S>(idx.view()), matrix_view<T, S>(out.data() + m0 * d, add, d));
  return out;
}

/// k-means|| into C (k x d). Falls back to k-means++ on X when the rounds
/// find fewer than k distinct candidates (data with fewer distinct rows).
template <class Backend, class T, class S>
void init_parallel(const Backend& be, matrix_view<const T, S> X, const T* w, index_t k, double oversampling,
                   index_t rounds, rng::random_stream rs, matrix_view<T, S> C) {
  const index_t n = X.rows(), d = X.cols();
  // First candidate: one row drawn by weight (counter 0 of the stream).
  const std::vector<double> cum = cumulative_weighted(be, w, static_cast<const T*>(nullptr), n);
  const index_t first = draw_from_cumulative(cum, rs.uniform<double>(0) * cum.back());
  std::vector<index_t> chosen{first};
  matrix<T, S> cand = append_candidates(be, X, matrix<T, S>{}, chosen);
  auto closest = make_vector<T>(be, n);
  distance_to_row(be, X, first, static_cast<const T*>(nullptr), closest.data());
  auto picked = make_vector<index_t>(be, n);
  auto lab = make_vector<std::int32_t>(be, n);
  auto dist = make_vector<T>(be, n);
  const double ell = oversampling * static_cast<double>(k);
  for (index_t r = 0; r < rounds; ++r) {
    const double psi = weighted_sum(be, w, vector_view<const T, S>(closest.view()));
    if (!(psi > 0)) break;  // every row is already a candidate
    const T* cl = closest.data();
    const std::uint64_t base = 1 + static_cast<std::uint64_t>(r) * static_cast<std::uint64_t>(n);
    const double scale = ell / psi;
    const index_t m = copy_if(be, n, CLUSTR_LAMBDA(index_t i) {
      return rs.uniform<double>(base + static_cast<std::uint64_t>(i)) < scale * weight_at(w, i) * static_cast<double>(cl[i]);
    }, picked.view());
    if (m == 0) continue;
    std::vector<index_t> rows(static_cast<std::size_t>(m));
    copy(be, vector_view<index_t, host_space>(rows.data(), m), vector_view<const index_t, S>(picked.data(), m));
    const index_t m0 = cand.rows();
    cand = append_candidates(be, X, cand, rows);
    chosen.insert(chosen.end(), rows.begin(), rows.end());
    // closest = min(closest, distance to the new candidates).
    fused_distance_argmin(be, metric::sqeuclidean{}, X, matrix_view<const T, S>(cand.data() + m0 * d, m, d), lab.view(),
                          dist.view());
    T* cw = closest.data();
    const T* dn = dist.data();
    for_each(be, n, CLUSTR_LAMBDA(index_t i) { cw[i] = dn[i] < cw[i] ? dn[i] : cw[i]; });
  }
  const index_t m = cand.rows();
  if (m < k) {  // too few distinct rows were ever at a positive distance
    init_plus_plus(be, X, w, k, rs, C);
    return;
  }
  // Candidate weights: the total weight of the rows closest to each, summed
  // on the host in row order (deterministic; m is small).
  fused_distance_argmin(be, metric::sqeuclidean{}, X, matrix_view<const T, S>(cand.view()), lab.view(), dist.view());
  const auto labels = lab.to_std_vector();
  std::vector<double> wsum(static_cast<std::size_t>(m), 0.0);
  std::vector<T> wh;
  if (w) {
    wh.resize(static_cast<std::size_t>(n));
    copy(be, vector_view<T, host_space>(wh.data(), n), vector_view<const T, S>(w, n));
  }
  for (index_t i = 0; i < n; ++i)
    wsum[static_cast<std::size_t>(labels[static_cast<std::size_t>(i)])] += w ? static_cast<double>(wh[static_cast<std::size_t>(i)]) : 1.0;
  std::vector<T> cw_host(wsum.begin(), wsum.end());
  auto cand_w = make_vector<T>(be, m);
  copy(be, cand_w.view(), vector_view<const T, host_space>(cw_host.data(), m));
  // Weighted k-means++ over the candidates; its own Philox stream.
  const rng::random_stream rs2{rs.seed, rs.stream ^ 0x6b6d7c7cull};
  init_plus_plus(be, matrix_view<const T, S>(cand.view()), static_cast<const T*>(cand_w.data()), k, rs2, C);
}

}  // namespace clustr::kmeans::detail
