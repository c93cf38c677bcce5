#pragma once
// The idx format of MNIST and Fashion-MNIST (plain or gzip-compressed: zlib
// reads both transparently), and a loader for Fashion-MNIST as Debian's
// dataset-fashion-mnist package installs it.
//
// Needs zlib: link ZLIB::ZLIB (find_package(ZLIB)). Host-only.
//
// idx layout: two zero bytes, a type byte (0x08 u8, 0x09 i8, 0x0B i16,
// 0x0C i32, 0x0D f32, 0x0E f64), the number of dimensions, one big-endian
// uint32 per dimension, then the elements big-endian in C order.

#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "clustr/io/detail/common.hpp"

namespace clustr::io {

namespace detail {

/// A gzFile that closes itself.
class gz_reader {
 public:
  explicit gz_reader(const std::string& path) : path_(path) {
    if (!std::filesystem::exists(path)) fail(path, "cannot open file (no such file)");
    f_ = gzopen(path.c_str(), "rb");
    if (!f_) fail(path, "cannot open file");
  }
  gz_reader(const gz_reader&) = delete;
  gz_reader& operator=(const gz_reader&) = delete;
  ~gz_reader() {
    if (f_) gzclose(f_);
  }
  /// Reads up to `bytes`; returns how many were read. Throws on a zlib error
  /// (corrupt compressed data).
  std::size_t read(void* dst, std::size_t bytes) {
    std::size_t done = 0;
    auto* p = static_cast<unsigned char*>(dst);
    while (done < bytes) {
      const unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(bytes - done, std::size_t(1) << 30));
      const int got = gzread(f_, p + done, chunk);
      if (got < 0) {
        int err = 0;
        const char* msg = gzerror(f_, &err);
        fail(path_, clustr::detail::concat("corrupt or unreadable data (zlib: ", msg ? msg : "error", ")"));
      }
      if (got == 0) break;
      done += static_cast<std::size_t>(got);
    }
    return done;
  }

 private:
  std::string path_;
  gzFile f_ = nullptr;
};

inline bool idx_type(unsigned char code, dtype& t) {
  switch (code) {
    case 0x08: t = dtype::uint8; return true;
    case 0x09: t = dtype::int8; return true;
    case 0x0B: t = dtype::int16; return true;
    case 0x0C: t = dtype::int32; return true;
    case 0x0D: t = dtype::float32; return true;
    case 0x0E: t = dtype::float64; return true;
    default: return false;
  }
}

}  // namespace detail

/// What the header of an idx file says.
struct idx_header {
  io::dtype type = io::dtype::uint8;
  std::vector<std::int64_t> shape;
};

/// Reads an idx or idx.gz file. Throws io_error for a missing, truncated or
/// malformed file.
inline array read_idx(const std::string& path, idx_header* header_out = nullptr) {
  detail::gz_reader in(path);
  unsigned char magic[4];
  if (in.read(magic, 4) != 4) detail::fail(path, "not an idx file (shorter than its header)");
  array a;
  if (magic[0] != 0 || magic[1] != 0 || !detail::idx_type(magic[2], a.type) || magic[3] == 0)
    detail::fail(path, "not an idx file (bad magic number)");
  for (int d = 0; d < magic[3]; ++d) {
    unsigned char b[4];
    if (in.read(b, 4) != 4) detail::fail(path, "truncated idx header");
    a.shape.push_back((std::int64_t(b[0]) << 24) | (std::int64_t(b[1]) << 16) | (std::int64_t(b[2]) << 8) | b[3]);
  }
  if (header_out) *header_out = {a.type, a.shape};
  const std::size_t want = static_cast<std::size_t>(a.size()) * size_of(a.type);
  a.bytes.resize(want);
  const std::size_t got = in.read(a.bytes.data(), want);
  if (got != want)
    detail::fail(path, clustr::detail::concat("truncated idx data: expected ", want, " bytes, found ", got));
  if constexpr (std::endian::native == std::endian::little)
    detail::byteswap_elements(a.bytes.data(), static_cast<std::size_t>(a.size()), size_of(a.type));
  return a;
}

