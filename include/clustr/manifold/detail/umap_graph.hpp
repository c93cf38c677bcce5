#pragma once
// The fuzzy simplicial set, as umap-learn 0.5's fuzzy_simplicial_set:
//   smooth_knn_dist          per-point rho (distance to the local_connectivity-th
//                            non-zero neighbour) and sigma (binary search so that
//                            sum_j exp(-(d_ij - rho_i) / sigma_i) = log2(k))
//   membership_strengths     w_ij = exp(-(d_ij - rho_i) / sigma_i) (1 within rho)
//   fuzzy_union              w = mix (a + b - a b) + (1 - mix) a b over (i,j), (j,i)
//   prune                    drop edges below max / n_epochs (simplicial_set_embedding)
// Every step is a per-row loop or a sort / scan / compaction primitive, so the
// graph is identical on every backend.

#include <cmath>
#include <cstdint>
#include <limits>

#include "clustr/core/array.hpp"
#include "clustr/manifold/umap_types.hpp"
#include "clustr/primitives/primitives.hpp"

namespace clustr::umap::detail {

inline constexpr double smooth_k_tolerance = 1e-5;  // umap-learn's SMOOTH_K_TOLERANCE
inline constexpr double min_k_dist_scale = 1e-3;    // umap-learn's MIN_K_DIST_SCALE
inline constexpr double float32_max = 3.4028234663852886e38;  // NPY_FLOATMAX (float32)

/// The m-th (0-based) strictly positive entry of a row (0 when there is none).
template <class T>
struct nonzero_at {
  const T* row;
  index_t K;
  CLUSTR_HD double operator()(index_t m) const {
    index_t c = 0;
    for (index_t j = 0; j < K; ++j)
      if (row[j] > T(0)) {
        if (c == m) return static_cast<double>(row[j]);
        ++c;
      }
    return 0.0;
  }
};

/// Merged weight of the run of equal sort keys starting at p: both directions
/// present -> mix (a + b - ab) + (1 - mix) ab; one -> mix * w.
template <class T>
struct merged_weight {
  const index_t* keys;
  const T* vals;
  index_t m;
  T mix;
  CLUSTR_HD T operator()(index_t p) const {
    if (p + 1 < m && keys[p + 1] == keys[p]) {
      const T a = vals[p], b = vals[p + 1];
      const T prod = a * b;
      if (mix == T(1)) return (a + b) - prod;
      return mix * ((a + b) - prod) + (T(1) - mix) * prod;
    }
    return mix * vals[p];
  }
};

/// Column index of a row's q-th entry.
struct row_entry {
  const index_t* cols;
  CLUSTR_HD index_t operator()(index_t q) const { return cols[q]; }
};

/// Sort key of the q-th selected entry.
struct selected_key {
  const index_t* keys;
  const index_t* sel;
  CLUSTR_HD index_t operator()(index_t q) const { return keys[sel[q]]; }
};

/// Per-point scale (sigma) and offset (rho). D is n x K, each row ascending;
/// column 0 is skipped in the sum as umap-learn does (it is each point itself
/// in fit(); the nearest training point in transform()).
template <class Backend, class T, class S>
void smooth_knn_dist(const Backend& be, matrix_view<const T, S> D, double k, double local_connectivity,
                     vector_view<T, S> sigma, vector_view<T, S> rho) {
  const index_t n = D.rows(), K = D.cols();
  if (n == 0) return;
  const T* d = D.data();
  const index_t ld = D.stride();
  // Mean of every distance (umap-learn's mean_distances), a deterministic reduction.
  const double total = transform_reduce(be, n, 0.0, plus{}, CLUSTR_LAMBDA(index_t i) {
    double s = 0;
    for (index_t j = 0; j < K; ++j) s += static_cast<double>(d[i * ld + j]);
    return s;
  });
  const double mean_all = total / static_cast<double>(n * K);
  const double target = std::log2(k);
  const double lc = local_connectivity;
  T* sg = sigma.data();
  T* rh = rho.data();
  for_each(be, n, CLUSTR_LAMBDA(index_t i) {
    const T* row = d + i * ld;
    // rho: the local_connectivity-th non-zero distance, interpolated.
    index_t nz = 0;
    double row_sum = 0, nz_max = 0;
    for (index_t j = 0; j < K; ++j) {
      row_sum += static_cast<double>(row[j]);
      if (row[j] > T(0)) {
        ++nz;
        if (static_cast<double>(row[j]) > nz_max) nz_max = static_cast<double>(row[j]);
      }
    }
    const nonzero_at<T> nth_nonzero{row, K};
    double r = 0;
    if (static_cast<double>(nz) >= lc) {
      const index_t index = static_cast<index_t>(std::floor(lc));
      const double interpolation = lc - static_cast<double>(index);
      if (index > 0) {
        r = nth_nonzero(index - 1);
        if (interpolation > smooth_k_tolerance && index < nz)
          r += interpolation * (nth_nonzero(index) - nth_nonzero(index - 1));
      } else {
        r = interpolation * nth_nonzero(0);
      }
    } else if (nz > 0) {
      r = nz_max;
    }
    // rho is float32 in umap-learn; keep it at T's precision for the search.
    const double rT = static_cast<double>(static_cast<T>(r));
    double lo = 0.0, hi = float32_max, mid = 1.0;
    for (int it = 0; it < 64; ++it) {
      double psum = 0;
      for (index_t j = 1; j < K; ++j) {
        const double dd = static_cast<double>(row[j]) - rT;
        psum += dd > 0 ? std::exp(-(dd / mid)) : 1.0;
      }
      const double diff = psum - target;
      if ((diff < 0 ? -diff : diff) < smooth_k_tolerance) break;
      if (psum > target) {
        hi = mid;
        mid = (lo + hi) / 2.0;
      } else {
        lo = mid;
        if (hi >= float32_max) mid *= 2;
        else mid = (lo + hi) / 2.0;
      }
    }
    double s = mid;
    if (rT > 0.0) {
      const double mean_row = row_sum / static_cast<double>(K);
      if (s < min_k_dist_scale * mean_row) s = min_k_dist_scale * mean_row;
    } else if (s < min_k_dist_scale * mean_all) {
      s = min_k_dist_scale * mean_all;
    }
    sg[i] = static_cast<T>(s);
    rh[i] = static_cast<T>(rT);
  });
}

/// w(i, c) for the n x K neighbour lists J / D; a point's own entry gets 0 unless
/// bipartite (transform: the rows are new points).
template <class Backend, class T, class S>
void membership_strengths(const Backend& be, matrix_view<const index_t, S> J, matrix_view<const T, S> D,
                          vector_view<const T, S> sigma, vector_view<const T, S> rho, bool bipartite,
                          matrix_view<T, S> W) {
  const index_t K = D.cols();
  const index_t* jj = J.data();
  const T* d = D.data();
  const T* sg = sigma.data();
  const T* rh = rho.data();
  T* w = W.data();
  const index_t ldj = J.stride(), ldd = D.stride(), ldw = W.stride();
  for_each_2d(be, D.rows(), K, CLUSTR_LAMBDA(index_t i, index_t c) {
    const T dist = d[i * ldd + c];
    T val;
    if (!bipartite && jj[i * ldj + c] == i) val = T(0);
    else if (dist - rh[i] <= T(0) || sg[i] == T(0)) val = T(1);
    else val = static_cast<T>(std::exp(-(static_cast<double>(dist - rh[i]) / static_cast<double>(sg[i]))));
    w[i * ldw + c] = val;
  });
}

/// The symmetric fuzzy union / intersection of the directed kNN memberships W
/// (n x K, neighbours J) as a CSR graph: each (i, j) and its transpose become
/// sort keys i * n + j, equal keys are merged, zeros dropped. Duplicate
/// neighbours within a row are not expected (kNN lists are sets).
template <class Backend, class T, class S>
fuzzy_graph<T, memory_space_t<Backend>> fuzzy_union(const Backend& be, matrix_view<const index_t, S> J,
                                                    matrix_view<const T, S> W, double set_op_mix_ratio) {
  const index_t n = J.rows(), K = J.cols();
  const index_t m = 2 * n * K;
  auto keys = make_vector<index_t>(be, m);
  auto vals = make_vector<T>(be, m);
  {
    index_t* kp = keys.data();
    T* vp = vals.data();
    const index_t* jj = J.data();
    const T* w = W.data();
    const index_t ldj = J.stride(), ldw = W.stride();
    for_each_2d(be, n, K, CLUSTR_LAMBDA(index_t i, index_t c) {
      const index_t j = jj[i * ldj + c];
      const T v = w[i * ldw + c];
      const index_t e = i * K + c;
      kp[2 * e] = i * n + j;
      vp[2 * e] = v;
      kp[2 * e + 1] = j * n + i;
      vp[2 * e + 1] = v;
    });
  }
  sort_by_key(be, keys.view(), vals.view());
  const index_t* kp = keys.data();
  const T* vp = vals.data();
  const T mix = static_cast<T>(set_op_mix_ratio);
  const merged_weight<T> merged{kp, vp, m, mix};
  auto sel = make_vector<index_t>(be, m);
  const index_t nnz = copy_if(
      be, m, CLUSTR_LAMBDA(index_t p) { return (p == 0 || kp[p] != kp[p - 1]) && merged(p) > T(0); },
      sel.view());
  fuzzy_graph<T, memory_space_t<Backend>> g;
  g.n = n;
  g.offsets = make_vector<index_t>(be, n + 1);
  g.indices = make_vector<index_t>(be, nnz);
  g.weights = make_vector<T>(be, nnz);
  index_t* gi = g.indices.data();
  T* gw = g.weights.data();
  index_t* go = g.offsets.data();
  const index_t* sp = sel.data();
  for_each(be, nnz, CLUSTR_LAMBDA(index_t q) {
    const index_t p = sp[q];
    gi[q] = kp[p] % n;
    gw[q] = merged(p);
  });
  for_each(be, n + 1, CLUSTR_LAMBDA(index_t r) {
    go[r] = lower_bound_by(nnz, r * n, selected_key{kp, sp});
  });
  fence(be);
  return g;
}

/// Largest weight of a graph (0 for an empty one).
template <class Backend, class T, class S>
T max_weight(const Backend& be, const fuzzy_graph<T, S>& g) {
  const T* w = g.weights.data();
  return transform_reduce(be, g.nnz(), T(0), maximum{}, CLUSTR_LAMBDA(index_t e) { return w[e]; });
}

/// The subgraph of edges with weight >= threshold (umap-learn zeroes the
/// weaker ones before the layout). Symmetric in, symmetric out.
template <class Backend, class T, class S>
fuzzy_graph<T, S> prune(const Backend& be, const fuzzy_graph<T, S>& g, T threshold) {
  const index_t n = g.n, nnz = g.nnz();
  const T* w = g.weights.data();
  const index_t* gi = g.indices.data();
  fuzzy_graph<T, S> out;
  out.n = n;
  out.offsets = make_vector<index_t>(be, n + 1);
  auto counts = make_vector<index_t>(be, n);
  segmented_reduce(be, g.offsets.view(), counts.view(), index_t(0), plus{},
                   CLUSTR_LAMBDA(index_t e) { return w[e] >= threshold ? index_t(1) : index_t(0); });
  const index_t kept = exclusive_scan(be, vector_view<const index_t, S>(counts.view()),
                                      vector_view<index_t, S>(out.offsets.data(), n), index_t(0));
  write_value(be, out.offsets.data() + n, kept);
  auto sel = make_vector<index_t>(be, nnz > 0 ? nnz : 1);
  const index_t got = copy_if(be, nnz, CLUSTR_LAMBDA(index_t e) { return w[e] >= threshold; }, sel.view());
  (void)got;
  out.indices = make_vector<index_t>(be, kept);
  out.weights = make_vector<T>(be, kept);
  index_t* oi = out.indices.data();
  T* ow = out.weights.data();
  const index_t* sp = sel.data();
  for_each(be, kept, CLUSTR_LAMBDA(index_t q) {
    oi[q] = gi[sp[q]];
    ow[q] = w[sp[q]];
  });
  fence(be);
  return out;
}

/// Supervised UMAP's categorical intersection (umap-learn's
/// discrete_metric_simplicial_set_intersection with a categorical target):
/// w_ij *= exp(-unknown_dist) when either label is -1, exp(-far_dist) when
/// they differ; then reset_local_connectivity: each row divided by its
/// maximum, and the fuzzy union with the transpose. Zero edges are dropped.
template <class Backend, class T, class S>
fuzzy_graph<T, S> categorical_intersection(const Backend& be, const fuzzy_graph<T, S>& g, const index_t* labels,
                                           double far_dist, double unknown_dist) {
  const index_t n = g.n, nnz = g.nnz();
  const index_t* off = g.offsets.data();
  const index_t* idx = g.indices.data();
  const T* w = g.weights.data();
  const T f_far = static_cast<T>(std::exp(-far_dist)), f_unknown = static_cast<T>(std::exp(-unknown_dist));
  auto scaled = make_vector<T>(be, nnz);
  T* sc = scaled.data();
  for_each(be, n, CLUSTR_LAMBDA(index_t i) {
    for (index_t e = off[i]; e < off[i + 1]; ++e) {
      const index_t li = labels[i], lj = labels[idx[e]];
      sc[e] = w[e] * (li < 0 || lj < 0 ? f_unknown : (li != lj ? f_far : T(1)));
    }
  });
  // Row maxima, then normalised weights.
  auto row_max = make_vector<T>(be, n);
  segmented_reduce(be, g.offsets.view(), row_max.view(), T(0), maximum{}, CLUSTR_LAMBDA(index_t e) { return sc[e]; });
  const T* rm = row_max.data();
  for_each(be, n, CLUSTR_LAMBDA(index_t i) {
    for (index_t e = off[i]; e < off[i + 1]; ++e) sc[e] = rm[i] > T(0) ? sc[e] / rm[i] : T(0);
  });
  // Fuzzy union with the transpose (the structure is symmetric: (j, i) exists).
  fuzzy_graph<T, S> u;
  u.n = n;
  u.offsets = clone(be, g.offsets.view());
  u.indices = clone(be, g.indices.view());
  u.weights = make_vector<T>(be, nnz);
  T* uw = u.weights.data();
  for_each(be, n, CLUSTR_LAMBDA(index_t i) {
    for (index_t e = off[i]; e < off[i + 1]; ++e) {
      const index_t j = idx[e];
      const index_t q = off[j] + lower_bound_by(off[j + 1] - off[j], i, row_entry{idx + off[j]});
      const T a = sc[e], b = (q < off[j + 1] && idx[q] == i) ? sc[q] : T(0);
      uw[e] = (a + b) - a * b;
    }
  });
  return prune(be, u, std::numeric_limits<T>::min());
}

}  // namespace clustr::umap::detail
