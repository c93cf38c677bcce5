#pragma once
// clustr::io: .npy, CSV and idx(.gz) files, and load_matrix(), which picks
// the reader from the file name. Host-only. idx.hpp needs zlib (link
// ZLIB::ZLIB); define CLUSTR_IO_NO_IDX before including this header to leave
// it out. See docs/io.md.

#include <string>

#include "clustr/io/csv.hpp"
#include "clustr/io/detail/common.hpp"
#include "clustr/io/npy.hpp"
#ifndef CLUSTR_IO_NO_IDX
#include "clustr/io/idx.hpp"
#endif

namespace clustr::io {

/// The file formats load_matrix() knows.
enum class file_format { npy, csv, idx, unknown };

/// The format implied by a file name: .npy; .csv/.tsv/.txt; .idx, *-ubyte
/// and their .gz forms.
inline file_format format_of(const std::string& path) {
  using detail::ends_with;
  if (ends_with(path, ".npy")) return file_format::npy;
  if (ends_with(path, ".csv") || ends_with(path, ".tsv") || ends_with(path, ".txt")) return file_format::csv;
  std::string p = path;
  if (ends_with(p, ".gz")) p.resize(p.size() - 3);
  if (ends_with(p, ".idx") || ends_with(p, "-ubyte") || p.find("idx1") != std::string::npos ||
      p.find("idx3") != std::string::npos)
    return file_format::idx;
  return file_format::unknown;
}

/// Reads a 1-d or 2-d array from a .npy, CSV or idx(.gz) file as a host
/// matrix of T. Values are converted to T (a CSV has no dtype; a .npy must be
/// floating-point unless allow_integer: a float32 file read as double is
/// widened, a float64 file read as float rounded). idx arrays of more than
/// 2 dimensions are flattened to (n, rest). Throws io_error.
template <class T>
matrix<T, host_space> load_matrix(const std::string& path, bool allow_integer = false) {
  switch (format_of(path)) {
    case file_format::npy: {
      const auto a = read_npy(path);
      if (!is_floating(a.type) && !allow_integer)
        detail::fail(path, clustr::detail::concat("dtype is ", name_of(a.type), "; expected float32 or float64"));
      return to_matrix<T>(a, path, true);
    }
    case file_format::csv: return read_csv<T>(path);
#ifndef CLUSTR_IO_NO_IDX
    case file_format::idx: {
      auto a = read_idx(path);
      if (a.shape.size() > 2) a.shape = {a.rows(), a.cols()};
      return to_matrix<T>(a, path, true);
    }
#endif
    default: break;
  }
  detail::fail(path, "unknown file type (expected .npy, .csv, .tsv, .txt or idx[.gz])");
}

}  // namespace clustr::io
