#pragma once
// select_k on the GPU: per row, the k smallest (value, id) pairs, ascending,
// ties to the smaller id (the order of clustr::detail::pair_less).
//
// One block per row runs a radix select (11-bit digits, most significant
// first, as RAFT's radix top-k) on order-preserving unsigned keys of the
// values: each pass histograms the keys that share the prefix found so far
// and picks the digit holding the k-th smallest, stopping early once the
// bucket is taken whole. If values tie at the threshold, a second radix
// select on the ids of the tied elements picks the smallest ids. The k
// selected pairs are then sorted in shared memory (bitonic, k <= 2048) or,
// for larger k, by two stable segmented sorts (by id, then by value).
// Row keys are cached in shared memory when they fit (48 KiB per block);
// longer rows with k <= 256 are cut into chunks that fit, each chunk's k
// smallest become candidates, and a second select picks among them (every
// element is read from global memory once). Rows of at most 128 columns take
// one thread per row with a bounded heap.

#include <cub/block/block_scan.cuh>
#include <cub/device/device_segmented_sort.cuh>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/iterator/transform_iterator.h>

#include <cstdint>
#include <limits>
#include <type_traits>

#include "clustr/backend/detail/cuda/error.cuh"
#include "clustr/backend/detail/cuda/launch.cuh"
#include "clustr/backend/detail/cuda/memory.cuh"
#include "clustr/core/errors.hpp"
#include "clustr/core/view.hpp"
#include "clustr/primitives/select_k.hpp"

