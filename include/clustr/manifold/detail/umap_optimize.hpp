#pragma once
// The SGD layout of umap-learn 0.5 (layouts.py optimize_layout_euclidean):
// edge (i, j) is sampled every epochs_per_sample = max_w / w epochs; a sample
// pulls i towards j with the gradient of log(1 / (1 + a d^(2b))) (clipped to
// +-4 per coordinate) and pushes i away from negative_sample_rate random points
// with gamma times the gradient of log(1 - 1 / (1 + a d^(2b))). The step
// decays linearly from learning_rate to 0.
//
// Organisation: one worker per vertex walks its own CSR row and moves only its
// own coordinates. umap-learn's graph is symmetric and moves both ends of a
// sampled edge (move_other); here the tail's half of edge (i, j) is applied by
// j when it walks its copy (j, i), which has the same weight and so the same
// sampling schedule: each sampled pair attracts i twice, as in umap-learn.
//   fast (default): positions are updated in place while other workers read
//     them (hogwild reads, as umap-learn parallel=True and cuML); the result
//     depends on thread timing, not on the seed alone.
//   deterministic: the others' positions are read from the previous epoch's
//     buffer (Jacobi across vertices, sequential within a vertex), and negative
//     samples are Philox draws keyed by (seed, epoch, edge, sample): identical
//     on every backend and thread count, at the cost of one buffer swap.
// transform(): the tail embedding is the fixed training embedding, so both
// modes are deterministic there.
// The loop is latency-bound (each update of a point depends on the previous
// one), so the pair's two attraction halves share one gradient magnitude and
// negative samples go in groups of eight whose magnitudes are computed at the
// group's starting position: about half the dependency chain of umap-learn's
// strictly sequential order, with the same embedding quality.

#include <cmath>
#include <cstdint>
#include <cstring>

#include "clustr/core/rng.hpp"
#include "clustr/primitives/primitives.hpp"

