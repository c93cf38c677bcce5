#pragma once
// clustr::distributed::kmeans: k-means over rows spread across MPI ranks
// (each rank passes its own rows; the data set is their concatenation in
// rank order). Lloyd's iterations assign locally and all-reduce the
// per-cluster sums, weights and counts (doubles, added in rank order), so
// centroids are replicated bit for bit on every rank and equal the
// single-process fit on the concatenated rows up to the rounding of those
// sums. Init: given centroids (warm start), k-means++ on a gathered sample,
// k-means|| or random, all drawn by global row index (independent of the
// number of ranks). Device backends exchange device buffers through NCCL
// when given an nccl_communicator, else through host memory and MPI.
// Every argument is checked collectively before any work: a bad or
// disagreeing argument on any rank throws clustr::invalid_argument on every
// rank (no rank is left waiting).

#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>
#include <vector>

#include "clustr/cluster/kmeans.hpp"
#include "clustr/core/as_view.hpp"
#include "clustr/core/errors.hpp"
#include "clustr/distributed/communicator.hpp"
#include "clustr/distributed/detail/agreement.hpp"
#include "clustr/distributed/detail/collectives.hpp"
#include "clustr/distributed/detail/kmeans_steps.hpp"
#include "clustr/primitives/primitives.hpp"

