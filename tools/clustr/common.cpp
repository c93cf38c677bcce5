#include "common.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <set>

#include "clustr/io/io.hpp"

namespace fs = std::filesystem;

namespace clustr_cli {

void fail(const std::string& message, int code) { throw cli_error(message, code); }

namespace {

template <class T>
void check_finite(const std::string& source, const T* data, std::int64_t rows, std::int64_t cols) {
  for (std::int64_t i = 0; i < rows * cols; ++i)
    if (!std::isfinite(data[i]))
      fail(source + ": non-finite value (" + (std::isnan(data[i]) ? "NaN" : "inf") + ") at row " + std::to_string(i / cols) +
           ", column " + std::to_string(i % cols) + "; clean the data first");
}

any_matrix from_array(const clustr::io::array& a, const std::string& path, const std::string& want) {
  if (a.shape.size() != 2 && a.shape.size() != 1)
    fail(path + ": expected a 2-d array (n_samples, n_features), got " + std::to_string(a.shape.size()) + " dimensions");
  any_matrix m;
  m.rows = a.rows();
  m.cols = a.cols();
  m.is_double = want == "float64" || (want == "auto" && a.type == clustr::io::dtype::float64);
  if (m.is_double) m.d = a.to_vector<double>();
  else m.f = a.to_vector<float>();
  return m;
}

std::vector<std::int32_t> load_labels(const std::string& path, std::int64_t n) {
  namespace io = clustr::io;
  std::vector<std::int32_t> out;
  try {
    if (io::format_of(path) == io::file_format::npy) {
      const auto a = io::read_npy(path);
      if (a.shape.size() != 1 && !(a.shape.size() == 2 && a.shape[1] == 1))
        fail(path + ": labels must be a 1-d array");
      if (io::is_floating(a.type)) {
        for (double v : a.to_vector<double>()) {
          if (v != std::floor(v)) fail(path + ": labels must be integers");
          out.push_back(static_cast<std::int32_t>(v));
        }
      } else {
        out = a.to_vector<std::int32_t>();
      }
    } else {
      const auto m = io::load_matrix<double>(path, true);
      if (m.cols() != 1) fail(path + ": labels must be one column");
      for (clustr::index_t i = 0; i < m.rows(); ++i) out.push_back(static_cast<std::int32_t>(m.data()[i]));
    }
  } catch (const io::io_error& e) {
    fail(e.what());
  }
  if (static_cast<std::int64_t>(out.size()) != n)
    fail(path + ": " + std::to_string(out.size()) + " labels for " + std::to_string(n) + " rows of input");
  return out;
}

}  // namespace

dataset load_dataset(const common_options& o) {
  namespace io = clustr::io;
  dataset d;
  d.source = o.input;
  if (o.dtype != "auto" && o.dtype != "float32" && o.dtype != "float64")
    fail("--dtype must be auto, float32 or float64, not '" + o.dtype + "'");
  const bool dbl = o.dtype == "float64";
  try {
    if (o.input.rfind("fashion-mnist", 0) == 0) {
      const std::string split = o.input.size() > 13 ? o.input.substr(13) : ":test";
      io::fashion_mnist_split s;
      if (split == ":test" || split.empty()) s = io::fashion_mnist_split::test;
      else if (split == ":train") s = io::fashion_mnist_split::train;
      else if (split == ":all" || split == ":full") s = io::fashion_mnist_split::all;
      else fail("--input " + o.input + ": expected fashion-mnist, fashion-mnist:test, fashion-mnist:train or fashion-mnist:all");
      auto fm = io::load_fashion_mnist<float>(s);
      d.X.rows = fm.images.rows();
      d.X.cols = fm.images.cols();
      d.X.is_double = dbl;
      if (dbl) d.X.d.assign(fm.images.data(), fm.images.data() + fm.images.size());
      else d.X.f.assign(fm.images.data(), fm.images.data() + fm.images.size());
      d.truth.assign(fm.labels.data(), fm.labels.data() + fm.labels.size());
      d.truth_source = "Fashion-MNIST class labels";
    } else {
      if (!fs::exists(o.input)) fail(o.input + ": no such file");
      switch (io::format_of(o.input)) {
        case io::file_format::npy: {
          const auto a = io::read_npy(o.input);
          if (!io::is_floating(a.type))
            fail(o.input + ": dtype is " + io::name_of(a.type) + "; expected float32 or float64 (np.asarray(x, np.float32))");
          d.X = from_array(a, o.input, o.dtype);
          break;
        }
        case io::file_format::csv: {
          if (dbl) {
            auto m = io::read_csv<double>(o.input);
            d.X = {m.rows(), m.cols(), true, {}, std::vector<double>(m.data(), m.data() + m.size())};
          } else {
            auto m = io::read_csv<float>(o.input);
            d.X = {m.rows(), m.cols(), false, std::vector<float>(m.data(), m.data() + m.size()), {}};
          }
          break;
        }
        case io::file_format::idx: {
          auto a = io::read_idx(o.input);
          if (a.shape.size() > 2) a.shape = {a.rows(), a.cols()};
          any_matrix m;
          m.rows = a.rows();
          m.cols = a.cols();
          m.is_double = dbl;
          if (dbl) m.d = a.to_vector<double>();
          else m.f = a.to_vector<float>();
          d.X = std::move(m);
          break;
        }
        default: fail(o.input + ": unknown file type (expected .npy, .csv, .tsv, .txt, idx[.gz] or fashion-mnist[:test|:train|:all])");
      }
    }
  } catch (const io::io_error& e) {
    fail(e.what());
  }
  if (d.X.rows < 1 || d.X.cols < 1)
    fail(o.input + ": empty data (shape " + std::to_string(d.X.rows) + " x " + std::to_string(d.X.cols) + ")");
  d.X.visit([&](const auto* p) { check_finite(o.input, p, d.X.rows, d.X.cols); });
  if (!o.labels.empty()) {
    if (!fs::exists(o.labels)) fail(o.labels + ": no such file");
    d.truth = load_labels(o.labels, d.X.rows);
    d.truth_source = o.labels;
  }
  return d;
}

// ---- output_dir

output_dir::output_dir(std::string dir) : dir_(std::move(dir)) {
  if (fs::exists(dir_) && !fs::is_directory(dir_)) fail("--out " + dir_ + ": exists and is not a directory");
}

void output_dir::ensure_dir() {
  if (fs::exists(dir_)) return;
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) fail("--out " + dir_ + ": cannot create directory (" + ec.message() + ")");
  created_ = true;
}

