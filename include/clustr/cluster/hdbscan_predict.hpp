#pragma once
// clustr::hdbscan prediction and soft clustering, with the hdbscan library's
// semantics (hdbscan/prediction.py): approximate_predict,
// approximate_predict_scores (GLOSH of new points), membership_vector,
// all_points_membership_vectors, and top-k variants that never hold the
// n x n_clusters matrix. They need a model fitted with
// params.prediction_data = true. See docs/hdbscan_soft_clustering.md.
//
// The heavy part (distances from every point to every exemplar) runs on the
// backend in batches of rows (scratch O(batch x n_clusters)); new points find
// their 2 * min_samples nearest training points with the exact kNN engine.

#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "clustr/cluster/detail/hdbscan_prediction.hpp"
#include "clustr/cluster/detail/hdbscan_prediction_kernels.hpp"
#include "clustr/cluster/hdbscan_types.hpp"
#include "clustr/core/as_view.hpp"
#include "clustr/core/errors.hpp"
#include "clustr/metric/metric.hpp"
#include "clustr/neighbors/search.hpp"
#include "clustr/primitives/memory.hpp"
#include "clustr/primitives/validate.hpp"

namespace clustr::hdbscan {

namespace detail::pred {

/// Rows per batch: batch_size, or (0) about 2^22 scratch elements per table.
inline index_t rows_per_batch(index_t batch_size, index_t rows, index_t C) {
  if (batch_size < 0) throw_invalid("batch_size", batch_size, "must be >= 0 (0: automatic)");
  index_t b = batch_size > 0 ? batch_size : (index_t(1) << 22) / std::max<index_t>(1, C);
  b = std::max<index_t>(1, std::min<index_t>(b, rows));
  return b;
}

/// The checks every entry point makes first (after k): a model with
/// prediction data, then batch_size.
template <class T, class S>
void check_model(const model<T, S>& m, index_t batch_size) {
  if (!m.prediction.present)
    throw_invalid("model.prediction", "absent: fit with params.prediction_data = true");
  (void)rows_per_batch(batch_size, 1, 1);
}

inline void check_k(index_t k) {
  if (k < 1) throw_invalid("k", k, "must be >= 1");
}

/// The prologue of the new-point entry points: check_model, then Y staged in
/// the backend's memory and checked (columns, then finite values), all before
/// any output is allocated.
template <class Backend, class T, class Points>
staged_matrix<T, memory_space_t<Backend>> prepare_points(const Backend& be, const model<T, memory_space_t<Backend>>& m,
                                                         const Points& Y, index_t batch_size) {
  check_model(m, batch_size);
  auto Ys = stage(be, as_const_view(Y));
  const auto Yv = Ys.view();
  if (Yv.cols() != m.prediction.data.cols())
    throw_invalid("Y.cols()", Yv.cols(), concat("must equal the training data's columns = ", m.prediction.data.cols()));
  check_finite(be, Yv, "Y");
  return Ys;
}

/// Where the soft-clustering passes write: dense rows, or top-k outputs.
template <class T>
struct soft_out {
  T* dense = nullptr;
  index_t k = 0;
  std::int32_t* top_c = nullptr;
  T* top_p = nullptr;
  T* noise = nullptr;
};

/// Where approximate_predict(_scores) write.
template <class T>
struct predict_out {
  std::int32_t* labels = nullptr;
  T* values = nullptr;  ///< probabilities or scores
  std::int64_t* conn = nullptr;
};

/// One batch of soft clustering: the raw tables of the rows Qb (tree nodes
/// node, lambdas lam) into dist / height (>= Qb.rows() x C), then their
/// membership vectors into o's rows q0...
template <class Backend, class Metric, class T>
void soft_batch(const Backend& be, const Metric& metric, const prediction_data<T, memory_space_t<Backend>>& pd,
                matrix_view<const T, memory_space_t<Backend>> Qb, const std::int32_t* node, const T* lam,
                bool new_points, T* dist, T* height, index_t q0, const soft_out<T>& o) {
  using S = memory_space_t<Backend>;
  const index_t nb = Qb.rows(), C = pd.n_clusters();
  matrix_view<T, S> dv(dist, nb, C), hv(height, nb, C);
  membership_raw(be, metric, Qb, node, pd, dv, hv);
  finish_args<T> a;
  a.C = C;
  a.dist = dist;
  a.height = height;
  a.node = node;
  a.lam = lam;
  a.leaf_max = pd.leaf_max_lambda_dev.data();
  a.sel = pd.selected_dev.data();
  a.new_points = new_points;
  a.big = std::numeric_limits<T>::max();
  a.dense = o.dense ? o.dense + q0 * C : nullptr;
  a.k = o.k;
  a.top_c = o.top_c ? o.top_c + q0 * o.k : nullptr;
  a.top_p = o.top_p ? o.top_p + q0 * o.k : nullptr;
  a.noise = o.noise ? o.noise + q0 : nullptr;
  finish_rows(be, nb, a);
}

/// Soft clustering of the training points, batch by batch; writes the dense
/// rows (dense != null) or the top-k outputs.
template <class Backend, class Metric, class T>
void all_points_soft(const Backend& be, const Metric& metric, const model<T, memory_space_t<Backend>>& m,
                     index_t batch_size, const soft_out<T>& o) {
  using S = memory_space_t<Backend>;
  const auto& pd = m.prediction;
  const index_t n = pd.data.rows(), C = pd.n_clusters();
  const index_t b = rows_per_batch(batch_size, n, C);
  auto dist = make_matrix<T>(be, b, C);
  auto height = make_matrix<T>(be, b, C);
  for (index_t q0 = 0; q0 < n; q0 += b) {
    const index_t nb = std::min(b, n - q0);
    soft_batch(be, metric, pd, matrix_view<const T, S>(pd.data.view()).row_block(q0, nb), pd.point_node.data() + q0,
               pd.point_lambda.data() + q0, false, dist.data(), height.data(), q0, o);
  }
  fence(be);
}

/// For a block of new points: the kNN lists among the training points
/// (2 * min_samples, at most n) and hdbscan's nearest mutual-reachability
/// neighbour, lambda and smallest distance.
template <class Backend, class Metric, class T>
void new_point_neighbours(const Backend& be, const Metric& metric, const prediction_data<T, memory_space_t<Backend>>& pd,
                          matrix_view<const T, memory_space_t<Backend>> Yb, matrix<T, memory_space_t<Backend>>& kd,
                          matrix<std::int64_t, memory_space_t<Backend>>& ki, std::int64_t* nn, T* lam, T* dmin) {
  using S = memory_space_t<Backend>;
  const index_t kk = kd.cols();
  matrix_view<T, S> dv(kd.data(), Yb.rows(), kk);
  matrix_view<std::int64_t, S> iv(ki.data(), Yb.rows(), kk);
  knn::detail::exact_topk(be, metric, matrix_view<const T, S>(pd.data.view()), Yb, Yb.rows(), -1, dv, iv);
  nearest_mutual(be, matrix_view<const T, S>(dv), matrix_view<const std::int64_t, S>(iv), pd.core_distances.data(),
                 pd.min_samples, nn, lam, dmin);
}

/// What the new-point entry points compute per batch.
enum class new_point_task { predict, scores, soft };

template <class Backend, class Metric, class T>
void new_points_run(const Backend& be, const Metric& metric, const model<T, memory_space_t<Backend>>& m,
                    matrix_view<const T, memory_space_t<Backend>> Y, index_t batch_size, new_point_task task,
                    const predict_out<T>& po, const soft_out<T>& o) {
  const auto& pd = m.prediction;
  const index_t q = Y.rows(), C = pd.n_clusters();
  const index_t kk = std::min<index_t>(2 * pd.min_samples, pd.data.rows());
  const index_t b = rows_per_batch(batch_size, q, std::max(C, kk));
  auto kd = make_matrix<T>(be, b, kk);
  auto ki = make_matrix<std::int64_t>(be, b, kk);
  auto nn = make_vector<std::int64_t>(be, b);
  auto lam = make_vector<T>(be, b);
  auto dmin = make_vector<T>(be, b);
  auto node = make_vector<std::int32_t>(be, task == new_point_task::soft ? b : 0);
  const index_t cs = task == new_point_task::soft ? C : 0;
  auto dist = make_matrix<T>(be, cs ? b : 0, cs);
  auto height = make_matrix<T>(be, cs ? b : 0, cs);
  for (index_t q0 = 0; q0 < q; q0 += b) {
    const index_t nb = std::min(b, q - q0);
    const auto Yb = Y.row_block(q0, nb);
    new_point_neighbours(be, metric, pd, Yb, kd, ki, nn.data(), lam.data(), dmin.data());
    if (task == new_point_task::predict) {
      predict_labels(be, nb, pd, nn.data(), lam.data(), po.labels + q0, po.values + q0, po.conn + q0);
    } else if (task == new_point_task::scores) {
      predict_scores(be, nb, pd, nn.data(), lam.data(), dmin.data(), po.values + q0);
    } else {
      new_point_nodes(be, nb, pd, nn.data(), lam.data(), node.data());
      soft_batch(be, metric, pd, Yb, node.data(), lam.data(), true, dist.data(), height.data(), q0, o);
    }
  }
  fence(be);
}

/// all_points_soft and new_points_run with the model's metric.
template <class Backend, class T>
void run_all_points(const Backend& be, const model<T, memory_space_t<Backend>>& m, index_t batch_size,
                    const soft_out<T>& o) {
  metric::visit(m.prediction.metric_kind, m.prediction.metric_p,
                [&](auto metric) { all_points_soft(be, metric, m, batch_size, o); });
}

template <class Backend, class T>
void run_new_points(const Backend& be, const model<T, memory_space_t<Backend>>& m,
                    const staged_matrix<T, memory_space_t<Backend>>& Ys, index_t batch_size, new_point_task task,
                    const predict_out<T>& po, const soft_out<T>& o) {
  metric::visit(m.prediction.metric_kind, m.prediction.metric_p,
                [&](auto metric) { new_points_run(be, metric, m, Ys.view(), batch_size, task, po, o); });
}

/// Top-k outputs when there are no clusters: every id -1, probability 0, noise 1.
template <class Backend, class T>
void fill_no_clusters(const Backend& be, top_k_membership<T, memory_space_t<Backend>>& r) {
  fill(be, r.clusters.view().flat(), std::int32_t(-1));
  fill(be, r.probabilities.view().flat(), T(0));
  fill(be, r.noise_probability.view(), T(1));
  fence(be);
}

}  // namespace detail::pred

/// hdbscan's all_points_membership_vectors: row i is the probability that
/// training point i belongs to each of the model's clusters (n x n_clusters;
/// n x 0 when there are no clusters, where hdbscan returns zeros(n)). Each row
/// sums to the point's prob_in_some_cluster (<= 1). batch_size: rows per
/// batch (0: automatic, ~2^22 scratch elements).
template <class Backend, class T>
matrix<T, memory_space_t<Backend>> all_points_membership_vectors(const Backend& be,
                                                                 const model<T, memory_space_t<Backend>>& m,
                                                                 index_t batch_size = 0) {
  detail::pred::check_model(m, batch_size);
  const auto& pd = m.prediction;
  auto out = make_matrix<T>(be, pd.data.rows(), pd.n_clusters());
  if (pd.n_clusters() == 0) return out;
  detail::pred::run_all_points(be, m, batch_size, detail::pred::soft_out<T>{out.data(), 0, nullptr, nullptr, nullptr});
  return out;
}

/// The k largest entries of every row of all_points_membership_vectors
/// (descending, ties to the smaller cluster id; -1 / 0 past n_clusters) and
/// each point's noise probability 1 - prob_in_some_cluster. Memory O(n k)
/// plus one batch of scratch: the n x n_clusters matrix is never built.
template <class Backend, class T>
top_k_membership<T, memory_space_t<Backend>> all_points_membership_top_k(const Backend& be,
                                                                         const model<T, memory_space_t<Backend>>& m,
                                                                         index_t k, index_t batch_size = 0) {
  detail::pred::check_k(k);
  detail::pred::check_model(m, batch_size);
  const index_t n = m.prediction.data.rows();
  top_k_membership<T, memory_space_t<Backend>> r{make_matrix<std::int32_t>(be, n, k), make_matrix<T>(be, n, k),
                                                 make_vector<T>(be, n)};
  if (m.prediction.n_clusters() == 0) {
    detail::pred::fill_no_clusters(be, r);
    return r;
  }
  detail::pred::run_all_points(be, m, batch_size,
                               detail::pred::soft_out<T>{nullptr, k, r.clusters.data(), r.probabilities.data(),
                                                         r.noise_probability.data()});
  return r;
}

/// hdbscan's membership_vector for new points Y (rows x d, any view or
/// array): Y.rows() x n_clusters.
template <class Backend, class T, class Points>
matrix<T, memory_space_t<Backend>> membership_vector(const Backend& be, const model<T, memory_space_t<Backend>>& m,
                                                     const Points& Y, index_t batch_size = 0) {
  static_assert(std::is_same_v<T, value_type_of_t<Points>>, "clustr::hdbscan::membership_vector: Y must have the model's scalar type");
  const auto Ys = detail::pred::prepare_points(be, m, Y, batch_size);
  auto out = make_matrix<T>(be, Ys.view().rows(), m.prediction.n_clusters());
  if (m.prediction.n_clusters() == 0) return out;
  detail::pred::run_new_points(be, m, Ys, batch_size, detail::pred::new_point_task::soft, detail::pred::predict_out<T>{},
                               detail::pred::soft_out<T>{out.data(), 0, nullptr, nullptr, nullptr});
  return out;
}

/// The k largest entries of membership_vector(Y) per row, and each new
/// point's noise probability 1 - prob_in_some_cluster; memory O(rows k).
template <class Backend, class T, class Points>
top_k_membership<T, memory_space_t<Backend>> membership_vector_top_k(const Backend& be,
                                                                     const model<T, memory_space_t<Backend>>& m,
                                                                     const Points& Y, index_t k,
                                                                     index_t batch_size = 0) {
  static_assert(std::is_same_v<T, value_type_of_t<Points>>, "clustr::hdbscan::membership_vector_top_k: Y must have the model's scalar type");
  detail::pred::check_k(k);
  const auto Ys = detail::pred::prepare_points(be, m, Y, batch_size);
  const index_t q = Ys.view().rows();
  top_k_membership<T, memory_space_t<Backend>> r{make_matrix<std::int32_t>(be, q, k), make_matrix<T>(be, q, k),
                                                 make_vector<T>(be, q)};
  if (m.prediction.n_clusters() == 0) {
    detail::pred::fill_no_clusters(be, r);
    return r;
  }
  detail::pred::run_new_points(be, m, Ys, batch_size, detail::pred::new_point_task::soft, detail::pred::predict_out<T>{},
                               detail::pred::soft_out<T>{nullptr, k, r.clusters.data(), r.probabilities.data(),
                                                         r.noise_probability.data()});
  return r;
}

/// hdbscan's approximate_predict: the cluster of the fit each new point
/// would join, its membership strength, and its connecting training point.
template <class Backend, class T, class Points>
approximate_prediction<T, memory_space_t<Backend>> approximate_predict(const Backend& be,
                                                                       const model<T, memory_space_t<Backend>>& m,
                                                                       const Points& Y, index_t batch_size = 0) {
  static_assert(std::is_same_v<T, value_type_of_t<Points>>, "clustr::hdbscan::approximate_predict: Y must have the model's scalar type");
  const auto Ys = detail::pred::prepare_points(be, m, Y, batch_size);
  const index_t q = Ys.view().rows();
  approximate_prediction<T, memory_space_t<Backend>> r{make_vector<std::int32_t>(be, q), make_vector<T>(be, q),
                                                       make_vector<std::int64_t>(be, q)};
  detail::pred::run_new_points(be, m, Ys, batch_size, detail::pred::new_point_task::predict,
                               detail::pred::predict_out<T>{r.labels.data(), r.probabilities.data(),
                                                            r.connecting_points.data()},
                               detail::pred::soft_out<T>{});
  return r;
}

/// hdbscan's approximate_predict_scores: GLOSH outlier scores of new points
/// against the fitted tree ((max_lambda - lambda) / max_lambda of the
/// cluster their nearest mutual-reachability neighbour fell out of; may be
/// negative for points denser than anything in that cluster, as in hdbscan).
template <class Backend, class T, class Points>
vector<T, memory_space_t<Backend>> approximate_predict_scores(const Backend& be,
                                                              const model<T, memory_space_t<Backend>>& m,
                                                              const Points& Y, index_t batch_size = 0) {
  static_assert(std::is_same_v<T, value_type_of_t<Points>>, "clustr::hdbscan::approximate_predict_scores: Y must have the model's scalar type");
  const auto Ys = detail::pred::prepare_points(be, m, Y, batch_size);
  auto scores = make_vector<T>(be, Ys.view().rows());
  detail::pred::run_new_points(be, m, Ys, batch_size, detail::pred::new_point_task::scores,
                               detail::pred::predict_out<T>{nullptr, scores.data(), nullptr}, detail::pred::soft_out<T>{});
  return scores;
}

}  // namespace clustr::hdbscan
