#pragma once
// What the clustr::io readers share: the exception for unreadable or malformed
// files, the element types they know, a host matrix/vector maker, and
// byte-order helpers. Host-only code (files are read on the host).

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "clustr/core/array.hpp"
#include "clustr/core/errors.hpp"

namespace clustr::io {

/// A file that cannot be read or written, or whose content is not what the
/// reader accepts (truncated, malformed header, unsupported dtype, Fortran
/// order, ragged CSV rows). The message names the file: "clustr: <path>: ...".
class io_error : public std::runtime_error {
 public:
  io_error(std::string path, const std::string& message)
      : std::runtime_error(message), path_(std::move(path)) {}
  /// The file concerned.
  const std::string& path() const noexcept { return path_; }

 private:
  std::string path_;
};

/// Element types of the arrays the readers return (numpy's names).
enum class dtype { float32, float64, int8, int16, int32, int64, uint8, uint16, uint32, uint64, bool_ };

inline std::size_t size_of(dtype t) {
  switch (t) {
    case dtype::int8: case dtype::uint8: case dtype::bool_: return 1;
    case dtype::int16: case dtype::uint16: return 2;
    case dtype::float32: case dtype::int32: case dtype::uint32: return 4;
    case dtype::float64: case dtype::int64: case dtype::uint64: return 8;
  }
  return 0;
}

inline const char* name_of(dtype t) {
  switch (t) {
    case dtype::float32: return "float32";
    case dtype::float64: return "float64";
    case dtype::int8: return "int8";
    case dtype::int16: return "int16";
    case dtype::int32: return "int32";
    case dtype::int64: return "int64";
    case dtype::uint8: return "uint8";
    case dtype::uint16: return "uint16";
    case dtype::uint32: return "uint32";
    case dtype::uint64: return "uint64";
    case dtype::bool_: return "bool";
  }
  return "?";
}

inline bool is_floating(dtype t) { return t == dtype::float32 || t == dtype::float64; }

/// The dtype of a C++ element type (compile error for others).
template <class T>
constexpr dtype dtype_of() {
  using U = std::remove_cv_t<T>;
  if constexpr (std::is_same_v<U, float>) return dtype::float32;
  else if constexpr (std::is_same_v<U, double>) return dtype::float64;
  else if constexpr (std::is_same_v<U, bool>) return dtype::bool_;
  else if constexpr (std::is_integral_v<U> && std::is_signed_v<U> && sizeof(U) == 1) return dtype::int8;
  else if constexpr (std::is_integral_v<U> && std::is_signed_v<U> && sizeof(U) == 2) return dtype::int16;
  else if constexpr (std::is_integral_v<U> && std::is_signed_v<U> && sizeof(U) == 4) return dtype::int32;
  else if constexpr (std::is_integral_v<U> && std::is_signed_v<U> && sizeof(U) == 8) return dtype::int64;
  else if constexpr (std::is_integral_v<U> && sizeof(U) == 1) return dtype::uint8;
  else if constexpr (std::is_integral_v<U> && sizeof(U) == 2) return dtype::uint16;
  else if constexpr (std::is_integral_v<U> && sizeof(U) == 4) return dtype::uint32;
  else if constexpr (std::is_integral_v<U> && sizeof(U) == 8) return dtype::uint64;
  else static_assert(sizeof(U) == 0, "clustr::io: unsupported element type");
}

/// An n-d array read from a file: its element type, shape and the elements
/// in C (row-major) order, native byte order.
struct array {
  io::dtype type = io::dtype::float32;
  std::vector<std::int64_t> shape;
  std::vector<unsigned char> bytes;

  std::int64_t size() const {
    std::int64_t n = 1;
    for (auto s : shape) n *= s;
    return n;
  }
  /// Rows of a 2-d array (or elements of a 1-d array).
  std::int64_t rows() const { return shape.empty() ? 1 : shape[0]; }
  /// Columns of a 2-d array (1 for a 1-d array; product of trailing dims else).
  std::int64_t cols() const {
    std::int64_t c = 1;
    for (std::size_t i = 1; i < shape.size(); ++i) c *= shape[i];
    return c;
  }
  /// Element i converted to T (static_cast, as numpy's astype).
  template <class T>
  T get(std::int64_t i) const {
    const unsigned char* p = bytes.data() + static_cast<std::size_t>(i) * size_of(type);
    auto load = [p](auto tag) {
      decltype(tag) v;
      std::memcpy(&v, p, sizeof v);
      return static_cast<T>(v);
    };
    switch (type) {
      case dtype::float32: return load(float{});
      case dtype::float64: return load(double{});
      case dtype::int8: return load(std::int8_t{});
      case dtype::int16: return load(std::int16_t{});
      case dtype::int32: return load(std::int32_t{});
      case dtype::int64: return load(std::int64_t{});
      case dtype::uint8: return load(std::uint8_t{});
      case dtype::uint16: return load(std::uint16_t{});
      case dtype::uint32: return load(std::uint32_t{});
      case dtype::uint64: return load(std::uint64_t{});
      case dtype::bool_: return load(bool{});
    }
    return T{};
  }
  /// All elements converted to T.
  template <class T>
  std::vector<T> to_vector() const {
    std::vector<T> out(static_cast<std::size_t>(size()));
    if (type == dtype_of<T>()) {
      if (!out.empty()) std::memcpy(out.data(), bytes.data(), out.size() * sizeof(T));
    } else {
      for (std::int64_t i = 0; i < size(); ++i) out[static_cast<std::size_t>(i)] = get<T>(i);
    }
    return out;
  }
};

namespace detail {

template <class T>
matrix<T, host_space> host_matrix(index_t rows, index_t cols) {
  const auto n = rows * cols;
  return matrix<T, host_space>(
      buffer<T, host_space>(clustr::detail::allocate_host(sizeof(T) * static_cast<std::size_t>(n)), n), rows, cols);
}

template <class T>
vector<T, host_space> host_vector(index_t n) {
  return vector<T, host_space>(
      buffer<T, host_space>(clustr::detail::allocate_host(sizeof(T) * static_cast<std::size_t>(n)), n));
}

[[noreturn]] inline void fail(const std::string& path, const std::string& reason) {
  throw io_error(path, clustr::detail::concat("clustr: ", path, ": ", reason));
}

/// Reverses the bytes of each of the `count` elements of `width` bytes.
inline void byteswap_elements(unsigned char* p, std::size_t count, std::size_t width) {
  if (width <= 1) return;
  for (std::size_t i = 0; i < count; ++i) std::reverse(p + i * width, p + (i + 1) * width);
}

inline bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace detail
}  // namespace clustr::io