namespace clustr::distributed::kmeans {

/// Parameters: the single-process ones plus how the k-means++ sample is drawn.
struct params {
  /// Everything clustr::kmeans::params means, with the same defaults
  /// (n_clusters, init, n_init, max_iter, tol, seed, k-means|| settings).
  /// spherical = true is not supported here (throws).
  clustr::kmeans::params kmeans{};
  /// init = kmeans_plus_plus (and the k-means|| fallback): about this many
  /// rows, drawn by Philox over global row indices, are gathered to every
  /// rank, which all run the same greedy k-means++ on them. 0 (default):
  /// max(10000, 50 * n_clusters). When it is >= the total number of rows,
  /// every row is gathered and the init equals the single-process one.
  index_t init_sample_size = 0;
};

namespace detail {

inline index_t sample_size(const params& p) {
  if (p.init_sample_size > 0) return p.init_sample_size;
  return std::max<index_t>(10000, 50 * p.kmeans.n_clusters);
}

/// One Lloyd run from C (replicated), as clustr::kmeans::detail::lloyd with
/// the sums all-reduced.
template <class Backend, class Comm, class T, class S>
clustr::kmeans::model<T, S> lloyd(const Backend& be, const Comm& comm, const clustr::kmeans::params& p,
                                  matrix_view<const T, S> X, const T* w, const kmeans_detail::layout& lay, matrix<T, S> C,
                                  double tol_abs) {
  namespace kd = kmeans_detail;
  const index_t n = X.rows(), k = C.rows(), d = X.cols();
  const auto& hc = distributed::detail::host_comm(comm);
  auto labels = make_vector<std::int32_t>(be, n);
  auto old_labels = make_vector<std::int32_t>(be, n);
  auto min_dist = make_vector<T>(be, n);
  auto C_next = make_matrix<T>(be, k, d);
  auto sums = make_vector<double>(be, k * d + 2 * k);
  clustr::kmeans::model<T, S> m;
  bool strict = false;
  for (index_t it = 0; it < p.max_iter; ++it) {
    std::swap(labels, old_labels);
    if (n > 0)
      fused_distance_argmin(be, metric::sqeuclidean{}, X, matrix_view<const T, S>(C.view()), labels.view(), min_dist.view());
    if (it > 0) {
      const std::int32_t* a = labels.data();
      const std::int32_t* b = old_labels.data();
      const index_t changed = hc.allreduce(count_if(be, n, CLUSTR_LAMBDA(index_t i) { return a[i] != b[i]; }), reduce_op::sum);
      if (changed == 0) {
        strict = true;
        m.n_iter = it + 1;
        break;
      }
    }
    kd::cluster_sums(be, X, w, vector_view<const std::int32_t, S>(labels.view()), k, sums.data());
    distributed::detail::allreduce_sum_ordered(be, comm, sums.data(), sums.size());
    kd::centroids_from_sums(be, static_cast<const double*>(sums.data()), matrix_view<const T, S>(C.view()), C_next.view());
    const auto counts = distributed::detail::to_host_vector(be, static_cast<const double*>(sums.data()) + k * d + k, k);
    m.n_empty_reseeded +=
        kd::reseed_empty(be, comm, X, lay, vector_view<const T, S>(min_dist.view()), counts, C_next.view());
    const double shift = clustr::kmeans::detail::squared_shift(be, C.data(), C_next.data(), C.size());
    std::swap(C, C_next);
    m.n_iter = it + 1;
    if (shift <= tol_abs) {
      m.converged = true;
      break;
    }
  }
  if (strict) m.converged = true;
  if (n > 0)
    fused_distance_argmin(be, metric::sqeuclidean{}, X, matrix_view<const T, S>(C.view()), labels.view(), min_dist.view());
  m.inertia = kd::global_weighted_sum(be, comm, w, vector_view<const T, S>(min_dist.view()));
  m.centroids = std::move(C);
  m.labels = std::move(labels);
  return m;
}

}  // namespace detail

/// Fits k-means to the rows of all ranks. Collective: every rank of `comm`
/// calls it with its own rows X_local (n_local x d, n_local may be 0) and the
/// same params. sample_weight: empty, or n_local weights of this rank's rows
/// (all ranks pass weights or none). initial_centroids: empty, or the same
/// n_clusters x d centroids on every rank (a warm start; checked by hash).
/// Views or arrays, host or device memory. `comm` is a
/// clustr::distributed::communicator (MPI, host buffers) or an
/// nccl_communicator (device backends). Returns the model with replicated
/// centroids, the labels of this rank's rows, and the global inertia.
/// Throws clustr::invalid_argument on every rank when any rank's input is
/// bad or the ranks disagree on d, the parameters or the initial centroids.
template <class Backend, class Comm, class Data, class T = value_type_of_t<Data>,
          class Weights = vector_view<const T, host_space>, class Initial = matrix_view<const T, host_space>>
clustr::kmeans::model<T, memory_space_t<Backend>> fit(const Backend& be, const Comm& comm, const params& p,
                                                      const Data& X_local, const Weights& sample_weight = {},
                                                      const Initial& initial_centroids = {}) {
  using S = memory_space_t<Backend>;
  namespace kd = kmeans_detail;
  namespace dd = distributed::detail;
  static_assert(std::is_floating_point_v<T>, "clustr::distributed::kmeans::fit: data must be float or double");
  static_assert(std::is_same_v<value_type_of_t<Weights>, T>, "sample_weight must have X's scalar type");
  static_assert(std::is_same_v<value_type_of_t<Initial>, T>, "initial_centroids must have X's scalar type");
  const auto& hc = dd::host_comm(comm);
  const auto& kp = p.kmeans;
  const auto Xs = stage(be, as_const_view(X_local));
  const auto X = Xs.view();
  const auto Ws = stage(be, as_const_view(sample_weight));
  const auto C0 = stage(be, as_const_view(initial_centroids));
  const bool warm = C0.view().rows() > 0;
  std::int64_t c0_hash = 0;
  // 1. This rank's own input (no collectives inside).
  dd::collective_check(hc, [&] {
    if (X.cols() < 1) clustr::detail::throw_invalid("X.cols()", X.cols(), "must be >= 1");
    if (X.rows() > 0) check_finite(be, X, "X");
    if (kp.spherical)
      clustr::detail::throw_invalid("params.kmeans.spherical", "true", "not supported by distributed k-means");
    if (p.init_sample_size < 0) clustr::detail::throw_invalid("params.init_sample_size", p.init_sample_size, "must be >= 0");
    if (Ws.view().size() > 0 && X.rows() > 0) clustr::kmeans::detail::check_weights(be, Ws.view(), X.rows());
    if (Ws.view().size() > 0 && X.rows() == 0)
      clustr::detail::throw_invalid("sample_weight.size()", Ws.view().size(), "must equal X.rows() = 0");
    if (kp.init == clustr::kmeans::init_method::array && !warm)
      clustr::detail::throw_invalid("initial_centroids", "empty", "params.init == array needs initial centroids");
    if (warm) {
      if (C0.view().rows() != kp.n_clusters || C0.view().cols() != X.cols())
        clustr::detail::throw_invalid("initial_centroids shape",
                                      clustr::detail::concat(C0.view().rows(), "x", C0.view().cols()),
                                      clustr::detail::concat("must be n_clusters x d = ", kp.n_clusters, "x", X.cols()));
      check_finite(be, C0.view(), "initial_centroids");
      const auto h = clone(be, C0.view()).to_std_vector();
      c0_hash = dd::hash_bytes(h.data(), h.size() * sizeof(T));
    }
  });
  // 2. The same d, parameters and initial centroids everywhere.
  dd::check_agreement(hc, {{"X.cols()", X.cols()},
                           {"sizeof(scalar type)", static_cast<std::int64_t>(sizeof(T))},
                           {"params.kmeans.n_clusters", kp.n_clusters},
                           {"params.kmeans.init", static_cast<std::int64_t>(kp.init)},
                           {"params.kmeans.n_init", kp.n_init},
                           {"params.kmeans.max_iter", kp.max_iter},
                           {"params.kmeans.tol", dd::bits_of(kp.tol)},
                           {"params.kmeans.seed", static_cast<std::int64_t>(kp.seed)},
                           {"params.kmeans.oversampling_factor", dd::bits_of(kp.oversampling_factor)},
                           {"params.kmeans.init_rounds", kp.init_rounds},
                           {"params.init_sample_size", p.init_sample_size},
                           {"initial_centroids (given or empty)", warm ? 1 : 0},
                           {"initial_centroids (values)", c0_hash}});
  // Weights: every rank that holds rows passes them, or none does.
  std::int64_t wstate[2] = {Ws.view().size() > 0 ? 1 : 0, Ws.view().size() == 0 && X.rows() > 0 ? 1 : 0};
  hc.allreduce(wstate, 2, reduce_op::max);
  const bool weighted = wstate[0] == 1;
  if (wstate[0] == 1 && wstate[1] == 1)
    clustr::detail::throw_invalid("sample_weight", "given on some ranks only", "pass weights on every rank or on none");
  // 3. Global checks (the same outcome on every rank).
  kd::layout lay{dd::row_offsets(hc, X.rows()), hc.rank()};
  if (lay.n_global() == 0) clustr::detail::throw_invalid("X.rows()", 0, "every rank holds 0 rows: input must not be empty");
  clustr::kmeans::detail::check_params(kp, lay.n_global());
  const T* w = Ws.view().size() ? Ws.view().data() : nullptr;
  if (weighted && !(kd::global_weighted_sum(be, comm, static_cast<const T*>(nullptr), Ws.view()) > 0))
    clustr::detail::throw_invalid("sample_weight", "all zero", "weights must not all be 0");

  const double tol_abs = kd::absolute_tolerance(be, comm, X, lay, kp.tol);
  const index_t runs = warm ? 1 : kp.n_init;
  clustr::kmeans::model<T, S> best;
  best.inertia = std::numeric_limits<double>::infinity();
  for (index_t run = 0; run < runs; ++run) {
    auto C = make_matrix<T>(be, kp.n_clusters, X.cols());
    if (warm) {
      copy(be, C.view(), C0.view());
    } else {
      const rng::random_stream rs{kp.seed, static_cast<std::uint64_t>(run)};
      bool done = false;
      if (kp.init == clustr::kmeans::init_method::random) {
        kd::init_random(be, comm, X, w, lay, kp.n_clusters, rs, C.view());
        done = true;
      } else if (kp.init == clustr::kmeans::init_method::kmeans_parallel) {
        done = kd::init_parallel(be, comm, X, w, lay, kp.n_clusters, kp.oversampling_factor, kp.init_rounds, rs, C.view());
      }
      if (!done) kd::init_plus_plus_sampled(be, comm, X, w, weighted, lay, kp.n_clusters, detail::sample_size(p), rs, C.view());
    }
    auto m = detail::lloyd(be, comm, kp, X, w, lay, std::move(C), tol_abs);
    if (m.inertia < best.inertia) best = std::move(m);
  }
  fence(be);
  return best;
}

/// The same with single-process params (default k-means++ sample size).
template <class Backend, class Comm, class Data, class T = value_type_of_t<Data>,
          class Weights = vector_view<const T, host_space>, class Initial = matrix_view<const T, host_space>>
clustr::kmeans::model<T, memory_space_t<Backend>> fit(const Backend& be, const Comm& comm, const clustr::kmeans::params& p,
                                                      const Data& X_local, const Weights& sample_weight = {},
                                                      const Initial& initial_centroids = {}) {
  return fit(be, comm, params{p, 0}, X_local, sample_weight, initial_centroids);
}

}  // namespace clustr::distributed::kmeans
