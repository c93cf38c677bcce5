#pragma once
// The Kokkos backend: clustr::kokkos<ExecSpace>{space} runs the primitives as
// Kokkos::parallel_* on one execution space instance (Serial, OpenMP, Threads,
// Cuda, HIP, ...).
//
//   int main(int argc, char** argv) {
//     Kokkos::ScopeGuard guard(argc, argv);   // the user initialises Kokkos
//     auto model = clustr::kmeans::fit(clustr::kokkos<Kokkos::OpenMP>{}, {...}, X);
//   }
//
// Memory: an execution space that reads host memory (Serial, OpenMP, Threads)
// is a host backend (memory_space = host_space) and uses clustr's ordinary host
// allocations. Any other (Cuda, HIP, SYCL) is a device backend: arrays live in
// ExecSpace::memory_space via Kokkos::kokkos_malloc, and host views are staged.
// For Cuda, compile the whole program through Kokkos' nvcc_wrapper (CLUSTR_LAMBDA
// then becomes a __host__ __device__ lambda).
//
// Results: reductions and scans use Kokkos' own parallel_reduce/parallel_scan,
// so floating-point sums match the serial backend within rounding, not bit for
// bit (as for every device backend). Ops must be associative and commutative
// (every op in clustr is). Sorts are stable and ascending on every space.

#include <Kokkos_Core.hpp>
#include <Kokkos_Sort.hpp>

#include <cstddef>
#include <cstdint>
#include <new>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "clustr/core/array.hpp"
#include "clustr/core/config.hpp"
#include "clustr/core/errors.hpp"
#include "clustr/core/space.hpp"
#include "clustr/core/view.hpp"

namespace clustr {

namespace detail::kokkos_impl {

/// True when the execution space runs on memory the host allocates and reads
/// (so clustr's host arrays can be used as they are).
template <class ExecSpace>
inline constexpr bool is_host_exec_v =
    Kokkos::SpaceAccessibility<ExecSpace, Kokkos::HostSpace>::accessible &&
    Kokkos::SpaceAccessibility<Kokkos::HostSpace, typename ExecSpace::memory_space>::accessible;

template <class ExecSpace>
using policy = Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>;

template <class T, class MemSpace>
using unmanaged_view = Kokkos::View<T*, MemSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;

// Functors rather than lambdas: nvcc's extended-lambda rules do not allow a
// device lambda to capture a closure type local to another function unless
// that closure is itself an extended lambda; a functor has no such limits.

template <class F>
struct for_each_body {
  F f;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const { f(i); }
};

/// A partial result that may be empty. clustr's reductions take an init that
/// need not be the op's identity (op(init, f(0), ..., f(n-1))), while Kokkos
/// initialises every thread's partial; the flag lets init enter exactly once.
template <class T>
struct partial {
  T value;
  bool valid;
};

template <class T, class Op>
KOKKOS_INLINE_FUNCTION void combine(const Op& op, partial<T>& dst, const partial<T>& src) {
  if (!src.valid) return;
  dst.value = dst.valid ? op(dst.value, src.value) : src.value;
  dst.valid = true;
}

template <class T, class Op, class F>
struct reduce_body {
  using value_type = partial<T>;
  T init_value;  // only to initialise value bits; never combined
  Op op;
  F f;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i, value_type& acc) const {
    const T v = f(i);  // converts like the generic form's `T acc = f(i)`
    combine(op, acc, value_type{v, true});
  }
  KOKKOS_INLINE_FUNCTION void join(value_type& dst, const value_type& src) const { combine(op, dst, src); }
  KOKKOS_INLINE_FUNCTION void init(value_type& v) const {
    v.value = init_value;
    v.valid = false;
  }
};

/// Inclusive (Exclusive = false) or exclusive scan of in into out; in may be
/// out: each index reads its input before it writes its output.
template <class T, class Op, bool Exclusive>
struct scan_body {
  using value_type = partial<T>;
  const T* in;
  T* out;
  T init_value;
  Op op;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i, value_type& acc, const bool final) const {
    const T v = in[i];
    if constexpr (Exclusive) {
      if (final) out[i] = acc.valid ? op(init_value, acc.value) : init_value;
      combine(op, acc, value_type{v, true});
    } else {
      combine(op, acc, value_type{v, true});
      if (final) out[i] = acc.value;
    }
  }
  KOKKOS_INLINE_FUNCTION void join(value_type& dst, const value_type& src) const { combine(op, dst, src); }
  KOKKOS_INLINE_FUNCTION void init(value_type& v) const {
    v.value = init_value;
    v.valid = false;
  }
};

template <class I>
struct iota_body {
  I* p;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const { p[i] = static_cast<I>(i); }
};

/// Orders indices by (key[a], a): a strict total order, so any sort of the
/// permutation (std::sort on the host, thrust on Cuda) gives the stable order.
template <class K>
struct key_index_less {
  const K* keys;
  KOKKOS_INLINE_FUNCTION bool operator()(std::int64_t a, std::int64_t b) const {
    return keys[a] < keys[b] || (!(keys[b] < keys[a]) && a < b);
  }
};

