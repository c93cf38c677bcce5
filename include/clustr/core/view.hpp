#pragma once
// Non-owning views over contiguous or row-strided data in a memory space.
// matrix_view is row-major: element (i, j) is data[i * stride + j].

#include <type_traits>

#include "clustr/core/config.hpp"
#include "clustr/core/space.hpp"

namespace clustr {

template <class T, class Space = host_space>
class vector_view {
 public:
  using value_type = std::remove_const_t<T>;
  using element_type = T;
  using memory_space = Space;

  constexpr vector_view() = default;
  CLUSTR_HD constexpr vector_view(T* data, index_t size) : data_(data), size_(size) {}
  /// A view of const T from a view of T.
  template <class U, class = std::enable_if_t<std::is_same_v<const U, T> && !std::is_const_v<U>>>
  CLUSTR_HD constexpr vector_view(vector_view<U, Space> other)
      : data_(other.data()), size_(other.size()) {}

  CLUSTR_HD constexpr T* data() const { return data_; }
  CLUSTR_HD constexpr index_t size() const { return size_; }
  CLUSTR_HD constexpr bool empty() const { return size_ == 0; }
  CLUSTR_HD constexpr T& operator[](index_t i) const { return data_[i]; }
  CLUSTR_HD constexpr T& operator()(index_t i) const { return data_[i]; }
  CLUSTR_HD constexpr vector_view subview(index_t offset, index_t count) const {
    return {data_ + offset, count};
  }

 private:
  T* data_ = nullptr;
  index_t size_ = 0;
};

template <class T, class Space = host_space>
class matrix_view {
 public:
  using value_type = std::remove_const_t<T>;
  using element_type = T;
  using memory_space = Space;

  constexpr matrix_view() = default;
  /// rows x cols, row-major, rows `stride` elements apart (default: packed).
  CLUSTR_HD constexpr matrix_view(T* data, index_t rows, index_t cols, index_t stride = -1)
      : data_(data), rows_(rows), cols_(cols), stride_(stride < 0 ? cols : stride) {}
  template <class U, class = std::enable_if_t<std::is_same_v<const U, T> && !std::is_const_v<U>>>
  CLUSTR_HD constexpr matrix_view(matrix_view<U, Space> other)
      : data_(other.data()), rows_(other.rows()), cols_(other.cols()), stride_(other.stride()) {}

  CLUSTR_HD constexpr T* data() const { return data_; }
  CLUSTR_HD constexpr index_t rows() const { return rows_; }
  CLUSTR_HD constexpr index_t cols() const { return cols_; }
  CLUSTR_HD constexpr index_t stride() const { return stride_; }
  CLUSTR_HD constexpr index_t size() const { return rows_ * cols_; }
  CLUSTR_HD constexpr bool empty() const { return rows_ == 0 || cols_ == 0; }
  CLUSTR_HD constexpr bool is_packed() const { return stride_ == cols_ || rows_ <= 1; }
  CLUSTR_HD constexpr T& operator()(index_t i, index_t j) const { return data_[i * stride_ + j]; }
  CLUSTR_HD constexpr T* row(index_t i) const { return data_ + i * stride_; }
  /// Rows [first, first + count).
  CLUSTR_HD constexpr matrix_view row_block(index_t first, index_t count) const {
    return {data_ + first * stride_, count, cols_, stride_};
  }
  /// The elements as one vector (packed matrices only).
  CLUSTR_HD constexpr vector_view<T, Space> flat() const { return {data_, rows_ * cols_}; }

 private:
  T* data_ = nullptr;
  index_t rows_ = 0;
  index_t cols_ = 0;
  index_t stride_ = 0;
};

/// Host views from raw pointers: `clustr::make_matrix_view(ptr, n, d)`.
template <class T>
constexpr matrix_view<T, host_space> make_matrix_view(T* data, index_t rows, index_t cols,
                                                      index_t stride = -1) {
  return {data, rows, cols, stride};
}
template <class T>
constexpr vector_view<T, host_space> make_vector_view(T* data, index_t size) {
  return {data, size};
}
/// Device views from raw device pointers (cudaMalloc'd memory).
template <class T>
constexpr matrix_view<T, device_space> make_device_matrix_view(T* data, index_t rows,
                                                               index_t cols, index_t stride = -1) {
  return {data, rows, cols, stride};
}
template <class T>
constexpr vector_view<T, device_space> make_device_vector_view(T* data, index_t size) {
  return {data, size};
}

}  // namespace clustr
