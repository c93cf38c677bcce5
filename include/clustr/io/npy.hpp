#pragma once
// NumPy .npy files (format versions 1.0, 2.0 and 3.0): read any C-order array
// of a numeric dtype in either byte order, write C-order little-endian
// arrays. Fortran-order arrays are rejected with a message that says how to
// fix them (np.ascontiguousarray) rather than silently transposed.
// Host-only; no dependency beyond the standard library.

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "clustr/io/detail/common.hpp"

namespace clustr::io {

/// What the header of a .npy file says.
struct npy_header {
  io::dtype type = io::dtype::float32;
  bool fortran_order = false;
  bool big_endian = false;            ///< data stored most significant byte first ('>')
  std::vector<std::int64_t> shape;    ///< () for a scalar
  std::size_t data_offset = 0;        ///< bytes before the first element
  int major_version = 1;
};

namespace detail {

inline bool parse_descr(const std::string& d, npy_header& h) {
  // '<f4', '|u1', '>i8', 'b1' ...: byte order, kind, width.
  if (d.size() < 2) return false;
  std::size_t k = 0;
  char order = '=';
  if (d[0] == '<' || d[0] == '>' || d[0] == '|' || d[0] == '=') {
    order = d[0];
    k = 1;
  }
  if (k >= d.size()) return false;
  const char kind = d[k];
  const std::string width = d.substr(k + 1);
  if constexpr (std::endian::native == std::endian::little) h.big_endian = (order == '>');
  else h.big_endian = (order != '>' && order != '=' && order != '|');
  if (kind == 'f' && width == "4") h.type = dtype::float32;
  else if (kind == 'f' && width == "8") h.type = dtype::float64;
  else if (kind == 'i' && width == "1") h.type = dtype::int8;
  else if (kind == 'i' && width == "2") h.type = dtype::int16;
  else if (kind == 'i' && width == "4") h.type = dtype::int32;
  else if (kind == 'i' && width == "8") h.type = dtype::int64;
  else if (kind == 'u' && width == "1") h.type = dtype::uint8;
  else if (kind == 'u' && width == "2") h.type = dtype::uint16;
  else if (kind == 'u' && width == "4") h.type = dtype::uint32;
  else if (kind == 'u' && width == "8") h.type = dtype::uint64;
  else if (kind == 'b' && width == "1") h.type = dtype::bool_;
  else return false;
  return true;
}

/// The text after `'key':` in the header dictionary (npos when absent).
inline std::size_t find_key(const std::string& dict, const char* key) {
  for (const char q : {'\'', '"'}) {
    const std::string k = std::string(1, q) + key + std::string(1, q);
    const auto p = dict.find(k);
    if (p == std::string::npos) continue;
    const auto colon = dict.find(':', p + k.size());
    if (colon != std::string::npos) return colon + 1;
  }
  return std::string::npos;
}

inline npy_header parse_npy_header(const std::string& path, const std::string& dict, std::size_t offset, int major) {
  npy_header h;
  h.data_offset = offset;
  h.major_version = major;
  auto skip_ws = [&](std::size_t p) {
    while (p < dict.size() && std::isspace(static_cast<unsigned char>(dict[p]))) ++p;
    return p;
  };
  // descr
  auto p = find_key(dict, "descr");
  if (p == std::string::npos) fail(path, "malformed .npy header (no 'descr')");
  p = skip_ws(p);
  if (p >= dict.size() || (dict[p] != '\'' && dict[p] != '"'))
    fail(path, "unsupported .npy dtype (structured arrays are not supported)");
  const char q = dict[p];
  const auto e = dict.find(q, p + 1);
  if (e == std::string::npos) fail(path, "malformed .npy header (descr)");
  const std::string descr = dict.substr(p + 1, e - p - 1);
  if (!parse_descr(descr, h))
    fail(path, clustr::detail::concat("unsupported .npy dtype '", descr,
                                      "' (supported: float32, float64, int8/16/32/64, uint8/16/32/64, bool)"));
  // fortran_order
  p = find_key(dict, "fortran_order");
  if (p == std::string::npos) fail(path, "malformed .npy header (no 'fortran_order')");
  p = skip_ws(p);
  if (dict.compare(p, 4, "True") == 0) h.fortran_order = true;
  else if (dict.compare(p, 5, "False") == 0) h.fortran_order = false;
  else fail(path, "malformed .npy header (fortran_order)");
  // shape
  p = find_key(dict, "shape");
  if (p == std::string::npos) fail(path, "malformed .npy header (no 'shape')");
  p = skip_ws(p);
  if (p >= dict.size() || dict[p] != '(') fail(path, "malformed .npy header (shape)");
  const auto close = dict.find(')', p);
  if (close == std::string::npos) fail(path, "malformed .npy header (shape)");
  std::size_t i = p + 1;
  while (i < close) {
    i = skip_ws(i);
    if (i >= close) break;
    if (!std::isdigit(static_cast<unsigned char>(dict[i]))) fail(path, "malformed .npy header (shape)");
    std::int64_t v = 0;
    while (i < close && std::isdigit(static_cast<unsigned char>(dict[i]))) {
      v = v * 10 + (dict[i] - '0');
      if (v > (std::int64_t(1) << 48)) fail(path, "malformed .npy header (shape too large)");
      ++i;
    }
    h.shape.push_back(v);
    i = skip_ws(i);
    if (i < close && dict[i] == 'L') ++i;  // Python 2 longs
    i = skip_ws(i);
    if (i < close && dict[i] == ',') ++i;
  }
  return h;
}

inline npy_header read_npy_header(const std::string& path, std::istream& in) {
  char magic[8];
  if (!in.read(magic, 8)) fail(path, "not a .npy file (shorter than its magic string)");
  if (static_cast<unsigned char>(magic[0]) != 0x93 || std::string(magic + 1, 5) != "NUMPY")
    fail(path, "not a .npy file (bad magic string)");
  const int major = static_cast<unsigned char>(magic[6]);
  std::size_t len = 0, offset = 0;
  if (major == 1) {
    unsigned char b[2];
    if (!in.read(reinterpret_cast<char*>(b), 2)) fail(path, "truncated .npy header");
    len = std::size_t(b[0]) | (std::size_t(b[1]) << 8);
    offset = 10 + len;
  } else if (major == 2 || major == 3) {
    unsigned char b[4];
    if (!in.read(reinterpret_cast<char*>(b), 4)) fail(path, "truncated .npy header");
    len = std::size_t(b[0]) | (std::size_t(b[1]) << 8) | (std::size_t(b[2]) << 16) | (std::size_t(b[3]) << 24);
    offset = 12 + len;
  } else {
    fail(path, clustr::detail::concat("unsupported .npy format version ", major));
  }
  if (len > (std::size_t(1) << 24)) fail(path, "malformed .npy header (header length)");
  std::string dict(len, '\0');
  if (len && !in.read(dict.data(), static_cast<std::streamsize>(len))) fail(path, "truncated .npy header");
  return parse_npy_header(path, dict, offset, major);
}

inline std::string shape_string(const std::vector<std::int64_t>& s) {
  std::string out = "(";
  for (std::size_t i = 0; i < s.size(); ++i) {
    out += std::to_string(s[i]);
    if (s.size() == 1 || i + 1 < s.size()) out += s.size() == 1 ? "," : ", ";
  }
  return out + ")";
}

inline const char* npy_descr(dtype t) {
  const bool le = std::endian::native == std::endian::little;
  switch (t) {
    case dtype::float32: return le ? "<f4" : ">f4";
    case dtype::float64: return le ? "<f8" : ">f8";
    case dtype::int8: return "|i1";
    case dtype::int16: return le ? "<i2" : ">i2";
    case dtype::int32: return le ? "<i4" : ">i4";
    case dtype::int64: return le ? "<i8" : ">i8";
    case dtype::uint8: return "|u1";
    case dtype::uint16: return le ? "<u2" : ">u2";
    case dtype::uint32: return le ? "<u4" : ">u4";
    case dtype::uint64: return le ? "<u8" : ">u8";
    case dtype::bool_: return "|b1";
  }
  return "";
}

}  // namespace detail

/// Reads only the header of a .npy file (cheap: shape and dtype checks).
inline npy_header read_npy_header(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) detail::fail(path, "cannot open file");
  return detail::read_npy_header(path, in);
}