template <class K, class V>
struct gather_body {
  const std::int64_t* perm;
  const K* keys;
  const V* values;
  K* keys_out;
  V* values_out;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const {
    keys_out[i] = keys[perm[i]];
    values_out[i] = values[perm[i]];
  }
};

template <class K, class V>
struct scatter_back_body {
  const K* keys_in;
  const V* values_in;
  K* keys;
  V* values;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const {
    keys[i] = keys_in[i];
    values[i] = values_in[i];
  }
};

/// memory_ops of Kokkos device allocations: plain functions (the ops are
/// function pointers) instantiated per memory space.
template <class MemSpace>
void release(void* ptr, void*, int) noexcept {
  try {
    Kokkos::kokkos_free<MemSpace>(ptr);
  } catch (...) {  // a destructor must not throw; nothing sensible to do
  }
}

template <class MemSpace>
void copy_to_host(void* dst, const void* src, std::size_t bytes, void*, int) {
  // deep_copy without an instance fences first, so pending kernels that write
  // src have finished, and returns when the copy is complete.
  Kokkos::deep_copy(unmanaged_view<char, Kokkos::HostSpace>(static_cast<char*>(dst), bytes),
                    unmanaged_view<const char, MemSpace>(static_cast<const char*>(src), bytes));
}

}  // namespace detail::kokkos_impl

/// A Kokkos execution space instance as a clustr backend. Kokkos must be
/// initialised (Kokkos::ScopeGuard in main) before any call and finalised only
/// after every clustr array of a device space has been destroyed.
template <class ExecSpace>
struct kokkos {
  static_assert(Kokkos::is_execution_space<ExecSpace>::value,
                "clustr::kokkos<ExecSpace>: ExecSpace must be a Kokkos execution space, e.g. Kokkos::OpenMP");

  using execution_space = ExecSpace;
  /// Where the kernels' memory lives in Kokkos terms.
  using kokkos_memory_space = typename ExecSpace::memory_space;
  static constexpr bool runs_on_host = detail::kokkos_impl::is_host_exec_v<ExecSpace>;
  using memory_space = std::conditional_t<runs_on_host, host_space, device_space>;
  static constexpr const char* name = "kokkos";

  ExecSpace space{};

  // --- parallel primitives (every execution space) ---

  /// f(i) for i in [0, n). Asynchronous on device spaces (ordered on `space`);
  /// on host spaces it returns when done, as the generic host code expects.
  template <class F>
  void for_each(index_t n, F f) const {
    if (n <= 0) return;
    Kokkos::parallel_for("clustr::for_each", detail::kokkos_impl::policy<ExecSpace>(space, std::int64_t(0), n),
                         detail::kokkos_impl::for_each_body<F>{f});
    if constexpr (runs_on_host) space.fence("clustr::for_each");
  }

  /// Dynamically scheduled for_each on host spaces (bodies of uneven cost).
  template <class F>
    requires runs_on_host
  void for_each_dynamic(index_t n, index_t grain, F f) const {
    if (n <= 0) return;
    using dyn = Kokkos::RangePolicy<ExecSpace, Kokkos::Schedule<Kokkos::Dynamic>, Kokkos::IndexType<std::int64_t>>;
    Kokkos::parallel_for("clustr::for_each_dynamic", dyn(space, std::int64_t(0), n, Kokkos::ChunkSize(grain > 0 ? grain : 1)),
                         detail::kokkos_impl::for_each_body<F>{f});
    space.fence("clustr::for_each_dynamic");
  }

  /// op(init, f(0), ..., f(n-1)), returned on the host (blocks).
  template <class T, class Op, class F>
  T transform_reduce(index_t n, T init, Op op, F f) const {
    using body = detail::kokkos_impl::reduce_body<T, Op, F>;
    typename body::value_type result{init, false};
    Kokkos::parallel_reduce("clustr::transform_reduce", detail::kokkos_impl::policy<ExecSpace>(space, std::int64_t(0), n),
                            body{init, op, f}, result);
    return result.valid ? op(init, result.value) : init;
  }

  /// out[i] = in[0] op ... op in[i] (in == out allowed). Asynchronous on device spaces.
  template <class T, class Space, class Op>
  void inclusive_scan(vector_view<const T, Space> in, vector_view<T, Space> out, Op op) const {
    using body = detail::kokkos_impl::scan_body<T, Op, false>;
    Kokkos::parallel_scan("clustr::inclusive_scan", detail::kokkos_impl::policy<ExecSpace>(space, std::int64_t(0), in.size()),
                          body{in.data(), out.data(), T{}, op});
    if constexpr (runs_on_host) space.fence("clustr::inclusive_scan");
  }