namespace clustr::umap::detail {

/// Philox stream ids (high word) of the UMAP phases.
inline constexpr std::uint64_t stream_init_random = 0x554D415000000001ull;
inline constexpr std::uint64_t stream_fit_epoch = 0x554D410000000000ull;       // + epoch
inline constexpr std::uint64_t stream_transform_epoch = 0x554D420000000000ull; // + epoch

CLUSTR_HD inline std::uint32_t float_bits(float x) {
#if CLUSTR_IN_DEVICE_CODE
  return __float_as_uint(x);
#else
  std::uint32_t u;
  std::memcpy(&u, &x, 4);
  return u;
#endif
}
CLUSTR_HD inline float bits_float(std::uint32_t u) {
#if CLUSTR_IN_DEVICE_CODE
  return __uint_as_float(u);
#else
  float x;
  std::memcpy(&x, &u, 4);
  return x;
#endif
}

/// x^y for x > 0 in float, to ~1e-5 relative: log2 of the mantissa (reduced
/// to [sqrt(1/2), sqrt(2))) by a degree-6 least-squares polynomial, exp2 by a
/// degree-5 Taylor polynomial on [-1/2, 1/2], both in Estrin form for a short
/// dependency chain (the SGD is latency-bound: each step depends on the last).
/// No division; the same bits on every host backend. The gradients only need
/// a few digits (they are clipped and the steps are noisy anyway).
CLUSTR_HD inline float fast_pow(float x, float y) {
  if (!(x > 1e-30f)) x = 1e-30f;
  std::uint32_t bits = float_bits(x);
  float e = static_cast<float>(static_cast<int>((bits >> 23) & 255u) - 127);
  bits = (bits & 0x007FFFFFu) | 0x3F800000u;
  float m = bits_float(bits);  // mantissa in [1, 2)
  if (m > 1.41421356f) {
    m *= 0.5f;
    e += 1.0f;
  }
  const float t = m - 1.0f, t2 = t * t, t4 = t2 * t2;
  const float log2m = t * ((1.44270801f - 0.721159905f * t) + t2 * (0.479712851f - 0.367276345f * t) +
                           t4 * (0.31806064f - 0.202119019f * t));
  float z = y * (e + log2m);
  z = z < -126.0f ? -126.0f : (z > 126.0f ? 126.0f : z);
  const float nf = static_cast<float>(static_cast<int>(z + (z >= 0 ? 0.5f : -0.5f)));
  const float f = (z - nf) * 0.69314718055994531f;  // |f| <= ln2 / 2
  const float f2 = f * f;
  const float p = (1.0f + f) + f2 * (0.5f + 0.16666667f * f) + (f2 * f2) * (0.041666668f + 0.0083333338f * f);
  const std::uint32_t scale = static_cast<std::uint32_t>(static_cast<int>(nf) + 127) << 23;
  return p * bits_float(scale);
}

template <class T>
CLUSTR_HD inline T clip4(T v) {
  return v > T(4) ? T(4) : (v < T(-4) ? T(-4) : v);
}

/// Raw pointers of one layout problem (trivially copyable: captured by the
/// per-vertex lambda).
template <class T>
struct sgd_problem {
  const index_t* offsets = nullptr;  ///< head rows (n_head + 1)
  const index_t* indices = nullptr;  ///< tail vertex of each edge
  const double* epochs_per_sample = nullptr;
  double* next_sample = nullptr;       ///< epoch_of_next_sample
  double* next_negative = nullptr;     ///< epoch_of_next_negative_sample
  double negative_sample_rate = 5;
  index_t n_head = 0;
  index_t n_tail = 0;
  index_t dim = 0;
  T a = 0, b = 0, gamma = 1;
  int attract_reps = 2;   ///< 2 in fit (both halves of a symmetric pair), 1 in transform
  bool skip_self = true;  ///< fit: a negative sample equal to the head is skipped
  std::uint64_t seed = 0;
  std::uint64_t stream_base = stream_fit_epoch;
};

/// Per-edge schedule: epochs_per_sample = n_epochs / (n_epochs * w / max_w)
/// (umap-learn's make_epochs_per_sample); next sample / negative sample
/// epochs start at one period. Edges with weight 0 are never sampled.
template <class Backend, class T, class S>
void init_schedule(const Backend& be, vector_view<const T, S> weights, T max_w, index_t n_epochs,
                   double negative_sample_rate, vector_view<double, S> eps, vector_view<double, S> next_sample,
                   vector_view<double, S> next_negative) {
  const T* w = weights.data();
  double* e = eps.data();
  double* ns = next_sample.data();
  double* nn = next_negative.data();
  const double ne = static_cast<double>(n_epochs);
  const double rate = negative_sample_rate;
  for_each(be, weights.size(), CLUSTR_LAMBDA(index_t k) {
    const double n_samples = ne * static_cast<double>(w[k] / max_w);
    if (n_samples > 0) {
      e[k] = ne / n_samples;
      ns[k] = e[k];
      nn[k] = rate > 0 ? e[k] / rate : 1e300;
    } else {
      e[k] = -1;
      ns[k] = 1e300;  // never sampled
      nn[k] = 1e300;
    }
  });
}

/// One epoch. `head` rows are written; `tail` is read for the other end of
/// every edge and for negative samples. fast fit: head == tail. deterministic
/// fit: `head_prev` (the previous epoch, == tail) is copied into head first.
template <class Backend, class T>
void sgd_epoch(const Backend& be, const sgd_problem<T>& pr, index_t epoch, T alpha, T* head, const T* tail,
               const T* head_prev) {
  const sgd_problem<T> p = pr;
  const double ep = static_cast<double>(epoch);
  for_each_dynamic(be, p.n_head, 256, CLUSTR_LAMBDA(index_t i) {
    const index_t dim = p.dim;
    T* yi = head + i * dim;
    if (head_prev != nullptr)
      for (index_t d = 0; d < dim; ++d) yi[d] = head_prev[i * dim + d];
    const T two_ab = T(2) * p.a * p.b;
    const T two_gamma_b = T(2) * p.gamma * p.b;
    const rng::random_stream rs{p.seed, p.stream_base + static_cast<std::uint64_t>(epoch)};
    for (index_t e = p.offsets[i]; e < p.offsets[i + 1]; ++e) {
      if (p.next_sample[e] > ep) continue;
      const index_t j = p.indices[e];
      const T* yj = tail + j * dim;
      {
        // Attraction; in fit the pair's two halves (attract_reps = 2) share
        // the magnitude and are applied one after the other.
        T d2 = 0;
        for (index_t d = 0; d < dim; ++d) {
          const T diff = yi[d] - yj[d];
          d2 += diff * diff;
        }
        if (d2 > T(0)) {
          const T pb = static_cast<T>(fast_pow(static_cast<float>(d2), static_cast<float>(p.b)));  // d^(2b); d^(2b-2) = pb / d2
          const T gc = -two_ab * pb / (d2 * (p.a * pb + T(1)));
          for (int rep = 0; rep < p.attract_reps; ++rep)
            for (index_t d = 0; d < dim; ++d) yi[d] += clip4(gc * (yi[d] - yj[d])) * alpha;
        }
      }
      const double period = p.epochs_per_sample[e];
      p.next_sample[e] += period;
      const double neg_period = period / p.negative_sample_rate;
      const index_t n_neg =
          p.negative_sample_rate > 0 ? static_cast<index_t>((ep - p.next_negative[e]) / neg_period) : 0;
      // Negative samples in groups of eight (two Philox blocks): the eight
      // repulsion magnitudes are computed at the group's starting position
      // (independent, so they overlap in the pipeline), then applied in order
      // with the current position's direction.
      for (index_t s0 = 0; s0 < n_neg; s0 += 8) {
        const std::uint64_t ctr = static_cast<std::uint64_t>(e) * 65536u + static_cast<std::uint64_t>(s0 >> 2);
        const rng::uint32x4 b0 = rs.block(ctr), b1 = rs.block(ctr + 1);
        const int cnt = n_neg - s0 < 8 ? static_cast<int>(n_neg - s0) : 8;
        index_t kk[8];
        T gcs[8];
        for (int q = 0; q < 8; ++q) {
          const std::uint32_t r = q < 4 ? b0.v[q] : b1.v[q - 4];
          kk[q] = static_cast<index_t>((static_cast<std::uint64_t>(r) * static_cast<std::uint64_t>(p.n_tail)) >> 32);
          gcs[q] = T(0);
          if (q >= cnt || (p.skip_self && kk[q] == i)) continue;
          const T* yk = tail + kk[q] * dim;
          T d2 = 0;
          for (index_t d = 0; d < dim; ++d) {
            const T diff = yi[d] - yk[d];
            d2 += diff * diff;
          }
          if (d2 > T(0)) {
            const T pb = static_cast<T>(fast_pow(static_cast<float>(d2), static_cast<float>(p.b)));
            gcs[q] = two_gamma_b / ((T(0.001) + d2) * (p.a * pb + T(1)));
          }
        }
        for (int q = 0; q < cnt; ++q) {
          if (!(gcs[q] > T(0))) continue;
          const T* yk = tail + kk[q] * dim;
          for (index_t d = 0; d < dim; ++d) yi[d] += clip4(gcs[q] * (yi[d] - yk[d])) * alpha;
        }
      }
      if (n_neg > 0) p.next_negative[e] += static_cast<double>(n_neg) * neg_period;
    }
  });
}

/// umap-learn's step size in epoch m: initial for m = 0, then
/// initial * (1 - (m - 1) / n_epochs) (it is updated after each epoch).
inline double step_size(double initial, index_t epoch, index_t n_epochs) {
  if (epoch == 0) return initial;
  return initial * (1.0 - static_cast<double>(epoch - 1) / static_cast<double>(n_epochs));
}

}  // namespace clustr::umap::detail
