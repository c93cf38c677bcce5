#pragma once
// Owning arrays (RAII) in a memory space. They are allocated through a backend
// (clustr::make_vector<T>(backend, n)) and remember how to free themselves and
// how to copy themselves to the host, so that this header needs neither CUDA
// nor Kokkos. Elements are trivially copyable and left uninitialised.

#include <cstddef>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#include "clustr/core/config.hpp"
#include "clustr/core/errors.hpp"
#include "clustr/core/space.hpp"
#include "clustr/core/view.hpp"

namespace clustr {

/// How a block of memory is released and read back to the host. Backends
/// fill this in; `context` is backend-specific (e.g. a CUDA stream).
struct memory_ops {
  void (*release)(void* ptr, void* context, int device) noexcept = nullptr;
  void (*copy_to_host)(void* dst, const void* src, std::size_t bytes, void* context,
                       int device) = nullptr;
  void* context = nullptr;
  int device = 0;
};

/// An untyped owned allocation.
struct allocation {
  void* ptr = nullptr;
  memory_ops ops{};
};

namespace detail {

inline constexpr std::size_t host_alignment = 64;

inline void host_release(void* ptr, void*, int) noexcept {
  ::operator delete(ptr, std::align_val_t{host_alignment});
}
inline void host_copy_to_host(void* dst, const void* src, std::size_t bytes, void*, int) {
  if (bytes) std::memcpy(dst, src, bytes);
}

/// 64-byte aligned host memory; throws clustr::out_of_memory on failure.
inline allocation allocate_host(std::size_t bytes) {
  allocation a;
  a.ops.release = &host_release;
  a.ops.copy_to_host = &host_copy_to_host;
  if (bytes == 0) return a;
  try {
    a.ptr = ::operator new(bytes, std::align_val_t{host_alignment});
  } catch (const std::bad_alloc&) {
    throw_out_of_memory(bytes, "host allocation", "operator new failed");
  }
  return a;
}

}  // namespace detail

/// A typed owned allocation of `size` elements of T in `Space`.
template <class T, class Space = host_space>
class buffer {
  static_assert(std::is_trivially_copyable_v<T>, "clustr arrays hold trivially copyable types");

 public:
  using value_type = T;
  using memory_space = Space;

  buffer() = default;
  buffer(allocation a, index_t size) : alloc_(a), size_(size) {}
  buffer(const buffer&) = delete;
  buffer& operator=(const buffer&) = delete;
  buffer(buffer&& o) noexcept : alloc_(std::exchange(o.alloc_, {})), size_(std::exchange(o.size_, 0)) {}
  buffer& operator=(buffer&& o) noexcept {
    if (this != &o) {
      reset();
      alloc_ = std::exchange(o.alloc_, {});
      size_ = std::exchange(o.size_, 0);
    }
    return *this;
  }
  ~buffer() { reset(); }

  T* data() const { return static_cast<T*>(alloc_.ptr); }
  index_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const memory_ops& ops() const { return alloc_.ops; }

  /// Copies the elements into host memory (synchronous).
  void copy_to_host(T* dst) const {
    if (size_ > 0) alloc_.ops.copy_to_host(dst, data(), sizeof(T) * static_cast<std::size_t>(size_),
                                           alloc_.ops.context, alloc_.ops.device);
  }

 private:
  void reset() noexcept {
    if (alloc_.ptr && alloc_.ops.release) alloc_.ops.release(alloc_.ptr, alloc_.ops.context, alloc_.ops.device);
    alloc_ = {};
    size_ = 0;
  }

  allocation alloc_{};
  index_t size_ = 0;
};

template <class T, class Space>
class matrix;

/// An owning 1-D array. `view()` gives a vector_view; `to_host()` a host copy.
template <class T, class Space = host_space>
class vector {
 public:
  using value_type = T;
  using memory_space = Space;

  vector() = default;
  explicit vector(buffer<T, Space> b) : buf_(std::move(b)) {}

  T* data() const { return buf_.data(); }
  index_t size() const { return buf_.size(); }
  bool empty() const { return buf_.size() == 0; }
  vector_view<T, Space> view() { return {buf_.data(), buf_.size()}; }
  vector_view<const T, Space> view() const { return {buf_.data(), buf_.size()}; }
  operator vector_view<T, Space>() { return view(); }
  operator vector_view<const T, Space>() const { return view(); }

  /// Host element access (host arrays only).
  template <class S = Space, class = std::enable_if_t<std::is_same_v<S, host_space>>>
  T& operator[](index_t i) const { return buf_.data()[i]; }

  /// A host copy (synchronous; a plain copy for host arrays).
  vector<T, host_space> to_host() const {
    vector<T, host_space> h(buffer<T, host_space>(
        detail::allocate_host(sizeof(T) * static_cast<std::size_t>(size())), size()));
    buf_.copy_to_host(h.data());
    return h;
  }
  /// A host copy as std::vector.
  std::vector<T> to_std_vector() const {
    std::vector<T> out(static_cast<std::size_t>(size()));
    buf_.copy_to_host(out.data());
    return out;
  }

 private:
  buffer<T, Space> buf_;
};

/// An owning row-major matrix (packed: stride == cols).
template <class T, class Space = host_space>
class matrix {
 public:
  using value_type = T;
  using memory_space = Space;

  matrix() = default;
  matrix(buffer<T, Space> b, index_t rows, index_t cols) : buf_(std::move(b)), rows_(rows), cols_(cols) {}

  T* data() const { return buf_.data(); }
  index_t rows() const { return rows_; }
  index_t cols() const { return cols_; }
  index_t size() const { return rows_ * cols_; }
  bool empty() const { return size() == 0; }
  matrix_view<T, Space> view() { return {buf_.data(), rows_, cols_}; }
  matrix_view<const T, Space> view() const { return {buf_.data(), rows_, cols_}; }
  operator matrix_view<T, Space>() { return view(); }
  operator matrix_view<const T, Space>() const { return view(); }

  template <class S = Space, class = std::enable_if_t<std::is_same_v<S, host_space>>>
  T& operator()(index_t i, index_t j) const { return buf_.data()[i * cols_ + j]; }

  matrix<T, host_space> to_host() const {
    matrix<T, host_space> h(buffer<T, host_space>(
                                detail::allocate_host(sizeof(T) * static_cast<std::size_t>(size())), size()),
                            rows_, cols_);
    buf_.copy_to_host(h.data());
    return h;
  }
  std::vector<T> to_std_vector() const {
    std::vector<T> out(static_cast<std::size_t>(size()));
    buf_.copy_to_host(out.data());
    return out;
  }

 private:
  buffer<T, Space> buf_;
  index_t rows_ = 0;
  index_t cols_ = 0;
};

}  // namespace clustr