/// Reads a whole .npy file. Throws io_error for a missing, truncated or
/// malformed file, an unsupported dtype, or a Fortran-order array.
inline array read_npy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) detail::fail(path, "cannot open file");
  const npy_header h = detail::read_npy_header(path, in);
  if (h.fortran_order && h.shape.size() > 1)
    detail::fail(path, "Fortran-order (column-major) arrays are not supported; save a C-order array "
                       "with np.save(path, np.ascontiguousarray(a))");
  array a;
  a.type = h.type;
  a.shape = h.shape;
  const std::size_t want = static_cast<std::size_t>(a.size()) * size_of(h.type);
  a.bytes.resize(want);
  if (want && !in.read(reinterpret_cast<char*>(a.bytes.data()), static_cast<std::streamsize>(want)))
    detail::fail(path, clustr::detail::concat("truncated .npy data: shape ", detail::shape_string(h.shape), " needs ",
                                              want, " bytes, found ", in.gcount()));
  if (h.big_endian) detail::byteswap_elements(a.bytes.data(), static_cast<std::size_t>(a.size()), size_of(h.type));
  return a;
}

/// A 2-d array as a host matrix of T (a 1-d array becomes one column).
/// The file's dtype must be T unless allow_conversion (then static_cast, as
/// numpy's astype). Throws io_error otherwise.
template <class T>
matrix<T, host_space> to_matrix(const array& a, const std::string& path, bool allow_conversion = false) {
  if (a.shape.size() != 1 && a.shape.size() != 2)
    detail::fail(path, clustr::detail::concat("expected a 2-d array (n_samples, n_features), got shape ",
                                              detail::shape_string(a.shape)));
  if (a.type != dtype_of<T>() && !allow_conversion)
    detail::fail(path, clustr::detail::concat("dtype is ", name_of(a.type), ", expected ", name_of(dtype_of<T>())));
  auto m = detail::host_matrix<T>(a.rows(), a.cols());
  if (a.type == dtype_of<T>()) {
    if (m.size()) std::memcpy(m.data(), a.bytes.data(), sizeof(T) * static_cast<std::size_t>(m.size()));
  } else {
    for (index_t i = 0; i < m.size(); ++i) m.data()[i] = a.get<T>(i);
  }
  return m;
}

