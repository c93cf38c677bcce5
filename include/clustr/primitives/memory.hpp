#pragma once
// Allocation, copies, fill and fence through a backend, and staging of host
// views for device backends. Host backends use 64-byte aligned host memory;
// device backends provide allocate_bytes / copy_bytes<Dst, Src> / fence.

#include <cstddef>
#include <cstring>
#include <optional>
#include <type_traits>

#include "clustr/core/array.hpp"
#include "clustr/core/errors.hpp"
#include "clustr/core/space.hpp"
#include "clustr/core/view.hpp"
#include "clustr/primitives/for_each.hpp"

namespace clustr {

namespace detail {
inline std::size_t checked_bytes(index_t count, std::size_t elem) {
  if (count < 0) throw_invalid("allocation size", count, "must be >= 0");
  return static_cast<std::size_t>(count) * elem;
}
}  // namespace detail

/// Uninitialised array of n elements in the backend's memory space.
template <class T, class Backend>
vector<T, memory_space_t<Backend>> make_vector(const Backend& be, index_t n) {
  const std::size_t bytes = detail::checked_bytes(n, sizeof(T));
  if constexpr (is_host_backend_v<Backend>) {
    (void)be;
    return vector<T, host_space>(buffer<T, host_space>(detail::allocate_host(bytes), n));
  } else {
    return vector<T, memory_space_t<Backend>>(
        buffer<T, memory_space_t<Backend>>(be.allocate_bytes(bytes), n));
  }
}

/// Uninitialised rows x cols matrix in the backend's memory space.
template <class T, class Backend>
matrix<T, memory_space_t<Backend>> make_matrix(const Backend& be, index_t rows, index_t cols) {
  if (rows < 0) detail::throw_invalid("rows", rows, "must be >= 0");
  if (cols < 0) detail::throw_invalid("cols", cols, "must be >= 0");
  const std::size_t bytes = detail::checked_bytes(rows * cols, sizeof(T));
  using S = memory_space_t<Backend>;
  if constexpr (is_host_backend_v<Backend>) {
    (void)be;
    return matrix<T, S>(buffer<T, S>(detail::allocate_host(bytes), rows * cols), rows, cols);
  } else {
    return matrix<T, S>(buffer<T, S>(be.allocate_bytes(bytes), rows * cols), rows, cols);
  }
}

/// Blocks until all work issued to the backend has finished.
template <class Backend>
void fence(const Backend& be) {
  if constexpr (requires { be.fence(); }) be.fence();
}

namespace detail {
template <class DstSpace, class SrcSpace, class Backend>
void copy_bytes(const Backend& be, void* dst, const void* src, std::size_t bytes) {
  if (bytes == 0) return;
  if constexpr (std::is_same_v<DstSpace, host_space> && std::is_same_v<SrcSpace, host_space> &&
                is_host_backend_v<Backend>) {
    (void)be;
    std::memmove(dst, src, bytes);
  } else {
    static_assert(!is_host_backend_v<Backend>,
                  "clustr: a host backend cannot read or write device memory; use a device "
                  "backend (clustr::cuda, clustr::kokkos<Kokkos::Cuda>) or copy the data to "
                  "the host with to_host()");
    be.template copy_bytes<DstSpace, SrcSpace>(dst, src, bytes);
  }
}
}  // namespace detail

/// dst = src (same size). Either side may be host or device memory where the
/// backend can reach it. Synchronous with respect to the host for host
/// destinations.
template <class Backend, class T, class DstSpace, class SrcSpace>
void copy(const Backend& be, vector_view<T, DstSpace> dst, vector_view<const T, SrcSpace> src) {
  if (dst.size() != src.size())
    detail::throw_invalid("copy: dst.size()", dst.size(), detail::concat("must equal src.size() = ", src.size()));
  detail::copy_bytes<DstSpace, SrcSpace>(be, dst.data(), src.data(),
                                         sizeof(T) * static_cast<std::size_t>(src.size()));
}
template <class Backend, class T, class DstSpace, class SrcSpace>
void copy(const Backend& be, vector_view<T, DstSpace> dst, vector_view<T, SrcSpace> src) {
  copy(be, dst, vector_view<const T, SrcSpace>(src));
}

/// dst = src for matrices of the same shape; strided rows are copied row by row.
template <class Backend, class T, class DstSpace, class SrcSpace>
void copy(const Backend& be, matrix_view<T, DstSpace> dst, matrix_view<const T, SrcSpace> src) {
  if (dst.rows() != src.rows() || dst.cols() != src.cols())
    detail::throw_invalid("copy: dst shape", detail::concat(dst.rows(), "x", dst.cols()),
                          detail::concat("must equal src shape ", src.rows(), "x", src.cols()));
  const std::size_t row_bytes = sizeof(T) * static_cast<std::size_t>(src.cols());
  if (dst.is_packed() && src.is_packed()) {
    detail::copy_bytes<DstSpace, SrcSpace>(be, dst.data(), src.data(), row_bytes * static_cast<std::size_t>(src.rows()));
  } else {
    for (index_t i = 0; i < src.rows(); ++i)
      detail::copy_bytes<DstSpace, SrcSpace>(be, dst.row(i), src.row(i), row_bytes);
  }
}
template <class Backend, class T, class DstSpace, class SrcSpace>
void copy(const Backend& be, matrix_view<T, DstSpace> dst, matrix_view<T, SrcSpace> src) {
  copy(be, dst, matrix_view<const T, SrcSpace>(src));
}

/// Every element of v set to value.
template <class Backend, class T, class Space>
void fill(const Backend& be, vector_view<T, Space> v, T value) {
  static_assert(can_access_v<Backend, Space>, "clustr::fill: the backend cannot reach this memory");
  T* p = v.data();
  for_each(be, v.size(), CLUSTR_LAMBDA(index_t i) { p[i] = value; });
}

/// v[i] = start + i.
template <class Backend, class T, class Space>
void iota(const Backend& be, vector_view<T, Space> v, T start = T(0)) {
  static_assert(can_access_v<Backend, Space>, "clustr::iota: the backend cannot reach this memory");
  T* p = v.data();
  for_each(be, v.size(), CLUSTR_LAMBDA(index_t i) { p[i] = start + static_cast<T>(i); });
}

/// Reads one element of backend memory to the host.
template <class Backend, class T>
T read_value(const Backend& be, const T* ptr) {
  T value{};
  detail::copy_bytes<host_space, memory_space_t<Backend>>(be, &value, ptr, sizeof(T));
  return value;
}

/// Writes one element of backend memory from the host.
template <class Backend, class T>
void write_value(const Backend& be, T* ptr, T value) {
  detail::copy_bytes<memory_space_t<Backend>, host_space>(be, ptr, &value, sizeof(T));
}

/// A copy of any view in the backend's memory space.
template <class Backend, class T, class Space>
matrix<std::remove_const_t<T>, memory_space_t<Backend>> clone(const Backend& be, matrix_view<T, Space> src) {
  auto out = make_matrix<std::remove_const_t<T>>(be, src.rows(), src.cols());
  copy(be, out.view(), matrix_view<const std::remove_const_t<T>, Space>(src));
  return out;
}
template <class Backend, class T, class Space>
vector<std::remove_const_t<T>, memory_space_t<Backend>> clone(const Backend& be, vector_view<T, Space> src) {
  auto out = make_vector<std::remove_const_t<T>>(be, src.size());
  copy(be, out.view(), vector_view<const std::remove_const_t<T>, Space>(src));
  return out;
}

/// A view that the backend can read: the input itself when the backend can
/// reach its memory, otherwise a copy in the backend's space (the CUDA
/// backend stages host input this way). Keep the staged object alive while
/// the view is in use.
template <class T, class Space>
class staged_matrix {
 public:
  staged_matrix(matrix_view<const T, Space> v) : view_(v) {}
  staged_matrix(matrix<T, Space> owned) : owned_(std::move(owned)), view_(owned_->view()) {}
  matrix_view<const T, Space> view() const { return view_; }
  bool is_copy() const { return owned_.has_value(); }