/// Reads only the header (type and shape) of an idx or idx.gz file.
inline idx_header read_idx_header(const std::string& path) {
  detail::gz_reader in(path);
  unsigned char magic[4];
  idx_header h;
  if (in.read(magic, 4) != 4 || magic[0] != 0 || magic[1] != 0 || !detail::idx_type(magic[2], h.type) || magic[3] == 0)
    detail::fail(path, "not an idx file (bad magic number)");
  for (int d = 0; d < magic[3]; ++d) {
    unsigned char b[4];
    if (in.read(b, 4) != 4) detail::fail(path, "truncated idx header");
    h.shape.push_back((std::int64_t(b[0]) << 24) | (std::int64_t(b[1]) << 16) | (std::int64_t(b[2]) << 8) | b[3]);
  }
  return h;
}

/// Which part of Fashion-MNIST.
enum class fashion_mnist_split {
  test,   ///< t10k: 10,000 images
  train,  ///< 60,000 images
  all     ///< train then test: 70,000 images
};

/// Fashion-MNIST images (n x 784, row-major 28x28) and their class labels 0..9.
template <class T = float>
struct fashion_mnist_data {
  matrix<T, host_space> images;
  vector<std::int32_t, host_space> labels;
};

/// Where Fashion-MNIST's files are: $CLUSTR_FASHION_MNIST_DIR if set, else
/// /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist).
inline std::string fashion_mnist_dir() {
  if (const char* env = std::getenv("CLUSTR_FASHION_MNIST_DIR"); env && *env) return env;
  return "/usr/share/datasets/fashion-mnist";
}

/// Loads Fashion-MNIST from `dir` (files {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]).
/// Pixels are divided by `scale` (default 255: values in [0, 1]; 1 keeps 0..255).
/// Throws io_error naming the missing file and the Debian package to install.
template <class T = float>
fashion_mnist_data<T> load_fashion_mnist(fashion_mnist_split split, const std::string& dir = fashion_mnist_dir(),
                                         double scale = 255.0) {
  auto find = [&](const std::string& stem) {
    for (const char* ext : {".gz", ""}) {
      const auto p = (std::filesystem::path(dir) / (stem + ext)).string();
      if (std::filesystem::exists(p)) return p;
    }
    detail::fail((std::filesystem::path(dir) / (stem + ".gz")).string(),
                 "Fashion-MNIST file not found (install the Debian package dataset-fashion-mnist, "
                 "or set CLUSTR_FASHION_MNIST_DIR)");
  };
  std::vector<std::string> prefixes;
  if (split != fashion_mnist_split::test) prefixes.push_back("train");
  if (split != fashion_mnist_split::train) prefixes.push_back("t10k");
  std::vector<array> images, labels;
  std::int64_t n = 0;
  for (const auto& pre : prefixes) {
    const auto ip = find(pre + "-images-idx3-ubyte");
    const auto lp = find(pre + "-labels-idx1-ubyte");
    images.push_back(read_idx(ip));
    labels.push_back(read_idx(lp));
    const auto& im = images.back();
    const auto& lb = labels.back();
    if (im.shape.size() != 3 || im.shape[1] != 28 || im.shape[2] != 28)
      detail::fail(ip, "expected images of shape (n, 28, 28)");
    if (lb.shape.size() != 1 || lb.shape[0] != im.shape[0])
      detail::fail(lp, clustr::detail::concat("expected ", im.shape[0], " labels"));
    n += im.shape[0];
  }
  fashion_mnist_data<T> out;
  out.images = detail::host_matrix<T>(n, 784);
  out.labels = detail::host_vector<std::int32_t>(n);
  const double inv = scale > 0 ? 1.0 / scale : 1.0;
  std::int64_t row = 0;
  for (std::size_t f = 0; f < images.size(); ++f) {
    const auto& im = images[f];
    const auto& lb = labels[f];
    const std::int64_t m = im.shape[0];
    for (std::int64_t i = 0; i < m * 784; ++i)
      out.images.data()[row * 784 + i] = static_cast<T>(static_cast<double>(im.bytes[static_cast<std::size_t>(i)]) * inv);
    for (std::int64_t i = 0; i < m; ++i) out.labels.data()[row + i] = lb.get<std::int32_t>(i);
    row += m;
  }
  return out;
}

}  // namespace clustr::io