  /// out[i] = init op in[0] op ... op in[i-1] (in == out allowed); returns the
  /// total init op in[0] op ... op in[n-1] on the host (blocks).
  template <class T, class Space, class Op>
  T exclusive_scan(vector_view<const T, Space> in, vector_view<T, Space> out, T init, Op op) const {
    using body = detail::kokkos_impl::scan_body<T, Op, true>;
    typename body::value_type total{init, false};
    Kokkos::parallel_scan("clustr::exclusive_scan", detail::kokkos_impl::policy<ExecSpace>(space, std::int64_t(0), in.size()),
                          body{in.data(), out.data(), init, op}, total);
    space.fence("clustr::exclusive_scan");
    return total.valid ? op(init, total.value) : init;
  }

  /// Stable ascending sort of keys, values permuted alike: sorts a permutation
  /// by (key, index), then gathers. Blocks until done.
  template <class K, class V, class Space>
  void sort_by_key(vector_view<K, Space> keys, vector_view<V, Space> values) const {
    namespace ki = detail::kokkos_impl;
    const index_t n = keys.size();
    // The label must be a std::string: a char* in view_alloc means "wrap this pointer".
    const auto alloc = [&](const char* label) {
      return Kokkos::view_alloc(space, Kokkos::WithoutInitializing, std::string(label));
    };
    Kokkos::View<std::int64_t*, kokkos_memory_space> perm(alloc("clustr::sort_by_key::perm"), n);
    Kokkos::View<K*, kokkos_memory_space> keys_tmp(alloc("clustr::sort_by_key::keys"), n);
    Kokkos::View<V*, kokkos_memory_space> values_tmp(alloc("clustr::sort_by_key::values"), n);
    const ki::policy<ExecSpace> range(space, std::int64_t(0), n);
    Kokkos::parallel_for("clustr::sort_by_key::iota", range, ki::iota_body<std::int64_t>{perm.data()});
    Kokkos::sort(space, perm, ki::key_index_less<K>{keys.data()});
    Kokkos::parallel_for("clustr::sort_by_key::gather", range,
                         ki::gather_body<K, V>{perm.data(), keys.data(), values.data(), keys_tmp.data(),
                                               values_tmp.data()});
    Kokkos::parallel_for("clustr::sort_by_key::copy_back", range,
                         ki::scatter_back_body<K, V>{keys_tmp.data(), values_tmp.data(), keys.data(), values.data()});
    space.fence("clustr::sort_by_key");  // before the temporaries are freed
  }

  /// Ascending sort of keys (Kokkos::sort: std::sort on host spaces, thrust
  /// on Cuda). Blocks until done.
  template <class K, class Space>
  void sort(vector_view<K, Space> keys) const {
    Kokkos::sort(space, detail::kokkos_impl::unmanaged_view<K, kokkos_memory_space>(keys.data(), keys.size()));
    space.fence("clustr::sort");
  }

  // --- memory (device spaces only; host spaces use clustr's host arrays) ---

  /// Uninitialised memory in ExecSpace's memory space.
  allocation allocate_bytes(std::size_t bytes) const
    requires(!runs_on_host)
  {
    allocation a;
    a.ops.release = &detail::kokkos_impl::release<kokkos_memory_space>;
    a.ops.copy_to_host = &detail::kokkos_impl::copy_to_host<kokkos_memory_space>;
    if (bytes == 0) return a;
    try {
      a.ptr = Kokkos::kokkos_malloc<kokkos_memory_space>("clustr::array", bytes);
    } catch (const std::exception& e) {  // Kokkos reports failure as runtime_error
      detail::throw_out_of_memory(bytes, detail::concat("Kokkos ", kokkos_memory_space::name()), e.what());
    }
    return a;
  }

  /// bytes from src to dst between host memory and ExecSpace's memory. Returns
  /// when done if either side is host memory (the host may reuse or read it);
  /// device-to-device copies are ordered on `space`.
  template <class DstSpace, class SrcSpace>
  void copy_bytes(void* dst, const void* src, std::size_t bytes) const
    requires(!runs_on_host)
  {
    using kdst = std::conditional_t<std::is_same_v<DstSpace, host_space>, Kokkos::HostSpace, kokkos_memory_space>;
    using ksrc = std::conditional_t<std::is_same_v<SrcSpace, host_space>, Kokkos::HostSpace, kokkos_memory_space>;
    if (bytes == 0) return;
    Kokkos::deep_copy(space, detail::kokkos_impl::unmanaged_view<char, kdst>(static_cast<char*>(dst), bytes),
                      detail::kokkos_impl::unmanaged_view<const char, ksrc>(static_cast<const char*>(src), bytes));
    if constexpr (std::is_same_v<DstSpace, host_space> || std::is_same_v<SrcSpace, host_space>)
      space.fence("clustr::copy_bytes");
  }

  /// Waits for everything issued to `space`.
  void fence() const { space.fence("clustr::fence"); }
};

}  // namespace clustr