 private:
  std::optional<matrix<T, Space>> owned_;
  matrix_view<const T, Space> view_;
};

template <class Backend, class T, class Space>
staged_matrix<std::remove_const_t<T>, memory_space_t<Backend>> stage(const Backend& be, matrix_view<T, Space> v) {
  using U = std::remove_const_t<T>;
  if constexpr (can_access_v<Backend, Space>) {
    return staged_matrix<U, Space>(matrix_view<const U, Space>(v));
  } else {
    return staged_matrix<U, memory_space_t<Backend>>(clone(be, v));
  }
}

template <class T, class Space>
class staged_vector {
 public:
  staged_vector(vector_view<const T, Space> v) : view_(v) {}
  staged_vector(vector<T, Space> owned) : owned_(std::move(owned)), view_(owned_->view()) {}
  vector_view<const T, Space> view() const { return view_; }
  bool is_copy() const { return owned_.has_value(); }

 private:
  std::optional<vector<T, Space>> owned_;
  vector_view<const T, Space> view_;
};

template <class Backend, class T, class Space>
staged_vector<std::remove_const_t<T>, memory_space_t<Backend>> stage(const Backend& be, vector_view<T, Space> v) {
  using U = std::remove_const_t<T>;
  if constexpr (can_access_v<Backend, Space>) {
    return staged_vector<U, Space>(vector_view<const U, Space>(v));
  } else {
    return staged_vector<U, memory_space_t<Backend>>(clone(be, v));
  }
}

}  // namespace clustr
