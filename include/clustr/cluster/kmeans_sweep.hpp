#pragma once
// clustr::kmeans::sweep: k-means for each k of a list, with the scores users
// pick k by (inertia for the elbow, silhouette, Davies-Bouldin,
// Calinski-Harabasz), in one call. The data is staged, checked, normalised
// (spherical) and its variance taken once for all k.

#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include "clustr/cluster/kmeans.hpp"
#include "clustr/stats/calinski_harabasz.hpp"
#include "clustr/stats/davies_bouldin.hpp"
#include "clustr/stats/silhouette.hpp"

namespace clustr::kmeans {

/// Fits k-means for every k in ks (params.n_clusters is ignored; every other
/// field applies to each fit, the seed included) and scores each clustering.
/// Returns one row per k, in the order of ks. Scores are computed on the data
/// the fit saw (unit rows when spherical, with the cosine silhouette); with
/// k = 1 they are NaN (scikit-learn raises for a single cluster).
/// Throws clustr::invalid_argument when ks is empty or has a k outside [1, n].
template <class Backend, class Data, class T = value_type_of_t<Data>>
std::vector<sweep_row> sweep(const Backend& be, const params& p, const Data& X_in, const std::vector<index_t>& ks,
                             const sweep_params& sp = {}) {
  using S = memory_space_t<Backend>;
  static_assert(std::is_floating_point_v<T>, "clustr::kmeans::sweep: data must be float or double");
  const auto Xs = stage(be, as_const_view(X_in));
  const index_t n = Xs.view().rows();
  if (ks.empty()) clustr::detail::throw_invalid("ks", "empty", "give at least one number of clusters");
  for (std::size_t i = 0; i < ks.size(); ++i)
    if (ks[i] < 1 || ks[i] > n)
      clustr::detail::throw_invalid(clustr::detail::concat("ks[", i, "]"), ks[i],
                                    clustr::detail::concat("must be in [1, X.rows() = ", n, "]"));
  if (sp.silhouette_sample_size < 0)
    clustr::detail::throw_invalid("sweep_params.silhouette_sample_size", sp.silhouette_sample_size, "must be >= 0");
  check_finite(be, Xs.view(), "X");
  params pk = p;
  pk.init = p.init == init_method::array ? init_method::kmeans_plus_plus : p.init;  // no centroids per k
  pk.n_clusters = 1;
  detail::check_params(pk, n);
  matrix<T, S> X_unit;
  if (p.spherical) X_unit = detail::unit_rows(be, Xs.view(), "X");
  const auto X = p.spherical ? matrix_view<const T, S>(X_unit.view()) : Xs.view();
  const double tol_abs = detail::absolute_tolerance(be, X, p.tol);
  const double nan = std::numeric_limits<double>::quiet_NaN();

  std::vector<sweep_row> rows;
  rows.reserve(ks.size());
  for (const index_t k : ks) {
    pk.n_clusters = k;
    const auto m = detail::fit_runs(be, pk, X, static_cast<const T*>(nullptr), matrix_view<const T, S>{}, tol_abs);
    sweep_row r;
    r.k = k;
    r.inertia = m.inertia;
    r.n_iter = m.n_iter;
    r.converged = m.converged;
    r.silhouette = r.davies_bouldin = r.calinski_harabasz = nan;
    if (sp.scores && k > 1) {
      const auto labels = vector_view<const std::int32_t, S>(m.labels.view());
      if (p.spherical) {
        stats::silhouette_params<metric::cosine> spp;
        spp.sample_size = sp.silhouette_sample_size;
        spp.seed = p.seed;
        r.silhouette = stats::silhouette_score(be, X, labels, spp);
      } else {
        stats::silhouette_params<metric::euclidean> spp;
        spp.sample_size = sp.silhouette_sample_size;
        spp.seed = p.seed;
        r.silhouette = stats::silhouette_score(be, X, labels, spp);
      }
      r.davies_bouldin = stats::davies_bouldin_score(be, X, labels);
      r.calinski_harabasz = stats::calinski_harabasz_score(be, X, labels);
    }
    rows.push_back(r);
  }
  fence(be);
  return rows;
}

}  // namespace clustr::kmeans