std::string output_dir::temp_path(const std::string& name) {
  ensure_dir();
  const std::string tmp = (fs::path(dir_) / ("." + name + ".tmp" + std::to_string(::getpid()))).string();
  files_.emplace_back(tmp, (fs::path(dir_) / name).string());
  return tmp;
}

void output_dir::write_text(const std::string& name, const std::string& text) {
  const auto p = temp_path(name);
  std::FILE* f = std::fopen(p.c_str(), "wb");
  if (!f) fail(p + ": cannot open for writing");
  const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  if (std::fclose(f) != 0 || !ok) fail(p + ": write failed (disk full?)");
}

template <class T>
void output_dir::write_npy(const std::string& name, const T* data, const std::vector<std::int64_t>& shape) {
  const auto p = temp_path(name);
  try {
    clustr::io::write_npy(p, data, shape);
  } catch (const clustr::io::io_error& e) {
    fail(e.what());
  }
}

template void output_dir::write_npy<float>(const std::string&, const float*, const std::vector<std::int64_t>&);
template void output_dir::write_npy<double>(const std::string&, const double*, const std::vector<std::int64_t>&);
template void output_dir::write_npy<std::int32_t>(const std::string&, const std::int32_t*, const std::vector<std::int64_t>&);
template void output_dir::write_npy<std::int64_t>(const std::string&, const std::int64_t*, const std::vector<std::int64_t>&);

void output_dir::write_npy(const std::string& name, const any_matrix& m) {
  m.visit([&](const auto* p) { write_npy(name, p, {m.rows, m.cols}); });
}

std::vector<std::string> output_dir::commit() {
  std::vector<std::string> out;
  for (const auto& [tmp, fin] : files_) {
    std::error_code ec;
    fs::rename(tmp, fin, ec);
    if (ec) fail(fin + ": cannot rename from " + tmp + " (" + ec.message() + ")");
    out.push_back(fin);
  }
  committed_ = true;
  return out;
}

output_dir::~output_dir() {
  if (committed_) return;
  std::error_code ec;
  for (const auto& f : files_) fs::remove(f.first, ec);
  if (created_ && fs::is_empty(dir_, ec)) fs::remove(dir_, ec);
}

// ---- timing and summaries

double stage_timer::total() const {
  double t = 0;
  for (const auto& s : stages_) t += s.second;
  return t;
}

json stage_timer::to_json() const {
  json j = json::object();
  for (const auto& [name, s] : stages_) j[name] = s;
  return j;
}

json summary_header(const std::string& command, const common_options& o, const dataset& d, const std::string& device) {
  json j = json::object();
  j["command"] = command;
  j["clustr_version"] = "0.1.0";
  json in = json::object();
  in["source"] = d.source;
  in["rows"] = d.X.rows;
  in["cols"] = d.X.cols;
  in["dtype"] = d.X.dtype_name();
  in["true_labels"] = d.truth.empty() ? json(nullptr) : json(d.truth_source);
  j["input"] = in;
  j["backend"] = o.backend;
  j["device"] = device;
  j["seed"] = static_cast<unsigned long long>(o.seed);
  return j;
}

