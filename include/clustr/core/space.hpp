#pragma once
// Memory spaces. A view or array carries its space in its type, so that
// passing device memory to a host backend is a compile-time error.

#include <type_traits>

namespace clustr {

/// Ordinary host memory (std::vector, numpy buffers, new[]).
struct host_space {
  static constexpr const char* name = "host";
};
/// GPU memory (cudaMalloc, Kokkos::CudaSpace): not dereferenceable on the host.
struct device_space {
  static constexpr const char* name = "device";
};

template <class S>
inline constexpr bool is_memory_space_v =
    std::is_same_v<S, host_space> || std::is_same_v<S, device_space>;

/// The memory space a backend's kernels read and write: `B::memory_space`.
template <class Backend>
using memory_space_t = typename Backend::memory_space;

/// Can code running on `Backend` dereference pointers of space `S`?
template <class Backend, class S>
inline constexpr bool can_access_v = std::is_same_v<memory_space_t<Backend>, S>;

/// True when the backend runs on the host (serial, openmp, kokkos on a host space).
template <class Backend>
inline constexpr bool is_host_backend_v = std::is_same_v<memory_space_t<Backend>, host_space>;

}  // namespace clustr