namespace clustr::detail::cuda {

inline constexpr int select_block = 256;
inline constexpr int radix_bits = 11;
inline constexpr int radix_bins = 1 << radix_bits;
inline constexpr int bins_per_thread = radix_bins / select_block;
inline constexpr index_t select_sort_cap = 2048;     // largest k sorted in shared memory
inline constexpr index_t select_heap_cols = 128;     // at most this many columns: thread per row
inline constexpr std::size_t select_smem_cap = 48 * 1024;  // no opt-in needed below this
inline constexpr index_t select_chunk_k = 256;       // largest k of the two-level path for long rows

/// Columns per chunk of the two-level path: the keys fit the shared-memory cap.
template <class T>
constexpr index_t select_chunk_cols() {
  return sizeof(T) <= 4 ? 8192 : 4096;
}

/// Order-preserving unsigned keys: a < b (as T) iff key(a) < key(b); -0.0
/// and +0.0 get the same key, as they compare equal.
template <class T>
struct radix_key {
  using type = std::conditional_t<(sizeof(T) <= 4), std::uint32_t, std::uint64_t>;
  static constexpr int bits = static_cast<int>(sizeof(type) * 8);
  __device__ static type of(T x) {
    if constexpr (std::is_same_v<T, float>) {
      const std::uint32_t b = __float_as_uint(x == 0.0f ? 0.0f : x);
      return (b & 0x80000000u) ? ~b : (b | 0x80000000u);
    } else if constexpr (std::is_same_v<T, double>) {
      const auto b = static_cast<std::uint64_t>(__double_as_longlong(x == 0.0 ? 0.0 : x));
      return (b >> 63) ? ~b : (b | (std::uint64_t(1) << 63));
    } else if constexpr (std::is_signed_v<T>) {
      using S = std::make_signed_t<type>;
      return static_cast<type>(static_cast<S>(x)) ^ (type(1) << (bits - 1));
    } else {
      return static_cast<type>(x);
    }
  }
};

template <class T>
__host__ __device__ constexpr T select_sentinel() {
  if constexpr (std::numeric_limits<T>::has_infinity) return std::numeric_limits<T>::infinity();
  else return std::numeric_limits<T>::max();
}

/// Radix select over the keys key_at(j) of the elements j in [0, n) with
/// part(j): finds the key group holding the rank-th smallest (1-based).
/// On return, elements with (key & mask) < prefix are below the group,
/// (key & mask) == prefix is the group, and `rank` of the group are needed;
/// exact says the whole group is needed (it has exactly `rank` members).
template <class U, class KeyAt, class Part>
__device__ void radix_select(index_t n, int key_bits, KeyAt key_at, Part part, unsigned* hist, U& prefix, U& mask,
                             unsigned& rank, bool& exact) {
  using block_scan = cub::BlockScan<unsigned, select_block>;
  __shared__ typename block_scan::TempStorage scan_storage;
  __shared__ unsigned s_digit, s_before, s_count;
  prefix = 0;
  mask = 0;
  exact = false;
  for (int hi = key_bits; hi > 0; hi -= radix_bits) {
    const int lo = hi > radix_bits ? hi - radix_bits : 0;
    const U digit_mask = (U(1) << (hi - lo)) - 1;
    for (int b = threadIdx.x; b < radix_bins; b += select_block) hist[b] = 0;
    __syncthreads();
    for (index_t j = threadIdx.x; j < n; j += select_block) {
      if (!part(j)) continue;
      const U key = key_at(j);
      if ((key & mask) == prefix) atomicAdd(&hist[static_cast<unsigned>((key >> lo) & digit_mask)], 1u);
    }
    __syncthreads();
    unsigned local[bins_per_thread];
    unsigned sum = 0;
    for (int b = 0; b < bins_per_thread; ++b) {
      local[b] = hist[threadIdx.x * bins_per_thread + b];
      sum += local[b];
    }
    unsigned before = 0;
    block_scan(scan_storage).ExclusiveSum(sum, before);
    for (int b = 0; b < bins_per_thread; ++b) {
      if (before < rank && rank <= before + local[b]) {  // exactly one bin in the block
        s_digit = threadIdx.x * bins_per_thread + b;
        s_before = before;
        s_count = local[b];
      }
      before += local[b];
    }
    __syncthreads();
    rank -= s_before;
    prefix |= static_cast<U>(s_digit) << lo;
    mask |= digit_mask << lo;
    const bool whole = s_count == rank;
    __syncthreads();  // everyone has read s_* and hist before the next pass rewrites them
    if (whole) {
      exact = true;
      return;
    }
  }
}

template <class T, class I>
__device__ inline void bitonic_sort_pairs(T* v, I* id, int p) {
  for (int size = 2; size <= p; size <<= 1) {
    for (int stride = size >> 1; stride > 0; stride >>= 1) {
      for (int t = threadIdx.x; t < p / 2; t += select_block) {
        const int i = (t / stride) * stride * 2 + (t % stride);
        const int j = i + stride;
        const bool ascending = (i & size) == 0;
        const bool greater = pair_less(v[j], id[j], v[i], id[i]);
        if (greater == ascending) {
          const T tv = v[i];
          v[i] = v[j];
          v[j] = tv;
          const I ti = id[i];
          id[i] = id[j];
          id[j] = ti;
        }
      }
      __syncthreads();
    }
  }
}

struct select_layout {
  std::size_t sort_values = 0, sort_ids = 0, hist = 0, cache = 0, total = 0;
};

inline std::size_t align16(std::size_t x) { return (x + 15) / 16 * 16; }

/// Shared memory of one block: [sort values][sort ids][histogram][row keys].
template <class T, class I>
select_layout make_select_layout(index_t cols, int sort_p, bool cache) {
  using U = typename radix_key<T>::type;
  select_layout l;
  l.sort_values = 0;
  l.sort_ids = align16(sizeof(T) * static_cast<std::size_t>(sort_p));
  l.hist = l.sort_ids + align16(sizeof(I) * static_cast<std::size_t>(sort_p));
  l.cache = l.hist + align16(sizeof(unsigned) * radix_bins);
  l.total = l.cache + (cache ? align16(sizeof(U) * static_cast<std::size_t>(cols)) : 0);
  return l;
}

/// Block (r, c) selects from columns [c W, c W + W) of row r (W = chunk;
/// one chunk: the whole row) the kc = min(k, columns) smallest pairs and
/// writes them to out_v/out_i at row r, columns [c k, c k + k) (row strides
/// ov/oi): sorted when sort_p > 0, else in arbitrary order with slots past kc
/// padded by (sentinel, max id). Ids are in_ids' (offset like the values) or
/// the column index in the whole row.
template <class T, class I>
__global__ void __launch_bounds__(select_block)
    select_k_radix_kernel(matrix_view<const T, device_space> in, const I* in_ids, index_t ids_stride, index_t chunk,
                          T* out_v, index_t ov, I* out_i, index_t oi, index_t k, int sort_p, bool cache,
                          select_layout layout) {
  using U = typename radix_key<T>::type;
  using UI = typename radix_key<I>::type;
  extern __shared__ __align__(16) unsigned char smem[];
  T* sv = reinterpret_cast<T*>(smem + layout.sort_values);
  I* si = reinterpret_cast<I*>(smem + layout.sort_ids);
  unsigned* hist = reinterpret_cast<unsigned*>(smem + layout.hist);
  U* keys = reinterpret_cast<U*>(smem + layout.cache);
  __shared__ unsigned s_out;

  const index_t r = blockIdx.x;
  const index_t first = static_cast<index_t>(blockIdx.y) * chunk;
  const index_t n = in.cols() - first < chunk ? in.cols() - first : chunk;
  const index_t kc = k < n ? k : n;
  const T* row = in.row(r) + first;
  const I* ids = in_ids ? in_ids + r * ids_stride + first : nullptr;
  T* ov_row = out_v + r * ov + static_cast<index_t>(blockIdx.y) * k;
  I* oi_row = out_i + r * oi + static_cast<index_t>(blockIdx.y) * k;
  if (cache) {
    for (index_t j = threadIdx.x; j < n; j += select_block) keys[j] = radix_key<T>::of(row[j]);
    __syncthreads();
  }
  auto key_at = [&](index_t j) -> U { return cache ? keys[j] : radix_key<T>::of(row[j]); };
  auto id_at = [&](index_t j) -> I { return ids ? ids[j] : static_cast<I>(first + j); };

  U vprefix, vmask;
  unsigned vrank = static_cast<unsigned>(kc);
  bool vexact;
  radix_select<U>(n, radix_key<T>::bits, key_at, [](index_t) { return true; }, hist, vprefix, vmask, vrank, vexact);

  // Ties at the threshold: the vrank smallest ids among the tied elements.
  UI iprefix = 0, imask = 0;
  if (!vexact) {
    unsigned irank = vrank;
    bool iexact;
    radix_select<UI>(
        n, radix_key<I>::bits, [&](index_t j) -> UI { return radix_key<I>::of(id_at(j)); },
        [&](index_t j) { return key_at(j) == vprefix; }, hist, iprefix, imask, irank, iexact);
  }

  if (threadIdx.x == 0) s_out = 0;
  __syncthreads();
  auto emit = [&](unsigned pos, index_t j) {
    if (sort_p > 0) {
      sv[pos] = row[j];
      si[pos] = id_at(j);
    } else {
      ov_row[pos] = row[j];
      oi_row[pos] = id_at(j);
    }
  };
  // Below the threshold group: fewer than kc, all taken (first, so that
  // duplicate ids in the group can never crowd them out).
  for (index_t j = threadIdx.x; j < n; j += select_block)
    if ((key_at(j) & vmask) < vprefix) emit(atomicAdd(&s_out, 1u), j);
  __syncthreads();
  for (index_t j = threadIdx.x; j < n; j += select_block) {
    if ((key_at(j) & vmask) != vprefix) continue;
    if (!vexact && (radix_key<I>::of(id_at(j)) & imask) > iprefix) continue;
    const unsigned pos = atomicAdd(&s_out, 1u);
    if (pos < kc) emit(pos, j);
  }
  __syncthreads();

  if (sort_p > 0) {
    for (int p = static_cast<int>(kc) + threadIdx.x; p < sort_p; p += select_block) {
      sv[p] = select_sentinel<T>();
      si[p] = std::numeric_limits<I>::max();
    }
    __syncthreads();
    bitonic_sort_pairs(sv, si, sort_p);
    for (index_t p = threadIdx.x; p < k; p += select_block) {
      ov_row[p] = sv[p];
      oi_row[p] = si[p];
    }
  } else {
    for (index_t p = kc + threadIdx.x; p < k; p += select_block) {
      ov_row[p] = select_sentinel<T>();
      oi_row[p] = std::numeric_limits<I>::max();
    }
  }
}

/// Short rows: one thread per row keeps a bounded heap in its output row.
template <class T, class I>
__global__ void select_k_heap_kernel(matrix_view<const T, device_space> in, const I* in_ids, index_t ids_stride,
                                     matrix_view<T, device_space> out_v, matrix_view<I, device_space> out_i) {
  const index_t k = out_v.cols();
  const index_t step = static_cast<index_t>(blockDim.x) * gridDim.x;
  for (index_t r = static_cast<index_t>(blockIdx.x) * blockDim.x + threadIdx.x; r < in.rows(); r += step) {
    topk_heap<T, I> heap{out_v.row(r), out_i.row(r), k};
    const T* row = in.row(r);
    const I* ids = in_ids ? in_ids + r * ids_stride : nullptr;
    for (index_t j = 0; j < in.cols(); ++j) {
      const I id = ids ? ids[j] : static_cast<I>(j);
      if (!heap.full() || pair_less(row[j], id, heap.values[0], heap.ids[0])) heap.push(row[j], id);
    }
    heap.sort_ascending();
  }
}

struct segment_offset {
  index_t k;
  __host__ __device__ index_t operator()(index_t s) const { return s * k; }
};

template <class T, class I>
struct copy_packed_rows {
  const T* v;
  const I* id;
  index_t k;
  matrix_view<T, device_space> out_v;
  matrix_view<I, device_space> out_i;
  __device__ void operator()(index_t e) const {
    const index_t r = e / k, c = e % k;
    out_v(r, c) = v[e];
    out_i(r, c) = id[e];
  }
};

/// Static shared memory of select_k_radix_kernel<T, I> on the current device.
template <class T, class I>
std::size_t radix_kernel_static_smem() {
  cudaFuncAttributes attr{};
  CLUSTR_CUDA_CHECK(cudaFuncGetAttributes(&attr, select_k_radix_kernel<T, I>));
  return attr.sharedSizeBytes;
}

template <class T, class I>
void select_k(context ctx, matrix_view<const T, device_space> in, matrix_view<T, device_space> out_v,
              matrix_view<I, device_space> out_i, matrix_view<const I, device_space> in_ids) {
  const index_t rows = in.rows(), cols = in.cols(), k = out_v.cols();
  if (rows <= 0) return;
  device_guard g(ctx.device);
  const I* ids = in_ids.data();
  const index_t ids_stride = ids ? in_ids.stride() : 0;
  if (cols <= select_heap_cols) {
    select_k_heap_kernel<T, I><<<grid_for(ctx.device, rows, 128), 128, 0, ctx.stream>>>(in, ids, ids_stride, out_v,
                                                                                         out_i);
    CLUSTR_CUDA_CHECK_LAUNCH("clustr::detail::cuda::select_k_heap_kernel");
    return;
  }
  if (cols >= index_t(std::numeric_limits<unsigned>::max()))
    throw_invalid("select_k: in.cols()", cols, "the CUDA backend selects from rows of fewer than 2^32 entries");
  if (rows > index_t(std::numeric_limits<int>::max()))
    throw_invalid("select_k: in.rows()", rows, "the CUDA backend takes at most 2^31 - 1 rows per call");

  const bool sort_in_block = k <= select_sort_cap;
  int sort_p = 0;
  if (sort_in_block) {
    sort_p = 2;
    while (sort_p < k) sort_p <<= 1;
  }
  select_layout layout = make_select_layout<T, I>(cols, sort_p, true);
  // The 48 KiB without opt-in covers the kernel's static shared memory (block
  // scan storage, counters) as well as the dynamic layout.
  const bool cache = layout.total + radix_kernel_static_smem<T, I>() <= select_smem_cap;
  const unsigned grid = static_cast<unsigned>(rows);

  if (!cache && k <= select_chunk_k) {
    // Long rows, small k: the k smallest of every chunk of a row (each chunk
    // read once into shared memory), then the k smallest of those candidates.
    const index_t chunk = select_chunk_cols<T>();
    const index_t chunks = (cols + chunk - 1) / chunk;
    if (chunks > 65535) throw_invalid("select_k: in.cols()", cols, "too many columns for the CUDA backend");
    const index_t cand = chunks * k;
    const std::size_t total = static_cast<std::size_t>(rows) * static_cast<std::size_t>(cand);
    scratch<T> cv(ctx, total, "select_k candidates");
    scratch<I> ci(ctx, total, "select_k candidates");
    const select_layout chunk_layout = make_select_layout<T, I>(chunk, 0, true);
    select_k_radix_kernel<T, I><<<dim3(grid, static_cast<unsigned>(chunks)), select_block, chunk_layout.total,
                                  ctx.stream>>>(in, ids, ids_stride, chunk, cv.get(), cand, ci.get(), cand, k, 0,
                                                true, chunk_layout);
    CLUSTR_CUDA_CHECK_LAUNCH("clustr::detail::cuda::select_k_radix_kernel");
    select_k(ctx, matrix_view<const T, device_space>(cv.get(), rows, cand), out_v, out_i,
             matrix_view<const I, device_space>(ci.get(), rows, cand));
    return;
  }
  if (!cache) layout = make_select_layout<T, I>(cols, sort_p, false);

  if (sort_in_block) {
    select_k_radix_kernel<T, I><<<grid, select_block, layout.total, ctx.stream>>>(
        in, ids, ids_stride, cols, out_v.data(), out_v.stride(), out_i.data(), out_i.stride(), k, sort_p, cache,
        layout);
    CLUSTR_CUDA_CHECK_LAUNCH("clustr::detail::cuda::select_k_radix_kernel");
    return;
  }
  // Large k: select unsorted into packed scratch, then sort every row by id
  // and, stably, by value, which leaves ties in id order.
  const std::size_t total = static_cast<std::size_t>(rows) * static_cast<std::size_t>(k);
  scratch<T> v1(ctx, total, "select_k (large k) values"), v2(ctx, total, "select_k (large k) values");
  scratch<I> i1(ctx, total, "select_k (large k) ids"), i2(ctx, total, "select_k (large k) ids");
  select_k_radix_kernel<T, I><<<grid, select_block, layout.total, ctx.stream>>>(
      in, ids, ids_stride, cols, v1.get(), k, i1.get(), k, k, 0, cache, layout);
  CLUSTR_CUDA_CHECK_LAUNCH("clustr::detail::cuda::select_k_radix_kernel");
  const auto offsets = thrust::make_transform_iterator(thrust::counting_iterator<index_t>(0), segment_offset{k});
  std::size_t bytes_a = 0, bytes_b = 0;
  CLUSTR_CUDA_CHECK(cub::DeviceSegmentedSort::StableSortPairs(nullptr, bytes_a, i1.get(), i2.get(), v1.get(),
                                                              v2.get(), static_cast<std::int64_t>(total), rows,
                                                              offsets, offsets + 1, ctx.stream));
  CLUSTR_CUDA_CHECK(cub::DeviceSegmentedSort::StableSortPairs(nullptr, bytes_b, v2.get(), v1.get(), i2.get(),
                                                              i1.get(), static_cast<std::int64_t>(total), rows,
                                                              offsets, offsets + 1, ctx.stream));
  std::size_t bytes = bytes_a > bytes_b ? bytes_a : bytes_b;
  scratch<unsigned char> temp(ctx, bytes, "select_k (large k) sort");
  CLUSTR_CUDA_CHECK(cub::DeviceSegmentedSort::StableSortPairs(temp.get(), bytes, i1.get(), i2.get(), v1.get(),
                                                              v2.get(), static_cast<std::int64_t>(total), rows,
                                                              offsets, offsets + 1, ctx.stream));
  bytes = bytes_a > bytes_b ? bytes_a : bytes_b;
  CLUSTR_CUDA_CHECK(cub::DeviceSegmentedSort::StableSortPairs(temp.get(), bytes, v2.get(), v1.get(), i2.get(),
                                                              i1.get(), static_cast<std::int64_t>(total), rows,
                                                              offsets, offsets + 1, ctx.stream));
  for_each(ctx, static_cast<index_t>(total), copy_packed_rows<T, I>{v1.get(), i1.get(), k, out_v, out_i});
}

}  // namespace clustr::detail::cuda