void say(const common_options& o, const std::string& text) {
  if (!o.quiet) std::cout << text << std::flush;
}

std::vector<std::int64_t> widen(const std::vector<std::int32_t>& labels) { return {labels.begin(), labels.end()}; }

std::int64_t count_clusters(const std::vector<std::int32_t>& labels) {
  std::set<std::int32_t> s;
  for (auto l : labels)
    if (l != -1) s.insert(l);
  return static_cast<std::int64_t>(s.size());
}

double noise_fraction(const std::vector<std::int32_t>& labels) {
  if (labels.empty()) return 0;
  return static_cast<double>(std::count(labels.begin(), labels.end(), -1)) / static_cast<double>(labels.size());
}

std::pair<std::vector<double>, std::vector<double>> first_two_columns(const any_matrix& X) {
  std::vector<double> x(static_cast<std::size_t>(X.rows)), y(static_cast<std::size_t>(X.rows), 0.0);
  for (std::int64_t i = 0; i < X.rows; ++i) {
    x[static_cast<std::size_t>(i)] = X.at(i, 0);
    if (X.cols > 1) y[static_cast<std::size_t>(i)] = X.at(i, 1);
  }
  return {x, y};
}

std::pair<std::vector<double>, std::vector<double>> view_2d(const any_matrix& X, std::string& what) {
  if (X.cols <= 2) {
    what = "column";
    return first_two_columns(X);
  }
  what = "principal component";
  const std::int64_t n = X.rows, d = X.cols;
  const std::int64_t step = std::max<std::int64_t>(1, n / 2000);
  std::vector<double> mean(static_cast<std::size_t>(d), 0.0);
  std::int64_t m = 0;
  for (std::int64_t i = 0; i < n; i += step, ++m)
    for (std::int64_t j = 0; j < d; ++j) mean[static_cast<std::size_t>(j)] += X.at(i, j);
  for (auto& v : mean) v /= static_cast<double>(m);
  // Power iteration on the sample covariance, with deflation for the second axis.
  std::vector<std::vector<double>> axes;
  std::vector<double> proj(static_cast<std::size_t>(m));
  for (int a = 0; a < 2; ++a) {
    std::vector<double> v(static_cast<std::size_t>(d));
    for (std::int64_t j = 0; j < d; ++j) v[static_cast<std::size_t>(j)] = 1.0 + 0.01 * static_cast<double>((j * 7919) % 101);
    for (int it = 0; it < 30; ++it) {
      for (const auto& u : axes) {  // stay orthogonal to the axes found
        double dot = 0;
        for (std::int64_t j = 0; j < d; ++j) dot += v[static_cast<std::size_t>(j)] * u[static_cast<std::size_t>(j)];
        for (std::int64_t j = 0; j < d; ++j) v[static_cast<std::size_t>(j)] -= dot * u[static_cast<std::size_t>(j)];
      }
      double norm = 0;
      for (double x : v) norm += x * x;
      norm = std::sqrt(norm);
      if (!(norm > 0)) break;
      for (auto& x : v) x /= norm;
      std::int64_t r = 0;
      for (std::int64_t i = 0; i < n; i += step, ++r) {
        double s = 0;
        for (std::int64_t j = 0; j < d; ++j) s += (X.at(i, j) - mean[static_cast<std::size_t>(j)]) * v[static_cast<std::size_t>(j)];
        proj[static_cast<std::size_t>(r)] = s;
      }
      std::vector<double> w(static_cast<std::size_t>(d), 0.0);
      r = 0;
      for (std::int64_t i = 0; i < n; i += step, ++r)
        for (std::int64_t j = 0; j < d; ++j)
          w[static_cast<std::size_t>(j)] += proj[static_cast<std::size_t>(r)] * (X.at(i, j) - mean[static_cast<std::size_t>(j)]);
      v = std::move(w);
    }
    double norm = 0;
    for (double x : v) norm += x * x;
    norm = std::sqrt(norm);
    if (norm > 0)
      for (auto& x : v) x /= norm;
    axes.push_back(std::move(v));
  }
  std::vector<double> x(static_cast<std::size_t>(n)), y(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    double a = 0, b = 0;
    for (std::int64_t j = 0; j < d; ++j) {
      const double c = X.at(i, j) - mean[static_cast<std::size_t>(j)];
      a += c * axes[0][static_cast<std::size_t>(j)];
      b += c * axes[1][static_cast<std::size_t>(j)];
    }
    x[static_cast<std::size_t>(i)] = a;
    y[static_cast<std::size_t>(i)] = b;
  }
  return {x, y};
}

}  // namespace clustr_cli
