#pragma once
// Numeric CSV (and TSV / space-separated) files: every row the same number of
// fields, one number per field. A first line that is not all numbers is a
// header. Numbers are parsed with std::from_chars (locale-independent, exact
// round trip); written with std::to_chars (shortest form that reads back to
// the same value).

#include <charconv>
#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "clustr/io/detail/common.hpp"

namespace clustr::io {

/// Options of read_csv.
struct csv_options {
  /// Field separator; 0 (default) detects it from the first data line:
  /// ',' then '\t' then ';' then runs of spaces.
  char delimiter = 0;
  /// Whether the first line is a header: -1 (default) when any of its fields
  /// is not a number, 0 never, 1 always.
  int header = -1;
  /// Lines starting with this character (after blanks) are skipped; 0: none.
  char comment = '#';
};

/// A CSV file's numbers and its header (empty when it had none).
template <class T>
struct csv_table {
  matrix<T, host_space> values;
  std::vector<std::string> header;
};

namespace detail {

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '"')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '"')) s.remove_suffix(1);
  return s;
}

inline std::vector<std::string_view> split_fields(std::string_view line, char delim) {
  std::vector<std::string_view> out;
  if (delim == ' ') {  // runs of blanks separate
    std::size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
      if (i >= line.size()) break;
      std::size_t j = i;
      while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r') ++j;
      out.push_back(line.substr(i, j - i));
      i = j;
    }
    return out;
  }
  std::size_t start = 0;
  for (;;) {
    const auto p = line.find(delim, start);
    out.push_back(trim(line.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start)));
    if (p == std::string_view::npos) break;
    start = p + 1;
  }
  return out;
}

template <class T>
bool parse_number(std::string_view s, T& v) {
  s = trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

inline char detect_delimiter(std::string_view line) {
  for (char c : {',', '\t', ';'})
    if (line.find(c) != std::string_view::npos) return c;
  return ' ';
}

inline bool blank_or_comment(std::string_view line, char comment) {
  for (char c : line) {
    if (c == ' ' || c == '\t' || c == '\r') continue;
    return comment != 0 && c == comment;
  }
  return true;
}

}  // namespace detail

/// Reads a numeric CSV file into a host matrix (rows x fields) and its
/// header. Throws io_error for a missing file, an empty file, rows of
/// different lengths or a field that is not a number (naming line and field).
/// "nan" and "inf" are read as such; the caller checks finiteness.
template <class T>
csv_table<T> read_csv_table(const std::string& path, const csv_options& opt = {}) {
  std::ifstream in(path);
  if (!in) detail::fail(path, "cannot open file");
  csv_table<T> out;
  std::vector<T> values;
  std::string line;
  char delim = opt.delimiter;
  std::size_t cols = 0, rows = 0, line_no = 0;
  bool first = true;
  while (std::getline(in, line)) {
    ++line_no;
    if (detail::blank_or_comment(line, opt.comment)) continue;
    if (delim == 0) delim = detail::detect_delimiter(line);
    const auto fields = detail::split_fields(line, delim);
    if (first) {
      first = false;
      bool numeric = true;
      T v{};
      for (auto f : fields) numeric = numeric && detail::parse_number(f, v);
      if (opt.header == 1 || (opt.header == -1 && !numeric)) {
        for (auto f : fields) out.header.emplace_back(detail::trim(f));
        cols = fields.size();
        continue;
      }
    }
    if (cols == 0) cols = fields.size();
    if (fields.size() != cols)
      detail::fail(path, clustr::detail::concat("line ", line_no, " has ", fields.size(), " fields, expected ", cols));
    for (std::size_t j = 0; j < fields.size(); ++j) {
      T v{};
      if (!detail::parse_number(fields[j], v))
        detail::fail(path, clustr::detail::concat("line ", line_no, ", field ", j + 1, ": '", std::string(fields[j]),
                                                  "' is not a number"));
      values.push_back(v);
    }
    ++rows;
  }
  if (rows == 0) detail::fail(path, "no data rows");
  out.values = detail::host_matrix<T>(static_cast<index_t>(rows), static_cast<index_t>(cols));
  std::memcpy(out.values.data(), values.data(), values.size() * sizeof(T));
  return out;
}

/// Reads a numeric CSV file into a host matrix (see read_csv_table).
template <class T>
matrix<T, host_space> read_csv(const std::string& path, const csv_options& opt = {}) {
  return read_csv_table<T>(path, opt).values;
}

/// Writes a host matrix view as CSV, with an optional header line.
template <class T>
void write_csv(const std::string& path, matrix_view<const T, host_space> m, const std::vector<std::string>& header = {},
               char delimiter = ',') {
  std::ofstream out(path, std::ios::trunc);
  if (!out) detail::fail(path, "cannot open file for writing");
  for (std::size_t j = 0; j < header.size(); ++j) out << (j ? std::string(1, delimiter) : "") << header[j];
  if (!header.empty()) out << '\n';
  char buf[64];
  std::string line;
  for (index_t i = 0; i < m.rows(); ++i) {
    line.clear();
    for (index_t j = 0; j < m.cols(); ++j) {
      if (j) line.push_back(delimiter);
      const auto r = std::to_chars(buf, buf + sizeof buf, m(i, j));
      line.append(buf, r.ptr);
    }
    line.push_back('\n');
    out << line;
  }
  out.flush();
  if (!out) detail::fail(path, "write failed (disk full?)");
}

/// Writes an owning host matrix as CSV.
template <class T>
void write_csv(const std::string& path, const matrix<T, host_space>& m, const std::vector<std::string>& header = {},
               char delimiter = ',') {
  write_csv(path, matrix_view<const T, host_space>(m.view()), header, delimiter);
}

}  // namespace clustr::io