/// A 1-d array (or an (n, 1) column) as a host vector of T; see to_matrix.
template <class T>
vector<T, host_space> to_vector(const array& a, const std::string& path, bool allow_conversion = false) {
  const bool column = a.shape.size() == 2 && a.shape[1] == 1;
  if (a.shape.size() != 1 && !column)
    detail::fail(path, clustr::detail::concat("expected a 1-d array, got shape ", detail::shape_string(a.shape)));
  if (a.type != dtype_of<T>() && !allow_conversion)
    detail::fail(path, clustr::detail::concat("dtype is ", name_of(a.type), ", expected ", name_of(dtype_of<T>())));
  auto v = detail::host_vector<T>(a.rows());
  for (index_t i = 0; i < v.size(); ++i) v.data()[i] = a.get<T>(i);
  return v;
}

/// Reads a 1-d or 2-d .npy file of dtype T as a host matrix (see to_matrix).
template <class T>
matrix<T, host_space> read_npy_matrix(const std::string& path, bool allow_conversion = false) {
  return to_matrix<T>(read_npy(path), path, allow_conversion);
}

/// Reads a 1-d .npy file of dtype T as a host vector (see to_vector).
template <class T>
vector<T, host_space> read_npy_vector(const std::string& path, bool allow_conversion = false) {
  return to_vector<T>(read_npy(path), path, allow_conversion);
}

/// Writes `data` (C order, prod(shape) elements) as a version 1.0 .npy file
/// that numpy.load reads. Throws io_error when the file cannot be written.
template <class T>
void write_npy(const std::string& path, const T* data, const std::vector<std::int64_t>& shape) {
  std::string dict = std::string("{'descr': '") + detail::npy_descr(dtype_of<T>()) +
                     "', 'fortran_order': False, 'shape': " + detail::shape_string(shape) + ", }";
  // Pad with spaces so that the data starts at a multiple of 64 bytes.
  std::size_t total = 10 + dict.size() + 1;
  dict.append((64 - total % 64) % 64, ' ');
  dict.push_back('\n');
  if (dict.size() > 65535) detail::fail(path, "shape too long for a .npy 1.0 header");
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) detail::fail(path, "cannot open file for writing");
  const unsigned char head[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0,
                                  static_cast<unsigned char>(dict.size() & 0xff),
                                  static_cast<unsigned char>(dict.size() >> 8)};
  out.write(reinterpret_cast<const char*>(head), 10);
  out.write(dict.data(), static_cast<std::streamsize>(dict.size()));
  std::int64_t n = 1;
  for (auto s : shape) n *= s;
  if (n > 0) out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(sizeof(T) * static_cast<std::size_t>(n)));
  out.flush();
  if (!out) detail::fail(path, "write failed (disk full?)");
}

/// Writes a host matrix view (any row stride) as a 2-d .npy file.
template <class T>
void write_npy(const std::string& path, matrix_view<const T, host_space> m) {
  if (m.is_packed()) return write_npy(path, m.data(), {m.rows(), m.cols()});
  std::vector<std::remove_const_t<T>> packed(static_cast<std::size_t>(m.size()));
  for (index_t i = 0; i < m.rows(); ++i)
    for (index_t j = 0; j < m.cols(); ++j) packed[static_cast<std::size_t>(i * m.cols() + j)] = m(i, j);
  write_npy(path, packed.data(), {m.rows(), m.cols()});
}

/// Writes a host vector view as a 1-d .npy file.
template <class T>
void write_npy(const std::string& path, vector_view<const T, host_space> v) {
  write_npy(path, v.data(), {v.size()});
}

/// Writes an owning matrix (copied to the host first if it lives on a device).
template <class T, class Space>
void write_npy(const std::string& path, const matrix<T, Space>& m) {
  const auto h = m.to_host();
  write_npy(path, h.data(), {h.rows(), h.cols()});
}

/// Writes an owning vector (copied to the host first if it lives on a device).
template <class T, class Space>
void write_npy(const std::string& path, const vector<T, Space>& v) {
  const auto h = v.to_host();
  write_npy(path, h.data(), {h.size()});
}

/// Writes a std::vector as a 1-d .npy file.
template <class T>
void write_npy(const std::string& path, const std::vector<T>& v) {
  write_npy(path, v.data(), {static_cast<std::int64_t>(v.size())});
}

}  // namespace clustr::io
